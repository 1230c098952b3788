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
    private final KeyLookahead ahead;
    private QsbrReader reader;

    TableReads(final Table table)
    {
        this.table = table;
        this.ahead = new KeyLookahead(table);
    }

    /** Looks the key up; on true, {@link #item()} is the live item until the thread's next quiescent point. */
    boolean get(final MemorySegment key, final long keyOffset, final int keyLength)
    {
        final QsbrReader handle = reader();
        return null != handle ? table.get(handle, key, keyOffset, keyLength, item) :
            table.get(key, keyOffset, keyLength, item); // a thread that never registered as a reader
    }

    /** {@link #get(MemorySegment, long, int) get} that leaves the item's place in the eviction order alone. */
    boolean peek(final MemorySegment key, final long keyOffset, final int keyLength)
    {
        return table.peek(reader(), key, keyOffset, keyLength, item);
    }

    /** {@link #get(MemorySegment, long, int)} for the {@code n}th key of the last {@link #loadAhead}: hashed there. */
    boolean getLoadedAhead(final MemorySegment key, final long keyOffset, final int keyLength, final int n)
    {
        final QsbrReader handle = reader();
        return null != handle ? table.get(handle, key, keyOffset, keyLength, ahead.hash(n), item) :
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
     * Loads ahead ({@link KeyLookahead}) the next {@link #LOAD_AHEAD_KEYS} keys of a get line from {@code key} (a
     * key's start, before {@code end}): looked up one by one, each key's two memory round trips wait behind the
     * previous key's reply. Their hashes stay for {@link #getLoadedAhead}, in order.
     *
     * @return how many keys it loaded ahead for: 0 when the table is small enough for loading ahead not to pay.
     */
    int loadAhead(final MemorySegment in, final long key, final long end)
    {
        ahead.clear();
        if (!ahead.pays())
        {
            return 0;
        }
        long p = key;
        while (p >= 0 && ahead.count() < LOAD_AHEAD_KEYS)
        {
            final long keyEnd = CommandScan.keyEnd(in, p, end);
            ahead.add(in, p, (int)(keyEnd - p));
            p = CommandScan.nextKey(in, keyEnd, end);
        }
        ahead.load();
        return ahead.count();
    }

    /** The reader's keys to load ahead, for a burst's gets ({@link BurstLookahead}). */
    KeyLookahead lookahead()
    {
        return ahead;
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
