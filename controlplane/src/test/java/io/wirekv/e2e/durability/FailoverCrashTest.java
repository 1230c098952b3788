package io.wirekv.e2e.durability;

import io.wirekv.e2e.ServeProcess;
import io.wirekv.e2e.durability.AckOracle.Durability;
import io.wirekv.e2e.replication.ReplicationPair;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover under kill -9, on the crash test's kit ({@link CrashRun}, {@link AckOracle}): two real {@code wirekv serve}
 * processes with replication.mode = sync; drivers write through the primary and record every acknowledged write; the
 * primary is killed with SIGKILL at a random moment, the backup is promoted with {@code wirekv promote}, and every
 * acknowledged write must be on the new primary. The killed node restarts as the new primary's backup (full sync,
 * since the epochs differ), so the roles alternate. 20 cycles in the suite; {@code deploy/failover-test.sh --cycles 500}
 * sets {@code wirekv.failover.cycles} (and {@code wirekv.failover.seed}, {@code wirekv.failover.deadlineSeconds}).
 */
class FailoverCrashTest
{
    @Test
    void shouldLoseNoAcknowledgedWriteAcrossPrimaryKillsAndPromotions() throws Exception
    {
        final int cycles = Integer.getInteger("wirekv.failover.cycles", 20);
        final long deadline = System.currentTimeMillis() + Long.getLong("wirekv.failover.deadlineSeconds", 900) * 1000;
        final Pair pair = new Pair();
        // the arguments are printed in the run's first line; the pair starts its nodes itself
        final CrashRun.Settings settings = CrashRun.Settings.of(Durability.SYNC, pair.args(0, "primary"), cycles,
            Long.getLong("wirekv.failover.seed", System.nanoTime()), deadline).withLoadMs(30, 400, 1);
        final CrashRun.Summary summary = CrashRun.run(settings, pair, System.out);

        assertTrue(summary.cycles() >= Math.min(20, cycles) || summary.deadlineHit(), summary::describe);
        assertTrue(summary.changes() > 0, summary::describe);
        assertEquals(0, summary.lost(), () -> "acknowledged writes lost across a failover: " + summary.describe() + "\n" +
            String.join("\n", summary.problems()));
        assertTrue(summary.consistent(), () -> summary.describe() + "\n" + String.join("\n", summary.problems()));
        pair.deleteDirs();
    }

    /** Node i listens on its own port and names the other's as its peer; the primary alternates. */
    private static final class Pair implements CrashCycle.Nodes
    {
        private final Path[] dirs = {ReplicationPair.newDataDir("failover-a-"), ReplicationPair.newDataDir("failover-b-")};
        private final int[] listen = {ReplicationPair.freePort(), ReplicationPair.freePort()};
        private final ServeProcess[] nodes = new ServeProcess[2];
        private int primary;

        private List<String> args(final int node, final String role)
        {
            final List<String> args = new ArrayList<>(List.of("--mode", "store", "--writers", "2"));
            args.addAll(ReplicationPair.args(dirs[node], "sync", role, "sync", listen[node], listen[1 - node]));
            return args;
        }

        private ServeProcess launch(final int node, final String role)
        {
            return new ServeProcess(CrashRun.FAST_START_JVM, args(node, role));
        }

        @Override
        public ServeProcess start()
        {
            nodes[1] = launch(1, "backup");
            nodes[0] = launch(0, "primary");
            primary = 0;
            awaitConnected(nodes[0]);
            return nodes[0];
        }

        @Override
        public CrashCycle.Restart afterKill(final int cycle, final ServeProcess killed, final SplittableRandom rnd)
        {
            killed.close();
            final long start = System.nanoTime();
            final int promoted = 1 - primary;
            final String[] promote = ReplicationPair.cli(nodes[promoted], "promote");
            if (!"0".equals(promote[0]))
            {
                throw new IllegalStateException("cycle " + cycle + ": promote failed: " + promote[1] + promote[2]);
            }
            final long promoteMs = (System.nanoTime() - start) / 1_000_000; // the "restart" the cycle line shows
            nodes[primary] = launch(primary, "backup"); // the killed node comes back as the new primary's backup
            primary = promoted;
            awaitConnected(nodes[primary]);
            return new CrashCycle.Restart(nodes[primary], -1, promoteMs);
        }

        /** {@code wirekv replication} and {@code wirekv errors} of both nodes (the backup's named the full-sync bug). */
        @Override
        public String diagnose(final ServeProcess server)
        {
            final ServeProcess backup = nodes[1 - primary];
            return "primary " + server.name() + ": wirekv replication\n" + ReplicationPair.cli(server, "replication")[1] +
                "primary: wirekv errors\n" + ReplicationPair.cli(server, "errors")[1] +
                "backup " + (null == backup ? "-" : backup.name() + ": wirekv replication\n" +
                ReplicationPair.cli(backup, "replication")[1] + "backup: wirekv errors\n" +
                ReplicationPair.cli(backup, "errors")[1]) + "\nload average: " + loadAverage();
        }

        private static String loadAverage()
        {
            try
            {
                return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
            }
            catch (final java.io.IOException ex)
            {
                return "?";
            }
        }

        /** Sync mode refuses writes until a backup is connected: the next cycle's load starts after that. */
        private static void awaitConnected(final ServeProcess primary)
        {
            if (!ReplicationPair.eventually(60_000, () -> ReplicationPair.cli(primary, "replication")[1]
                .matches("(?s)replication  role primary, .*, connected\n.*")))
            {
                throw new IllegalStateException("the backup never connected to " + primary.name() + ": " +
                    ReplicationPair.cli(primary, "replication")[1] + "\n" + primary.output());
            }
        }

        @Override
        public void close()
        {
            for (final ServeProcess node : nodes)
            {
                if (null != node)
                {
                    node.close();
                }
            }
        }

        void deleteDirs()
        {
            ReplicationPair.deleteTree(dirs[0]);
            ReplicationPair.deleteTree(dirs[1]);
        }
    }
}
