package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;
import static io.wirekv.dataplane.table.IndexDescriptor.ADDRESS_MASK;
import static io.wirekv.dataplane.table.IndexDescriptor.EMPTY;
import static io.wirekv.dataplane.table.IndexDescriptor.TOMBSTONE;

/**
 * The single-writer side of one partition. Exactly one thread uses a given instance.
 * Every write builds a new immutable item and publishes it with a release store; the
 * replaced item is retired and freed after a QSBR grace period.
 * <p>
 * Expiry arguments are absolute unix seconds, already converted from memcached's exptime by
 * the protocol layer: 0 = never; a time at or before now = already expired (stored as such,
 * invisible to readers). All results are {@link Status} codes; the resulting item, where there
 * is one, is left in the caller's {@link ItemView}.
 * <p>
 * Memory: items live in slab chunks carved from slabs (aligned runs of 64 KiB units, up to whole pages) of
 * this partition's pages; {@link SlabAllocator} keeps them (free lists, bump pointers, CLOCK, rebalancing).
 * An allocation takes, in order: a chunk from the class's free list or bump slab; a chunk freed by a passed
 * grace period; a new slab (free units of this partition, or a new page while the budget lasts, keeping the
 * index's reserve); <em>empty</em> slabs of other classes (no item lost). When memory is full,
 * {@link MemoryMode#STORE} returns {@link Status#OUT_OF_MEMORY}; {@link MemoryMode#CACHE} evicts items of
 * the same class (CLOCK) or, when the class has nothing to evict, empties memory of other classes at the
 * granularity it needs, and waits for the grace period that frees the evicted chunks: in cache mode an item
 * within the size limit is refused only if a reader stalls (see {@link #CACHE_GRACE_WAIT_NS}), or in one
 * corner of an append (its pinned source item blocks the only memory the new item's class could get).
 * The retire queue is private to the writer thread.
 */
public final class PartitionWriter
{
    /** Index slot accessor: coordinates (MemorySegment, long address). */
    static final VarHandle SLOT = ValueLayout.JAVA_LONG.varHandle();

    private static final VarHandle STATS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD = 16;
    static final int STAT_ITEMS = PAD;
    static final int STAT_BYTES = PAD + 1;
    static final int STAT_EVICTIONS = PAD + 2;
    static final int STAT_EXPIRATIONS = PAD + 3;
    static final int STAT_RETIRED_BYTES = PAD + 4;
    static final int STAT_RESIZES = PAD + 5;
    static final int STAT_TOTAL_ITEMS = PAD + 6;
    static final int STAT_OLDEST_RETIRED_MS = PAD + 7;
    static final int STAT_OLDEST_RETIRED_TAG = PAD + 8;
    static final int STAT_OUT_OF_MEMORY = PAD + 9;
    static final int STAT_PAGES_MOVED = PAD + 10;
    private static final int STAT_COUNT = 11;

    /** Items evicted per allocation miss in cache mode (the rest refill the free list after a grace period). */
    static final int EVICT_BATCH = 32;
    /** Longest a store-mode writer waits for readers to pass a grace period before reporting out of memory. */
    static final long GRACE_WAIT_NS = 5_000_000L;
    /**
     * Longest a cache-mode writer waits for the grace period that frees what it evicted: the time after which a
     * reader counts as stalled ({@link Table#STALL_THRESHOLD_MS}), so only a stalled reader makes a cache refuse
     * a write (a duty cycle is microseconds; a descheduled reader runs again within milliseconds).
     */
    static final long CACHE_GRACE_WAIT_NS = Table.STALL_THRESHOLD_MS * 1_000_000L;
    /** Retire queue length past which writes try to reclaim. */
    static final int RECLAIM_THRESHOLD = 64;
    static final byte POISON = (byte)0xA5;
    private static final byte SPACE = ' ';

    private final Table table;
    private final int partitionId;
    private final ArenaMemory memory;
    private final Qsbr qsbr;
    /** Runs on a thread that also reads (colocated): its readers go offline while it waits for a grace period. */
    private boolean sharesThreadWithReaders;
    private final SizeClasses classes;
    private final MemoryMode mode;
    private final int itemSizeMaxBytes;
    final IndexRef indexRef = new IndexRef();

    private final SlabAllocator slabs;
    /** Per class: chunks retired and not yet freed (they come back to the class's free list after grace). */
    private final int[] retiredChunks;

    private final RetireQueue retired = new RetireQueue(1024);
    private final long[] stats = new long[PAD + STAT_COUNT + PAD];
    private final byte[] digits = new byte[24];
    private final MemorySegment digitsSegment = MemorySegment.ofArray(digits);
    private final Arithmetic arithmetic = new Arithmetic();

    PartitionWriter(final Table table, final int partitionId, final ArenaMemory memory, final Qsbr qsbr,
        final SizeClasses classes, final TableConfig config, final boolean poisonFreed)
    {
        this.table = table;
        this.partitionId = partitionId;
        this.memory = memory;
        this.qsbr = qsbr;
        this.classes = classes;
        this.mode = config.mode();
        this.itemSizeMaxBytes = config.itemSizeMaxBytes();
        retiredChunks = new int[classes.count()];
        slabs = new SlabAllocator(this, table, memory, classes, poisonFreed);

        int capacity = IndexDescriptor.INITIAL_CAPACITY;
        while (capacity > IndexDescriptor.MIN_CAPACITY &&
            (long)capacity * IndexDescriptor.SLOT_LENGTH * 16 > memory.budgetBytes())
        {
            capacity >>= 1;
        }
        final long address = memory.allocateBlock((long)capacity * IndexDescriptor.SLOT_LENGTH, IndexDescriptor.ALIGNMENT);
        if (address == 0)
        {
            throw new IllegalArgumentException("memoryBytes too small for " + table.partitionCount() + " partitions");
        }
        indexRef.setRelease(new PartitionIndex(address, capacity)); // release: first index; pairs with getAcquire in Table.get
    }

    int partitionId()
    {
        return partitionId;
    }

    /**
     * Declares that this writer runs on a thread whose registered readers (a colocated lcore and TCP agent) are
     * between their duty cycles whenever it runs, holding no item: while it waits for a grace period it takes
     * them offline, since they cannot pass a quiescent state while their own thread waits, and brings them
     * back online after. Without this a colocated cache could only wait out {@link #GRACE_WAIT_NS} and refuse.
     */
    public void sharesThreadWithReaders()
    {
        sharesThreadWithReaders = true;
    }

    // --- primitives: the protocol's meta commands compose these ---

    /** Wraps {@code out} over the live (not expired, not flushed) item for key; false if none. */
    public boolean find(final MemorySegment key, final long keyOffset, final int keyLength, final ItemView out)
    {
        final long address = findLive(key, keyOffset, keyLength, table.nowSeconds());
        if (address != 0)
        {
            out.wrap(address);
            return true;
        }
        return false;
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
        return link(key, keyOffset, keyLength, head, headOffset, headLength, tail, tailOffset, tailLength, 0,
            clientFlags, expiresAtSeconds, -1, cas, metaBits, out);
    }

    /** Unlinks key's item if any; true if one was live. */
    public boolean unlink(final MemorySegment key, final long keyOffset, final int keyLength)
    {
        final long hash = KeyHash.hash(key, keyOffset, keyLength);
        final PartitionIndex index = indexRef.index;
        final long slot = probe(index, hash, key, keyOffset, keyLength);
        if (slot < 0)
        {
            return false;
        }
        final long address = slotValue(index, slot) & ADDRESS_MASK;
        final boolean live = table.isLive(address, table.nowSeconds());
        SLOT.setRelease(NATIVE, index.address + (slot << 3), TOMBSTONE); // release: unlink; pairs with getAcquire in Table.lookup
        index.live--;
        retireItem(address);
        if (!live)
        {
            addStat(STAT_EXPIRATIONS, 1);
        }
        return live;
    }

    // --- memcached's text-protocol semantics, built on the primitives ---

    public static final int MODE_SET = 0;
    public static final int MODE_ADD = 1;
    public static final int MODE_REPLACE = 2;
    public static final int MODE_APPEND = 3;
    public static final int MODE_PREPEND = 4;
    public static final int MODE_CAS = 5;

    /**
     * set/add/replace/append/prepend/cas exactly as memcached: add fails on a live key,
     * replace/append/prepend on a missing one (NOT_STORED), cas gives EXISTS on mismatch and
     * NOT_FOUND on a missing key; append/prepend keep the old flags and expiry.
     *
     * @param compareCas used only by {@link #MODE_CAS}.
     */
    public int store(
        final int mode, final MemorySegment key, final long keyOffset, final int keyLength,
        final MemorySegment value, final long valueOffset, final int valueLength,
        final int clientFlags, final long expiresAtSeconds, final long compareCas, final ItemView out)
    {
        if (mode == MODE_SET)
        {
            return link(key, keyOffset, keyLength, value, valueOffset, valueLength, value, valueOffset, 0, 0,
                clientFlags, expiresAtSeconds, -1, 0, 0, out);
        }
        final long old = findLive(key, keyOffset, keyLength, table.nowSeconds());
        switch (mode)
        {
            case MODE_ADD:
                if (old != 0)
                {
                    return Status.NOT_STORED;
                }
                return link(key, keyOffset, keyLength, value, valueOffset, valueLength, value, valueOffset, 0, 0,
                    clientFlags, expiresAtSeconds, -1, 0, 0, out);

            case MODE_REPLACE:
                if (old == 0)
                {
                    return Status.NOT_STORED;
                }
                return link(key, keyOffset, keyLength, value, valueOffset, valueLength, value, valueOffset, 0, 0,
                    clientFlags, expiresAtSeconds, -1, 0, 0, out);

            case MODE_APPEND:
            case MODE_PREPEND:
            {
                if (old == 0)
                {
                    return Status.NOT_STORED;
                }
                final int oldFlags = NATIVE.get(ValueLayout.JAVA_INT, old + CLIENT_FLAGS_OFFSET);
                final long oldExpiry = NATIVE.get(ValueLayout.JAVA_INT, old + EXPIRES_AT_OFFSET) & 0xFFFF_FFFFL;
                final long oldValue = old + KEY_OFFSET + keyLength;
                final int oldLength = NATIVE.get(ValueLayout.JAVA_INT, old + VALUE_LENGTH_OFFSET);
                if (mode == MODE_APPEND)
                {
                    return link(key, keyOffset, keyLength, NATIVE, oldValue, oldLength, value, valueOffset, valueLength,
                        0, oldFlags, oldExpiry, -1, 0, 0, out);
                }
                return link(key, keyOffset, keyLength, value, valueOffset, valueLength, NATIVE, oldValue, oldLength,
                    0, oldFlags, oldExpiry, -1, 0, 0, out);
            }

            case MODE_CAS:
                if (old == 0)
                {
                    return Status.NOT_FOUND;
                }
                if (NATIVE.get(ValueLayout.JAVA_LONG, old + CAS_OFFSET) != compareCas)
                {
                    return Status.EXISTS;
                }
                return link(key, keyOffset, keyLength, value, valueOffset, valueLength, value, valueOffset, 0, 0,
                    clientFlags, expiresAtSeconds, -1, 0, 0, out);

            default:
                throw new IllegalArgumentException("unknown store mode " + mode);
        }
    }

    /** delete: DELETED, NOT_FOUND, or EXISTS when compareCas != 0 and does not match. */
    public int delete(final MemorySegment key, final long keyOffset, final int keyLength, final long compareCas)
    {
        final long old = findLive(key, keyOffset, keyLength, table.nowSeconds());
        if (old == 0)
        {
            return Status.NOT_FOUND;
        }
        if (compareCas != 0 && NATIVE.get(ValueLayout.JAVA_LONG, old + CAS_OFFSET) != compareCas)
        {
            return Status.EXISTS;
        }
        unlink(key, keyOffset, keyLength);
        return Status.DELETED;
    }

    /**
     * incr/decr as memcached: unsigned 64-bit, incr wraps, decr stops at 0; the value must be
     * decimal digits (NON_NUMERIC otherwise); a shorter result is padded with spaces to the old
     * length as memcached does in place. Result item in {@code out}: STORED or NOT_FOUND.
     * <p>
     * The value is parsed as memcached's {@code safe_strtoull}: optional leading white space, an optional
     * sign, 1..20 digits without overflow, then white space or the end; a negative number is refused.
     * The new item keeps flags and expiry and gets a new CAS.
     */
    public int arithmetic(
        final MemorySegment key, final long keyOffset, final int keyLength, final boolean increment, final long delta,
        final ItemView out)
    {
        final long old = findLive(key, keyOffset, keyLength, table.nowSeconds());
        if (old == 0)
        {
            return Status.NOT_FOUND;
        }
        final int oldLength = NATIVE.get(ValueLayout.JAVA_INT, old + VALUE_LENGTH_OFFSET);
        final long valueAddress = old + KEY_OFFSET + keyLength;
        if (!arithmetic.parse(NATIVE, valueAddress, oldLength))
        {
            return Status.NON_NUMERIC;
        }
        final long value = arithmetic.value();
        final long result;
        if (increment)
        {
            result = value + delta;
        }
        else
        {
            result = Long.compareUnsigned(delta, value) > 0 ? 0 : value - delta;
        }
        final int length = Arithmetic.format(result, digits);
        final int pad = length <= oldLength ? oldLength - length : 0;
        final int oldFlags = NATIVE.get(ValueLayout.JAVA_INT, old + CLIENT_FLAGS_OFFSET);
        final long oldExpiry = NATIVE.get(ValueLayout.JAVA_INT, old + EXPIRES_AT_OFFSET) & 0xFFFF_FFFFL;
        final int oldMeta = length <= oldLength ? NATIVE.get(ValueLayout.JAVA_BYTE, old + META_BITS_OFFSET) & 0xFF : 0;
        return link(key, keyOffset, keyLength, digitsSegment, 0, length, digitsSegment, 0, 0, pad,
            oldFlags, oldExpiry, -1, 0, oldMeta, out);
    }

    /**
     * touch/gat: sets a new expiry; TOUCHED (item in out) or NOT_FOUND. As memcached 1.6, the CAS value is
     * unchanged (the item is republished with its own CAS, flags, value and stored-at time).
     */
    public int touch(
        final MemorySegment key, final long keyOffset, final int keyLength, final long expiresAtSeconds, final ItemView out)
    {
        final long old = findLive(key, keyOffset, keyLength, table.nowSeconds());
        if (old == 0)
        {
            return Status.NOT_FOUND;
        }
        final int oldLength = NATIVE.get(ValueLayout.JAVA_INT, old + VALUE_LENGTH_OFFSET);
        final int status = link(key, keyOffset, keyLength, NATIVE, old + KEY_OFFSET + keyLength, oldLength, NATIVE, 0, 0, 0,
            NATIVE.get(ValueLayout.JAVA_INT, old + CLIENT_FLAGS_OFFSET),
            expiresAtSeconds,
            NATIVE.get(ValueLayout.JAVA_INT, old + STORED_AT_OFFSET) & 0xFFFF_FFFFL,
            NATIVE.get(ValueLayout.JAVA_LONG, old + CAS_OFFSET),
            NATIVE.get(ValueLayout.JAVA_BYTE, old + META_BITS_OFFSET) & 0xFF,
            out);
        return status == Status.STORED ? Status.TOUCHED : status;
    }

    /**
     * Housekeeping for the writer's idle time: expiry sweep, eviction, and freeing retired
     * memory whose grace period has passed. Bounded by {@code budget} items; returns work done.
     */
    public int doHousekeeping(final int budget)
    {
        int work = slabs.sweep(budget, table.nowSeconds());
        work += reclaim();
        return work;
    }

    // --- internals ---

    /** Builds the item, links it under key (replacing any old one) and retires the old one. */
    private int link(
        final MemorySegment key, final long keyOffset, final int keyLength,
        final MemorySegment head, final long headOffset, final int headLength,
        final MemorySegment tail, final long tailOffset, final int tailLength, final int padLength,
        final int clientFlags, final long expiresAtSeconds, final long storedAtSeconds, final long cas, final int metaBits,
        final ItemView out)
    {
        if (keyLength > TableConfig.MAX_KEY_LENGTH || keyLength < 0)
        {
            return Status.TOO_LARGE;
        }
        final long itemLength = ItemDescriptor.itemLength(keyLength, (long)headLength + tailLength + padLength);
        if (itemLength > itemSizeMaxBytes)
        {
            return Status.TOO_LARGE;
        }
        final int sizeClass = classes.classOf(itemLength);
        final long hash = KeyHash.hash(key, keyOffset, keyLength);
        slabs.pin(head == NATIVE && headLength > 0 ? headOffset : -1, tail == NATIVE && tailLength > 0 ? tailOffset : -1);
        try
        {
            final long address = allocate(sizeClass);
            if (address == 0)
            {
                addStat(STAT_OUT_OF_MEMORY, 1);
                return Status.OUT_OF_MEMORY;
            }
            final long now = table.nowSeconds();
            final int valueLength = headLength + tailLength + padLength;
            NATIVE.set(ValueLayout.JAVA_INT, address + EXPIRES_AT_OFFSET, (int)clampSeconds(expiresAtSeconds));
            NATIVE.set(ValueLayout.JAVA_INT, address + STORED_AT_OFFSET,
                (int)clampSeconds(storedAtSeconds < 0 ? now : storedAtSeconds));
            NATIVE.set(ValueLayout.JAVA_INT, address + CLIENT_FLAGS_OFFSET, clientFlags);
            NATIVE.set(ValueLayout.JAVA_INT, address + VALUE_LENGTH_OFFSET, valueLength);
            NATIVE.set(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET, (byte)keyLength);
            NATIVE.set(ValueLayout.JAVA_BYTE, address + META_BITS_OFFSET, (byte)metaBits);
            NATIVE.set(ValueLayout.JAVA_INT, address + RESERVED_OFFSET, 0);
            final long keyAddress = address + KEY_OFFSET;
            MemorySegment.copy(key, keyOffset, NATIVE, keyAddress, keyLength);
            final long valueAddress = keyAddress + keyLength;
            if (headLength > 0)
            {
                MemorySegment.copy(head, headOffset, NATIVE, valueAddress, headLength);
            }
            if (tailLength > 0)
            {
                MemorySegment.copy(tail, tailOffset, NATIVE, valueAddress + headLength, tailLength);
            }
            for (long p = valueAddress + headLength + tailLength, end = p + padLength; p < end; p++)
            {
                NATIVE.set(ValueLayout.JAVA_BYTE, p, SPACE);
            }

            long slot = probe(indexRef.index, hash, key, keyOffset, keyLength);
            if (slot < 0 && !ensureIndexRoom())
            {
                slabs.freeChunk(address, sizeClass);
                addStat(STAT_OUT_OF_MEMORY, 1);
                return Status.OUT_OF_MEMORY;
            }
            final PartitionIndex index = indexRef.index;
            if (slot < 0)
            {
                slot = probe(index, hash, key, keyOffset, keyLength); // the index may have been rebuilt
            }
            NATIVE.set(ValueLayout.JAVA_LONG, address + CAS_OFFSET, cas != 0 ? cas : table.nextCas());
            NATIVE.set(ValueLayout.JAVA_BYTE, address + STATE_OFFSET, STATE_LIVE);
            NATIVE.set(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET, (byte)1);
            final long entry = IndexDescriptor.slot(IndexDescriptor.tagOf(hash), address);
            if (slot >= 0)
            {
                final long slotAddress = index.address + (slot << 3);
                final long old = slotValue(index, slot) & ADDRESS_MASK;
                SLOT.setRelease(NATIVE, slotAddress, entry); // release: publish item; pairs with getAcquire in Table.lookup
                retireItem(old);
            }
            else
            {
                final long insert = -slot - 1;
                final long slotAddress = index.address + (insert << 3);
                if (slotValue(index, insert) == EMPTY)
                {
                    index.used++;
                }
                SLOT.setRelease(NATIVE, slotAddress, entry); // release: publish item; pairs with getAcquire in Table.lookup
                index.live++;
            }
            addStat(STAT_ITEMS, 1);
            addStat(STAT_BYTES, itemLength);
            addStat(STAT_TOTAL_ITEMS, 1);
            if (retired.size() >= RECLAIM_THRESHOLD && (retired.size() & (RECLAIM_THRESHOLD - 1)) == 0)
            {
                reclaim();
            }
            out.wrap(address);
            return Status.STORED;
        }
        finally
        {
            slabs.pin(-1, -1);
        }
    }

    private static long clampSeconds(final long seconds)
    {
        if (seconds < 0)
        {
            return 1; // already in the past
        }
        return Math.min(seconds, 0xFFFF_FFFFL);
    }

    private long findLive(final MemorySegment key, final long keyOffset, final int keyLength, final long nowSeconds)
    {
        final long hash = KeyHash.hash(key, keyOffset, keyLength);
        final long address = Table.lookup(indexRef.index, hash, key, keyOffset, keyLength);
        return address != 0 && table.isLive(address, nowSeconds) ? address : 0;
    }

    private static long slotValue(final PartitionIndex index, final long slot)
    {
        return NATIVE.get(ValueLayout.JAVA_LONG, index.address + (slot << 3)); // plain: the writer owns the slots
    }

    /**
     * Writer-side probe: the slot holding key (any liveness), or {@code -(insertSlot + 1)} where
     * insertSlot is the first tombstone on the probe path or the terminating empty slot.
     */
    private static long probe(
        final PartitionIndex index, final long hash, final MemorySegment key, final long keyOffset, final int keyLength)
    {
        final long tag = IndexDescriptor.tagOf(hash);
        final long mask = index.mask;
        long insert = -1;
        long pos = hash & mask;
        while (true)
        {
            final long value = slotValue(index, pos);
            if (value == EMPTY)
            {
                return -(insert >= 0 ? insert : pos) - 1;
            }
            if (value == TOMBSTONE)
            {
                if (insert < 0)
                {
                    insert = pos;
                }
            }
            else if ((value >>> IndexDescriptor.TAG_SHIFT) == tag)
            {
                final long address = value & ADDRESS_MASK;
                if ((NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF) == keyLength &&
                    KeyHash.keyEquals(address + KEY_OFFSET, key, keyOffset, keyLength))
                {
                    return pos;
                }
            }
            pos = (pos + 1) & mask;
        }
    }

    private boolean ensureIndexRoom()
    {
        final PartitionIndex index = indexRef.index;
        final long capacity = index.capacity;
        final int d = IndexDescriptor.LOAD_DENOMINATOR;
        if ((index.used + 1L) * d <= capacity * IndexDescriptor.GROW_NUMERATOR)
        {
            return true;
        }
        // grow only while the grown index keeps its own same-size rebuild reserve (see addPage)
        if ((index.live + 1L) * d > capacity * 3 && memory.availableBytes() >= 4 * index.bytes &&
            rebuildIndex(index.capacity * 2))
        {
            return true;
        }
        if ((index.used + 1L) * d <= capacity * IndexDescriptor.MAX_LOAD_NUMERATOR)
        {
            return true;
        }
        if ((index.live + 1L) * d <= capacity * IndexDescriptor.GROW_NUMERATOR && rebuildIndex(index.capacity))
        {
            return true;
        }
        if (mode == MemoryMode.CACHE)
        {
            slabs.evictAcrossClasses(Math.max(EVICT_BATCH, index.capacity / 8));
            reclaim();
            return rebuildIndex(index.capacity) ||
                (index.used + 1L) * d <= capacity * IndexDescriptor.MAX_LOAD_NUMERATOR;
        }
        return false;
    }

    private boolean rebuildIndex(final int newCapacity)
    {
        if (newCapacity <= 0 || newCapacity > (1 << 30))
        {
            return false;
        }
        final PartitionIndex old = indexRef.index;
        final long bytes = (long)newCapacity * IndexDescriptor.SLOT_LENGTH;
        final long address = memory.allocateBlock(bytes, IndexDescriptor.ALIGNMENT);
        if (address == 0)
        {
            reclaim();
            return false;
        }
        final PartitionIndex next = new PartitionIndex(address, newCapacity);
        final long mask = next.mask;
        for (long i = 0; i < old.capacity; i++)
        {
            final long value = slotValue(old, i);
            if (value != EMPTY && value != TOMBSTONE)
            {
                final long item = value & ADDRESS_MASK;
                final long hash = KeyHash.hash(NATIVE, item + KEY_OFFSET,
                    NATIVE.get(ValueLayout.JAVA_BYTE, item + KEY_LENGTH_OFFSET) & 0xFF);
                long pos = hash & mask;
                while (slotValue(next, pos) != EMPTY)
                {
                    pos = (pos + 1) & mask;
                }
                NATIVE.set(ValueLayout.JAVA_LONG, address + (pos << 3), value); // plain: not yet published
            }
        }
        next.used = old.live;
        next.live = old.live;
        indexRef.setRelease(next); // release: publish the rebuilt index; pairs with getAcquire in Table.get
        retire(old.address, -1, old.bytes);
        addStat(STAT_RESIZES, 1);
        return true;
    }

    // --- slab allocation ---

    /**
     * A free chunk of the class, or 0. In order: the class's free list and bump slab; retired chunks whose
     * grace period has passed; a new slab (a free unit or page of this partition, or a new page the budget
     * pays for); an empty slab of another class (no eviction, no grace period). Then cache mode evicts and
     * waits for the grace period that frees what it evicted ({@link #allocateEvicting}); store mode waits
     * briefly for retired memory only.
     */
    private long allocate(final int sizeClass)
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
            return mode == MemoryMode.CACHE ? allocateEvicting(sizeClass) : waitForGrace(sizeClass, GRACE_WAIT_NS);
        }
        finally
        {
            if (sharesThreadWithReaders)
            {
                qsbr.unparkThisThread();
            }
        }
    }

    private long refill(final int sizeClass)
    {
        long address;
        if (reclaim() > 0 && (address = slabs.popFree(sizeClass)) != 0)
        {
            return address;
        }
        if (slabs.addSlab(sizeClass, indexReserveBytes()) && (address = slabs.popFree(sizeClass)) != 0)
        {
            return address;
        }
        if (slabs.moveEmptySlab(sizeClass) && slabs.addSlab(sizeClass, indexReserveBytes()) &&
            (address = slabs.popFree(sizeClass)) != 0)
        {
            return address;
        }
        return 0;
    }

    /**
     * Cache mode with no free memory: evict a batch of the class's own items (CLOCK); if it has nothing to
     * evict and nothing of its own awaiting a grace period, empty memory of other classes
     * ({@link SlabAllocator#startDrain}). Then wait, reclaiming, until a chunk is free: every path ends in
     * chunks freed after one grace period, so with readers that pass quiescent states the wait ends and cache
     * mode never refuses an item within the size limit. The wait is bounded ({@link #CACHE_GRACE_WAIT_NS}, or
     * {@link #GRACE_WAIT_NS} when the writer's own thread is an online registered reader, which cannot pass a
     * quiescent state while it waits; a colocated writer takes its thread's readers offline instead, see
     * {@link #sharesThreadWithReaders}): a reader that stalls longer makes writes fail, never memory grow (see
     * package-info).
     */
    private long allocateEvicting(final int sizeClass)
    {
        final boolean evicted = slabs.evict(sizeClass, EVICT_BATCH) > 0;
        long waitNs = -1;
        long start = 0;
        int spins = 0;
        while (true)
        {
            if (!evicted && !slabs.isDraining() && retiredChunks[sizeClass] == 0 && !slabs.startDrain(sizeClass) &&
                retired.isEmpty())
            {
                return 0; // nothing to evict, to move or to wait for (every other slab holds a pinned item)
            }
            long address = slabs.popFree(sizeClass);
            if (address != 0 || (address = refill(sizeClass)) != 0)
            {
                if (evicted && retiredChunks[sizeClass] == 0)
                {
                    // evict the next batch now, so that its grace period passes while this one is used up
                    slabs.evict(sizeClass, EVICT_BATCH);
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

    /**
     * Index reserve: room to grow the index once (to 2x) and still rebuild the grown index in place (same size,
     * dropping tombstones) later. New slab pages never take it, so a rebuild can always be paid for.
     */
    private long indexReserveBytes()
    {
        return 4 * indexRef.index.bytes;
    }

    /** True if this thread is itself an online registered reader (a colocated writer): waiting cannot help. */
    private boolean waitingOnOwnReader()
    {
        return table.currentReader() instanceof ReaderSlot slot && !slot.closed &&
            slot.epochAcquire() != ReaderSlot.OFFLINE;
    }

    private long waitForGrace(final int sizeClass, final long waitNs)
    {
        if (retired.isEmpty())
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
        while (!retired.isEmpty() && System.nanoTime() < deadline);
        return 0;
    }

    /** Unlinks the item at {@code address} (found through its own key) and retires it. */
    boolean unlinkAddress(final long address)
    {
        final int keyLength = NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF;
        final long hash = KeyHash.hash(NATIVE, address + KEY_OFFSET, keyLength);
        final PartitionIndex index = indexRef.index;
        final long mask = index.mask;
        long pos = hash & mask;
        while (true)
        {
            final long value = slotValue(index, pos);
            if (value == EMPTY)
            {
                return false;
            }
            if (value != TOMBSTONE && (value & ADDRESS_MASK) == address)
            {
                SLOT.setRelease(NATIVE, index.address + (pos << 3), TOMBSTONE); // release: unlink; pairs with getAcquire in Table.lookup
                index.live--;
                retireItem(address);
                return true;
            }
            pos = (pos + 1) & mask;
        }
    }

    // --- QSBR retirement ---

    private void retireItem(final long address)
    {
        final int keyLength = NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF;
        final long itemLength = ItemDescriptor.itemLength(
            keyLength, NATIVE.get(ValueLayout.JAVA_INT, address + VALUE_LENGTH_OFFSET));
        final int sizeClass = classes.classOf(itemLength);
        NATIVE.set(ValueLayout.JAVA_BYTE, address + STATE_OFFSET, STATE_RETIRED);
        retiredChunks[sizeClass]++;
        addStat(STAT_ITEMS, -1);
        addStat(STAT_BYTES, -itemLength);
        retire(address, sizeClass, classes.chunkBytes(sizeClass));
    }

    /** Queues memory unlinked before this call; kind is a size class, or -1 for an index block. */
    private void retire(final long address, final int kind, final long bytes)
    {
        final long tag = qsbr.retireTag(); // after the unlinking release store (volatile RMW orders it)
        final long nowMs = table.nowMillis();
        if (retired.isEmpty())
        {
            setStat(STAT_OLDEST_RETIRED_MS, nowMs);
            setStat(STAT_OLDEST_RETIRED_TAG, tag);
        }
        retired.push(address, kind, bytes, tag, nowMs);
        addStat(STAT_RETIRED_BYTES, bytes);
    }

    /** Frees retired memory whose grace period has passed; returns the number of blocks freed. */
    int reclaim()
    {
        if (retired.isEmpty())
        {
            return 0;
        }
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
            addStat(STAT_RETIRED_BYTES, -freedBytes);
            if (retired.isEmpty())
            {
                setStat(STAT_OLDEST_RETIRED_MS, 0);
                setStat(STAT_OLDEST_RETIRED_TAG, 0);
            }
            else
            {
                setStat(STAT_OLDEST_RETIRED_MS, retired.headTimeMs());
                setStat(STAT_OLDEST_RETIRED_TAG, retired.headTag());
            }
        }
        return freed;
    }

    /** Tests: see {@link SlabAllocator#invariantViolation()}. */
    String slabInvariantViolation()
    {
        return slabs.invariantViolation();
    }

    int retiredCount()
    {
        return retired.size();
    }

    // --- counters ---

    void addStat(final int index, final long delta)
    {
        STATS.setOpaque(stats, index, stats[index] + delta); // opaque: single writer; pairs with getOpaque in stat
    }

    private void setStat(final int index, final long value)
    {
        STATS.setOpaque(stats, index, value); // opaque: single writer; pairs with getOpaque in stat
    }

    long stat(final int index)
    {
        return (long)STATS.getOpaque(stats, index); // opaque: pairs with setOpaque in addStat/setStat
    }

    long allocatedBytes()
    {
        return memory.allocatedBytes();
    }

    void close()
    {
        memory.close();
        for (int i = STAT_ITEMS; i < STAT_ITEMS + STAT_COUNT; i++)
        {
            if (i != STAT_EVICTIONS && i != STAT_EXPIRATIONS && i != STAT_RESIZES && i != STAT_TOTAL_ITEMS &&
                i != STAT_OUT_OF_MEMORY && i != STAT_PAGES_MOVED)
            {
                setStat(i, 0);
            }
        }
    }
}
