package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

/**
 * A reader thread's lock-free lookups: {@link Table#get} through the thread's reader handle, fetched once
 * on first use (the agent registers after construction), so there is no thread-local lookup per key.
 * One instance per reader thread.
 */
final class TableReads
{
    /** Keys of a multi-key get loaded ahead together: enough to overlap their misses, few enough to stay cached. */
    static final int LOAD_AHEAD_KEYS = 16;

    private final Table table;
    private final ItemView item = new ItemView();
    private final long[] hashes = new long[LOAD_AHEAD_KEYS];
    private final int[] keyLengths = new int[LOAD_AHEAD_KEYS];
    private QsbrReader reader;
    /** The loads' sum: a field, so that the JIT cannot drop loads nobody reads. */
    private long loaded;

    TableReads(final Table table)
    {
        this.table = table;
    }

    /** Looks the key up; on true, {@link #item()} is the live item until the thread's next quiescent point. */
    boolean get(final MemorySegment key, final long keyOffset, final int keyLength)
    {
        final QsbrReader handle = reader();
        return null != handle ? table.get(handle, key, keyOffset, keyLength, item) :
            table.get(key, keyOffset, keyLength, item); // a thread that never registered as a reader
    }

    /** {@link #get(MemorySegment, long, int)} for the {@code n}th key of the last {@link #loadAhead}: hashed there. */
    boolean getLoadedAhead(final MemorySegment key, final long keyOffset, final int keyLength, final int n)
    {
        final QsbrReader handle = reader();
        return null != handle ? table.get(handle, key, keyOffset, keyLength, hashes[n], item) :
            table.get(key, keyOffset, keyLength, item);
    }

    private QsbrReader reader()
    {
        if (reader == null)
        {
            reader = table.currentReader(); // the handle only carries hit/miss counts; safety does not depend on it
        }
        return reader;
    }

    /**
     * Loads ahead the index slots and then the items that looking up the next {@link #LOAD_AHEAD_KEYS} keys of a
     * get line from {@code key} (a key's start, before {@code end}) will read, so that their cache misses overlap:
     * looked up one by one, each key's two memory round trips wait behind the previous key's reply. Their hashes
     * stay for {@link #getLoadedAhead}, in order.
     *
     * @return how many keys it loaded ahead for (at least one).
     */
    int loadAhead(final MemorySegment in, final long key, final long end)
    {
        int count = 0;
        long p = key;
        while (p >= 0 && count < LOAD_AHEAD_KEYS)
        {
            final long keyEnd = CommandScan.keyEnd(in, p, end);
            keyLengths[count] = (int)(keyEnd - p);
            hashes[count] = Table.keyHash(in, p, keyLengths[count]);
            count++;
            p = CommandScan.nextKey(in, keyEnd, end);
        }
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += table.loadAheadSlot(hashes[i]);
        }
        for (int i = 0; i < count; i++)
        {
            sum += table.loadAheadItem(hashes[i], keyLengths[i]);
        }
        loaded += sum;
        return count;
    }

    ItemView item()
    {
        return item;
    }

    long nowSeconds()
    {
        return table.nowSeconds();
    }
}
