package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;

/**
 * What a read that uses an item leaves on it: the CLOCK's second chance ({@link ItemDescriptor#CLOCK_READ}), as
 * memcached's LRU bumps an item on a hit (without it only a write would, and eviction would keep the recently
 * written rather than the read), and the fetched bit ({@link ItemView#META_FETCHED}: memcached's ITEM_FETCHED, meta
 * {@code h} and {@code me}'s {@code fetch=}; never cleared while the item lives).
 * <p>
 * Each is stored only when not already set, so a hot item's line is written once per pass of the CLOCK's hand, not
 * on every hit. Races are benign: with the hand clearing the CLOCK byte, or with a writer copying the meta bits
 * into a new item (touch), a mark is a hint, lost or set late, that moves one eviction or one {@code h}. The item
 * cannot be reused under the store: the reader is between quiescent points (or is the item's writer).
 */
final class ReadMarks
{
    private ReadMarks()
    {
    }

    static void markUsed(final long address)
    {
        if (NATIVE.get(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET) != CLOCK_READ)
        {
            NATIVE.set(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET, CLOCK_READ);
        }
        final byte bits = NATIVE.get(ValueLayout.JAVA_BYTE, address + META_BITS_OFFSET);
        if ((bits & ItemView.META_FETCHED) == 0)
        {
            NATIVE.set(ValueLayout.JAVA_BYTE, address + META_BITS_OFFSET, (byte)(bits | ItemView.META_FETCHED));
        }
    }
}
