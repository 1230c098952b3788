package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;

/**
 * The single-writer side of one partition. Exactly one thread uses a given instance.
 * Every write builds a new immutable item and publishes it with a release store; the
 * replaced item is retired and freed after a QSBR grace period.
 * <p>
 * Expiry arguments are absolute unix seconds, already converted from memcached's exptime by
 * the protocol layer: 0 = never; a time at or before now = already expired (stored as such,
 * invisible to readers). All results are {@link Status} codes; the resulting item, where there
 * is one, is left in the caller's {@link ItemView}.
 */
public final class PartitionWriter
{
    // --- primitives: the protocol's meta commands compose these ---

    /** Wraps {@code out} over the live (not expired, not flushed) item for key; false if none. */
    public boolean find(MemorySegment key, long keyOffset, int keyLength, ItemView out)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /**
     * Publishes a new item under key, replacing any existing one. Its value is the concatenation
     * of two ranges (either may have length 0), so append/prepend need no scratch buffer.
     *
     * @param cas 0 to assign the next unique CAS; otherwise this explicit CAS (meta {@code E}).
     * @return {@link Status#STORED}, {@link Status#TOO_LARGE} or {@link Status#OUT_OF_MEMORY}.
     */
    public int publish(
        MemorySegment key, long keyOffset, int keyLength,
        MemorySegment head, long headOffset, int headLength,
        MemorySegment tail, long tailOffset, int tailLength,
        int clientFlags, long expiresAtSeconds, long cas, int metaBits, ItemView out)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** Unlinks key's item if any; true if one was live. */
    public boolean unlink(MemorySegment key, long keyOffset, int keyLength)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
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
        int mode, MemorySegment key, long keyOffset, int keyLength,
        MemorySegment value, long valueOffset, int valueLength,
        int clientFlags, long expiresAtSeconds, long compareCas, ItemView out)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** delete: DELETED, NOT_FOUND, or EXISTS when compareCas != 0 and does not match. */
    public int delete(MemorySegment key, long keyOffset, int keyLength, long compareCas)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /**
     * incr/decr as memcached: unsigned 64-bit, incr wraps, decr stops at 0; the value must be
     * decimal digits (NON_NUMERIC otherwise); a shorter result is padded with spaces to the old
     * length as memcached does in place. Result item in {@code out}: STORED or NOT_FOUND.
     */
    public int arithmetic(MemorySegment key, long keyOffset, int keyLength, boolean increment, long delta, ItemView out)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** touch/gat: sets a new expiry; TOUCHED (item in out) or NOT_FOUND. */
    public int touch(MemorySegment key, long keyOffset, int keyLength, long expiresAtSeconds, ItemView out)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /**
     * Housekeeping for the writer's idle time: expiry sweep, eviction, and freeing retired
     * memory whose grace period has passed. Bounded by {@code budget} items; returns work done.
     */
    public int doHousekeeping(int budget)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }
}
