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
        long arguments = CommandScan.getArguments(in, offset, end);
        if (arguments < 0)
        {
            if (end - offset < 3 || in.get(BYTE, offset) != 'm' || in.get(BYTE, offset + 1) != 'g' ||
                in.get(BYTE, offset + 2) != ' ')
            {
                return;
            }
            arguments = offset + 3;
        }
        final long key = CommandScan.nextKey(in, arguments, end);
        if (key < 0)
        {
            return;
        }
        final long keyEnd = CommandScan.keyEndInLine(in, key, Math.min(end, key + KEY_MAX_LENGTH + 1));
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
}
