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
    private final Table table;
    private final ItemView item = new ItemView();
    private QsbrReader reader;

    TableReads(final Table table)
    {
        this.table = table;
    }

    /** Looks the key up; on true, {@link #item()} is the live item until the thread's next quiescent point. */
    boolean get(final MemorySegment key, final long keyOffset, final int keyLength)
    {
        QsbrReader handle = reader;
        if (handle == null)
        {
            handle = table.currentReader();
            if (handle == null)
            {
                return table.get(key, keyOffset, keyLength, item); // a thread that never registered as a reader
            }
            reader = handle; // the handle only carries hit/miss counts; safety does not depend on it
        }
        return table.get(handle, key, keyOffset, keyLength, item);
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
