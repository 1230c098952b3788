package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.McClientException;
import io.wirekv.controlplane.client.UdpFrame;
import org.HdrHistogram.Histogram;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

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
    private static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int WARM_UP_BATCH = 64;
    /** Misrouted replies above this share of all replies stop the run ({@link #misrouting}). */
    static final double MAX_MISROUTED_SHARE = 0.01;
    /** ... once at least this many were seen, so a stray packet or two does not. */
    static final long MIN_MISROUTED = 100;
    /** How the failure of a trial stopped by {@link #misrouting} begins. */
    public static final String MISROUTED_STOP = "stopped: misrouted replies: ";

    private Bench()
    {
    }

    /** Everything a run measured. */
    public record Run(BenchSpec spec, BenchBackend backend, String ports, BenchPlan plan, long warmUpKeys, long warmUpNs,
        List<BenchTrial> trials, long bestRatePerSecond, String date)
    {
    }

    /** Over kernel sockets. */
    public static Run run(final BenchSpec spec, final BenchPlan plan, final PrintWriter progress) throws InterruptedException
    {
        return run(spec, BenchBackend.kernel(), plan, progress);
    }

    /**
     * @param progress where progress lines go, or null for none.
     * @throws McClientException when the warm-up cannot reach the server.
     * @throws IllegalArgumentException naming the flag when the backend cannot be used as asked (a bad
     * combination, a device that does not open, a target MAC that ARP cannot find).
     */
    public static Run run(final BenchSpec spec, final BenchBackend backend, final BenchPlan plan, final PrintWriter progress)
        throws InterruptedException
    {
        backend.check(spec);
        if (backend.noReplies() && plan.mode() == BenchPlan.Mode.SEARCH)
        {
            throw new IllegalArgumentException("--no-replies measures sending only, so it has no loss to search on: " +
                "drop --search (use --rate, or closed loop for the most the generator can send)");
        }
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
                warmUpKeys = backend.bypassed() ? warmUpThrough(ports, spec, chooser, progress) : warmUp(spec, progress);
                warmUpNs = System.nanoTime() - t0;
            }
            final Trials t = new Trials(ports, backend.noReplies(), chooser, progress);
            final List<BenchTrial> trials = new ArrayList<>();
            long best = -1;
            try
            {
                switch (plan.mode())
                {
                    case SINGLE -> trials.add(t.run(spec));
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
            return new Run(spec, backend, ports.describe(), plan, warmUpKeys, warmUpNs, List.copyOf(trials), best, date);
        }
    }

    /** What every trial of a run shares. */
    private record Trials(BenchPorts ports, boolean noReplies, KeyChooser chooser, PrintWriter progress)
    {
        /** @throws MisroutedStop when the trial was stopped by misrouted replies: the run ends. */
        BenchTrial run(final BenchSpec spec) throws InterruptedException
        {
            final BenchTrial t = trial(spec, chooser, progress, ports, noReplies, false);
            if (t.stoppedByMisrouting())
            {
                throw new MisroutedStop(t);
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
        final BenchStats stats = new BenchStats();
        final long startNs = System.nanoTime() + START_DELAY_NS;
        final long deadlineNs = startNs + spec.duration().toNanos();
        final int ipv4 = spec.transport() == BenchSpec.Transport.UDP ? ipv4(spec) : 0;
        final List<BenchWorker> workers = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < spec.threads(); i++)
        {
            final BenchWorker w = spec.transport() == BenchSpec.Transport.UDP ?
                new BenchUdpWorker(spec, stats, chooser, i, startNs, deadlineNs, ipv4, ports, noReplies, warmUp) :
                new BenchTcpWorker(spec, stats, chooser, i, startNs, deadlineNs);
            workers.add(w);
            threads.add(Thread.ofPlatform().name("wirekv-bench-" + spec.transport().label() + "-" + i).daemon().unstarted(w));
        }
        threads.forEach(Thread::start);

        final Histogram total = LatencyRecorder.histogram();
        Histogram interval = null;
        long lastSent = 0;
        long lastReceived = 0;
        long lastLost = 0;
        long lastNs = startNs;
        long misroutedAfter1s = 0;
        long receivedAfter1s = 0;
        String stop = null;
        int second = 0;
        try
        {
            boolean running = true;
            while (running)
            {
                final long nextNs = startNs + TimeUnit.SECONDS.toNanos(++second);
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
                interval = stats.drainInto(total, interval);
                final long sent = stats.sent.sum();
                final long received = stats.received.sum();
                final long lost = stats.lost.sum();
                final long misrouted = stats.misrouted.sum();
                if (second == 1 && running)
                {
                    misroutedAfter1s = misrouted;
                    receivedAfter1s = received;
                }
                else if (stop == null && running && !noReplies)
                {
                    stop = misrouting(misrouted - misroutedAfter1s, received - receivedAfter1s, spec.threads());
                    if (stop != null)
                    {
                        threads.forEach(Thread::interrupt);
                    }
                }
                if (progress != null && running && noReplies)
                {
                    progress.printf(Locale.ROOT, "[%3ds] sent %,10.0f/s (no replies expected) unsent %d%n", second,
                        (sent - lastSent) / ((nowNs - lastNs) / 1e9), stats.unsent.sum());
                    progress.flush();
                }
                else if (progress != null && running)
                {
                    final double secs = (nowNs - lastNs) / 1e9;
                    progress.printf(Locale.ROOT,
                        "[%3ds] offered %,10.0f/s achieved %,10.0f/s lost %,d p50 %7.1f us p99 %7.1f us errors %d wrong %d%s%s%n",
                        second, (sent - lastSent) / secs, (received - lastReceived) / secs, lost - lastLost,
                        pct(interval, 50), pct(interval, 99), stats.errors.sum(), stats.wrong.sum(),
                        stats.unsent.sum() == 0 ? "" : " unsent " + stats.unsent.sum(),
                        misrouted == 0 ? "" : " misrouted " + misrouted);
                    progress.flush();
                }
                lastSent = sent;
                lastReceived = received;
                lastLost = lost;
                lastNs = nowNs;
            }
        }
        finally
        {
            for (final Thread t : threads)
            {
                t.interrupt();
                t.join(TimeUnit.NANOSECONDS.toMillis(spec.timeoutNs()) + 2000L);
            }
        }
        stats.drainInto(total, null);
        if (stop == null && !noReplies)
        {
            // after the first second, or as a whole when the trial was shorter
            stop = misrouting(stats.misrouted.sum() - misroutedAfter1s, stats.received.sum() - receivedAfter1s,
                spec.threads());
        }
        String failure = stop;
        long endNs = startNs;
        for (final BenchWorker w : workers)
        {
            endNs = Math.max(endNs, w.emitEndNs());
            if (failure == null && w.failure() != null)
            {
                failure = w.failure().getClass().getSimpleName() + ": " + w.failure().getMessage();
            }
        }
        final long elapsedNs = Math.min(endNs, deadlineNs) - startNs;
        return new BenchTrial(spec.ratePerSecond(), elapsedNs, stats.sent.sum(), stats.received.sum(), stats.lost.sum(),
            stats.errors.sum(), stats.wrong.sum(), stats.verified.sum(), stats.hits.sum(), stats.misses.sum(),
            stats.stored.sum(), stats.late.sum(), stats.unsent.sum(), stats.misrouted.sum(), total, failure, null);
    }

    private static double pct(final Histogram h, final double p)
    {
        return h == null || h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1e3;
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

    /** SETs every key once (text {@code set}), over the spec's transport; returns keys stored. */
    public static long warmUp(final BenchSpec spec, final PrintWriter progress)
    {
        final BenchValues values = new BenchValues(spec.valueSizeMin(), spec.valueSizeMax(), spec.valueVersion());
        final long stored = spec.transport() == BenchSpec.Transport.TCP ? warmUpTcp(spec, values, progress) :
            warmUpUdp(spec, values, progress);
        print(progress, String.format(Locale.ROOT, "warm-up: stored %,d of %,d keys", stored, spec.keySpace()));
        return stored;
    }

    private static long warmUpTcp(final BenchSpec spec, final BenchValues values, final PrintWriter progress)
    {
        final int perRequest = spec.keySizeBytes() + 48 + spec.valueSizeMax();
        final byte[] buf = new byte[WARM_UP_BATCH * perRequest];
        final byte[] line = new byte[1024];
        long stored = 0;
        long nextPrintNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        try (Socket s = new Socket())
        {
            s.setTcpNoDelay(true);
            s.connect(spec.target().socketAddress(), (int)TimeUnit.NANOSECONDS.toMillis(spec.timeoutNs()));
            s.setSoTimeout((int)Math.max(2000, TimeUnit.NANOSECONDS.toMillis(spec.timeoutNs())));
            final OutputStream out = s.getOutputStream();
            final InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            for (int first = 0; first < spec.keySpace(); first += WARM_UP_BATCH)
            {
                final int n = Math.min(WARM_UP_BATCH, spec.keySpace() - first);
                int p = 0;
                for (int i = 0; i < n; i++)
                {
                    p = BenchRequests.putSet(buf, p, false, first + i, spec.keySizeBytes(), values, 0);
                }
                out.write(buf, 0, p);
                out.flush();
                for (int i = 0; i < n; i++)
                {
                    final int len = Replies.readLine(in, line);
                    if (len >= 8 && line[0] == 'S' && line[1] == 'T')
                    {
                        stored++;
                    }
                    else
                    {
                        throw new McClientException("warm-up: " + spec.target() + " answered a set with '" +
                            new String(line, 0, Math.max(0, len - 2), java.nio.charset.StandardCharsets.ISO_8859_1) + "'");
                    }
                }
                nextPrintNs = progress(progress, nextPrintNs, stored, spec.keySpace());
            }
        }
        catch (final IOException ex)
        {
            throw new McClientException("warm-up: cannot store keys on " + spec.target() + " over TCP: " + ex.getMessage() +
                " — is the server running?", ex);
        }
        return stored;
    }

    /** Windows of sets told apart by request id; sets without a reply are sent again, up to 3 times. */
    private static long warmUpUdp(final BenchSpec spec, final BenchValues values, final PrintWriter progress)
    {
        final byte[] buf = new byte[UdpFrame.HEADER_LENGTH + spec.keySizeBytes() + 48 + spec.valueSizeMax()];
        final byte[] reply = new byte[UdpFrame.MAX_DATAGRAM + 1];
        final BitSet pending = new BitSet();
        long stored = 0;
        long nextPrintNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        final int window = 32;
        try (DatagramSocket s = new DatagramSocket())
        {
            s.connect(spec.target().socketAddress());
            s.setReceiveBufferSize(4 << 20);
            final DatagramPacket in = new DatagramPacket(reply, reply.length);
            final int timeoutMs = (int)Math.max(50, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(spec.timeoutNs())));
            for (int first = 0; first < spec.keySpace(); first += window)
            {
                final int n = Math.min(window, spec.keySpace() - first);
                pending.clear();
                pending.set(0, n);
                for (int attempt = 0; attempt < 4 && !pending.isEmpty(); attempt++)
                {
                    for (int i = pending.nextSetBit(0); i >= 0; i = pending.nextSetBit(i + 1))
                    {
                        UdpFrame.writeRequestHeader(buf, 0, (first + i) & 0xFFFF);
                        final int end = BenchRequests.putSet(buf, UdpFrame.HEADER_LENGTH, false, first + i,
                            spec.keySizeBytes(), values, 0);
                        s.send(new DatagramPacket(buf, end));
                    }
                    final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                    while (!pending.isEmpty())
                    {
                        final long leftMs = TimeUnit.NANOSECONDS.toMillis(untilNs - System.nanoTime());
                        if (leftMs <= 0)
                        {
                            break;
                        }
                        s.setSoTimeout((int)leftMs);
                        in.setLength(reply.length);
                        try
                        {
                            s.receive(in);
                        }
                        catch (final SocketTimeoutException ex)
                        {
                            break;
                        }
                        final int i = (UdpFrame.requestId(reply, 0) - first) & 0xFFFF;
                        if (i < n && pending.get(i) && in.getLength() > UdpFrame.HEADER_LENGTH + 2 &&
                            reply[UdpFrame.HEADER_LENGTH] == 'S' && reply[UdpFrame.HEADER_LENGTH + 1] == 'T')
                        {
                            pending.clear(i);
                            stored++;
                        }
                    }
                }
                if (stored == 0 && !pending.isEmpty())
                {
                    throw new McClientException("warm-up: no reply from " + spec.target() +
                        " over UDP — is the server running with UDP enabled (memcached -U PORT)?");
                }
                nextPrintNs = progress(progress, nextPrintNs, stored, spec.keySpace());
            }
        }
        catch (final IOException ex)
        {
            throw new McClientException("warm-up: cannot store keys on " + spec.target() + " over UDP: " + ex.getMessage() +
                " — is the server running?", ex);
        }
        return stored;
    }

    private static long progress(final PrintWriter progress, final long nextPrintNs, final long stored, final int keys)
    {
        final long now = System.nanoTime();
        if (progress == null || now < nextPrintNs)
        {
            return nextPrintNs;
        }
        progress.printf(Locale.ROOT, "warm-up: %,d of %,d keys (%.0f%%)%n", stored, keys, 100.0 * stored / keys);
        progress.flush();
        return now + TimeUnit.SECONDS.toNanos(1);
    }

    /** For callers that want a trial of another length. */
    static Duration seconds(final double s)
    {
        return Duration.ofNanos((long)(s * 1e9));
    }
}
