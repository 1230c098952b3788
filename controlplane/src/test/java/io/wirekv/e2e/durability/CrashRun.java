package io.wirekv.e2e.durability;

import io.wirekv.e2e.ServeProcess;
import io.wirekv.e2e.durability.AckOracle.Durability;
import io.wirekv.e2e.durability.AckOracle.KeyHistory;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A crash test run: start {@code wirekv serve} with the given arguments, then kill cycles ({@link CrashCycle}) until
 * the count or the deadline, printing one line per cycle and a summary. The caller owns the data directory (it is
 * in {@link Settings#serverArgs()}); the server arguments are a plain list so that the harness runs against any
 * serve, with or without persistence.
 */
final class CrashRun
{
    /**
     * The crash servers' JVM starts about 40% faster with C1 only and the serial collector (measured on this
     * 2-core machine under load: 3.1-3.4 s against 5.1 s); the restart is most of a cycle's time, and the log and
     * recovery code run the same either way.
     */
    static final List<String> FAST_START_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    /** Problem lines printed per cycle (all are counted). */
    private static final int PRINTED_PER_CYCLE = 5;

    /**
     * @param serverArgs     serve arguments after the fixed ones {@code ServeProcess} adds (listen, port, memory)
     * @param minLoadMs      shortest load before a kill
     * @param maxLoadMs      longest load before a kill
     * @param minAckedBeforeKill a kill waits for at least this many acknowledged writes (bounded in time)
     * @param deadlineMs     wall-clock time after which no new cycle starts
     * @param kill           false: stop the load instead of killing, and read the same server (the self-check)
     */
    record Settings(Durability durability, List<String> serverArgs, int cycles, int connections, int dataKeysPerConnection,
        int counterKeysPerConnection, int ttlKeysPerConnection, long minLoadMs, long maxLoadMs, long minAckedBeforeKill,
        long seed, long deadlineMs, boolean kill)
    {
        /** 4 connections, 150 + 40 + 10 keys each, loads of 30..600 ms. */
        static Settings of(final Durability durability, final List<String> serverArgs, final int cycles, final long seed,
            final long deadlineMs)
        {
            return new Settings(durability, serverArgs, cycles, 4, 150, 40, 10, 30, 600, 1, seed, deadlineMs, true);
        }

        Settings withLoadMs(final long min, final long max, final long minAcked)
        {
            return new Settings(durability, serverArgs, cycles, connections, dataKeysPerConnection, counterKeysPerConnection,
                ttlKeysPerConnection, min, max, minAcked, seed, deadlineMs, kill);
        }

        /** The load stops instead of a kill, and the same server is read back. */
        Settings withoutKill()
        {
            return new Settings(durability, serverArgs, cycles, connections, dataKeysPerConnection, counterKeysPerConnection,
                ttlKeysPerConnection, minLoadMs, maxLoadMs, minAckedBeforeKill, seed, deadlineMs, false);
        }
    }

    /** Totals over the cycles run. */
    record Summary(int cycles, int recoveryKills, long acknowledged, long changes, long inFlight, long lost, int cyclesWithLoss,
        double largestLossWindowMs, long wrongKeys, long casRegressions, long replyProblems, long maxRestartMs,
        boolean deadlineHit, List<String> problems)
    {
        boolean consistent()
        {
            return wrongKeys == 0 && casRegressions == 0 && replyProblems == 0;
        }

        String describe()
        {
            return String.format("%d cycles%s (%d with a start-up killed too): %d acknowledged writes (%d changes), %d in " +
                "flight at kills, %d acknowledged writes lost in %d cycles, largest loss window %.1f ms, %d wrong keys, %d CAS " +
                "regressions, %d unexpected replies, slowest restart %d ms", cycles, deadlineHit ? " (deadline reached)" : "",
                recoveryKills, acknowledged, changes,
                inFlight, lost, cyclesWithLoss, largestLossWindowMs, wrongKeys, casRegressions, replyProblems, maxRestartMs);
        }
    }

    private CrashRun()
    {
    }

    static Summary run(final Settings s, final PrintStream out) throws InterruptedException
    {
        return run(s, CrashCycle.sameDirectory(s), out);
    }

    /** As {@link #run(Settings, PrintStream)} with another way to start and replace the server ({@link CrashCycle.Nodes}). */
    static Summary run(final Settings s, final CrashCycle.Nodes nodes, final PrintStream out) throws InterruptedException
    {
        final List<String> universe = new ArrayList<>();
        final List<List<String>> data = names(s.connections(), s.dataKeysPerConnection(), "d", universe);
        final List<List<String>> counters = names(s.connections(), s.counterKeysPerConnection(), "n", universe);
        final List<List<String>> ttls = names(s.connections(), s.ttlKeysPerConnection(), "t", universe);
        final AckOracle oracle = new AckOracle(universe);
        final CrashCycle cycle = new CrashCycle(s, nodes, oracle, histories(oracle, data), histories(oracle, counters), histories(oracle, ttls));
        out.printf("crash test: %s%s, %d cycles, %d connections, %d keys, seed %d, serve %s%n", s.durability(),
            s.kill() ? "" : " without kills", s.cycles(),
            s.connections(), universe.size(), s.seed(), String.join(" ", s.serverArgs()));

        int cycles = 0;
        long acknowledged = 0;
        long changes = 0;
        long inFlight = 0;
        long lost = 0;
        int cyclesWithLoss = 0;
        double window = 0;
        long wrong = 0;
        long cas = 0;
        long replies = 0;
        long maxRestartMs = 0;
        int recoveryKills = 0;
        boolean deadlineHit = false;
        final List<String> problems = new ArrayList<>();
        ServeProcess server = nodes.start();
        try
        {
            for (int c = 1; c <= s.cycles(); c++)
            {
                if (System.currentTimeMillis() > s.deadlineMs())
                {
                    deadlineHit = true;
                    break;
                }
                final CrashCycle.Result r = cycle.run(c, server);
                server = r.restarted();
                final CycleVerdict v = r.verdict();
                cycles++;
                acknowledged += v.acknowledged();
                changes += v.changes();
                inFlight += v.inFlight();
                lost += v.lost();
                cyclesWithLoss += v.lost() > 0 ? 1 : 0;
                window = Math.max(window, v.largestLossWindowMs());
                wrong += v.wrongKeys();
                cas += v.casRegressions();
                replies += v.replyProblems();
                maxRestartMs = Math.max(maxRestartMs, r.restartMs());
                recoveryKills += r.recoveryKilledAfterMs() >= 0 ? 1 : 0;
                out.println(v.summary() + ", restart " + r.restartMs() + " ms" +
                    (r.recoveryKilledAfterMs() >= 0 ? " (after a start-up killed at " + r.recoveryKilledAfterMs() + " ms)" : ""));
                if (!r.diagnosis().isEmpty())
                {
                    out.println("  nothing acknowledged; before the kill the server said:\n" +
                        r.diagnosis().strip().indent(4).stripTrailing());
                }
                for (final String p : v.problems())
                {
                    if (v.problems().indexOf(p) < PRINTED_PER_CYCLE)
                    {
                        out.println("  " + p);
                    }
                    if (problems.size() < CycleVerdict.Builder.MAX_PROBLEMS)
                    {
                        problems.add("cycle " + c + ": " + p);
                    }
                }
                out.flush();
            }
        }
        finally
        {
            server.close();
            nodes.close();
        }
        final Summary summary = new Summary(cycles, recoveryKills, acknowledged, changes, inFlight, lost, cyclesWithLoss, window,
            wrong, cas, replies, maxRestartMs, deadlineHit, List.copyOf(problems));
        out.println("crash test summary (" + s.durability() + "): " + summary.describe());
        out.flush();
        return summary;
    }

    private static List<List<String>> names(final int connections, final int perConnection, final String role,
        final List<String> universe)
    {
        final List<List<String>> all = new ArrayList<>();
        for (int i = 0; i < connections; i++)
        {
            final List<String> keys = new ArrayList<>();
            for (int j = 0; j < perConnection; j++)
            {
                keys.add("crash:c" + i + ":" + role + j);
            }
            universe.addAll(keys);
            all.add(keys);
        }
        return all;
    }

    private static List<List<KeyHistory>> histories(final AckOracle oracle, final List<List<String>> names)
    {
        return names.stream().map(keys -> keys.stream().map(oracle::history).toList()).toList();
    }
}
