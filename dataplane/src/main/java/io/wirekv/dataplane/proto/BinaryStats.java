package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;
import static io.wirekv.dataplane.proto.BinaryHeaderDescriptor.HEADER_LENGTH;
import static io.wirekv.dataplane.proto.BinaryHeaderDescriptor.RESPONSE_SUCCESS;

/**
 * The binary protocol's STAT: the text protocol's statistics ({@link StatsWriter}, {@link StatsGroupsWriter}),
 * formatted once as text into a scratch buffer, then re-framed as one binary response per statistic (key: the
 * name, value: the value) and an empty one that ends them, all one response object as memcached sends it.
 * One instance per reader thread; allocation-free after construction.
 */
final class BinaryStats
{
    static final int ANSWERED = 0;
    static final int NOT_FOUND = 1;
    static final int OUTPUT_FULL = 2;

    private static final byte[] RESET = Replies.b("reset");
    private static final byte[] SETTINGS = Replies.b("settings");
    private static final byte[] DETAIL = Replies.b("detail");
    private static final byte[] SLABS = Replies.b("slabs");
    private static final byte[] ITEMS = Replies.b("items");
    private static final byte[] CONNS = Replies.b("conns");

    private final ServerStats stats;
    private final int slot;
    private final BinaryReplies replies;
    private final StatsWriter statsWriter;
    private final StatsGroupsWriter statsGroups;
    private final ReplyBuffer statsText;

    BinaryStats(
        final Table table, final ProtocolSettings settings, final ServerStats stats, final int slot,
        final BinaryReplies replies)
    {
        this.stats = stats;
        this.slot = slot;
        this.replies = replies;
        this.statsWriter = new StatsWriter(table, settings, stats);
        this.statsGroups = new StatsGroupsWriter(table, settings);
        // freed with the engine
        this.statsText = new ReplyBuffer(java.lang.foreign.Arena.ofAuto().allocate(
            Math.max(StatsWriter.MAX_BYTES, StatsGroupsWriter.MAX_BYTES)));
    }

    /**
     * STAT with an optional group in the key (memcached matches {@code reset}, {@code settings} and
     * {@code detail} by prefix, {@code strncmp}).
     * @return {@link #ANSWERED}, {@link #NOT_FOUND} (no such group: the caller answers 0x0001) or
     * {@link #OUTPUT_FULL}.
     */
    int stat(final RequestSession s, final long at)
    {
        final MemorySegment in = s.input;
        final long keyAt = at + HEADER_LENGTH;
        final int keyLength = s.binaryKeyLength;
        final ReplyBuffer text = statsText;
        text.resetStream();
        if (keyLength == 0)
        {
            statsWriter.write(text);
        }
        else if (BinaryCommands.startsWith(in, keyAt, keyLength, RESET))
        {
            stats.resetFromSlot(slot);
        }
        else if (BinaryCommands.startsWith(in, keyAt, keyLength, SETTINGS))
        {
            statsGroups.writeSettings(text);
        }
        else if (BinaryCommands.startsWith(in, keyAt, keyLength, DETAIL))
        {
            return NOT_FOUND; // wirekv keeps no per-prefix detail
        }
        else if (BinaryCommands.equals(in, keyAt, keyLength, SLABS))
        {
            statsGroups.writeSlabs(text);
        }
        else if (BinaryCommands.equals(in, keyAt, keyLength, ITEMS))
        {
            statsGroups.writeItems(text);
        }
        else if (BinaryCommands.equals(in, keyAt, keyLength, CONNS))
        {
            statsGroups.writeConns(text);
        }
        else
        {
            return NOT_FOUND;
        }
        final ReplyBuffer rb = s.reply();
        rb.mark();
        // each "STAT name value\r\n" (len bytes) becomes a 24-byte header, name and value: len + 16 bytes
        if (!rb.beginResponse() || !rb.fits(text.length() * 4 + HEADER_LENGTH))
        {
            rb.rollbackToMark();
            return OUTPUT_FULL;
        }
        final MemorySegment t = text.memory();
        long p = 0;
        final long end = text.length();
        while (p + 5 < end && t.get(BYTE, p) == 'S') // "STAT " lines until "END\r\n"
        {
            final long nameAt = p + 5;
            final long nameEnd = AsciiCodec.indexOf(t, nameAt, end, (byte)' ');
            final long lineEnd = AsciiCodec.indexOf(t, nameAt, end, (byte)'\r');
            if (nameEnd < 0 || lineEnd < 0 || nameEnd > lineEnd)
            {
                break;
            }
            final int nameLength = (int)(nameEnd - nameAt);
            final int valueLength = (int)(lineEnd - nameEnd - 1);
            replies.header(rb, s, RESPONSE_SUCCESS, 0, nameLength, nameLength + valueLength, 0);
            rb.put(t, nameAt, nameLength);
            rb.put(t, nameEnd + 1, valueLength);
            p = lineEnd + 2;
        }
        replies.header(rb, s, RESPONSE_SUCCESS, 0, 0, 0, 0);
        return ANSWERED;
    }
}
