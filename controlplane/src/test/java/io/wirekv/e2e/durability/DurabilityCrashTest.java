package io.wirekv.e2e.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.wirekv.e2e.durability.AckOracle.Durability;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The crash test in the RocksDB/Redis style against real {@code wirekv serve --persistence sync|async} processes
 * killed with SIGKILL ({@link CrashRun}). In the suite: 30 sync cycles and 8 async ones. The long run
 * ({@code deploy/crash-test.sh}) sets {@code wirekv.crash.cycles}, {@code wirekv.crash.maxLoadMs},
 * {@code wirekv.crash.deadlineSeconds} and {@code wirekv.crash.seed}.
 *
 * <p>SIGKILL ends the process, not the machine: the page cache survives, so these tests prove that a reply waits
 * for its record to be written and that recovery brings back everything written, not that the sync reaches the
 * disk (a power cut would; the durability log's own tests cover the sync). Under async with kill -9 the loss is
 * usually none at all.
 */
class DurabilityCrashTest
{
    /** persistence.async.interval given to the server, and the loss window the test allows beyond it. */
    private static final long ASYNC_INTERVAL_MS = 1_000;
    private static final long ASYNC_MARGIN_MS = Long.getLong("wirekv.crash.asyncMarginMs", 500);

    @Test
    void shouldLoseNoAcknowledgedWriteAcrossKillsWithSyncPersistence() throws Exception
    {
        final Path dir = CrashTestSupport.newDataDir("crash-sync-");
        final CrashRun.Settings settings = settings(Durability.SYNC, dir, List.of("--persistence", "sync"), 30, 30, 400);

        final CrashRun.Summary summary = CrashRun.run(settings, System.out);

        assertTrue(summary.cycles() >= Math.min(30, settings.cycles()) || summary.deadlineHit(), summary::describe);
        assertTrue(summary.changes() > 0, summary::describe);
        assertEquals(0, summary.lost(), () -> "acknowledged writes lost under sync: " + report(summary, dir));
        assertTrue(summary.consistent(), () -> report(summary, dir));
        CrashTestSupport.deleteTree(dir);
    }

    @Test
    void shouldLoseAtMostTheIntervalWithAsyncPersistence() throws Exception
    {
        final Path dir = CrashTestSupport.newDataDir("crash-async-");
        // loads longer than the interval, so that a loss has room to show its size
        final CrashRun.Settings settings = settings(Durability.ASYNC, dir, List.of("--persistence", "async",
            "--set", "persistence.async.interval=" + ASYNC_INTERVAL_MS / 1000 + "s"), 8, 1_200, 2_500);

        final CrashRun.Summary summary = CrashRun.run(settings, System.out);

        System.out.printf("async (interval %d ms): %d acknowledged writes lost in %d of %d cycles, largest loss window %.1f ms%n",
            ASYNC_INTERVAL_MS, summary.lost(), summary.cyclesWithLoss(), summary.cycles(), summary.largestLossWindowMs());
        assertTrue(summary.changes() > 0, summary::describe);
        assertTrue(summary.largestLossWindowMs() < ASYNC_INTERVAL_MS + ASYNC_MARGIN_MS,
            () -> "async lost writes older than the interval " + ASYNC_INTERVAL_MS + " ms + " + ASYNC_MARGIN_MS + " ms: " + report(summary, dir));
        assertTrue(summary.consistent(), () -> report(summary, dir));
        CrashTestSupport.deleteTree(dir);
    }

    private static CrashRun.Settings settings(final Durability durability, final Path dir, final List<String> persistence,
        final int suiteCycles, final long suiteMinLoadMs, final long suiteMaxLoadMs)
    {
        final List<String> args = new java.util.ArrayList<>(List.of("--mode", "store", "--writers", "2", "--data-dir", dir.toString()));
        args.addAll(persistence);
        final long deadline = System.currentTimeMillis() + Long.getLong("wirekv.crash.deadlineSeconds", 600) * 1000;
        final long maxLoadMs = Long.getLong("wirekv.crash.maxLoadMs", suiteMaxLoadMs);
        final CrashRun.Settings s = CrashRun.Settings.of(durability, List.copyOf(args), Integer.getInteger("wirekv.crash.cycles", suiteCycles),
            Long.getLong("wirekv.crash.seed", System.nanoTime()), deadline);
        return s.withLoadMs(Math.min(suiteMinLoadMs, maxLoadMs), maxLoadMs, s.minAckedBeforeKill());
    }

    private static String report(final CrashRun.Summary summary, final Path dir)
    {
        return summary.describe() + "; data directory kept at " + dir + "\n" + String.join("\n", summary.problems());
    }
}
