package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.server.WirekvServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary counts what it streams: {@code repl_records_sent}, one per record, and {@code repl_stream_writes}, one per
 * write call (records sent per write says how well the stream batches), for a burst of pipelined SETs and a lone SET
 * right after it, all of which reach the backup. Two servers in this JVM over loopback TCP, as
 * {@link ReplicationAllocationTest}.
 */
class ReplicationStreamCountersTest
{
    private static final int WRITES = 20_000;
    private final InProcessServers servers = new InProcessServers("repl-counters");
    private WirekvServer primary;
    private WirekvServer backup;

    @AfterEach
    void tearDown() throws IOException
    {
        servers.close();
    }

    @Test
    void shouldCountTheRecordsAndTheWriteCallsOfTheStream() throws Exception
    {
        final ReplicationSettings.HostPort listen = InProcessServers.freeAddress();
        backup = servers.start("backup", new ReplicationSettings(ReplicationSettings.Role.BACKUP,
            ReplicationSettings.Mode.ASYNC, listen, null, 1000), OutputStream.nullOutputStream());
        primary = servers.start("primary", new ReplicationSettings(ReplicationSettings.Role.PRIMARY,
            ReplicationSettings.Mode.ASYNC, null, listen, 1000), OutputStream.nullOutputStream());
        final ReplicationCounters counters = primary.replication().counters();
        try (Socket client = new Socket("127.0.0.1", primary.tcpPort()))
        {
            InProcessServers.pipelineSets(client, 1, 1, 0); // connection and partial resume
            InProcessServers.awaitCaughtUp(primary, backup);
            final long recordsBefore = counters.senderValue(ReplicationCounters.SENT_RECORDS);
            final long writesBefore = counters.senderValue(ReplicationCounters.STREAM_WRITES);

            InProcessServers.pipelineSets(client, WRITES, WRITES, 1);
            // at once: one record more, while the burst may still be streaming
            InProcessServers.pipelineSets(client, 1, 1, 2);
            InProcessServers.awaitCaughtUp(primary, backup);
            final long records = counters.senderValue(ReplicationCounters.SENT_RECORDS) - recordsBefore;
            final long writes = counters.senderValue(ReplicationCounters.STREAM_WRITES) - writesBefore;
            System.out.printf("async stream: %d records in %d write calls%n", records, writes);
            assertEquals(WRITES + 1, records, "every SET changed the table, so each is one record");
            assertTrue(writes >= 1 && writes <= records + 2, writes + " write calls for " + records + " records");
        }
    }
}
