package io.wirekv.dataplane.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One partition's counters and gauges (items, bytes, evictions, ...), indexed by the constants below. Written by
 * the partition's writer thread only: a plain read and an opaque store, no atomic, since nobody else writes them.
 * Read from any thread ({@link Table#counters()}, the stats and CnC publishers) with opaque loads: each value is
 * one the writer stored, never torn; no ordering with other memory is implied.
 * <p>
 * The array is padded on both ends so that the writer's stores do not share a cache line with other objects.
 */
final class PartitionCounters
{
    private static final VarHandle STATS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD = 16;

    /** Gauge: items linked. */
    static final int ITEMS = PAD;
    /** Gauge: bytes of the items linked. */
    static final int BYTES = PAD + 1;
    static final int EVICTIONS = PAD + 2;
    static final int EXPIRATIONS = PAD + 3;
    /** Gauge: bytes retired and not yet freed (waiting for a grace period). */
    static final int RETIRED_BYTES = PAD + 4;
    static final int RESIZES = PAD + 5;
    static final int TOTAL_ITEMS = PAD + 6;
    /** Gauge: when the oldest memory still retired was retired (ms), 0 when none. */
    static final int OLDEST_RETIRED_MS = PAD + 7;
    /** Gauge: the QSBR tag of the oldest memory still retired, 0 when none. */
    static final int OLDEST_RETIRED_TAG = PAD + 8;
    static final int OUT_OF_MEMORY = PAD + 9;
    static final int PAGES_MOVED = PAD + 10;
    private static final int COUNT = 11;

    private final long[] stats = new long[PAD + COUNT + PAD];

    /** Writer thread only. */
    void addOpaque(final int index, final long delta)
    {
        STATS.setOpaque(stats, index, stats[index] + delta); // opaque: single writer; pairs with getOpaque
    }

    /** Writer thread only. */
    void setOpaque(final int index, final long value)
    {
        STATS.setOpaque(stats, index, value); // opaque: single writer; pairs with getOpaque
    }

    /** Any thread. */
    long getOpaque(final int index)
    {
        return (long)STATS.getOpaque(stats, index); // opaque: pairs with setOpaque in addOpaque/setOpaque
    }

    /** On close: the gauges drop to 0 (the memory they describe is gone); the monotonic counters stay. */
    void clearGauges()
    {
        for (int i = ITEMS; i < ITEMS + COUNT; i++)
        {
            if (i != EVICTIONS && i != EXPIRATIONS && i != RESIZES && i != TOTAL_ITEMS && i != OUT_OF_MEMORY &&
                i != PAGES_MOVED)
            {
                setOpaque(i, 0);
            }
        }
    }
}
