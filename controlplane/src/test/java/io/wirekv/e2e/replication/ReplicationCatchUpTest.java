package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.e2e.ServeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Catch-up between two real processes: a backup restarted mid-stream resumes from its last applied sequence; a
 * backup that comes back after the primary's log no longer holds that sequence (a {@code wirekv snapshot} on the
 * primary deleted the covered segments) gets a full sync, and afterwards serves exactly the primary's table. A backup
 * killed ({@code kill -9}) and restarted while a client keeps writing (records in flight, a frame half read) resumes
 * and ends with the primary's {@code wirekv digest}.
 */
class ReplicationCatchUpTest
{
    private static final String[] SMALL_LOG = {"--partitions", "1", "--set", "log.segment.size=1m", "--set",
        "item.size.max=256k"};
    private ServeProcess primary;
    private ServeProcess backup;
    private Path primaryDir;
    private Path backupDir;
    private int listen;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(primary, backup);
        ReplicationPair.deleteTree(primaryDir);
        ReplicationPair.deleteTree(backupDir);
    }

    @Test
    void shouldResumeABackupRestartedMidStreamFromItsLastSequence()
    {
        startPair();
        try (McClient writer = ReplicationE2eTest.tcp(primary))
        {
            write(writer, 0, 300, "first");
            awaitSame(writer, 0, 300);
            backup.killForcibly();
            backup.close();
            write(writer, 300, 600, "second");
            for (int i = 0; i < 300; i += 7)
            {
                writer.delete("k" + i);
            }
            backup = startBackup();
            awaitSame(writer, 0, 600);
        }
        final String status = ReplicationPair.cli(primary, "replication")[1];
        assertTrue(status.contains("0 full syncs, 2 partial resumes"), status);
    }

    @Test
    void shouldConvergeWithABackupKilledAndRestartedUnderLoad() throws InterruptedException
    {
        startPair();
        final AtomicLong written = new AtomicLong();
        final AtomicLong stopAt = new AtomicLong(System.currentTimeMillis() + 30_000);
        final AtomicReference<String> failure = new AtomicReference<>();
        final Thread load = new Thread(() ->
        {
            try (McClient writer = ReplicationE2eTest.tcp(primary))
            {
                for (int i = 0; i < 300_000 && System.currentTimeMillis() < stopAt.get(); i++)
                {
                    final String reply = i % 10 == 9 ? writer.delete("k" + (i * 7 % 3000)) :
                        writer.set("k" + i % 3000, i, 0, ("load-" + i).getBytes(StandardCharsets.US_ASCII));
                    if (!"STORED".equals(reply) && !"DELETED".equals(reply) && !"NOT_FOUND".equals(reply))
                    {
                        failure.compareAndSet(null, "write " + i + ": " + reply);
                        return;
                    }
                    written.incrementAndGet();
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex.toString());
            }
        }, "catch-up-test-load");
        load.start();
        final long whileDown;
        try
        {
            Thread.sleep(1_500);
            backup.killForcibly(); // mid-stream: the load never paused for it
            backup.close();
            final long atKill = written.get();
            Thread.sleep(500);
            whileDown = written.get() - atKill;
            backup = startBackup();
            Thread.sleep(1_500);
        }
        finally
        {
            stopAt.set(0);
            load.join(10_000);
        }
        assertEquals(null, failure.get(), "the load failed");
        assertTrue(whileDown > 0, "no write while the backup was down");
        assertTrue(ReplicationPair.eventually(10_000, () -> digest(primary).equals(digest(backup))),
            () -> "digests differ 10 s after the load stopped\nprimary:\n" + digest(primary) + "backup:\n" +
                digest(backup) + ReplicationPair.cli(primary, "replication")[1] + "\nbackup log:\n" + backup.output());
        final String status = ReplicationPair.cli(primary, "replication")[1];
        assertTrue(status.contains("0 full syncs, 2 partial resumes"), status);
    }

    private static String digest(final ServeProcess serve)
    {
        final String[] r = ReplicationPair.cli(serve, "digest");
        assertEquals("0", r[0], r[2]);
        return r[1];
    }

    @Test
    void shouldFullSyncABackupBehindTheLogHorizon()
    {
        startPair();
        try (McClient writer = ReplicationE2eTest.tcp(primary))
        {
            write(writer, 0, 1200, "v".repeat(600)); // about 0.9 MB of log
            awaitSame(writer, 0, 1200);
            backup.killForcibly();
            backup.close();
            write(writer, 600, 2400, "w".repeat(600)); // rolls the 1 MiB segment
            for (int i = 0; i < 600; i += 5)
            {
                writer.delete("k" + i);
            }
            final String[] snapshot = ReplicationPair.cli(primary, "snapshot");
            assertEquals("0", snapshot[0], snapshot[1] + snapshot[2]);
            assertTrue(snapshot[1].matches("(?s).*[1-9]\\d* segments deleted.*"), snapshot[1]);
            backup = startBackup();
            awaitSame(writer, 0, 2400);
        }
        final String status = ReplicationPair.cli(primary, "replication")[1];
        assertTrue(status.contains("1 full syncs"), status);
        assertTrue(ReplicationPair.eventually(20_000, () -> !ReplicationPair.cli(backup, "replication")[1]
            .contains("full sync incomplete")), () -> "the full sync's snapshot never completed: " +
            ReplicationPair.cli(backup, "replication")[1]);
    }

    private void startPair()
    {
        primaryDir = ReplicationPair.newDataDir("repl-catchup-primary-");
        backupDir = ReplicationPair.newDataDir("repl-catchup-backup-");
        listen = ReplicationPair.freePort();
        backup = startBackup();
        primary = ReplicationPair.start(ReplicationPair.args(primaryDir, "async", "primary", "async", -1, listen,
            SMALL_LOG));
    }

    private ServeProcess startBackup()
    {
        return ReplicationPair.start(ReplicationPair.args(backupDir, "async", "backup", "async", listen, -1, SMALL_LOG));
    }

    private static void write(final McClient writer, final int from, final int to, final String prefix)
    {
        for (int i = from; i < to; i++)
        {
            assertEquals("STORED", writer.set("k" + i, i, 0, (prefix + i).getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /** Every key in [from, to) reads the same on the backup as on the primary, within 20 s. */
    private void awaitSame(final McClient writer, final int from, final int to)
    {
        try (McClient onBackup = ReplicationE2eTest.tcp(backup))
        {
            final boolean same = ReplicationPair.eventually(20_000, () -> firstDifference(writer, onBackup, from, to) < 0);
            final int diff = firstDifference(writer, onBackup, from, to);
            assertTrue(same, () -> "k" + diff + " differs on the backup\nprimary: " + primary.output() + "\nbackup: " +
                backup.output());
        }
    }

    private static int firstDifference(final McClient a, final McClient b, final int from, final int to)
    {
        for (int i = to - 1; i >= from; i--)
        {
            final McClient.Value x = a.get("k" + i);
            final McClient.Value y = b.get("k" + i);
            if ((null == x) != (null == y) || (null != x && (!Arrays.equals(x.data(), y.data()) || x.flags() != y.flags())))
            {
                return i;
            }
        }
        return -1;
    }

}
