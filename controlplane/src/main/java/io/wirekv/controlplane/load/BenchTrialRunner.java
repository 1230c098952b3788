package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@code wirekv bench} trial: starts the workers of every side ({@link BenchUdpWorker} or
 * {@link BenchTcpWorker}; a mixed trial has a UDP side and a TCP side, each with its own stats, all
 * starting at the same instant), prints a progress line once a second, stops a side whose replies are
 * misrouted ({@link Bench#misrouting}), and returns one {@link BenchTrial} per side. With a
 * {@link ServerCpuSampler} it samples the server's CPU time from the trial's start to its deadline (or
 * to when the workers stopped, if earlier) and attaches it to every side's result. Bounded: waits at
 * most one timeout (plus 2 s) per thread past the deadline.
 * <p>
 * Threading: the caller's thread reports; the workers run on their own platform threads and share only
 * their side's {@link BenchStats}.
 */
final class BenchTrialRunner
{
    private static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /** One side's workers, stats and what the progress line last showed. */
    private static final class Side
    {
        final BenchSpec spec;
        final BenchStats stats = new BenchStats();
        final List<BenchWorker> workers = new ArrayList<>();
        final Histogram total = LatencyRecorder.histogram();
        Histogram interval;
        long lastSent;
        long lastReceived;
        long lastLost;
        long misroutedAfter1s;
        long receivedAfter1s;
        String stop;

        Side(final BenchSpec spec)
        {
            this.spec = spec;
        }
    }

    private final List<Side> sides = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final PrintWriter progress;
    private final boolean noReplies;
    private final ServerCpuSampler serverCpu;
    private final long startNs;
    private final long deadlineNs;
    private final long joinMs;

    BenchTrialRunner(final List<BenchSpec> specs, final KeyChooser chooser, final PrintWriter progress,
        final BenchPorts ports, final boolean noReplies, final boolean warmUp, final ServerCpuSampler serverCpu)
    {
        this.progress = progress;
        this.noReplies = noReplies;
        this.serverCpu = serverCpu;
        this.startNs = System.nanoTime() + START_DELAY_NS;
        long longest = 0;
        long timeout = 0;
        for (final BenchSpec spec : specs)
        {
            longest = Math.max(longest, spec.duration().toNanos());
            timeout = Math.max(timeout, spec.timeoutNs());
        }
        this.deadlineNs = startNs + longest;
        this.joinMs = TimeUnit.NANOSECONDS.toMillis(timeout) + 2000L;
        for (final BenchSpec spec : specs)
        {
            final Side side = new Side(spec);
            final long deadline = startNs + spec.duration().toNanos();
            final int ipv4 = spec.transport() == BenchSpec.Transport.UDP ? Bench.ipv4(spec) : 0;
            for (int i = 0; i < spec.threads(); i++)
            {
                final BenchWorker w = spec.transport() == BenchSpec.Transport.UDP ?
                    new BenchUdpWorker(spec, side.stats, chooser, i, startNs, deadline, ipv4, ports, noReplies, warmUp) :
                    new BenchTcpWorker(spec, side.stats, chooser, i, startNs, deadline, warmUp);
                side.workers.add(w);
                threads.add(Thread.ofPlatform().name("wirekv-bench-" + spec.transport().label() + "-" + i).daemon()
                    .unstarted(w));
            }
            sides.add(side);
        }
    }

    List<BenchTrial> run() throws InterruptedException
    {
        threads.forEach(Thread::start);
        ServerCpuSampler.Snapshot cpuStart = null;
        BenchServerCpu cpu = null;
        if (serverCpu != null)
        {
            sleepUntil(startNs);
            cpuStart = serverCpu.begin();
        }
        long lastNs = startNs;
        int second = 0;
        try
        {
            boolean running = true;
            while (running)
            {
                final long nextNs = Math.min(startNs + TimeUnit.SECONDS.toNanos(++second),
                    cpuStart != null && cpu == null ? Math.max(deadlineNs, System.nanoTime()) : Long.MAX_VALUE);
                for (final Thread t : threads)
                {
                    final long waitMs = TimeUnit.NANOSECONDS.toMillis(nextNs - System.nanoTime());
                    if (waitMs > 0)
                    {
                        t.join(waitMs);
                    }
                }
                running = threads.stream().anyMatch(Thread::isAlive);
                final long nowNs = System.nanoTime();
                if (cpuStart != null && cpu == null && (nowNs >= deadlineNs || !running))
                {
                    // the measured window ends at the deadline: the drain that follows is not the load's
                    cpu = serverCpu.end(cpuStart, received(), nowNs - startNs);
                    if (nowNs < startNs + TimeUnit.SECONDS.toNanos(second) && running)
                    {
                        second--; // woke early for the sample; the progress second is not over yet
                        continue;
                    }
                }
                for (final Side side : sides)
                {
                    checkMisrouting(side, second, running);
                }
                report(second, running, (nowNs - lastNs) / 1e9);
                lastNs = nowNs;
            }
        }
        finally
        {
            for (final Thread t : threads)
            {
                t.interrupt();
                t.join(joinMs);
            }
        }
        final List<BenchTrial> results = new ArrayList<>();
        for (final Side side : sides)
        {
            results.add(result(side, cpu));
        }
        return results;
    }

    private long received()
    {
        long n = 0;
        for (final Side side : sides)
        {
            n += side.stats.received.sum();
        }
        return n;
    }

    private static void sleepUntil(final long ns) throws InterruptedException
    {
        final long ms = TimeUnit.NANOSECONDS.toMillis(ns - System.nanoTime());
        if (ms > 0)
        {
            Thread.sleep(ms);
        }
    }

    private void checkMisrouting(final Side side, final int second, final boolean running)
    {
        final long misrouted = side.stats.misrouted.sum();
        final long received = side.stats.received.sum();
        if (second == 1 && running)
        {
            side.misroutedAfter1s = misrouted;
            side.receivedAfter1s = received;
        }
        else if (side.stop == null && running && !noReplies)
        {
            side.stop = Bench.misrouting(misrouted - side.misroutedAfter1s, received - side.receivedAfter1s,
                side.spec.threads());
            if (side.stop != null)
            {
                threads.forEach(Thread::interrupt);
            }
        }
    }

    /** One progress line: as before for one side; per transport, then the shared counts, for a mixed trial. */
    private void report(final int second, final boolean running, final double secs)
    {
        final StringBuilder line = new StringBuilder(160);
        long errors = 0;
        long wrong = 0;
        long lost = 0;
        long unsent = 0;
        long misrouted = 0;
        for (final Side side : sides)
        {
            final BenchStats stats = side.stats;
            side.interval = stats.drainInto(side.total, side.interval);
            final long sent = stats.sent.sum();
            final long received = stats.received.sum();
            final long lostNow = stats.lost.sum();
            if (sides.size() > 1)
            {
                line.append(String.format(Locale.ROOT, " %s %,10.0f/s p50 %7.1f us p99 %7.1f us |", side.spec.transport().label(),
                    (received - side.lastReceived) / secs, pct(side.interval, 50), pct(side.interval, 99)));
            }
            else if (noReplies)
            {
                line.append(String.format(Locale.ROOT, " sent %,10.0f/s (no replies expected)", (sent - side.lastSent) / secs));
            }
            else
            {
                line.append(String.format(Locale.ROOT, " offered %,10.0f/s achieved %,10.0f/s lost %,d p50 %7.1f us p99 %7.1f us",
                    (sent - side.lastSent) / secs, (received - side.lastReceived) / secs, lostNow - side.lastLost,
                    pct(side.interval, 50), pct(side.interval, 99)));
            }
            lost += lostNow - side.lastLost;
            errors += stats.errors.sum();
            wrong += stats.wrong.sum();
            unsent += stats.unsent.sum();
            misrouted += stats.misrouted.sum();
            side.lastSent = sent;
            side.lastReceived = received;
            side.lastLost = lostNow;
        }
        if (progress == null || !running)
        {
            return;
        }
        if (noReplies)
        {
            progress.printf(Locale.ROOT, "[%3ds]%s unsent %d%n", second, line, unsent);
        }
        else
        {
            progress.printf(Locale.ROOT, "[%3ds]%s%s errors %d wrong %d%s%s%n", second, line,
                sides.size() > 1 ? String.format(Locale.ROOT, " lost %,d", lost) : "", errors, wrong,
                unsent == 0 ? "" : " unsent " + unsent, misrouted == 0 ? "" : " misrouted " + misrouted);
        }
        progress.flush();
    }

    private BenchTrial result(final Side side, final BenchServerCpu cpu)
    {
        final BenchStats stats = side.stats;
        stats.drainInto(side.total, null);
        String failure = side.stop;
        if (failure == null && !noReplies)
        {
            // after the first second, or as a whole when the trial was shorter
            failure = Bench.misrouting(stats.misrouted.sum() - side.misroutedAfter1s,
                stats.received.sum() - side.receivedAfter1s, side.spec.threads());
        }
        long endNs = startNs;
        for (final BenchWorker w : side.workers)
        {
            endNs = Math.max(endNs, w.emitEndNs());
            if (failure == null && w.failure() != null)
            {
                failure = w.failure().getClass().getSimpleName() + ": " + w.failure().getMessage();
            }
        }
        final long elapsedNs = Math.min(endNs, startNs + side.spec.duration().toNanos()) - startNs;
        return new BenchTrial(side.spec.transport().label(), side.spec.ratePerSecond(), elapsedNs, stats.sent.sum(),
            stats.received.sum(), stats.lost.sum(), stats.errors.sum(), stats.wrong.sum(), stats.verified.sum(),
            stats.hits.sum(), stats.misses.sum(), stats.stored.sum(), stats.late.sum(), stats.unsent.sum(),
            stats.misrouted.sum(), side.total, failure, null, cpu);
    }

    private static double pct(final Histogram h, final double p)
    {
        return h == null || h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1e3;
    }
}
