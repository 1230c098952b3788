package io.wirekv.dataplane.table;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The table's lookup counters ({@code table_hits}, {@code table_misses}): one {@link CounterRegistry} block per
 * reader the table was sized for, plus one shared block, registered as the sum over all of them, so the CnC
 * file reads them as the readers count.
 * <p>
 * Threading: a registered reader takes a block of its own ({@link #acquire}) and is its only writer (plain load,
 * opaque store). Its block outlives it: {@link #release} returns it to the pool with its counts in it, and the
 * next reader to take it adds to them, so the sums never step back. The hand-over is ordered by this object's
 * lock (the old owner's last store happens before its release, which happens before the new owner's acquire).
 * Threads that read without registering, and readers beyond the sized count, share the last block and add to it
 * atomically ({@link #countShared}); that costs an atomic add per lookup, so a server sizes the table for every
 * reader it starts. Readers of the sums load opaque.
 */
final class ReaderCounters
{
    static final int HITS = 0;
    static final int MISSES = 1;
    static final CncMetric[] METRICS = {CncMetric.TABLE_HITS, CncMetric.TABLE_MISSES};
    static final int BLOCK_LENGTH = CounterRegistryDescriptor.blockLength(METRICS.length);

    private final AtomicBuffer values;
    private final int base;
    private final int sharedBlock;
    /** Offsets of the blocks no reader holds, a stack; guarded by this. */
    private final int[] free;
    private int freeCount;

    /** Allocates {@code readers + 1} blocks in {@code registry} and registers the two metrics (start-up only). */
    ReaderCounters(final CounterRegistry registry, final int readers)
    {
        this.values = registry.values();
        this.base = registry.allocate(
            METRICS, CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, readers + 1);
        this.sharedBlock = base + readers * BLOCK_LENGTH;
        this.free = new int[readers];
        for (int r = readers - 1; r >= 0; r--)
        {
            free[freeCount++] = base + r * BLOCK_LENGTH; // block 0 on top: the first reader takes it
        }
    }

    /** Bytes of value blocks for a table sized for {@code readers} readers. */
    static int valuesBytes(final int readers)
    {
        return (readers + 1) * BLOCK_LENGTH;
    }

    AtomicBuffer values()
    {
        return values;
    }

    /** A block for a new reader: one of its own, or the shared block when none is free. */
    synchronized int acquire()
    {
        return freeCount > 0 ? free[--freeCount] : sharedBlock;
    }

    /** The closed reader's block goes back to the pool, counts and all. */
    synchronized void release(final int block)
    {
        if (block != sharedBlock)
        {
            free[freeCount++] = block;
        }
    }

    boolean isShared(final int block)
    {
        return block == sharedBlock;
    }

    /** Counts one lookup of a thread without a block of its own: an atomic add to the shared block. */
    void countShared(final boolean hit)
    {
        // atomic: several threads add to the shared block; pairs with getLongOpaque in sum
        values.getAndAddLong(sharedBlock + (hit ? HITS : MISSES) * Long.BYTES, 1);
    }

    long hits()
    {
        return sum(HITS);
    }

    long misses()
    {
        return sum(MISSES);
    }

    private long sum(final int slot)
    {
        long total = 0;
        for (int block = base; block <= sharedBlock; block += BLOCK_LENGTH)
        {
            total += values.getLongOpaque(block + slot * Long.BYTES); // opaque: pairs with the owner's addLongOpaque
        }
        return total;
    }
}
