package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;

/**
 * One partition's QSBR reclamation (see package-info's reclamation rule): memory the writer unlinked (items,
 * old index arrays) is queued, tagged with an epoch taken after the unlinks of its batch ({@link #seal}), and
 * freed once every registered reader has passed that epoch: chunks back to their class's free list
 * ({@link SlabAllocator#freeChunk}), index arrays back to the arena. Keeps the retired-memory gauges in {@link PartitionCounters}.
 * <p>
 * Threading: the partition's writer thread only; the queue is private to it.
 */
final class QsbrReclaimer
{
    /** Retire queue length past which writes try to reclaim. */
    static final int RECLAIM_THRESHOLD = 64;

    private final Qsbr qsbr;
    private final Table table;
    private final ArenaMemory memory;
    private final SizeClasses classes;
    private final SlabAllocator slabs;
    private final ExpiryWheel expiry;
    private final PartitionCounters counters;
    private final RetireQueue retired = new RetireQueue(1024);
    /** Per class: chunks retired and not yet freed (they come back to the class's free list after grace). */
    private final int[] retiredChunks;

    QsbrReclaimer(
        final Qsbr qsbr, final Table table, final ArenaMemory memory, final SizeClasses classes,
        final SlabAllocator slabs, final ExpiryWheel expiry, final PartitionCounters counters)
    {
        this.expiry = expiry;
        this.qsbr = qsbr;
        this.table = table;
        this.memory = memory;
        this.classes = classes;
        this.slabs = slabs;
        this.counters = counters;
        retiredChunks = new int[classes.count()];
    }

    boolean isEmpty()
    {
        return retired.isEmpty();
    }

    int size()
    {
        return retired.size();
    }

    /** Chunks of the class retired and not yet freed. */
    int retiredChunks(final int sizeClass)
    {
        return retiredChunks[sizeClass];
    }

    /**
     * Retires an item already unlinked from the index: marks it retired, takes it out of its expiry bucket and
     * out of the item gauges.
     */
    void retireItem(final long address)
    {
        final long itemLength = ItemDescriptor.itemLength(address);
        final int sizeClass = classes.classOf(itemLength);
        NATIVE.set(ValueLayout.JAVA_BYTE, address + STATE_OFFSET, STATE_RETIRED);
        expiry.remove(address, itemLength);
        retiredChunks[sizeClass]++;
        counters.addOpaque(PartitionCounters.ITEMS, -1);
        counters.addOpaque(PartitionCounters.BYTES, -itemLength);
        retire(address, sizeClass, classes.chunkBytes(sizeClass));
    }

    /** Retires an index array already replaced by its successor. */
    void retireIndex(final long address, final long bytes)
    {
        retire(address, -1, bytes);
    }

    /**
     * Queues memory unlinked before this call; kind is a size class, or -1 for an index block. It gets its epoch
     * tag at the next {@link #seal}, not here: a tag is an atomic increment of the epoch that every reader polls,
     * a full fence and, with readers on other cores, a cache-line transfer; once per batch, not once per write.
     */
    private void retire(final long address, final int kind, final long bytes)
    {
        final long nowMs = table.nowMillis();
        if (retired.isEmpty())
        {
            counters.setOpaque(PartitionCounters.OLDEST_RETIRED_MS, nowMs);
        }
        retired.push(address, kind, bytes, nowMs);
        counters.addOpaque(PartitionCounters.RETIRED_BYTES, bytes);
    }

    /**
     * Tags everything retired since the last seal with one new epoch, taken after all of it was unlinked (the
     * volatile increment orders the unlinking release stores before it). A writer seals at the end of each batch
     * of writes; {@link #reclaim} seals first, so nothing waits for a seal longer than the writer's next cycle.
     */
    void seal()
    {
        if (retired.hasUnsealed())
        {
            final boolean headWasUnsealed = !retired.isHeadSealed();
            final long tag = qsbr.retireTag();
            retired.seal(tag);
            if (headWasUnsealed)
            {
                counters.setOpaque(PartitionCounters.OLDEST_RETIRED_TAG, tag);
            }
        }
    }

    /** After a write: reclaims once every {@link #RECLAIM_THRESHOLD} retirements while the queue is that long. */
    void reclaimIfQueueLong()
    {
        if (retired.size() >= RECLAIM_THRESHOLD && (retired.size() & (RECLAIM_THRESHOLD - 1)) == 0)
        {
            reclaim();
        }
    }

    /** Frees retired memory whose grace period has passed; returns the number of blocks freed. */
    int reclaim()
    {
        if (retired.isEmpty())
        {
            return 0;
        }
        seal();
        final long safe = qsbr.safeEpoch(); // acquire loads: every reader's prior reads happen-before the frees
        int freed = 0;
        long freedBytes = 0;
        while (!retired.isEmpty() && retired.headTag() <= safe)
        {
            final long address = retired.headAddress();
            final int kind = retired.headKind();
            final long bytes = retired.headBytes();
            retired.pop();
            if (kind >= 0)
            {
                retiredChunks[kind]--;
                slabs.freeChunk(address, kind);
            }
            else
            {
                memory.freeBlock(address, bytes);
            }
            freedBytes += bytes;
            freed++;
        }
        if (freed > 0)
        {
            counters.addOpaque(PartitionCounters.RETIRED_BYTES, -freedBytes);
            if (retired.isEmpty())
            {
                counters.setOpaque(PartitionCounters.OLDEST_RETIRED_MS, 0);
                counters.setOpaque(PartitionCounters.OLDEST_RETIRED_TAG, 0);
            }
            else
            {
                counters.setOpaque(PartitionCounters.OLDEST_RETIRED_MS, retired.headTimeMs());
                counters.setOpaque(PartitionCounters.OLDEST_RETIRED_TAG, retired.headTag());
            }
        }
        return freed;
    }
}
