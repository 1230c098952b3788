package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.replication.rdma.LoopbackFabric;
import io.wirekv.dataplane.replication.rdma.RdmaConnector;
import io.wirekv.dataplane.server.WirekvServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication thread allocates nothing per record, on either side: two servers in this JVM (a primary pushing to
 * a backup over loopback TCP), thousands of pipelined SETs streamed, and the primary's and the backup's
 * {@code wirekv-replication} threads measured with {@code ThreadMXBean#getThreadAllocatedBytes}. A few attempts, as
 * the JIT may still be compiling on a loaded machine; one clean attempt passes.
 */
class ReplicationAllocationTest
{
    private static final int WRITES = 20_000;
    /** Far below one byte per record: what a connection or timer may allocate once, never per record. */
    private static final long MAX_BYTES = 16 * 1024;
    private final InProcessServers servers = new InProcessServers("repl-alloc");
    private ReplicationConnector transport = TcpReplicationConnector.INSTANCE;
    private WirekvServer primary;
    private WirekvServer backup;

    @AfterEach
    void tearDown() throws IOException
    {
        servers.close();
    }

    @Test
    void shouldNotAllocatePerRecordOnTheSenderOrTheReceiver() throws Exception
    {
        streamAndMeasure();
    }

    /** The same over the RDMA transport, through the loopback fabric that stands in for a device (none here). */
    @Test
    void shouldNotAllocatePerRecordOverRdma() throws Exception
    {
        final LoopbackFabric fabric = new LoopbackFabric();
        transport = new RdmaConnector(fabric.factory(), false, "rdma (loopback fabric)");
        streamAndMeasure();
        assertTrue(fabric.bytesWritten() > (long)WRITES * 4, "the records went over the fabric");
    }

    private void streamAndMeasure() throws Exception
    {
        final ReplicationSettings.HostPort listen = InProcessServers.freeAddress();
        backup = start("backup", new ReplicationSettings(ReplicationSettings.Role.BACKUP, ReplicationSettings.Mode.ASYNC,
            listen, null, 1000));
        primary = start("primary", new ReplicationSettings(ReplicationSettings.Role.PRIMARY,
            ReplicationSettings.Mode.ASYNC, null, listen, 1000));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long sender = threadIdOf(primary);
        final long receiver = threadIdOf(backup);
        try (Socket client = new Socket("127.0.0.1", primary.tcpPort()))
        {
            InProcessServers.pipelineSets(client, WRITES, 2000, 0); // warm-up: connection, partial resume, JIT
            InProcessServers.awaitCaughtUp(primary, backup);
            long best = Long.MAX_VALUE;
            String last = "";
            for (int attempt = 1; attempt <= 4 && best > MAX_BYTES; attempt++)
            {
                final long senderBefore = threads.getThreadAllocatedBytes(sender);
                final long receiverBefore = threads.getThreadAllocatedBytes(receiver);
                InProcessServers.pipelineSets(client, WRITES, 2000, attempt);
                InProcessServers.awaitCaughtUp(primary, backup);
                final long sent = threads.getThreadAllocatedBytes(sender) - senderBefore;
                final long received = threads.getThreadAllocatedBytes(receiver) - receiverBefore;
                last = transport.describe() + ", attempt " + attempt + ": sender " + sent + " B, receiver " + received + " B for " + WRITES +
                    " records";
                System.out.println("replication allocation, " + last);
                best = Math.min(best, Math.max(sent, received));
            }
            final String report = last;
            assertTrue(best <= MAX_BYTES, () -> "the replication threads allocate per record: " + report);
        }
    }

    /** The server's replication thread, once it runs (the runner names its thread when the thread starts). */
    private static long threadIdOf(final WirekvServer server) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 10_000;
        while (server.replication().threadId() < 0 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(5);
        }
        return server.replication().threadId();
    }

    private WirekvServer start(final String name, final ReplicationSettings replication) throws IOException
    {
        return servers.start(name, replication.withTransport(transport), OutputStream.nullOutputStream());
    }
}
