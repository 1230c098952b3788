package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.McClientException;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@code wirekv bench}: an optional warm-up that SETs every key once (with a progress line),
 * then one trial, a sweep of offered rates, or a search for the highest offered rate whose loss and
 * p99 stay within limits (bisection between a low and a high rate with short trials, in the spirit
 * of RFC 2544's throughput test). Each trial starts {@code threads} workers
 * ({@link BenchUdpWorker} or {@link BenchTcpWorker}), prints a progress line once a second and
 * returns a {@link BenchTrial}. Bounded: every trial has a duration and a request limit, and waits
 * at most one timeout past its end.
 * <p>
 * The UDP workers send through the run's {@link BenchPorts} ({@link BenchBackend}: kernel sockets, or
 * AF_XDP / DPDK packet buffers), opened once before the warm-up and closed after the last trial. On a
 * bypass backend the warm-up goes through the same ports (the kernel may not reach the target), as a
 * closed-loop trial that SETs the keys in order; its lost SETs are not retried.
 * <p>
 * With several threads on a bypass backend all threads send from one address and port, a device queue
 * each, and tell their replies apart by request id ({@link BenchUdpWorker}: a slice of the id space per
 * thread). That works on devices that answer on the queue a request came in on (memif, ring pairs, an
 * appliance that replies on the same queue); a NIC that spreads replies by its own hash (RSS) delivers
 * them to other threads, which count them {@code misrouted}. When misrouted replies are more than
 * {@link #MAX_MISROUTED_SHARE} of all replies after the first second of a trial (or over a whole
 * shorter trial), the trial stops with {@link #misrouting}'s message as its failure and the run ends
 * there ({@link BenchTrial#stoppedByMisrouting()}).
 */
public final class Bench
{
    /** Misrouted replies above this share of all replies stop the run ({@link #misrouting}). */
    static final double MAX_MISROUTED_SHARE = 0.01;
    /** ... once at least this many were seen, so a stray packet or two does not. */
    static final long MIN_MISROUTED = 100;
    /** How the failure of a trial stopped by {@link #misrouting} begins. */
    public static final String MISROUTED_STOP = "stopped: misrouted replies: ";

    private Bench()
    {
    }

    /**
     * Everything a run measured.
     *
     * @param tcpSide    the TCP threads that ran beside the UDP ones in each trial ({@link BenchSpec#tcpSide}), or
     *                   null; a mixed run has one trial per transport, UDP first.
     * @param warmUpKeys keys stored before measuring (0: none).
     * @param warmUpNs   how long storing them took.
     * @param warmUpLoadNs how long the load ran unmeasured before the first trial ({@link BenchPlan#warmUpLoad()}).
     */
    public record Run(BenchSpec spec, BenchSpec tcpSide, BenchBackend backend, String ports, BenchPlan plan,
        long warmUpKeys, long warmUpNs, long warmUpLoadNs, List<BenchTrial> trials, long bestRatePerSecond, String date)
    {
    }

    /** Over kernel sockets. */
    public static Run run(final BenchSpec spec, final BenchPlan plan, final PrintWriter progress) throws InterruptedException
    {
        return run(spec, null, BenchBackend.kernel(), plan, progress);
    }

    /** One transport. */
    public static Run run(final BenchSpec spec, final BenchBackend backend, final BenchPlan plan, final PrintWriter progress)
        throws InterruptedException
    {
        return run(spec, null, backend, plan, progress);
    }

    /**
     * @param tcpSide  TCP threads to run beside the UDP threads of {@code spec} in the same trial (a mixed run:
     *                 kernel backend, one trial, see {@link BenchSpec#tcpSide}), or null.
     * @param progress where progress lines go, or null for none.
     * @throws McClientException when the warm-up cannot reach the server.
     * @throws IllegalArgumentException naming the flag when the backend cannot be used as asked (a bad
     * combination, a device that does not open, a target MAC that ARP cannot find).
     */
    public static Run run(final BenchSpec spec, final BenchSpec tcpSide, final BenchBackend backend, final BenchPlan plan,
        final PrintWriter progress) throws InterruptedException
    {
        backend.check(spec);
        if (backend.noReplies() && plan.mode() == BenchPlan.Mode.SEARCH)
        {
            throw new IllegalArgumentException("--no-replies measures sending only, so it has no loss to search on: " +
                "drop --search (use --rate, or closed loop for the most the generator can send)");
        }
        checkMixed(spec, tcpSide, backend, plan);
        final ServerCpuSampler serverCpu = plan.serverPid() > 0 ? new ServerCpuSampler(plan.serverPid()) : null;
        final String date = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        final KeyChooser chooser = new KeyChooser(spec.keySpace(), spec.zipfTheta());
        final int targetIpv4 = spec.transport() == BenchSpec.Transport.UDP ? ipv4(spec) : 0;
        try (BenchPorts ports = backend.bypassed() ? BypassBenchPorts.open(spec, backend, targetIpv4) : new KernelBenchPorts())
        {
            print(progress, "ports: " + ports.describe());
            long warmUpKeys = 0;
            long warmUpNs = 0;
            if (plan.warmUp() && !backend.noReplies())
            {
                final long t0 = System.nanoTime();
                // over TCP when there is a TCP side: nothing is lost there
                warmUpKeys = backend.bypassed() ? warmUpThrough(ports, spec, chooser, progress) :
                    BenchWarmUp.storeKeys(tcpSide != null ? tcpSide : spec, progress);
                warmUpNs = System.nanoTime() - t0;
            }
            final List<BenchSpec> sides = tcpSide == null ? List.of(spec) : List.of(spec, tcpSide);
            final Trials t = new Trials(ports, backend.noReplies(), chooser, progress, serverCpu);
            long warmUpLoadNs = 0;
            final List<BenchTrial> trials = new ArrayList<>();
            long best = -1;
            try
            {
                if (!plan.warmUpLoad().isZero())
                {
                    warmUpLoadNs = warmUpLoad(sides, plan, t, progress);
                }
                switch (plan.mode())
                {
                    case SINGLE -> trials.addAll(t.run(sides));
                    case SWEEP ->
                    {
                        for (final long rate : plan.sweepRates())
                        {
                            trials.add(t.run(spec.withRate(rate, plan.trialDuration())));
                        }
                    }
                    case SEARCH -> best = search(spec, plan, t, progress, trials);
                }
            }
            catch (final MisroutedStop stop)
            {
                trials.add(stop.trial);
                best = -1;
                print(progress, stop.trial.failure());
            }
            return new Run(spec, tcpSide, backend, ports.describe(), plan, warmUpKeys, warmUpNs, warmUpLoadNs,
                List.copyOf(trials), best, date);
        }
    }

    private static void checkMixed(final BenchSpec spec, final BenchSpec tcpSide, final BenchBackend backend,
        final BenchPlan plan)
    {
        if (tcpSide == null)
        {
            return;
        }
        if (spec.transport() != BenchSpec.Transport.UDP || tcpSide.transport() != BenchSpec.Transport.TCP)
        {
            throw new IllegalArgumentException("--tcp-threads adds TCP threads to a UDP run: use --transport udp " +
                "(or --transport tcp with --threads alone)");
        }
        if (backend.bypassed() || backend.noReplies())
        {
            throw new IllegalArgumentException("--tcp-threads needs --backend kernel and replies (TCP goes through the " +
                "kernel, which cannot reach a bypass device's peer)");
        }
        if (plan.mode() != BenchPlan.Mode.SINGLE)
        {
            throw new IllegalArgumentException("--tcp-threads runs one mixed trial: drop --search and --sweep");
        }
    }

    /** Runs the measured load unmeasured for {@link BenchPlan#warmUpLoad()} (JIT, caches); returns how long it ran. */
    private static long warmUpLoad(final List<BenchSpec> sides, final BenchPlan plan, final Trials t,
        final PrintWriter progress) throws InterruptedException
    {
        print(progress, String.format(Locale.ROOT, "warm-up load: %.1f s of the load, not measured",
            plan.warmUpLoad().toNanos() / 1e9));
        final long t0 = System.nanoTime();
        final List<BenchSpec> warm = new ArrayList<>();
        for (final BenchSpec side : sides)
        {
            warm.add(side.withRate(side.ratePerSecond(), plan.warmUpLoad()));
        }
        final List<BenchTrial> done = new Trials(t.ports(), t.noReplies(), t.chooser(), t.progress(), null).run(warm);
        for (final BenchTrial d : done)
        {
            if (d.failure() != null)
            {
                throw new McClientException("warm-up load: " + d.failure());
            }
        }
        print(progress, String.format(Locale.ROOT, "warm-up load: %,d requests answered; measuring now",
            done.stream().mapToLong(BenchTrial::received).sum()));
        return System.nanoTime() - t0;
    }

    /** What every trial of a run shares. */
    private record Trials(BenchPorts ports, boolean noReplies, KeyChooser chooser, PrintWriter progress,
        ServerCpuSampler serverCpu)
    {
        /** @throws MisroutedStop when the trial was stopped by misrouted replies: the run ends. */
        BenchTrial run(final BenchSpec spec) throws InterruptedException
        {
            return run(List.of(spec)).getFirst();
        }

        /** One trial with every side's threads at once; one result per side. */
        List<BenchTrial> run(final List<BenchSpec> sides) throws InterruptedException
        {
            final List<BenchTrial> t = trial(sides, chooser, progress, ports, noReplies, false, serverCpu);
            for (final BenchTrial side : t)
            {
                if (side.stoppedByMisrouting())
                {
                    throw new MisroutedStop(side);
                }
            }
            return t;
        }
    }

    /** Ends a run at a trial stopped by misrouted replies; carries that trial to the report. */
    private static final class MisroutedStop extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private final transient BenchTrial trial;

        MisroutedStop(final BenchTrial trial)
        {
            super(trial.failure(), null, false, false);
            this.trial = trial;
        }
    }

    /**
     * Whether misrouted replies are too many to go on: more than {@link #MAX_MISROUTED_SHARE} of all replies
     * (received + misrouted), and at least {@link #MIN_MISROUTED}.
     *
     * @return the message that stops the run (starts with {@link #MISROUTED_STOP}), or null to go on.
     */
    public static String misrouting(final long misrouted, final long received, final int threads)
    {
        final long replies = received + misrouted;
        if (misrouted < MIN_MISROUTED || misrouted <= MAX_MISROUTED_SHARE * replies)
        {
            return null;
        }
        return String.format(Locale.ROOT, "%s%,d of %,d replies (%.1f%%) reached another thread's queue: the device " +
            "spreads replies over its queues by its own hash (e.g. a NIC's RSS), not back to the queue each request went " +
            "out on, so %d threads sharing one source port cannot tell theirs apart; use --threads 1 (or several bench " +
            "processes, each with its own device or port). Several threads need a device that answers on the request's " +
            "queue (net_memif, a ring pair) and an appliance that replies on the same queue", MISROUTED_STOP, misrouted,
            replies, 100.0 * misrouted / replies, threads);
    }

    /** Stores every key once through the ports: a closed-loop trial of SETs in key order. */
    private static long warmUpThrough(final BenchPorts ports, final BenchSpec spec, final KeyChooser chooser,
        final PrintWriter progress) throws InterruptedException
    {
        print(progress, String.format(Locale.ROOT, "warm-up: storing %,d keys through the port", spec.keySpace()));
        final BenchTrial t = trial(spec.forWarmUp(), chooser, progress, ports, false, true);
        if (t.failure() != null)
        {
            throw new McClientException("warm-up: " + t.failure());
        }
        if (t.stored() == 0)
        {
            throw new McClientException("warm-up: no reply from " + spec.target() + " through " + ports.describe() +
                " — is the server running with UDP enabled (memcached -U PORT)?");
        }
        print(progress, String.format(Locale.ROOT, "warm-up: stored %,d of %,d keys (not retried: %,d lost, %,d errors, " +
            "%,d unsent)", t.stored(), spec.keySpace(), t.lost(), t.errors(), t.unsent()));
        return t.stored();
    }

    private static long search(final BenchSpec spec, final BenchPlan plan, final Trials runner,
        final PrintWriter progress, final List<BenchTrial> trials) throws InterruptedException
    {
        long high = plan.searchHighRate();
        if (high == 0)
        {
            print(progress, "search: closed-loop probe for the highest rate to try");
            final BenchTrial probe = runner.run(spec.withRate(0, plan.trialDuration()));
            trials.add(probe);
            high = Math.max(plan.searchLowRate() + 1, (long)Math.ceil(probe.throughputPerSecond() * 1.2));
        }
        long low = plan.searchLowRate();
        int fixedRateTrials = 0;
        final BenchTrial atHigh = judged(spec, plan, runner, progress, high);
        trials.add(atHigh);
        fixedRateTrials++;
        if (atHigh.passed())
        {
            return high;
        }
        final BenchTrial atLow = judged(spec, plan, runner, progress, low);
        trials.add(atLow);
        fixedRateTrials++;
        if (!atLow.passed())
        {
            return 0;
        }
        long best = low;
        while (fixedRateTrials < plan.maxTrials() && (high - low) > plan.resolution() * high)
        {
            final long mid = (low + high) / 2;
            final BenchTrial t = judged(spec, plan, runner, progress, mid);
            trials.add(t);
            fixedRateTrials++;
            if (t.passed())
            {
                low = mid;
                best = mid;
            }
            else
            {
                high = mid;
            }
        }
        return best;
    }

    private static BenchTrial judged(final BenchSpec spec, final BenchPlan plan, final Trials runner,
        final PrintWriter progress, final long rate) throws InterruptedException
    {
        print(progress, String.format(Locale.ROOT, "search: trial at %,d req/s", rate));
        final BenchTrial t = runner.run(spec.withRate(rate, plan.trialDuration()));
        final BenchTrial j = t.judged(plan.passes(t));
        print(progress, String.format(Locale.ROOT, "search: %,d req/s %s (loss %.4f%%, p99 %.1f us)", rate,
            j.passed() ? "passes" : "fails", 100 * j.lossRatio(), j.percentileUs(99)));
        return j;
    }

    /** One trial at the spec's rate for the spec's duration, over kernel sockets. */
    public static BenchTrial trial(final BenchSpec spec, final KeyChooser chooser, final PrintWriter progress)
        throws InterruptedException
    {
        try (KernelBenchPorts ports = new KernelBenchPorts())
        {
            return trial(spec, chooser, progress, ports, false, false);
        }
    }

    /**
     * One trial at the spec's rate for the spec's duration, UDP through {@code ports}.
     *
     * @param noReplies count sent requests only (see {@link BenchBackend#noReplies()}).
     * @param warmUp    SET the keys in order (with {@link BenchSpec#forWarmUp()}).
     */
    static BenchTrial trial(final BenchSpec spec, final KeyChooser chooser, final PrintWriter progress,
        final BenchPorts ports, final boolean noReplies, final boolean warmUp) throws InterruptedException
    {
        return trial(List.of(spec), chooser, progress, ports, noReplies, warmUp, null).getFirst();
    }

    /**
     * One trial with the threads of every side at once (a mixed run: UDP and TCP), see {@link BenchTrialRunner}.
     *
     * @param serverCpu samples the server's CPU time over the trial, or null.
     * @return one result per side, in the order of {@code sides}.
     */
    static List<BenchTrial> trial(final List<BenchSpec> sides, final KeyChooser chooser, final PrintWriter progress,
        final BenchPorts ports, final boolean noReplies, final boolean warmUp, final ServerCpuSampler serverCpu)
        throws InterruptedException
    {
        return new BenchTrialRunner(sides, chooser, progress, ports, noReplies, warmUp, serverCpu).run();
    }

    static int ipv4(final BenchSpec spec)
    {
        try
        {
            final InetAddress a = InetAddress.getByName(spec.target().host());
            if (!(a instanceof Inet4Address))
            {
                throw new McClientException("--target " + spec.target() + ": UDP bench needs an IPv4 address");
            }
            final byte[] b = a.getAddress();
            return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        }
        catch (final IOException ex)
        {
            throw new McClientException("--target " + spec.target() + ": cannot resolve the host: " + ex.getMessage(), ex);
        }
    }

    private static void print(final PrintWriter progress, final String line)
    {
        if (progress != null)
        {
            progress.println(line);
            progress.flush();
        }
    }

    /** For callers that want a trial of another length. */
    static Duration seconds(final double s)
    {
        return Duration.ofNanos((long)(s * 1e9));
    }
}
