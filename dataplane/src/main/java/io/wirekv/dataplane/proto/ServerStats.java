package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters behind memcached's {@code stats} (cmd_get, get_hits, curr_connections, ...). One
 * instance per server; each reader/writer thread bumps only its own slot, and {@code stats} and the
 * CnC file's readers sum them. Start time and pid are fixed at construction.
 * <p>
 * Layout: one {@link CounterRegistry} block per thread slot (the CnC file's registry on a server), each
 * on cache lines of its own, holding the {@link #COUNTERS} longs in id order; the registry describes
 * counter {@code c} as the sum of slot {@code c} of every block. Ids map in order onto
 * {@link CncMetric#CMD_GET} .. {@link CncMetric#BYTES_WRITTEN}. The owner increments with a plain read
 * and an opaque write; readers load opaque (no ordering is needed between counters, only freedom from
 * tearing).
 * <p>
 * No counter steps backwards: {@code stats reset} records a baseline that memcached's {@code stats}
 * output subtracts ({@link #sinceReset}), and leaves the counters themselves alone, so the CnC file and
 * Prometheus see them only grow. {@link #CURR_CONNECTIONS} is a gauge (it goes down as connections close).
 */
public final class ServerStats
{
    public static final int CMD_GET = 0;
    public static final int CMD_SET = 1;
    public static final int CMD_FLUSH = 2;
    public static final int CMD_TOUCH = 3;
    public static final int CMD_META = 4;
    public static final int GET_HITS = 5;
    public static final int GET_MISSES = 6;
    public static final int GET_EXPIRED = 7;
    public static final int GET_FLUSHED = 8;
    public static final int DELETE_MISSES = 9;
    public static final int DELETE_HITS = 10;
    public static final int INCR_MISSES = 11;
    public static final int INCR_HITS = 12;
    public static final int DECR_MISSES = 13;
    public static final int DECR_HITS = 14;
    public static final int CAS_MISSES = 15;
    public static final int CAS_HITS = 16;
    public static final int CAS_BADVAL = 17;
    public static final int TOUCH_HITS = 18;
    public static final int TOUCH_MISSES = 19;
    public static final int STORE_TOO_LARGE = 20;
    public static final int STORE_NO_MEMORY = 21;
    public static final int CURR_CONNECTIONS = 22;
    public static final int TOTAL_CONNECTIONS = 23;
    public static final int BYTES_READ = 24;
    public static final int BYTES_WRITTEN = 25;
    public static final int REJECTED_CONNECTIONS = 26;
    public static final int COUNTERS = 27;

    private static final CncMetric[] METRICS = {
        CncMetric.CMD_GET, CncMetric.CMD_SET, CncMetric.CMD_FLUSH, CncMetric.CMD_TOUCH, CncMetric.CMD_META,
        CncMetric.GET_HITS, CncMetric.GET_MISSES, CncMetric.GET_EXPIRED, CncMetric.GET_FLUSHED, CncMetric.DELETE_MISSES,
        CncMetric.DELETE_HITS, CncMetric.INCR_MISSES, CncMetric.INCR_HITS, CncMetric.DECR_MISSES, CncMetric.DECR_HITS,
        CncMetric.CAS_MISSES, CncMetric.CAS_HITS, CncMetric.CAS_BADVAL, CncMetric.TOUCH_HITS, CncMetric.TOUCH_MISSES,
        CncMetric.STORE_TOO_LARGE, CncMetric.STORE_NO_MEMORY, CncMetric.CURR_CONNECTIONS, CncMetric.TOTAL_CONNECTIONS,
        CncMetric.BYTES_READ, CncMetric.BYTES_WRITTEN, CncMetric.REJECTED_CONNECTIONS};
    private static final int BLOCK_LENGTH = CounterRegistryDescriptor.blockLength(COUNTERS);

    private final AtomicBuffer values;
    private final int base;
    /** What {@code stats reset} saw, per counter; written by whichever thread resets (rare), read by {@code stats}. */
    private final AtomicLongArray baseline = new AtomicLongArray(COUNTERS);
    private final int threadSlots;
    private final long startMillis;
    private final long pid;

    /** Counters of their own, outside any CnC file (tests, benchmarks). */
    public ServerStats(final int threadSlots)
    {
        this(threadSlots, System.currentTimeMillis());
    }

    /** Counters of their own, outside any CnC file (tests, benchmarks). */
    public ServerStats(final int threadSlots, final long startMillis)
    {
        this(CounterRegistry.inArena(COUNTERS, COUNTERS, Math.max(1, threadSlots)), threadSlots, startMillis);
    }

    /** Allocates one block per thread slot in {@code registry} and describes each counter there (start-up only). */
    public ServerStats(final CounterRegistry registry, final int threadSlots, final long startMillis)
    {
        this.threadSlots = Math.max(1, threadSlots);
        this.values = registry.values();
        this.base = registry.allocate(
            METRICS, CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, this.threadSlots);
        this.startMillis = startMillis;
        this.pid = ProcessHandle.current().pid();
    }

    /** Bytes of value blocks an instance with {@code threadSlots} slots takes in a registry. */
    public static int valuesBytes(final int threadSlots)
    {
        return Math.max(1, threadSlots) * BLOCK_LENGTH;
    }

    public int threadSlots()
    {
        return threadSlots;
    }

    public long pid()
    {
        return pid;
    }

    public long startMillis()
    {
        return startMillis;
    }

    /** Adds to one counter of one thread's slot; only the slot's owner thread calls this. */
    public void add(final int slot, final int counter, final long delta)
    {
        // opaque store of a plain sum: single writer per slot; pairs with getLongOpaque in sum()
        // and in CounterRegistryReader.value
        values.addLongOpaque(base + slot * BLOCK_LENGTH + counter * Long.BYTES, delta);
    }

    public void increment(final int slot, final int counter)
    {
        add(slot, counter, 1);
    }

    /** A connection was accepted, on the owner thread of {@code slot}. */
    public void connectionOpened(final int slot)
    {
        add(slot, CURR_CONNECTIONS, 1);
        add(slot, TOTAL_CONNECTIONS, 1);
    }

    /** A connection was refused at the connection limit (memcached's {@code rejected_connections}). */
    public void connectionRejected(final int slot)
    {
        add(slot, REJECTED_CONNECTIONS, 1);
    }

    public void connectionClosed(final int slot)
    {
        add(slot, CURR_CONNECTIONS, -1);
    }

    /** Sum of one counter over every slot: what the CnC file shows; a counter's sum never decreases. */
    public long sum(final int counter)
    {
        long total = 0;
        for (int slot = 0; slot < threadSlots; slot++)
        {
            // opaque: pairs with addLongOpaque in add
            total += values.getLongOpaque(base + slot * BLOCK_LENGTH + counter * Long.BYTES);
        }
        return total;
    }

    /**
     * What memcached's {@code stats} shows: the sum since the last {@code stats reset} (for
     * {@link #CURR_CONNECTIONS}, which reset leaves alone, the sum itself).
     */
    public long sinceReset(final int counter)
    {
        // acquire: pairs with the CAS in resetFromSlot. Baseline first: the slots read after it are at least
        // what the reset summed, so a racing reset never makes the difference negative.
        final long since = baseline.getAcquire(counter);
        return sum(counter) - since;
    }

    /**
     * memcached's {@code stats reset}: from now on {@link #sinceReset} counts from the current values (the
     * counters that reset clears; not the connection gauge). The counters themselves never step back.
     *
     * @param slot the calling thread's slot (unused: the baseline is shared by every connection).
     */
    public void resetFromSlot(final int slot)
    {
        for (int counter = 0; counter < COUNTERS; counter++)
        {
            if (counter != CURR_CONNECTIONS)
            {
                // volatile CAS loop keeping the larger: two racing resets never move the baseline back
                baseline.accumulateAndGet(counter, sum(counter), Math::max);
            }
        }
    }
}
