package io.wirekv.dataplane.table;

/**
 * Finds memory for a partition's next item, and room for its key in the index, evicting in cache mode.
 * An allocation takes, in order: a chunk from the class's free list or bump slab; a chunk freed by a passed
 * grace period; a new slab (free units of this partition, or a new page while the budget lasts, keeping the
 * index's reserve); <em>empty</em> slabs of other classes (no item lost). When memory is full,
 * {@link MemoryMode#STORE} returns 0 (the write fails with {@link Status#OUT_OF_MEMORY}) after waiting briefly
 * for retired memory; {@link MemoryMode#CACHE} first reclaims expired items ({@link ExpiryWheel}), then evicts items
 * of the same class (CLOCK, {@link SlabEvictor}; {@link SlabRebalancer} may then move a slab of a class holding
 * older items to this one) or, when the class has nothing to evict, empties memory of other classes at the
 * granularity it needs ({@link SlabAllocator#startDrain}), and waits for the grace period that frees the evicted
 * chunks: in cache mode an item within the size limit is refused only if a reader stalls (see
 * {@link #CACHE_GRACE_WAIT_NS}), or in one corner of an append (its pinned source item blocks the only memory the
 * new item's class could get).
 * <p>
 * Threading: the partition's writer thread only.
 */
final class ItemAllocator
{
    /**
     * Items evicted per allocation miss in cache mode (the rest refill the free list after a grace period), or an
     * eighth of the class's chunks if fewer: a class holding a few slabs would otherwise lose them all at once.
     */
    static final int EVICT_BATCH = 32;
    /** Items of the expiry wheel's due buckets reclaimed per allocation miss in cache mode, before any eviction. */
    static final int EXPIRED_BATCH = 4 * EVICT_BATCH;
    /** Longest a store-mode writer waits for readers to pass a grace period before reporting out of memory. */
    static final long GRACE_WAIT_NS = 5_000_000L;
    /**
     * Longest a cache-mode writer waits for the grace period that frees what it evicted: the time after which a
     * reader counts as stalled ({@link Table#STALL_THRESHOLD_MS}), so only a stalled reader makes a cache refuse
     * a write (a duty cycle is microseconds; a descheduled reader runs again within milliseconds).
     */
    static final long CACHE_GRACE_WAIT_NS = Table.STALL_THRESHOLD_MS * 1_000_000L;

    private final Table table;
    private final Qsbr qsbr;
    private final MemoryMode mode;
    private final SlabAllocator slabs;
    private final SlabEvictor evictor;
    private final ExpiryWheel expiry;
    private final QsbrReclaimer reclaimer;
    private final PartitionIndexWriter index;
    private final SlabRebalancer rebalancer;
    /** Cache mode has evicted: the table filled once (see {@link #indexReserveBytes}). */
    private boolean full;
    /** Runs on a thread that also reads (colocated): its readers go offline while it waits for a grace period. */
    private boolean sharesThreadWithReaders;

    ItemAllocator(
        final Table table, final Qsbr qsbr, final MemoryMode mode, final SlabAllocator slabs, final SlabEvictor evictor,
        final SlabRebalancer rebalancer, final ExpiryWheel expiry, final QsbrReclaimer reclaimer,
        final PartitionIndexWriter index)
    {
        this.expiry = expiry;
        this.table = table;
        this.qsbr = qsbr;
        this.mode = mode;
        this.slabs = slabs;
        this.evictor = evictor;
        this.reclaimer = reclaimer;
        this.index = index;
        this.rebalancer = rebalancer;
    }

    /** See {@link PartitionWriter#sharesThreadWithReaders()}. */
    void sharesThreadWithReaders()
    {
        sharesThreadWithReaders = true;
    }

    /**
     * A free chunk of the class, or 0. In order: the class's free list and bump slab; retired chunks whose
     * grace period has passed; a new slab (a free unit or page of this partition, or a new page the budget
     * pays for); an empty slab of another class (no eviction, no grace period). Then cache mode evicts and
     * waits for the grace period that frees what it evicted ({@link #allocateEvicting}); store mode waits
     * briefly for retired memory only.
     */
    long allocate(final int sizeClass)
    {
        final long address = slabs.popFree(sizeClass);
        if (address != 0)
        {
            return address;
        }
        final long refilled = refill(sizeClass);
        if (refilled != 0)
        {
            return refilled;
        }
        if (sharesThreadWithReaders)
        {
            qsbr.parkThisThread();
        }
        try
        {
            if (mode == MemoryMode.CACHE)
            {
                return allocateEvicting(sizeClass);
            }
            expiry.reclaimDue(EXPIRED_BATCH, table.nowSeconds(), index); // expired memory comes back after a grace period
            return waitForGrace(sizeClass, GRACE_WAIT_NS);
        }
        finally
        {
            if (sharesThreadWithReaders)
            {
                qsbr.unparkThisThread();
            }
        }
    }

    /**
     * Room in the index for one more key ({@link PartitionIndexWriter#ensureRoom}); failing that, cache mode
     * evicts across classes to free slots and index memory, then rebuilds in place or accepts the hard load limit.
     */
    boolean ensureIndexRoom()
    {
        if (index.ensureRoom())
        {
            return true;
        }
        if (mode == MemoryMode.CACHE)
        {
            evictor.evictAcrossClasses(Math.max(EVICT_BATCH, index.index().capacity / 8));
            reclaimer.reclaim();
            return index.ensureRoomAfterEviction();
        }
        return false;
    }

    private long refill(final int sizeClass)
    {
        long address;
        if (reclaimer.reclaim() > 0 && (address = slabs.popFree(sizeClass)) != 0)
        {
            return address;
        }
        if (slabs.addSlab(sizeClass, indexReserveBytes(sizeClass)) && (address = slabs.popFree(sizeClass)) != 0)
        {
            return address;
        }
        if (slabs.moveEmptySlab(sizeClass) && slabs.addSlab(sizeClass, indexReserveBytes(sizeClass)) &&
            (address = slabs.popFree(sizeClass)) != 0)
        {
            return address;
        }
        return 0;
    }

    /**
     * Cache mode with no free memory: expired memory first (the expiry wheel's due buckets, up to
     * {@link #EXPIRED_BATCH} items of any class); if that retired none of this class's chunks, evict a batch of the
     * class's own items (CLOCK, which also takes expired items before live ones); if it has nothing to
     * evict and nothing of its own awaiting a grace period, empty memory of other classes
     * ({@link SlabAllocator#startDrain}). Then wait, reclaiming, until a chunk is free: every path ends in
     * chunks freed after one grace period, so with readers that pass quiescent states the wait ends and cache
     * mode never refuses an item within the size limit. The wait is bounded ({@link #CACHE_GRACE_WAIT_NS}, or
     * {@link #GRACE_WAIT_NS} when the writer's own thread is an online registered reader, which cannot pass a
     * quiescent state while it waits; a colocated writer takes its thread's readers offline instead, see
     * {@link PartitionWriter#sharesThreadWithReaders}): a reader that stalls longer makes writes fail, never
     * memory grow (see package-info).
     */
    private long allocateEvicting(final int sizeClass)
    {
        full = true;
        final int retiredBefore = reclaimer.retiredChunks(sizeClass);
        expiry.reclaimDue(EXPIRED_BATCH, table.nowSeconds(), index);
        final boolean expired = reclaimer.retiredChunks(sizeClass) > retiredBefore;
        final boolean evicted = expired || evictor.evict(sizeClass, evictBatch(sizeClass)) > 0;
        if (evicted && !expired)
        {
            rebalancer.afterEviction(sizeClass);
        }
        long waitNs = -1;
        long start = 0;
        int spins = 0;
        while (true)
        {
            if (!evicted && !slabs.isDraining() && reclaimer.retiredChunks(sizeClass) == 0 &&
                !slabs.startDrain(sizeClass, index) && reclaimer.isEmpty())
            {
                return 0; // nothing to evict, to move or to wait for (every other slab holds a pinned item)
            }
            long address = slabs.popFree(sizeClass);
            if (address != 0 || (address = refill(sizeClass)) != 0)
            {
                if (evicted && reclaimer.retiredChunks(sizeClass) == 0)
                {
                    // take the next batch now, so that its grace period passes while this one is used up
                    if (expired)
                    {
                        expiry.reclaimDue(EXPIRED_BATCH, table.nowSeconds(), index);
                    }
                    else
                    {
                        evictor.evict(sizeClass, evictBatch(sizeClass));
                    }
                }
                return address;
            }
            if (waitNs < 0)
            {
                waitNs = waitingOnOwnReader() ? GRACE_WAIT_NS : CACHE_GRACE_WAIT_NS;
                start = System.nanoTime();
            }
            else if (System.nanoTime() - start > waitNs)
            {
                return 0;
            }
            if (++spins < 100)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield(); // let a descheduled reader run and pass its quiescent state
            }
        }
    }

    private int evictBatch(final int sizeClass)
    {
        return (int)Math.clamp(slabs.chunkCount(sizeClass) / 8, 1, EVICT_BATCH);
    }

    /**
     * Index reserve, what a new slab page for {@code sizeClass} must leave in the budget: room to grow the index
     * once (to 2x) and still rebuild the grown index in place (same size, dropping tombstones) later, so that a
     * rebuild can always be paid for. Once a cache is full (it has evicted) the index has stopped growing, and only
     * one same-size rebuild is kept, as long as the page's items fit in the index below its grow threshold: the
     * rest (8 of 64 MiB in a table of 32-byte values) holds items instead. Past that, the whole reserve is kept,
     * so pages added this way never push the index to its hard load limit (where room in the index is made by
     * evicting across classes, live items with expired ones).
     */
    private long indexReserveBytes(final int sizeClass)
    {
        final PartitionIndex current = index.index();
        final long keysAfterPage = current.live + slabs.chunksPerPage(sizeClass);
        if (full &&
            keysAfterPage * IndexDescriptor.LOAD_DENOMINATOR <= (long)current.capacity * IndexDescriptor.GROW_NUMERATOR)
        {
            return current.bytes;
        }
        return 4 * current.bytes;
    }

    /** True if this thread is itself an online registered reader (a colocated writer): waiting cannot help. */
    private boolean waitingOnOwnReader()
    {
        return table.currentReader() instanceof ReaderSlot slot && !slot.closed &&
            slot.epochAcquire() != ReaderSlot.OFFLINE;
    }

    private long waitForGrace(final int sizeClass, final long waitNs)
    {
        if (reclaimer.isEmpty())
        {
            return 0;
        }
        final long deadline = System.nanoTime() + waitNs;
        int spins = 0;
        do
        {
            if (++spins < 100)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield(); // let a descheduled reader run and pass its quiescent state
            }
            final long address = refill(sizeClass);
            if (address != 0)
            {
                return address;
            }
        }
        while (!reclaimer.isEmpty() && System.nanoTime() < deadline);
        return 0;
    }
}
