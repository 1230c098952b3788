package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

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
 * Memory: items live in slab chunks (see {@link SizeClasses}) carved from pages of this partition's
 * {@link ArenaMemory}; free lists, the CLOCK hands and the retire queue are private to the writer thread.
 * In {@link MemoryMode#CACHE} an allocation that finds no free chunk evicts items of the same class with a
 * CLOCK over slab order whose reference bit is set by the writer at publication (readers never write), and
 * counts them; in {@link MemoryMode#STORE} it returns {@link Status#OUT_OF_MEMORY}.
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
    /** Longest a writer waits for readers to pass a grace period before reporting out of memory. */
    static final long GRACE_WAIT_NS = 5_000_000L;
    /** Retire queue length past which writes try to reclaim. */
    static final int RECLAIM_THRESHOLD = 64;
    static final byte POISON = (byte)0xA5;
    private static final byte SPACE = ' ';

    private final Table table;
    private final int partitionId;
    private final ArenaMemory memory;
    private final Qsbr qsbr;
    private final SizeClasses classes;
    private final MemoryMode mode;
    private final int itemSizeMaxBytes;
    private final boolean poisonFreed;
    final IndexRef indexRef = new IndexRef();

    private final long[] freeHead;
    /** Per class: next never-used chunk of the newest page, and that page's end (bump allocation). */
    private final long[] bumpNext;
    private final long[] bumpEnd;
    private final long[][] pages;
    private final int[] pageCount;
    private final int[] clockPage;
    private final int[] clockChunk;
    private int sweepClass;
    private int sweepPage;
    private int sweepChunk;
    private int evictClassCursor;
    /** Slab rebalancing (cache mode): a page being emptied for another class, and its chunks still in use. */
    private long drainingPage;
    private int drainingFromClass;
    private int drainingToClass;
    private int drainingOutstanding;

    private final RetireQueue retired = new RetireQueue(1024);
    private long pinA = -1;
    private long pinB = -1;
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
        this.poisonFreed = poisonFreed;
        final int n = classes.count();
        freeHead = new long[n];
        bumpNext = new long[n];
        bumpEnd = new long[n];
        pages = new long[n][];
        pageCount = new int[n];
        clockPage = new int[n];
        clockChunk = new int[n];
        for (int i = 0; i < n; i++)
        {
            pages[i] = new long[4];
        }

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
        int work = sweep(budget, table.nowSeconds());
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
        pinA = head == NATIVE && headLength > 0 ? headOffset : -1;
        pinB = tail == NATIVE && tailLength > 0 ? tailOffset : -1;
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
                freeChunk(address, sizeClass);
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
            pinA = -1;
            pinB = -1;
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
            evictAcrossClasses(Math.max(EVICT_BATCH, index.capacity / 8));
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

    private long allocate(final int sizeClass)
    {
        long address = popFree(sizeClass);
        if (address != 0)
        {
            return address;
        }
        if (reclaim() > 0 && (address = popFree(sizeClass)) != 0)
        {
            return address;
        }
        if (addPage(sizeClass))
        {
            return popFree(sizeClass);
        }
        if (mode == MemoryMode.CACHE)
        {
            if (evict(sizeClass, EVICT_BATCH) == 0 && drainingPage == 0)
            {
                startDrain(sizeClass); // no room and nothing of this size to evict: move a page from another class
            }
            if ((address = popFree(sizeClass)) != 0 || (reclaim() > 0 && (address = popFree(sizeClass)) != 0))
            {
                return address;
            }
        }
        return waitForGrace(sizeClass);
    }

    private long waitForGrace(final int sizeClass)
    {
        if (retired.isEmpty())
        {
            return 0;
        }
        final long deadline = System.nanoTime() + GRACE_WAIT_NS;
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
            if (reclaim() > 0)
            {
                final long address = popFree(sizeClass);
                if (address != 0)
                {
                    return address;
                }
            }
        }
        while (!retired.isEmpty() && System.nanoTime() < deadline);
        return 0;
    }

    private long popFree(final int sizeClass)
    {
        final long address = freeHead[sizeClass];
        if (address != 0)
        {
            freeHead[sizeClass] = NATIVE.get(ValueLayout.JAVA_LONG, address + FREE_NEXT_OFFSET);
            return address;
        }
        final long next = bumpNext[sizeClass];
        if (next != 0 && next < bumpEnd[sizeClass])
        {
            bumpNext[sizeClass] = next + classes.chunkBytes(sizeClass);
            return next;
        }
        return 0;
    }

    private void freeChunk(final long address, final int sizeClass)
    {
        if (poisonFreed)
        {
            NATIVE.asSlice(address, classes.chunkBytes(sizeClass)).fill(POISON);
        }
        if (drainingPage != 0 && (address & -(long)classes.pageBytes()) == drainingPage)
        {
            if (--drainingOutstanding == 0)
            {
                finishDrain();
            }
            return;
        }
        NATIVE.set(ValueLayout.JAVA_BYTE, address + STATE_OFFSET, STATE_FREE);
        NATIVE.set(ValueLayout.JAVA_LONG, address + FREE_NEXT_OFFSET, freeHead[sizeClass]);
        freeHead[sizeClass] = address;
    }

    private boolean addPage(final int sizeClass)
    {
        final long pageBytes = classes.pageBytes();
        // Index reserve: room to grow the index once (to 2x) and still rebuild the grown index in place
        // (same size, dropping tombstones) later. Pages never take it, so a rebuild can always be paid for.
        final long reserve = 4 * indexRef.index.bytes;
        if (memory.availableBytes() - pageBytes < reserve)
        {
            return false;
        }
        final long page = memory.allocatePage(pageBytes, pageBytes);
        if (page == 0)
        {
            return false;
        }
        if (pageCount[sizeClass] == pages[sizeClass].length)
        {
            pages[sizeClass] = Arrays.copyOf(pages[sizeClass], pages[sizeClass].length * 2);
        }
        pages[sizeClass][pageCount[sizeClass]++] = page;
        // chunks are handed out by bumping through the zeroed page (state FREE until used)
        bumpNext[sizeClass] = page;
        bumpEnd[sizeClass] = page + (long)classes.chunksPerPage(sizeClass) * classes.chunkBytes(sizeClass);
        return true;
    }

    /**
     * Cache mode, class {@code toClass} has no chunk, no budget for a page and nothing to evict: empty one page
     * of another class (evicting its items, which are freed after a grace period) and give it to
     * {@code toClass} once its last chunk is free (memcached's slab rebalancing, done by the writer).
     */
    private boolean startDrain(final int toClass)
    {
        final int n = classes.count();
        for (int i = 0; i < n; i++)
        {
            final int from = (evictClassCursor + i) % n;
            if (from == toClass || pageCount[from] == 0)
            {
                continue;
            }
            final int pageIndex = clockPage[from] < pageCount[from] ? clockPage[from] : 0;
            final long page = pages[from][pageIndex];
            final int chunk = classes.chunkBytes(from);
            final int perPage = classes.chunksPerPage(from);
            boolean pinnedPage = false;
            for (int c = 0; c < perPage && !pinnedPage; c++)
            {
                final long address = page + (long)c * chunk;
                pinnedPage = NATIVE.get(ValueLayout.JAVA_BYTE, address + STATE_OFFSET) == STATE_LIVE && pinned(address, chunk);
            }
            if (pinnedPage)
            {
                continue;
            }
            evictClassCursor = (from + 1) % n;
            drainingPage = page;
            drainingFromClass = from;
            drainingToClass = toClass;
            drainingOutstanding = 0;
            if (bumpNext[from] >= page && bumpNext[from] < page + classes.pageBytes())
            {
                bumpNext[from] = 0;
                bumpEnd[from] = 0;
            }
            // drop the page's chunks from the free list
            long kept = 0;
            long tail = 0;
            for (long a = freeHead[from]; a != 0; )
            {
                final long next = NATIVE.get(ValueLayout.JAVA_LONG, a + FREE_NEXT_OFFSET);
                if ((a & -(long)classes.pageBytes()) != page)
                {
                    if (tail == 0)
                    {
                        kept = a;
                    }
                    else
                    {
                        NATIVE.set(ValueLayout.JAVA_LONG, tail + FREE_NEXT_OFFSET, a);
                    }
                    tail = a;
                }
                a = next;
            }
            if (tail != 0)
            {
                NATIVE.set(ValueLayout.JAVA_LONG, tail + FREE_NEXT_OFFSET, 0L);
            }
            freeHead[from] = kept;
            // the page leaves the class now, so hands and sweeps no longer visit it
            System.arraycopy(pages[from], pageIndex + 1, pages[from], pageIndex, pageCount[from] - pageIndex - 1);
            pageCount[from]--;
            final long now = table.nowSeconds();
            for (int c = 0; c < perPage; c++)
            {
                final long address = page + (long)c * chunk;
                final byte state = NATIVE.get(ValueLayout.JAVA_BYTE, address + STATE_OFFSET);
                if (state == STATE_LIVE)
                {
                    final boolean live = table.isLive(address, now);
                    drainingOutstanding++; // before the unlink: with no reader the chunk may be freed at once
                    if (unlinkAddress(address))
                    {
                        addStat(live ? STAT_EVICTIONS : STAT_EXPIRATIONS, 1);
                    }
                    else
                    {
                        drainingOutstanding--;
                    }
                }
                else if (state == STATE_RETIRED)
                {
                    drainingOutstanding++;
                }
            }
            if (drainingOutstanding == 0)
            {
                finishDrain();
            }
            return true;
        }
        return false;
    }

    private void finishDrain()
    {
        final long page = drainingPage;
        final int to = drainingToClass;
        drainingPage = 0;
        NATIVE.asSlice(page, classes.pageBytes()).fill((byte)0); // old chunk states must not look live in the new layout
        if (pageCount[to] == pages[to].length)
        {
            pages[to] = Arrays.copyOf(pages[to], pages[to].length * 2);
        }
        pages[to][pageCount[to]++] = page;
        final int chunk = classes.chunkBytes(to);
        for (int c = classes.chunksPerPage(to) - 1; c >= 0; c--)
        {
            final long address = page + (long)c * chunk;
            NATIVE.set(ValueLayout.JAVA_LONG, address + FREE_NEXT_OFFSET, freeHead[to]);
            freeHead[to] = address;
        }
        addStat(STAT_PAGES_MOVED, 1);
    }

    private boolean pinned(final long address, final int chunk)
    {
        return (pinA >= address && pinA < address + chunk) || (pinB >= address && pinB < address + chunk);
    }

    /** CLOCK over slab order: live items with the reference bit get a second chance. */
    private int evict(final int sizeClass, final int count)
    {
        final int pageN = pageCount[sizeClass];
        if (pageN == 0)
        {
            return 0;
        }
        final int perPage = classes.chunksPerPage(sizeClass);
        final int chunk = classes.chunkBytes(sizeClass);
        final long scanLimit = 2L * pageN * perPage + 1;
        final long now = table.nowSeconds();
        int evicted = 0;
        for (long scanned = 0; scanned < scanLimit && evicted < count; scanned++)
        {
            int page = clockPage[sizeClass];
            int index = clockChunk[sizeClass];
            if (page >= pageN)
            {
                page = 0;
                index = 0;
            }
            final long address = pages[sizeClass][page] + (long)index * chunk;
            if (++index == perPage)
            {
                index = 0;
                page++;
            }
            clockPage[sizeClass] = page;
            clockChunk[sizeClass] = index;

            if (NATIVE.get(ValueLayout.JAVA_BYTE, address + STATE_OFFSET) != STATE_LIVE || pinned(address, chunk))
            {
                continue;
            }
            final boolean live = table.isLive(address, now);
            if (live && NATIVE.get(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET) != 0)
            {
                NATIVE.set(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET, (byte)0);
                continue;
            }
            if (unlinkAddress(address))
            {
                evicted++;
                addStat(live ? STAT_EVICTIONS : STAT_EXPIRATIONS, 1);
            }
        }
        return evicted;
    }

    private void evictAcrossClasses(final int count)
    {
        int remaining = count;
        final int n = classes.count();
        for (int i = 0; i < n && remaining > 0; i++)
        {
            final int c = evictClassCursor;
            evictClassCursor = (evictClassCursor + 1) % n;
            remaining -= evict(c, remaining);
        }
    }

    /** Unlinks the item at {@code address} (found through its own key) and retires it. */
    private boolean unlinkAddress(final long address)
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

    /** Expiry/flush sweep over slab chunks, {@code budget} chunks per call. */
    private int sweep(final int budget, final long now)
    {
        final int n = classes.count();
        int work = 0;
        int examined = 0;
        int emptyClasses = 0;
        while (examined < budget && emptyClasses < n)
        {
            final int c = sweepClass;
            if (sweepPage >= pageCount[c])
            {
                sweepClass = (c + 1) % n;
                sweepPage = 0;
                sweepChunk = 0;
                emptyClasses++;
                continue;
            }
            emptyClasses = 0;
            final long address = pages[c][sweepPage] + (long)sweepChunk * classes.chunkBytes(c);
            if (++sweepChunk == classes.chunksPerPage(c))
            {
                sweepChunk = 0;
                sweepPage++;
            }
            examined++;
            if (NATIVE.get(ValueLayout.JAVA_BYTE, address + STATE_OFFSET) == STATE_LIVE && !table.isLive(address, now) &&
                unlinkAddress(address))
            {
                addStat(STAT_EXPIRATIONS, 1);
                work++;
            }
        }
        return work;
    }

    // --- QSBR retirement ---

    private void retireItem(final long address)
    {
        final int keyLength = NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF;
        final long itemLength = ItemDescriptor.itemLength(
            keyLength, NATIVE.get(ValueLayout.JAVA_INT, address + VALUE_LENGTH_OFFSET));
        final int sizeClass = classes.classOf(itemLength);
        NATIVE.set(ValueLayout.JAVA_BYTE, address + STATE_OFFSET, STATE_RETIRED);
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
                freeChunk(address, kind);
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

    int retiredCount()
    {
        return retired.size();
    }

    // --- counters ---

    private void addStat(final int index, final long delta)
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
