package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.e2e.ServeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * replication.mode = sync between two real processes: with no backup connected a write is refused up front (as Redis's
 * min-replicas); once the backup is connected a write's reply leaves only after the backup has applied it, so the
 * backup serves every acknowledged write the moment its STORED arrives; when the backup dies writes are refused again.
 * A backup that stays connected but stops acknowledging (SIGSTOP: a stalled or CPU-starved process keeps its socket)
 * holds no write longer than replication.sync.timeout: the reply is a SERVER_ERROR, the reason is in wirekv errors.
 */
class ReplicationSyncModeTest
{
    private static final String NO_BACKUP = "SERVER_ERROR replication: no backup connected (replication.mode=sync)";
    private static final String SYNC_TIMEOUT = "SERVER_ERROR replication: the backup did not acknowledge within " +
        "replication.sync.timeout (replication.mode=sync; see wirekv errors)";
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
    void shouldAcknowledgeAWriteOnlyOnceTheBackupHasIt()
    {
        primaryDir = ReplicationPair.newDataDir("repl-sync-primary-");
        backupDir = ReplicationPair.newDataDir("repl-sync-backup-");
        final int listen = ReplicationPair.freePort();
        primary = ReplicationPair.start(ReplicationPair.args(primaryDir, "async", "primary", "sync", -1, listen,
            "--set", "replication.sync.timeout=500ms"));
        try (McClient writer = ReplicationE2eTest.tcp(primary))
        {
            assertEquals(NO_BACKUP, writer.set("early", 0, 0, bytes("x")), "no backup yet: refused up front");

            backup = ReplicationPair.start(ReplicationPair.args(backupDir, "sync", "backup", "sync", listen, -1));
            assertTrue(ReplicationPair.eventually(15_000, () -> "STORED".equals(writer.set("probe", 0, 0, bytes("p")))),
                () -> "the primary never took a write once the backup ran\n" + primary.output() + "\n" + backup.output());
            try (McClient onBackup = ReplicationE2eTest.tcp(backup))
            {
                for (int i = 0; i < 200; i++)
                {
                    assertEquals("STORED", writer.set("s" + i, i, 0, bytes("sync-" + i)));
                    final McClient.Value v = onBackup.get("s" + i); // no waiting: the reply came after the backup's ACK
                    assertNotNull(v, "s" + i + " acknowledged by the primary but not on the backup");
                    assertArrayEquals(bytes("sync-" + i), v.data());
                }
            }
            backup.killForcibly();
            assertTrue(ReplicationPair.eventually(15_000, () -> NO_BACKUP.equals(writer.set("late", 0, 0, bytes("l")))),
                () -> "writes still acknowledged with the backup dead\n" + primary.output());
        }
    }

    @Test
    void shouldAnswerAWriteAfterTheSyncTimeoutWhenAConnectedBackupStopsAcknowledging() throws Exception
    {
        primaryDir = ReplicationPair.newDataDir("repl-stall-primary-");
        backupDir = ReplicationPair.newDataDir("repl-stall-backup-");
        final int listen = ReplicationPair.freePort();
        primary = ReplicationPair.start(ReplicationPair.args(primaryDir, "async", "primary", "sync", -1, listen,
            "--set", "replication.sync.timeout=500ms"));
        backup = ReplicationPair.start(ReplicationPair.args(backupDir, "async", "backup", "sync", listen, -1));
        // a long read timeout: without the bound the reply comes only once the silence timeout (5 s) drops the link
        try (McClient writer = new McClient(new io.wirekv.controlplane.client.TcpTransport(
            new io.wirekv.controlplane.client.ServerAddress("127.0.0.1", primary.tcpPort()), 15_000)))
        {
            assertTrue(ReplicationPair.eventually(15_000, () -> "STORED".equals(writer.set("probe", 0, 0, bytes("p")))),
                () -> "the primary never took a write once the backup ran\n" + primary.output() + "\n" + backup.output());
            signal("STOP", backup);
            try
            {
                final long start = System.nanoTime();
                final String reply = writer.set("stalled", 0, 0, bytes("s"));
                final long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertEquals(SYNC_TIMEOUT, reply, "a write held for a connected backup that acknowledges nothing");
                assertTrue(waitedMs >= 400 && waitedMs < 4_000, () -> "the reply took " + waitedMs + " ms; " +
                    "replication.sync.timeout is 500 ms (the link's silence timeout, 5 s, must not be what ends it)");
                assertTrue(ReplicationPair.cli(primary, "replication")[1].contains(", connected\n"),
                    "the link was still up: the timeout, not a drop, answered the write");
                assertTrue(ReplicationPair.eventually(5_000, () -> ReplicationPair.cli(primary, "errors")[1]
                        .contains("is connected but has not acknowledged partition")),
                    () -> "no reason in wirekv errors: " + ReplicationPair.cli(primary, "errors")[1]);
            }
            finally
            {
                signal("CONT", backup);
            }
            assertTrue(ReplicationPair.eventually(20_000, () -> "STORED".equals(writer.set("again", 0, 0, bytes("a")))),
                () -> "writes not acknowledged again once the backup resumed\n" + primary.output());
        }
    }

    private static void signal(final String name, final ServeProcess serve) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(serve.process().pid()))
            .inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name);
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
