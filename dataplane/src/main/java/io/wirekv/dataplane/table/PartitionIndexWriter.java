package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.IndexDescriptor.ADDRESS_MASK;
import static io.wirekv.dataplane.table.IndexDescriptor.EMPTY;
import static io.wirekv.dataplane.table.IndexDescriptor.TOMBSTONE;
import static io.wirekv.dataplane.table.ItemDescriptor.KEY_LENGTH_OFFSET;
import static io.wirekv.dataplane.table.ItemDescriptor.KEY_OFFSET;

/**
 * The writer's side of one partition's index ({@link IndexDescriptor}; the readers' side is
 * {@link Table#lookup}): probing for a key's slot, publishing an item into a slot, unlinking one, and growing
 * or cleaning the index by building a new array and publishing it (see package-info's publication rule). An
 * unlinked item, or a replaced array, is handed to the {@link QsbrReclaimer}.
 * <p>
 * Threading: the partition's writer thread only; every slot store is a release store that readers pair with
 * an acquire load, and the array reference is published the same way through {@link IndexRef}.
 */
final class PartitionIndexWriter implements ItemUnlinker
{
    /** Index slot accessor: coordinates (MemorySegment, long address). */
    static final VarHandle SLOT = ValueLayout.JAVA_LONG.varHandle();
    /** The largest index: 2^30 slots (8 GiB). */
    private static final int MAX_CAPACITY = 1 << 30;

    final IndexRef indexRef = new IndexRef();
    private final Table table;
    private final ArenaMemory memory;
    private final QsbrReclaimer reclaimer;
    private final PartitionCounters counters;

    /** Allocates the first index: as big as {@link IndexDescriptor#INITIAL_CAPACITY}, or smaller for a small budget. */
    PartitionIndexWriter(
        final Table table, final ArenaMemory memory, final QsbrReclaimer reclaimer, final PartitionCounters counters)
    {
        this.table = table;
        this.memory = memory;
        this.reclaimer = reclaimer;
        this.counters = counters;
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

    /** The current index (the writer's own reference: plain load). */
    PartitionIndex index()
    {
        return indexRef.index;
    }

    /**
     * Writer-side probe: the slot holding key (any liveness), or {@code -(insertSlot + 1)} where
     * insertSlot is the first tombstone on the probe path or the terminating empty slot.
     */
    long probe(final long hash, final MemorySegment key, final long keyOffset, final int keyLength)
    {
        final PartitionIndex index = indexRef.index;
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

    /**
     * Publishes a complete item at the slot {@link #probe} returned (on the current index): replaces and retires
     * the item there, or fills the insert slot.
     */
    void publish(final long slot, final long hash, final long address)
    {
        final PartitionIndex index = indexRef.index;
        final long entry = IndexDescriptor.slot(IndexDescriptor.tagOf(hash), address);
        if (slot >= 0)
        {
            final long slotAddress = index.address + (slot << 3);
            final long old = slotValue(index, slot) & ADDRESS_MASK;
            SLOT.setRelease(NATIVE, slotAddress, entry); // release: publish item; pairs with getAcquire in Table.lookup
            reclaimer.retireItem(old);
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
    }

    /** Unlinks key's item if any and retires it; true if it was live (an expired one counts as an expiration). */
    boolean unlinkKey(final long hash, final MemorySegment key, final long keyOffset, final int keyLength)
    {
        final PartitionIndex index = indexRef.index;
        final long slot = probe(hash, key, keyOffset, keyLength);
        if (slot < 0)
        {
            return false;
        }
        final long address = slotValue(index, slot) & ADDRESS_MASK;
        final boolean live = table.isLive(address, table.nowSeconds());
        SLOT.setRelease(NATIVE, index.address + (slot << 3), TOMBSTONE); // release: unlink; pairs with getAcquire in Table.lookup
        index.live--;
        reclaimer.retireItem(address);
        if (!live)
        {
            counters.addOpaque(PartitionCounters.EXPIRATIONS, 1);
        }
        return live;
    }

    @Override
    public boolean unlinkItem(final long address)
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
                reclaimer.retireItem(address);
                return true;
            }
            pos = (pos + 1) & mask;
        }
    }

    // --- growth ---

    /**
     * Room for one more key without evicting: below the grow threshold; else grown to twice the size while the
     * budget keeps the grown index's own rebuild reserve; else below the hard load limit; else rebuilt in place
     * (dropping tombstones) when the live keys alone are below the grow threshold. False: only eviction helps
     * (see {@link ItemAllocator#ensureIndexRoom}).
     */
    boolean ensureRoom()
    {
        final PartitionIndex index = indexRef.index;
        final long capacity = index.capacity;
        final int d = IndexDescriptor.LOAD_DENOMINATOR;
        if ((index.used + 1L) * d <= capacity * IndexDescriptor.GROW_NUMERATOR)
        {
            return true;
        }
        // grow only while the grown index keeps its own same-size rebuild reserve (see ItemAllocator.indexReserveBytes)
        if ((index.live + 1L) * d > capacity * 3 && memory.availableBytes() >= 4 * index.bytes &&
            rebuild(index.capacity * 2))
        {
            return true;
        }
        if ((index.used + 1L) * d <= capacity * IndexDescriptor.MAX_LOAD_NUMERATOR)
        {
            return true;
        }
        return (index.live + 1L) * d <= capacity * IndexDescriptor.GROW_NUMERATOR && rebuild(index.capacity);
    }

    /**
     * Grows the index once, before a bulk load, so that {@code expectedItems} more keys fit below the grow threshold:
     * a snapshot holds its keys in the order of the index it was written from, and inserting them in that order into
     * a smaller index that doubles as it fills piles every later key onto the slots the earlier ones took (linear
     * probing's quadratic case). Same budget rule as {@link #ensureRoom}: the grown index must leave its own
     * same-size rebuild reserve; when the full size is not affordable the largest affordable size is taken (still
     * one growth). Never shrinks.
     *
     * @return true if the index now has room for the expected keys.
     */
    boolean reserve(final long expectedItems)
    {
        final PartitionIndex index = indexRef.index;
        final long keys = index.live + Math.clamp(expectedItems, 0, 1L << 32); // no overflow below
        long capacity = index.capacity;
        while (capacity < MAX_CAPACITY && !fits(keys, capacity))
        {
            capacity <<= 1;
        }
        // the grown index plus its own same-size rebuild reserve (as ensureRoom: 4x the old = 2x the new)
        while (capacity > index.capacity && memory.availableBytes() < 2 * capacity * IndexDescriptor.SLOT_LENGTH)
        {
            capacity >>= 1;
        }
        // index arrays are paid from the shared budget only (not a partition's slab floor): step down until one maps
        while (capacity > index.capacity && !rebuild((int)capacity))
        {
            capacity >>= 1;
        }
        return fits(keys, indexRef.index.capacity);
    }

    private static boolean fits(final long keys, final long capacity)
    {
        return keys * IndexDescriptor.LOAD_DENOMINATOR <= capacity * IndexDescriptor.GROW_NUMERATOR;
    }

    /** After eviction freed slots: the index rebuilt in place, or one more key within the hard load limit. */
    boolean ensureRoomAfterEviction()
    {
        final PartitionIndex index = indexRef.index;
        return rebuild(index.capacity) ||
            (index.used + 1L) * IndexDescriptor.LOAD_DENOMINATOR <= index.capacity * IndexDescriptor.MAX_LOAD_NUMERATOR;
    }

    /** Builds a new array of {@code newCapacity} slots from the live entries, publishes it and retires the old. */
    private boolean rebuild(final int newCapacity)
    {
        if (newCapacity <= 0 || newCapacity > MAX_CAPACITY)
        {
            return false;
        }
        final PartitionIndex old = indexRef.index;
        final long bytes = (long)newCapacity * IndexDescriptor.SLOT_LENGTH;
        final long address = memory.allocateBlock(bytes, IndexDescriptor.ALIGNMENT);
        if (address == 0)
        {
            reclaimer.reclaim();
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
        reclaimer.retireIndex(old.address, old.bytes);
        counters.addOpaque(PartitionCounters.RESIZES, 1);
        return true;
    }

    private static long slotValue(final PartitionIndex index, final long slot)
    {
        return NATIVE.get(ValueLayout.JAVA_LONG, index.address + (slot << 3)); // plain: the writer owns the slots
    }
}
