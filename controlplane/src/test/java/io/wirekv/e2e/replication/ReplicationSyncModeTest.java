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
 */
class ReplicationSyncModeTest
{
    private static final String NO_BACKUP = "SERVER_ERROR replication: no backup connected (replication.mode=sync)";
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

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
