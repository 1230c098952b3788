package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;
import static io.wirekv.dataplane.proto.AsciiCodec.KEY_MAX_LENGTH;

/**
 * Loads ahead the keys of a received burst's gets before the first request of the burst runs (MICA's lookups
 * overlapped across a burst): for each datagram that is a text {@code get}/{@code gets} or a meta {@code mg}, its
 * first key; then every key's index slot, then every key's item ({@link KeyLookahead}). The requests then run as
 * usual and find their index slots and items in the cache. Only a glance at each request's first bytes: a request
 * it misreads costs a wasted load, never a wrong reply. Does nothing for a table small enough to sit in cache.
 * The reader thread's own; allocation-free.
 */
public final class BurstLookahead
{
    private final KeyLookahead ahead;

    BurstLookahead(final KeyLookahead ahead)
    {
        this.ahead = ahead;
    }

    /** Starts a burst; false when loading ahead does not pay for this table (then add nothing). */
    public boolean begin()
    {
        ahead.clear();
        return ahead.pays();
    }

    /** Adds the first key of the request in {@code [offset, offset + length)} if it is a get, gets or mg. */
    public void addRequest(final MemorySegment in, final long offset, final int length)
    {
        final long end = offset + length;
        long key;
        if (startsWith(in, offset, end, 'g', 'e', 't', ' '))
        {
            key = offset + 4;
        }
        else if (startsWith(in, offset, end, 'g', 'e', 't', 's') && offset + 4 < end && in.get(BYTE, offset + 4) == ' ')
        {
            key = offset + 5;
        }
        else if (offset + 3 <= end && in.get(BYTE, offset) == 'm' && in.get(BYTE, offset + 1) == 'g' &&
            in.get(BYTE, offset + 2) == ' ')
        {
            key = offset + 3;
        }
        else
        {
            return;
        }
        while (key < end && in.get(BYTE, key) == ' ')
        {
            key++;
        }
        final long limit = Math.min(end, key + KEY_MAX_LENGTH + 1);
        long keyEnd = key;
        while (keyEnd < limit)
        {
            final byte b = in.get(BYTE, keyEnd);
            if (b == ' ' || b == '\r' || b == '\n')
            {
                break;
            }
            keyEnd++;
        }
        if (keyEnd > key && keyEnd - key <= KEY_MAX_LENGTH)
        {
            ahead.add(in, key, (int)(keyEnd - key));
        }
    }

    /** Loads what the added keys' lookups will read. */
    public void load()
    {
        ahead.load();
    }

    private static boolean startsWith(final MemorySegment in, final long offset, final long end,
        final char a, final char b, final char c, final char d)
    {
        return offset + 4 <= end && in.get(BYTE, offset) == a && in.get(BYTE, offset + 1) == b &&
            in.get(BYTE, offset + 2) == c && in.get(BYTE, offset + 3) == d;
    }
}
