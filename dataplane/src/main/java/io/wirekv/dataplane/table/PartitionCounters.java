package io.wirekv.dataplane.table;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * One partition's counters and gauges (items, bytes, evictions, ...): a view over the partition's block in the
 * table's {@link CounterRegistry} (the CnC file's, on a server), so the file's readers see each value as the
 * writer stores it, with nothing copying it. Slot {@code k < METRICS.length} is registered as
 * {@code METRICS[k]}, summed over every partition's block; the last two slots are the writer's own, the inputs
 * of the grace-period gauges that the housekeeping thread computes ({@link Table#counters()}).
 * <p>
 * Written by the partition's writer thread only (and by {@link #clearGauges} once that thread has stopped): a
 * plain load and an opaque store, no atomic, since nobody else writes the block. Read from any thread with
 * opaque loads: each value is one the writer stored, never torn; no ordering with other memory is implied.
 * Counters only grow; {@link #ITEMS}, {@link #BYTES}, {@link #RETIRED_BYTES} and {@link #TTL_DUE_BYTES} are gauges
 * and go down.
 */
final class PartitionCounters
{
    /** Gauge: items linked. */
    static final int ITEMS = 0;
    /** Gauge: bytes of the items linked. */
    static final int BYTES = 1;
    static final int EVICTIONS = 2;
    static final int EXPIRATIONS = 3;
    /** Gauge: bytes retired and not yet freed (waiting for a grace period). */
    static final int RETIRED_BYTES = 4;
    static final int RESIZES = 5;
    static final int TOTAL_ITEMS = 6;
    static final int OUT_OF_MEMORY = 7;
    static final int PAGES_MOVED = 8;
    /** Items the expiry wheel reclaimed (also counted in {@link #EXPIRATIONS}). */
    static final int TTL_RECLAIMED = 9;
    static final int TTL_RECLAIMED_BYTES = 10;
    /** Items the expiry wheel looked at: reclaimed, or placed again (never a scan of live items). */
    static final int TTL_VISITED = 11;
    /** Gauge: bytes of the items in the wheel's due buckets, expired and not reclaimed yet. */
    static final int TTL_DUE_BYTES = 12;
    /** Not registered: when the oldest memory still retired was retired (ms), 0 when none. */
    static final int OLDEST_RETIRED_MS = 13;
    /** Not registered: the QSBR tag of the oldest memory still retired, 0 when none. */
    static final int OLDEST_RETIRED_TAG = 14;
    static final int SLOTS = 15;

    /** What slot k of every partition's block counts, for k below {@link #OLDEST_RETIRED_MS}. */
    static final CncMetric[] METRICS = {
        CncMetric.ITEMS, CncMetric.ITEM_BYTES, CncMetric.EVICTIONS, CncMetric.EXPIRATIONS,
        CncMetric.RETIRED_NOT_FREED_BYTES, CncMetric.RESIZES, CncMetric.TOTAL_ITEMS, CncMetric.OUT_OF_MEMORY,
        CncMetric.PAGES_MOVED, CncMetric.TTL_RECLAIMED, CncMetric.TTL_RECLAIMED_BYTES, CncMetric.TTL_VISITED,
        CncMetric.TTL_DUE_BYTES};
    static final int BLOCK_LENGTH = CounterRegistryDescriptor.blockLength(SLOTS);

    private final AtomicBuffer values;
    private final int base;

    /** The view over block {@code base} of {@code values} (allocated by {@link #allocate}). */
    PartitionCounters(final AtomicBuffer values, final int base)
    {
        this.values = values;
        this.base = base;
    }

    /**
     * Allocates one block per partition in {@code registry} and registers {@link #METRICS} (start-up only).
     *
     * @return the offset of partition 0's block; partition p's is {@link #BLOCK_LENGTH} {@code * p} later.
     */
    static int allocate(final CounterRegistry registry, final int partitions)
    {
        return registry.allocate(METRICS, SLOTS, CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, partitions);
    }

    /** Writer thread only. */
    void addOpaque(final int slot, final long delta)
    {
        // opaque store of a plain sum: single writer; pairs with getLongOpaque in getOpaque and CounterRegistryReader
        values.addLongOpaque(base + slot * Long.BYTES, delta);
    }

    /** Writer thread only. */
    void setOpaque(final int slot, final long value)
    {
        // opaque: single writer; pairs with getLongOpaque in getOpaque and CounterRegistryReader
        values.putLongOpaque(base + slot * Long.BYTES, value);
    }

    /** Any thread. */
    long getOpaque(final int slot)
    {
        return values.getLongOpaque(base + slot * Long.BYTES); // opaque: pairs with addOpaque/setOpaque
    }

    /** On close: the gauges drop to 0 (the memory they describe is gone); the counters stay. */
    void clearGauges()
    {
        setOpaque(ITEMS, 0);
        setOpaque(BYTES, 0);
        setOpaque(RETIRED_BYTES, 0);
        setOpaque(TTL_DUE_BYTES, 0);
        setOpaque(OLDEST_RETIRED_MS, 0);
        setOpaque(OLDEST_RETIRED_TAG, 0);
    }
}
