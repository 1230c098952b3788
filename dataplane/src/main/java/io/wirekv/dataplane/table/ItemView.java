package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over one published, immutable item. Re-wrapped by {@link Table#get} and the
 * {@link PartitionWriter} lookups; never allocated per request.
 * <p>
 * Validity: on a reader thread the bytes stay valid until that thread's next
 * {@link QsbrReader#quiescent()}; on a writer thread until its next write to the same partition.
 * <p>
 * Offsets are absolute within {@link #segment()}, so a value is copied with
 * {@code MemorySegment.copy(view.segment(), view.valueOffset(), dst, dstOffset, view.valueLength())}.
 */
public final class ItemView
{
    /** Meta-protocol bit: the item was invalidated ({@code md I}/{@code ms I}); mg reports {@code X}. */
    public static final int META_STALE = 1;
    /** Meta-protocol bit: a win token ({@code W}) was already handed out; later mg report {@code Z}. */
    public static final int META_WIN_SENT = 2;
    /** Meta-protocol bit: the item has been read at least once since stored (mg {@code h}). */
    public static final int META_FETCHED = 4;

    public MemorySegment segment()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    public long keyOffset()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    public int keyLength()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    public long valueOffset()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    public int valueLength()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** memcached's opaque 32-bit client flags. */
    public int clientFlags()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** Absolute expiry in unix seconds; 0 means never. */
    public long expiresAtSeconds()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** Unix seconds of the write that published this item (flush_all with a delay compares it). */
    public long storedAtSeconds()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** The item's CAS version: unique per write across the whole table, never 0. */
    public long cas()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** {@link #META_STALE}, {@link #META_WIN_SENT}, {@link #META_FETCHED}. */
    public int metaBits()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }
}
