package io.wirekv.e2e.durability;

import io.wirekv.e2e.ServeProcess;
import io.wirekv.e2e.durability.AckOracle.KeyHistory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One kill cycle against a running server: {@code connections} {@link RandomWriteDriver}s write at once (so their
 * writes share log syncs), the server is killed with SIGKILL at a random moment (after a random number of ms, or
 * of acknowledged writes), restarted on the same data directory, and every key is read back and judged by the
 * {@link AckOracle}. Every {@value #RECOVERY_KILL_EVERY}th cycle from the second also kills the first restart at a
 * random moment of its start-up (recovery), before the restart that is read. Without {@link CrashRun.Settings#kill()} the load
 * just stops and the same server is read:
 * the harness's check of its own model, where nothing may be missing.
 */
final class CrashCycle
{
    /** Bound on waiting for the kill trigger's write count, and on joining a driver after the kill. */
    private static final long TRIGGER_BOUND_MS = 20_000;
    static final int RECOVERY_KILL_EVERY = 5;
    /** serve's JVM takes 1-3 s to reach recovery on this machine: the kill lands before, in or after it. */
    private static final long RECOVERY_KILL_MAX_MS = 2_000;

    /**
     * What the cycle ended with: the verdict and the restarted server (the next cycle's); {@code diagnosis} is what
     * {@link Nodes#diagnose} said just before the kill when nothing had been acknowledged, else empty.
     */
    record Result(CycleVerdict verdict, ServeProcess restarted, long restartMs, long recoveryKilledAfterMs, String diagnosis)
    {
    }

    /**
     * The server under test across kills: how it starts, and which server replaces a killed one (by default the same
     * data directory restarted; the replication failover test promotes the backup instead).
     */
    interface Nodes extends AutoCloseable
    {
        ServeProcess start();

        /** After {@code killed} was killed and its drivers stopped: the server to read back and drive next. */
        Restart afterKill(int cycle, ServeProcess killed, SplittableRandom rnd) throws InterruptedException;

        /** Asked just before the kill when the cycle acknowledged nothing: what the server says about itself. */
        default String diagnose(final ServeProcess server)
        {
            return "";
        }

        @Override
        void close();
    }

    /**
     * @param recoveryKilledAfterMs when a start-up was killed too before this restart, how long after; else -1.
     * @param restartMs             how long the server that is read took to start (or to be promoted).
     */
    record Restart(ServeProcess server, long recoveryKilledAfterMs, long restartMs)
    {
    }

    /** The crash test's own: the killed server restarts on its data directory (every 5th cycle killed in recovery once). */
    static Nodes sameDirectory(final CrashRun.Settings settings)
    {
        return new Nodes()
        {
            @Override
            public ServeProcess start()
            {
                return new ServeProcess(CrashRun.FAST_START_JVM, settings.serverArgs());
            }

            @Override
            public Restart afterKill(final int cycle, final ServeProcess killed, final SplittableRandom rnd)
                throws InterruptedException
            {
                killed.close();
                long recoveryKilledAfterMs = -1;
                if (cycle % RECOVERY_KILL_EVERY == 2)
                {
                    // a crash while recovering: the next start must recover from whatever this one left half done
                    recoveryKilledAfterMs = rnd.nextLong(RECOVERY_KILL_MAX_MS);
                    final ServeProcess starting = ServeProcess.launch(CrashRun.FAST_START_JVM, settings.serverArgs());
                    Thread.sleep(recoveryKilledAfterMs);
                    starting.killForcibly();
                    starting.close();
                }
                final long start = System.nanoTime();
                final ServeProcess restarted = new ServeProcess(CrashRun.FAST_START_JVM, settings.serverArgs());
                return new Restart(restarted, recoveryKilledAfterMs, (System.nanoTime() - start) / 1_000_000);
            }

            @Override
            public void close()
            {
            }
        };
    }

    private final CrashRun.Settings settings;
    private final Nodes nodes;
    private final AckOracle oracle;
    private final List<List<KeyHistory>> dataKeys;
    private final List<List<KeyHistory>> counterKeys;
    private final List<List<KeyHistory>> ttlKeys;

    CrashCycle(final CrashRun.Settings settings, final Nodes nodes, final AckOracle oracle,
        final List<List<KeyHistory>> dataKeys, final List<List<KeyHistory>> counterKeys, final List<List<KeyHistory>> ttlKeys)
    {
        this.settings = settings;
        this.nodes = nodes;
        this.oracle = oracle;
        this.dataKeys = dataKeys;
        this.counterKeys = counterKeys;
        this.ttlKeys = ttlKeys;
    }

    Result run(final int cycle, final ServeProcess server) throws InterruptedException
    {
        final SplittableRandom rnd = new SplittableRandom(settings.seed() * 1_000_003 + cycle);
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicBoolean killed = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();
        final long driverDeadline = System.nanoTime() + (settings.maxLoadMs() + 2 * TRIGGER_BOUND_MS) * 1_000_000;
        final List<RandomWriteDriver> drivers = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < settings.connections(); i++)
        {
            final RandomWriteDriver d = new RandomWriteDriver("cycle " + cycle + " connection " + i, server.host(), server.tcpPort(),
                dataKeys.get(i), counterKeys.get(i), ttlKeys.get(i), rnd.nextLong(), acknowledged, killed, stop, driverDeadline);
            drivers.add(d);
            final Thread t = Thread.ofPlatform().name("crash-driver-" + i).start(d);
            threads.add(t);
        }

        awaitKillMoment(rnd, acknowledged);
        // nothing acknowledged for the whole wait: ask the server why while it is alive (this delays the kill a bit)
        final String diagnosis = acknowledged.get() == 0 ? nodes.diagnose(server) : "";
        final long killNanos = System.nanoTime();
        if (settings.kill())
        {
            killed.set(true);
            server.killForcibly();
        }
        else
        {
            stop.set(true);
        }
        final List<String> problems = new ArrayList<>();
        for (int i = 0; i < threads.size(); i++)
        {
            threads.get(i).join(TRIGGER_BOUND_MS);
            if (threads.get(i).isAlive())
            {
                // the oracle's history would be read while the thread may still write it: stop here
                throw new IllegalStateException("driver " + i + " did not end within " + TRIGGER_BOUND_MS + " ms of the kill");
            }
            problems.addAll(drivers.get(i).problems());
        }
        long recoveryKilledAfterMs = -1;
        long restartMs = 0;
        final ServeProcess restarted;
        if (settings.kill())
        {
            final Restart restart = nodes.afterKill(cycle, server, rnd);
            restarted = restart.server();
            recoveryKilledAfterMs = restart.recoveryKilledAfterMs();
            restartMs = restart.restartMs();
        }
        else
        {
            restarted = server;
        }
        final KeyScanner.Scan scan;
        try
        {
            scan = KeyScanner.scan(restarted.host(), restarted.tcpPort(), List.copyOf(oracle.universe()));
        }
        catch (final IOException ex)
        {
            final String output = restarted.output();
            restarted.close();
            throw new UncheckedIOException("cannot read the keys back after restart " + cycle + ": " + ex.getMessage() +
                "; server output:\n" + output, ex);
        }
        final CycleVerdict verdict = oracle.check(cycle, settings.durability(), scan.keys(), scan.itemsBefore(), scan.itemsAfter(), scan.atMs(),
            killNanos, problems);
        return new Result(verdict, restarted, restartMs, recoveryKilledAfterMs, diagnosis);
    }

    /** Half the cycles kill after a random time, half after a random number of acknowledged writes (time-bounded). */
    private void awaitKillMoment(final SplittableRandom rnd, final AtomicLong acknowledged) throws InterruptedException
    {
        final long start = System.currentTimeMillis();
        final long minAcked = settings.minAckedBeforeKill();
        final long loadMs = settings.minLoadMs() + rnd.nextLong(settings.maxLoadMs() - settings.minLoadMs() + 1);
        final long writes = rnd.nextBoolean() ? Math.max(minAcked, rnd.nextLong(loadMs)) : minAcked;
        final long timeMs = writes > minAcked ? 0 : loadMs;
        Thread.sleep(timeMs);
        while (acknowledged.get() < writes && System.currentTimeMillis() - start < timeMs + TRIGGER_BOUND_MS)
        {
            Thread.onSpinWait();
            if (acknowledged.get() + 8 < writes)
            {
                Thread.sleep(1);
            }
        }
    }
}
