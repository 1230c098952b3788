package io.wirekv.dataplane.replication.rdma;

import io.wirekv.dataplane.replication.InProcessServers;
import io.wirekv.dataplane.replication.ReplicationSettings;
import io.wirekv.dataplane.replication.TcpReplicationConnector;
import io.wirekv.dataplane.server.WirekvServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary and a backup, two servers in this JVM, replicating over the RDMA transport through {@link LoopbackFabric}
 * (no RDMA device here): the replication agents run unchanged over {@link RdmaReplicationChannel}. In sync mode each
 * write's reply waits for the backup's ACK, which comes back over RDMA too, so every acknowledged write must be on
 * the backup when its reply arrives.
 */
class RdmaReplicationServerTest
{
    private static final int KEYS = 2_000;
    private final InProcessServers servers = new InProcessServers("rdma-repl");
    private final LoopbackFabric fabric = new LoopbackFabric();
    private final ByteArrayOutputStream primaryLog = new ByteArrayOutputStream();
    private WirekvServer primary;
    private WirekvServer backup;

    @AfterEach
    void tearDown() throws IOException
    {
        servers.close();
        assertEquals(0, fabric.openQueuePairs(), "the servers closed their queue pairs");
    }

    @Test
    void shouldReplicateEveryAcknowledgedSyncWriteOverRdma() throws Exception
    {
        final ReplicationSettings.HostPort listen = InProcessServers.freeAddress();
        backup = start("backup", new ReplicationSettings(ReplicationSettings.Role.BACKUP, ReplicationSettings.Mode.SYNC,
            listen, null, 5000).withTransport(overFabric(false)), new ByteArrayOutputStream());
        primary = start("primary", new ReplicationSettings(ReplicationSettings.Role.PRIMARY,
            ReplicationSettings.Mode.SYNC, null, listen, 5000).withTransport(overFabric(false)), primaryLog);
        assertTrue(primaryLog.toString(StandardCharsets.UTF_8).contains("transport rdma (loopback fabric)"),
            primaryLog::toString);

        try (Socket client = new Socket("127.0.0.1", primary.tcpPort());
            Socket reader = new Socket("127.0.0.1", backup.tcpPort()))
        {
            final OutputStream out = client.getOutputStream();
            final BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.US_ASCII));
            final OutputStream readerOut = reader.getOutputStream();
            final BufferedReader readerIn = new BufferedReader(new InputStreamReader(reader.getInputStream(),
                StandardCharsets.US_ASCII));
            final long deadline = System.currentTimeMillis() + 30_000;
            for (int i = 0; i < KEYS; i++)
            {
                final String value = "value-" + i;
                String reply;
                do
                {
                    // sync mode refuses writes until the backup is connected: retry those
                    out.write(("set rk" + i + " 0 0 " + value.length() + "\r\n" + value + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    reply = in.readLine();
                }
                while (reply.startsWith("SERVER_ERROR replication: no backup") && System.currentTimeMillis() < deadline);
                assertEquals("STORED", reply, "set rk" + i);
                if (i % 97 == 0 || i == KEYS - 1)
                {
                    // acknowledged, so on the backup already: read it there
                    readerOut.write(("get rk" + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    readerOut.flush();
                    assertEquals("VALUE rk" + i + " 0 " + value.length(), readerIn.readLine(), "rk" + i + " on the backup");
                    assertEquals(value, readerIn.readLine());
                    assertEquals("END", readerIn.readLine());
                }
            }
        }
        assertTrue(fabric.bytesWritten() > KEYS * 32L, "the stream went over the fabric: " + fabric.bytesWritten());
    }

    @Test
    void shouldNameTheTransportMismatchOnBothSidesOrFallBackUnderAuto() throws Exception
    {
        final ReplicationSettings.HostPort listen = InProcessServers.freeAddress();
        final ByteArrayOutputStream backupLog = new ByteArrayOutputStream();
        backup = start("backup", new ReplicationSettings(ReplicationSettings.Role.BACKUP, ReplicationSettings.Mode.ASYNC,
            listen, null, 5000), backupLog);
        primary = start("primary", new ReplicationSettings(ReplicationSettings.Role.PRIMARY,
            ReplicationSettings.Mode.ASYNC, null, listen, 5000).withTransport(overFabric(false)), primaryLog);
        awaitText(backupLog, "sets up an RDMA link, which this node does not use");
        awaitText(primaryLog, "set replication.transport the same on both nodes");
        assertTrue(!primary.replication().state().connected(), "no stream across the mismatch");
        primary.close();

        primary = start("primary-auto", new ReplicationSettings(ReplicationSettings.Role.PRIMARY,
            ReplicationSettings.Mode.ASYNC, null, listen, 5000).withTransport(overFabric(true)), primaryLog);
        awaitText(primaryLog, "streaming over TCP (replication.transport = auto)");
        final long deadline = System.currentTimeMillis() + 10_000;
        while (!primary.replication().state().connected() && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        assertTrue(primary.replication().state().connected(), "under auto the stream runs over TCP");
        assertEquals(0, fabric.bytesWritten(), "and nothing over the fabric");
    }

    private static void awaitText(final ByteArrayOutputStream log, final String text) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 10_000;
        while (!log.toString(StandardCharsets.UTF_8).contains(text) && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains(text), () -> "no \"" + text + "\" in " + log);
    }

    private RdmaConnector overFabric(final boolean auto)
    {
        return new RdmaConnector(fabric.factory(), auto, "rdma (loopback fabric)");
    }

    private WirekvServer start(final String name, final ReplicationSettings replication, final ByteArrayOutputStream log)
        throws IOException
    {
        return servers.start(name, replication, log);
    }
}
