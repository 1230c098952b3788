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
 * An async primary lets records gather before it streams them ({@link ReplicationSenderAgent#ASYNC_LINGER_NS},
 * {@link ReplicationSenderAgent#ASYNC_BATCH_RECORDS}), and that holds nothing back for good: a burst reaches the backup
 * whole, counted in {@code repl_records_sent} and {@code repl_stream_writes}, and so does a lone write right after it,
 * which fills no batch. What gathering saves (write calls on a busy primary's core) shows only on a saturated core:
 * {@code deploy/bench-replication.sh} measures it. Two servers in this JVM over loopback TCP, as
 * {@link ReplicationAllocationTest}.
 */
class AsyncStreamGatheringTest
{
    private static final int WRITES = 20_000;
    private final InProcessServers servers = new InProcessServers("repl-gathering");
    private WirekvServer primary;
    private WirekvServer backup;

    @AfterEach
    void tearDown() throws IOException
    {
        servers.close();
    }

    @Test
    void shouldDeliverABurstWholeAndALoneWriteAfterIt() throws Exception
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
            // at once: one record, far below a batch, while the burst's last records may still be gathering
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
