package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

/**
 * Keys a reader loads ahead together (see {@code table/IndexLookahead}): every key's index slot, then every key's
 * item, then every found item's value end, before any of them is looked up, so that their cache misses overlap.
 * The hashes stay for the lookups. Used for the next keys of a multi-key get ({@link GetCommands}) and for the gets
 * of a received burst ({@link BurstLookahead}). One instance per reader thread; allocation-free.
 */
final class KeyLookahead
{
    /** The most keys loaded ahead at once (a burst of datagrams is at most 32). */
    static final int CAPACITY = 64;
    /**
     * Below this much table memory (a server CPU's last-level cache, about) the loads mostly hit the cache anyway,
     * and loading ahead only costs (3% of a 32-key get at 10,000 keys).
     */
    static final long MIN_TABLE_BYTES = 32L << 20;

    private final Table table;
    private final long[] hashes = new long[CAPACITY];
    private final int[] keyLengths = new int[CAPACITY];
    /** The items found by the loads, for their value ends' pass. */
    private final long[] items = new long[CAPACITY];
    private int count;
    /** The loads' sum: a field, so that the JIT cannot drop loads nobody reads. */
    private long loaded;

    KeyLookahead(final Table table)
    {
        this.table = table;
    }

    /** Whether the table is big enough for loading ahead to pay (a few opaque loads: once per burst or line). */
    boolean pays()
    {
        return table.allocatedBytes() >= MIN_TABLE_BYTES;
    }

    void clear()
    {
        count = 0;
    }

    int count()
    {
        return count;
    }

    /** Adds a key (hashes it); ignored when full. */
    void add(final MemorySegment in, final long key, final int keyLength)
    {
        if (count < CAPACITY)
        {
            keyLengths[count] = keyLength;
            hashes[count] = Table.keyHash(in, key, keyLength);
            count++;
        }
    }

    /** The hash of the {@code n}th key added since {@link #clear}. */
    long hash(final int n)
    {
        return hashes[n];
    }

    /** Loads the added keys' index slots, then their items, then the items' value ends. */
    void load()
    {
        loaded += table.loadAheadForReads(hashes, keyLengths, items, count);
    }
}
