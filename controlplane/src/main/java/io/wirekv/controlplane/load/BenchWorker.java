package io.wirekv.controlplane.load;

import io.wirekv.dataplane.lcore.Affinity;

import java.util.concurrent.locks.LockSupport;

/**
 * The duty cycle shared by the UDP and TCP bench workers. Each cycle reads the clock once, emits
 * the requests that are due, flushes them, polls for replies and expires requests older than the
 * timeout. Open loop: request k of this thread is due at {@code startNs + phase + k × period}
 * (a fixed grid, period = threads / rate), and its latency runs from that intended time, not from
 * when it went out, so a stalled sender or server shows in the latency (corrected for coordinated
 * omission). Between due times the worker idles as {@link BenchSpec#idle()} says (spin by
 * default), or parks ({@link LockSupport#parkNanos}) until shortly before the next one when nothing
 * is in flight and the gap is long. Closed loop: keeps
 * {@code outstanding} requests in flight, each timed from its actual send.
 * <p>
 * Bounded: stops emitting at the deadline or after its share of {@code maxRequests}, then waits at
 * most one timeout for replies; whatever is still in flight then is lost, so every request sent ends
 * as received or lost.
 * <p>
 * Threading: runs on its own platform thread (pinned when a CPU is given); owns its buffers;
 * shares only {@link BenchStats}.
 */
abstract class BenchWorker implements Runnable
{
    /** Park only when the next due time is further than this. */
    static final long PARK_THRESHOLD_NS = 200_000;
    /** Wake this long before the due time: parkNanos overshoots by the timer slack (50 us by default). */
    static final long PARK_EARLY_NS = 100_000;
    /** Most requests emitted in one cycle, so a worker that has fallen behind still polls and stops on time. */
    static final int MAX_EMITS_PER_CYCLE = 256;
    /** Offsets a TCP worker's random stream, so the TCP side of a mixed trial does not repeat the UDP side's keys. */
    static final long TCP_STREAM = 0x5DEECE66DL;
    /** {@link BenchSpec.Idle#PARK}: how long an idle cycle parks. */
    static final long IDLE_PARK_NS = 50_000;

    final BenchSpec spec;
    final BenchStats stats;
    final BenchValues values;
    final BenchReplyParser parser;
    final long timeoutNs;
    final byte[] scratch;
    private final BenchOps ops;
    private final int[] keys;
    private final long startNs;
    private final long deadlineNs;
    private final long maxRequests;
    private final double periodNs;
    private final double phaseNs;
    private final int cpu;
    private final int headerBytes;
    private long scheduled;
    /** Replies counted since the last {@link #publishCounts}: the shared adders take them once a cycle. */
    private long receivedPending;
    private long errorsPending;
    private long hitsPending;
    private long missesPending;
    private long verifiedPending;
    private long wrongPending;
    private long storedPending;
    private volatile long emitEndNs;
    private volatile Throwable failure;

    BenchWorker(final BenchSpec spec, final BenchStats stats, final KeyChooser chooser, final int index,
        final long startNs, final long deadlineNs, final int headerBytes)
    {
        this(spec, stats, chooser, index, startNs, deadlineNs, headerBytes, false);
    }

    /**
     * @param warmUp store keys in order instead (thread i of n: keys i, i + n, ...; with a spec whose
     *               GET ratio is 0 and request limit the key space, every key once).
     */
    BenchWorker(final BenchSpec spec, final BenchStats stats, final KeyChooser chooser, final int index,
        final long startNs, final long deadlineNs, final int headerBytes, final boolean warmUp)
    {
        this.spec = spec;
        this.stats = stats;
        this.values = new BenchValues(spec.valueSizeMin(), spec.valueSizeMax(), spec.valueVersion(), spec.keySpace());
        this.parser = new BenchReplyParser(values, spec.keySpace());
        this.timeoutNs = spec.timeoutNs();
        this.ops = warmUp ? new BenchOps(spec, chooser, spec.seed(), index, spec.threads()) :
            new BenchOps(spec, chooser, spec.seed() * 0x9E3779B97F4A7C15L + index + 1 +
                (spec.transport() == BenchSpec.Transport.TCP ? TCP_STREAM : 0));
        this.keys = new int[spec.multiget()];
        this.headerBytes = headerBytes;
        this.scratch = new byte[headerBytes + spec.maxRequestBytes()];
        this.startNs = startNs;
        this.deadlineNs = deadlineNs;
        this.maxRequests = (spec.maxRequests() + spec.threads() - 1 - index) / spec.threads();
        this.periodNs = spec.openLoop() ? spec.threads() * 1e9 / spec.ratePerSecond() : 0;
        this.phaseNs = periodNs * index / spec.threads();
        this.cpu = spec.cpuOf(index);
    }

    /** When this worker stopped sending (its deadline, or earlier at its request limit or on failure). */
    final long emitEndNs()
    {
        return emitEndNs;
    }

    /** The exception that stopped this worker early, or null. */
    final Throwable failure()
    {
        return failure;
    }

    @Override
    public final void run()
    {
        try
        {
            if (cpu >= 0)
            {
                Affinity.pinCurrentThread(cpu);
            }
            open();
            while (System.nanoTime() < startNs)
            {
                Thread.onSpinWait();
            }
            dutyCycle();
            emitEndNs = System.nanoTime();
            drain();
        }
        catch (final Exception | Error ex)
        {
            failure = ex;
        }
        finally
        {
            if (emitEndNs == 0)
            {
                emitEndNs = System.nanoTime();
            }
            publishCounts();
            stats.lost.add(abandon());
            close();
        }
    }

    private void dutyCycle() throws Exception
    {
        final boolean open = periodNs > 0;
        final int window = spec.outstanding();
        while (true)
        {
            final long now = System.nanoTime();
            if (now >= deadlineNs || scheduled >= maxRequests || Thread.currentThread().isInterrupted())
            {
                return;
            }
            int budget = MAX_EMITS_PER_CYCLE;
            if (open)
            {
                long due = dueNs(scheduled);
                while (budget-- > 0 && scheduled < maxRequests && due <= now && due < deadlineNs && room())
                {
                    emit(due);
                    due = dueNs(scheduled);
                }
            }
            else
            {
                while (budget-- > 0 && scheduled < maxRequests && outstanding() < window && room())
                {
                    emit(now);
                }
            }
            flush();
            final int replies = poll();
            publishCounts();
            expire(System.nanoTime());
            if (replies == 0)
            {
                final long gap = open ? dueNs(scheduled) - System.nanoTime() : 0;
                if (gap > PARK_THRESHOLD_NS && outstanding() == 0)
                {
                    LockSupport.parkNanos(Math.min(gap, deadlineNs - System.nanoTime()) - PARK_EARLY_NS);
                }
                else
                {
                    idle();
                }
            }
        }
    }

    private void idle()
    {
        switch (spec.idle())
        {
            case SPIN -> Thread.onSpinWait();
            case YIELD -> Thread.yield();
            case PARK -> LockSupport.parkNanos(IDLE_PARK_NS);
        }
    }

    private long dueNs(final long k)
    {
        return startNs + (long)(phaseNs + k * periodNs);
    }

    private void drain() throws Exception
    {
        final long until = System.nanoTime() + timeoutNs;
        while (outstanding() > 0 && System.nanoTime() < until && !Thread.currentThread().isInterrupted())
        {
            flush();
            if (poll() == 0)
            {
                idle();
            }
            publishCounts();
            expire(System.nanoTime());
        }
    }

    private void emit(final long intendedNs) throws Exception
    {
        final boolean get = ops.nextIsGet();
        final int opaque = (int)(scheduled & Integer.MAX_VALUE);
        final boolean meta = spec.protocol() == BenchSpec.Protocol.META;
        final int end;
        boolean verify = false;
        if (get)
        {
            final int n = keys.length;
            for (int i = 0; i < n; i++)
            {
                keys[i] = ops.nextKey();
            }
            end = BenchRequests.putGet(scratch, headerBytes, meta, keys, n, spec.keySizeBytes(), opaque);
            verify = ops.nextVerify();
        }
        else
        {
            end = BenchRequests.putSet(scratch, headerBytes, meta, ops.nextKey(), spec.keySizeBytes(), values, opaque,
                spec.noreply());
        }
        scheduled++;
        enqueue(end, intendedNs, get, verify, opaque);
    }

    /** Counts one whole reply that {@link #parser} has just parsed. */
    final void complete(final long intendedNs, final long nowNs, final boolean get, final boolean verify)
    {
        receivedPending++;
        stats.recordLatency(nowNs - intendedNs);
        if (parser.error)
        {
            errorsPending++;
            return;
        }
        if (get)
        {
            hitsPending += parser.hits;
            missesPending += Math.max(0, keys.length - parser.hits);
            if (verify)
            {
                verifiedPending += parser.verified;
                wrongPending += parser.wrong;
            }
        }
        else
        {
            storedPending++;
        }
    }

    /**
     * Counts {@code count} SETs sent without replies ({@link BenchSpec#noreply()}) that a sync point's reply has
     * just confirmed; {@code failed} of them were answered with an error line. Their latency runs from the first
     * one's intended send time to the sync reply (an upper bound for each).
     */
    final void completeQuiet(final long intendedNs, final long nowNs, final int count, final int failed)
    {
        receivedPending += count;
        stats.recordLatency(nowNs - intendedNs, count);
        errorsPending += failed;
        storedPending += count - failed;
    }

    /**
     * Adds the replies counted since the last call to the shared {@link BenchStats}: once a cycle (and when the
     * worker stops), so a burst of replies costs the adders one update each rather than one per reply.
     */
    final void publishCounts()
    {
        if (0 == receivedPending)
        {
            return;
        }
        stats.received.add(receivedPending);
        addIfAny(stats.errors, errorsPending);
        addIfAny(stats.hits, hitsPending);
        addIfAny(stats.misses, missesPending);
        addIfAny(stats.verified, verifiedPending);
        addIfAny(stats.wrong, wrongPending);
        addIfAny(stats.stored, storedPending);
        receivedPending = 0;
        errorsPending = 0;
        hitsPending = 0;
        missesPending = 0;
        verifiedPending = 0;
        wrongPending = 0;
        storedPending = 0;
    }

    private static void addIfAny(final java.util.concurrent.atomic.LongAdder adder, final long n)
    {
        if (n != 0)
        {
            adder.add(n);
        }
    }

    /** Opens the socket; may throw (setup time). */
    abstract void open() throws Exception;

    /** True when another request can be queued now (the worker may flush to make room). */
    abstract boolean room() throws Exception;

    /**
     * Queues the request in {@code scratch[headerBytes, end)} (the first {@code headerBytes} are the
     * transport's to fill). The transport counts it in {@link BenchStats#sent} once the kernel has
     * taken it, or in {@link BenchStats#unsent} when the kernel refuses it.
     */
    abstract void enqueue(int end, long intendedNs, boolean get, boolean verify, int opaque) throws Exception;

    abstract void flush() throws Exception;

    /** Receives and counts what has arrived; returns the replies (or datagrams) handled. */
    abstract int poll() throws Exception;

    /** Counts as lost the requests whose intended time is more than a timeout before {@code nowNs}. */
    abstract void expire(long nowNs) throws Exception;

    abstract int outstanding();

    /** Forgets every request still in flight; returns how many there were. */
    abstract int abandon();

    abstract void close();
}
