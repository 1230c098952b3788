package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;

/**
 * The single-writer side of one partition, as primitives: {@link #find}, {@link #publish} (a new immutable item
 * laid out by {@link ItemEncoder} and published with a release store), {@link #unlink} and {@link #compareCas}.
 * memcached's store semantics (set/add/replace/append/prepend/cas, delete, incr/decr, touch) are built on them in
 * the protocol layer ({@code io.wirekv.dataplane.proto.StoreSemantics}). A replaced or unlinked item is retired
 * and freed after a QSBR grace period ({@link QsbrReclaimer}).
 * <p>
 * Expiry arguments are absolute unix seconds, already converted from memcached's exptime by the protocol layer:
 * 0 = never; a time at or before now = already expired (stored as such, invisible to readers). Results are
 * {@link Status} codes; the resulting item, where there is one, is left in the caller's {@link ItemView}.
 * <p>
 * The partition's other jobs each have their class, all owned by this one: {@link PartitionIndexWriter} (the
 * index: probe, slot publication, growth), {@link ItemAllocator} (memory for an item, eviction in cache mode,
 * waiting for grace periods), {@link SlabAllocator} and {@link SlabEvictor} (slabs, CLOCK, expiry sweep),
 * {@link QsbrReclaimer} (retire and free) and {@link PartitionCounters}.
 * <p>
 * Threading: exactly one thread uses a given instance (and everything it owns).
 */
public final class PartitionWriter
{
    private final Table table;
    private final int partitionId;
    private final ArenaMemory memory;
    private final SizeClasses classes;
    private final int itemSizeMaxBytes;
    private final PartitionCounters counters;
    private final SlabAllocator slabs;
    private final QsbrReclaimer reclaimer;
    private final PartitionIndexWriter index;
    private final SlabEvictor evictor;
    private final ExpiryWheel expiry;
    private final ItemAllocator allocator;
    /** Items published or unlinked so far; the writer compares it around a write to learn whether to log it. */
    private long mutations;

    PartitionWriter(final Table table, final int partitionId, final ArenaMemory memory, final Qsbr qsbr,
        final SizeClasses classes, final TableConfig config, final boolean poisonFreed, final PartitionCounters counters)
    {
        this.counters = counters;
        this.table = table;
        this.partitionId = partitionId;
        this.memory = memory;
        this.classes = classes;
        this.itemSizeMaxBytes = config.itemSizeMaxBytes();
        slabs = new SlabAllocator(table, memory, classes, poisonFreed, counters);
        expiry = new ExpiryWheel(table, partitionId, classes, memory.slabRegion(), slabs, counters);
        reclaimer = new QsbrReclaimer(qsbr, table, memory, classes, slabs, expiry, counters);
        index = new PartitionIndexWriter(table, memory, reclaimer, counters);
        evictor = new SlabEvictor(table, classes, slabs, index, counters);
        allocator = new ItemAllocator(table, qsbr, config.mode(), slabs, evictor,
            new SlabRebalancer(classes, slabs, evictor, index), expiry, reclaimer, index);
    }

    int partitionId()
    {
        return partitionId;
    }

    /**
     * How many times this partition changed (an item published or unlinked); a write that leaves it unchanged
     * changed nothing, and logs nothing. Evictions and expiry sweeps do not count: they are not logged.
     */
    public long mutations()
    {
        return mutations;
    }

    /** The index reference readers load (the writer publishes through it). */
    IndexRef indexRef()
    {
        return index.indexRef;
    }

    PartitionCounters counters()
    {
        return counters;
    }

    /**
     * Declares that this writer runs on a thread whose registered readers (a colocated lcore and TCP agent) are
     * between their duty cycles whenever it runs, holding no item: while it waits for a grace period it takes
     * them offline, since they cannot pass a quiescent state while their own thread waits, and brings them
     * back online after. Without this a colocated cache could only wait out {@link ItemAllocator#GRACE_WAIT_NS}
     * and refuse.
     */
    public void sharesThreadWithReaders()
    {
        allocator.sharesThreadWithReaders();
    }

    // --- primitives ---

    /** Wraps {@code out} over the live (not expired, not flushed) item for key; false if none. */
    public boolean find(final MemorySegment key, final long keyOffset, final int keyLength, final ItemView out)
    {
        return find(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength), out);
    }

    /** {@link #find(MemorySegment, long, int, ItemView) find} with the key's {@link Table#keyHash}, already computed. */
    public boolean find(
        final MemorySegment key, final long keyOffset, final int keyLength, final long hash, final ItemView out)
    {
        final long address = findLive(key, keyOffset, keyLength, hash);
        if (address != 0)
        {
            out.wrap(address);
            return true;
        }
        return false;
    }

    /**
     * Compare-CAS: {@link Status#MATCHED} if key's live item has CAS {@code expectedCas}, {@link Status#EXISTS} if
     * it has another, {@link Status#NOT_FOUND} if key has no live item. The item, where there is one, is left in
     * {@code out}. Nothing else writes the partition, so the answer holds until this thread's next write.
     */
    public int compareCas(
        final MemorySegment key, final long keyOffset, final int keyLength, final long expectedCas, final ItemView out)
    {
        return compareCas(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength), expectedCas, out);
    }

    /** {@link #compareCas(MemorySegment, long, int, long, ItemView) compareCas} with the key's precomputed hash. */
    public int compareCas(
        final MemorySegment key, final long keyOffset, final int keyLength, final long hash, final long expectedCas,
        final ItemView out)
    {
        if (!find(key, keyOffset, keyLength, hash, out))
        {
            return Status.NOT_FOUND;
        }
        return out.cas() == expectedCas ? Status.MATCHED : Status.EXISTS;
    }

    /**
     * Publishes a new item under key, replacing any existing one. Its value is the concatenation
     * of two ranges (either may have length 0), so append/prepend need no scratch buffer.
     *
     * @param cas 0 to assign the next unique CAS; otherwise this explicit CAS (meta {@code E}).
     * @return {@link Status#STORED}, {@link Status#TOO_LARGE} or {@link Status#OUT_OF_MEMORY}.
     */
    public int publish(
        final MemorySegment key, final long keyOffset, final int keyLength,
        final MemorySegment head, final long headOffset, final int headLength,
        final MemorySegment tail, final long tailOffset, final int tailLength,
        final int clientFlags, final long expiresAtSeconds, final long cas, final int metaBits, final ItemView out)
    {
        return publish(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength),
            head, headOffset, headLength, tail, tailOffset, tailLength, 0,
            clientFlags, expiresAtSeconds, -1, cas, metaBits, out);
    }

    /**
     * Ends a batch of writes: what they retired gets its epoch tag, so that it can be freed after grace. A writer
     * thread calls it once per duty cycle; without it retired memory waits for the next reclaim, which seals too.
     */
    public void sealRetired()
    {
        reclaimer.seal();
    }

    /** {@link #publish(MemorySegment, long, int, MemorySegment, long, int, MemorySegment, long, int, int, long, long,
     * int, ItemView) publish} with the key's {@link Table#keyHash}, already computed. */
    public int publish(
        final MemorySegment key, final long keyOffset, final int keyLength, final long hash,
        final MemorySegment head, final long headOffset, final int headLength,
        final MemorySegment tail, final long tailOffset, final int tailLength,
        final int clientFlags, final long expiresAtSeconds, final long cas, final int metaBits, final ItemView out)
    {
        return publish(key, keyOffset, keyLength, hash, head, headOffset, headLength, tail, tailOffset, tailLength, 0,
            clientFlags, expiresAtSeconds, -1, cas, metaBits, out);
    }

    /**
     * {@link #publish(MemorySegment, long, int, MemorySegment, long, int, MemorySegment, long, int, int, long, long,
     * int, ItemView) publish} with every field of the item: the value ends in {@code padLength} spaces (incr/decr
     * keep a shorter number's length, as memcached does in place), and {@code storedAtSeconds} is kept from an
     * older item (touch), or -1 for now. A head or tail inside this partition's items (an append's old value) is
     * never evicted or moved while the new item is built.
     */
    public int publish(
        final MemorySegment key, final long keyOffset, final int keyLength,
        final MemorySegment head, final long headOffset, final int headLength,
        final MemorySegment tail, final long tailOffset, final int tailLength, final int padLength,
        final int clientFlags, final long expiresAtSeconds, final long storedAtSeconds, final long cas, final int metaBits,
        final ItemView out)
    {
        return publish(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength),
            head, headOffset, headLength, tail, tailOffset, tailLength, padLength,
            clientFlags, expiresAtSeconds, storedAtSeconds, cas, metaBits, out);
    }

    /**
     * The full {@code publish} with the key's {@link Table#keyHash}, already computed (a write record carries it).
     * The caller vouches for the hash: an item published under another key's hash is invisible to readers.
     */
    public int publish(
        final MemorySegment key, final long keyOffset, final int keyLength, final long hash,
        final MemorySegment head, final long headOffset, final int headLength,
        final MemorySegment tail, final long tailOffset, final int tailLength, final int padLength,
        final int clientFlags, final long expiresAtSeconds, final long storedAtSeconds, final long cas, final int metaBits,
        final ItemView out)
    {
        if (keyLength > TableConfig.MAX_KEY_LENGTH || keyLength < 0)
        {
            return Status.TOO_LARGE;
        }
        final long valueLength = (long)headLength + tailLength + padLength;
        final long itemLength = ItemDescriptor.itemLength(keyLength, valueLength, clientFlags);
        if (itemLength > itemSizeMaxBytes)
        {
            return Status.TOO_LARGE;
        }
        final int sizeClass = classes.classOf(itemLength);
        slabs.pin(head == NATIVE && headLength > 0 ? headOffset : -1, tail == NATIVE && tailLength > 0 ? tailOffset : -1);
        try
        {
            final long address = allocator.allocate(sizeClass);
            if (address == 0)
            {
                counters.addOpaque(PartitionCounters.OUT_OF_MEMORY, 1);
                return Status.OUT_OF_MEMORY;
            }
            final long now = table.nowSeconds();
            ItemEncoder.encode(address, key, keyOffset, keyLength, head, headOffset, headLength,
                tail, tailOffset, tailLength, padLength,
                clientFlags, expiresAtSeconds, storedAtSeconds < 0 ? now : storedAtSeconds, metaBits);

            long slot = index.probe(hash, key, keyOffset, keyLength);
            if (slot < 0 && !allocator.ensureIndexRoom())
            {
                slabs.freeChunk(address, sizeClass);
                counters.addOpaque(PartitionCounters.OUT_OF_MEMORY, 1);
                return Status.OUT_OF_MEMORY;
            }
            if (slot < 0)
            {
                slot = index.probe(hash, key, keyOffset, keyLength); // the index may have been rebuilt
            }
            ItemEncoder.seal(address, cas != 0 ? cas : table.nextCas());
            index.publish(slot, hash, address);
            final long expiresAt = NATIVE.get(ValueLayout.JAVA_INT, address + ItemDescriptor.EXPIRES_AT_OFFSET) & 0xFFFF_FFFFL;
            if (expiresAt != 0)
            {
                expiry.add(address, expiresAt, itemLength);
            }
            mutations++;
            counters.addOpaque(PartitionCounters.ITEMS, 1);
            counters.addOpaque(PartitionCounters.BYTES, itemLength);
            counters.addOpaque(PartitionCounters.TOTAL_ITEMS, 1);
            reclaimer.reclaimIfQueueLong();
            out.wrap(address);
            return Status.STORED;
        }
        finally
        {
            slabs.pin(-1, -1);
        }
    }

    /** Unlinks key's item if any; true if one was live. */
    public boolean unlink(final MemorySegment key, final long keyOffset, final int keyLength)
    {
        return unlink(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength));
    }

    /** {@link #unlink(MemorySegment, long, int) unlink} with the key's {@link Table#keyHash}, already computed. */
    public boolean unlink(final MemorySegment key, final long keyOffset, final int keyLength, final long hash)
    {
        final boolean unlinked = index.unlinkKey(hash, key, keyOffset, keyLength);
        if (unlinked)
        {
            mutations++;
        }
        return unlinked;
    }

    /**
     * Sizes the index, before a bulk load such as a snapshot restore, for {@code expectedItems} more keys: grows it
     * once (a new index built and published as a growth is; see package-info's publication rule) instead of doubling
     * it again and again while keys arrive, which for keys in another index's slot order clusters badly. Within
     * the memory budget's rules for index growth (short of the full size when the budget cannot pay for it); never
     * shrinks; a hint only: a wrong count costs memory or time, never correctness.
     *
     * @return true if the index now holds {@code expectedItems} more keys below its grow threshold.
     */
    public boolean reserveIndex(final long expectedItems)
    {
        return index.reserve(expectedItems);
    }

    /**
     * Housekeeping, run by the writer once a millisecond or so: reclaims expired items from the expiry wheel's
     * due buckets ({@link ExpiryWheel}: no scan of live items), sweeps the slabs once after each flush_all takes
     * effect, and frees retired memory whose grace period has passed. Bounded by {@code budget} items for the
     * wheel and as many for the sweep; returns the work done.
     */
    public int doHousekeeping(final int budget)
    {
        final long now = table.nowSeconds();
        int work = expiry.reclaimDue(budget, now, index);
        work += evictor.sweep(budget, now);
        work += reclaimer.reclaim();
        return work;
    }

    private long findLive(final MemorySegment key, final long keyOffset, final int keyLength, final long hash)
    {
        final long nowSeconds = table.nowSeconds();
        final long address = Table.lookup(index.index(), hash, key, keyOffset, keyLength);
        return address != 0 && table.isLive(address, nowSeconds) ? address : 0;
    }

    // --- tests and close ---

    /** Frees retired memory whose grace period has passed; returns the number of blocks freed. */
    int reclaim()
    {
        return reclaimer.reclaim();
    }

    /** Tests: items in the expiry wheel's buckets. */
    long expiryItems()
    {
        return expiry.items();
    }

    /** Tests: see {@link SlabInvariants#violation} and {@link ExpiryWheel#violation}. */
    String slabInvariantViolation()
    {
        final String slabViolation = SlabInvariants.violation(slabs, classes);
        return slabViolation != null ? slabViolation : expiry.violation();
    }

    int retiredCount()
    {
        return reclaimer.size();
    }

    long allocatedBytes()
    {
        return memory.allocatedBytes();
    }

    void close()
    {
        memory.close();
        counters.clearGauges();
    }
}
