package io.wirekv.dataplane.proto;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters behind memcached's {@code stats} (cmd_get, get_hits, curr_connections, ...). One
 * instance per server; each reader/writer thread bumps only its own padded slot, and {@code stats}
 * sums them. Start time and pid are fixed at construction.
 * <p>
 * Layout: slot {@code s} owns longs {@code [s * STRIDE, s * STRIDE + COUNTERS)}; {@code STRIDE} is a
 * multiple of 16 longs (two cache lines) so that no two threads write the same line. The owner
 * increments with a plain read and an opaque write; {@code stats} reads opaque (no ordering is needed
 * between counters, only freedom from tearing).
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
    public static final int COUNTERS = 26;

    private static final int STRIDE = 32;

    private final AtomicLongArray values;
    private final int threadSlots;
    private final long startMillis;
    private final long pid;

    public ServerStats(final int threadSlots)
    {
        this(threadSlots, System.currentTimeMillis());
    }

    public ServerStats(final int threadSlots, final long startMillis)
    {
        this.threadSlots = Math.max(1, threadSlots);
        this.values = new AtomicLongArray((this.threadSlots + 1) * STRIDE);
        this.startMillis = startMillis;
        this.pid = ProcessHandle.current().pid();
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
        final int index = (slot + 1) * STRIDE + counter;
        // opaque: single writer per slot; pairs with getOpaque in sum()
        values.setOpaque(index, values.getPlain(index) + delta);
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

    public void connectionClosed(final int slot)
    {
        add(slot, CURR_CONNECTIONS, -1);
    }

    /** Sum of one counter over every slot. */
    public long sum(final int counter)
    {
        long total = 0;
        for (int slot = 0; slot < threadSlots; slot++)
        {
            total += values.getOpaque((slot + 1) * STRIDE + counter);
        }
        return total;
    }

    /** memcached's {@code stats reset}: zero the counters that reset clears (not connection gauges). */
    public void resetFromSlot(final int slot)
    {
        // Resetting other threads' slots would race with their plain increments, so the reset is
        // recorded as an offset in the caller's slot: total = sum - offset stays exact per counter.
        for (int counter = 0; counter < COUNTERS; counter++)
        {
            if (counter == CURR_CONNECTIONS)
            {
                continue;
            }
            add(slot, counter, -sum(counter));
        }
    }
}
