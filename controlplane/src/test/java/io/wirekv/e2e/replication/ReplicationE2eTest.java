package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.controlplane.client.TcpTransport;
import io.wirekv.controlplane.client.UdpTransport;
import io.wirekv.e2e.ServeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real {@code wirekv serve} processes on loopback, a primary pushing its partition logs to a backup over TCP:
 * every write to the primary is readable on the backup over TCP and UDP, deletes included; the backup refuses
 * client writes with the replication SERVER_ERROR and serves reads.
 */
class ReplicationE2eTest
{
    private ServeProcess primary;
    private ServeProcess backup;
    private Path primaryDir;
    private Path backupDir;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(primary, backup);
        ReplicationPair.deleteTree(primaryDir);
        ReplicationPair.deleteTree(backupDir);
    }

    @Test
    void shouldServeEveryPrimaryWriteFromTheBackupOverTcpAndUdp()
    {
        primaryDir = ReplicationPair.newDataDir("repl-primary-");
        backupDir = ReplicationPair.newDataDir("repl-backup-");
        final int listen = ReplicationPair.freePort();
        backup = ReplicationPair.start(ReplicationPair.args(backupDir, "async", "backup", "async", listen, -1));
        primary = ReplicationPair.start(ReplicationPair.args(primaryDir, "async", "primary", "async", -1, listen));
        final int keys = 300;
        try (McClient writer = tcp(primary); McClient tcpReader = tcp(backup); McClient udpReader = udp(backup))
        {
            for (int i = 0; i < keys; i++)
            {
                assertEquals("STORED", writer.set("k" + i, i, 0, value(i)));
            }
            for (int i = 0; i < keys; i += 10)
            {
                assertEquals("DELETED", writer.delete("k" + i));
            }
            assertTrue(ReplicationPair.eventually(10_000, () -> null != tcpReader.get("k" + (keys - 1))),
                () -> "the backup never got the last key\nprimary: " + primary.output() + "\nbackup: " + backup.output());
            assertTrue(ReplicationPair.eventually(5_000, () -> null == tcpReader.get("k" + (keys - 10))));
            for (int i = 0; i < keys; i++)
            {
                final McClient.Value tcpValue = tcpReader.get("k" + i);
                final McClient.Value udpValue = udpReader.get("k" + i);
                if (i % 10 == 0)
                {
                    assertNull(tcpValue, "k" + i + " was deleted on the primary");
                    assertNull(udpValue, "k" + i + " was deleted on the primary (udp)");
                }
                else
                {
                    assertNotNull(tcpValue, "k" + i + " over tcp");
                    assertArrayEquals(value(i), tcpValue.data(), "k" + i + " over tcp");
                    assertEquals(i, tcpValue.flags());
                    assertNotNull(udpValue, "k" + i + " over udp");
                    assertArrayEquals(value(i), udpValue.data(), "k" + i + " over udp");
                }
            }
        }
    }

    @Test
    void shouldRefuseClientWritesOnTheBackupAndServeReads()
    {
        primaryDir = ReplicationPair.newDataDir("repl-primary-");
        backupDir = ReplicationPair.newDataDir("repl-backup-");
        final int listen = ReplicationPair.freePort();
        backup = ReplicationPair.start(ReplicationPair.args(backupDir, "async", "backup", "async", listen, -1));
        primary = ReplicationPair.start(ReplicationPair.args(primaryDir, "async", "primary", "async", -1, listen));
        try (McClient writer = tcp(primary); McClient onBackup = tcp(backup))
        {
            assertEquals("STORED", writer.set("shared", 7, 0, "from-primary".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(ReplicationPair.eventually(10_000, () -> null != onBackup.get("shared")));
            assertEquals("SERVER_ERROR replication: this node is a backup (read-only); write to the primary",
                onBackup.set("shared", 1, 0, "from-client".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("SERVER_ERROR replication: this node is a backup (read-only); write to the primary",
                onBackup.delete("shared"));
            final String meta = new String(onBackup.raw("ms shared 3\r\nabc\r\n".getBytes(
                StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);
            assertTrue(meta.startsWith("SERVER_ERROR replication: this node is a backup"), meta);
            assertArrayEquals("from-primary".getBytes(StandardCharsets.US_ASCII), onBackup.get("shared").data());
        }
    }

    static McClient tcp(final ServeProcess server)
    {
        return new McClient(new TcpTransport(new ServerAddress("127.0.0.1", server.tcpPort()), 2_000));
    }

    static McClient udp(final ServeProcess server)
    {
        return new McClient(new UdpTransport(new ServerAddress("127.0.0.1", server.udpPort()), 1_000, 3));
    }

    static byte[] value(final int i)
    {
        return ("value-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.US_ASCII);
    }
}
