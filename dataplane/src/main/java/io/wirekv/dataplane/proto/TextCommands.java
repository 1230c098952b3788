package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.table.Table;

import static io.wirekv.dataplane.proto.AsciiCodec.KEY_MAX_LENGTH;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;

/**
 * memcached's text commands other than retrieval, on the reader's side: storage (set/add/replace/append/
 * prepend/cas), delete, incr/decr, touch and flush_all are validated exactly as memcached does and encoded
 * as write records; version, stats and verbosity are answered here. The line is already tokenized in
 * {@link RequestSession#codec}. One instance per reader thread.
 */
final class TextCommands
{
    private final Table table;
    private final ProtocolSettings settings;
    private final ServerStats stats;
    private final int slot;
    private final WriteForwarding forwarding;
    private final byte[] versionBytes;
    private final StatsWriter statsWriter;
    private final StatsGroupsWriter statsGroups;
    /** memcached's -A: null when the shutdown command is refused. */
    private final Runnable shutdown;

    TextCommands(
        final Table table, final ProtocolSettings settings, final ServerStats stats, final int slot,
        final WriteForwarding forwarding)
    {
        this.table = table;
        this.settings = settings;
        this.stats = stats;
        this.slot = slot;
        this.forwarding = forwarding;
        this.versionBytes = Replies.b(settings.version());
        this.statsWriter = new StatsWriter(table, settings, stats);
        this.statsGroups = new StatsGroupsWriter(table, settings);
        this.shutdown = settings.shutdown();
    }

    /** The record's store mode for a storage command name, or -1. */
    static int storeMode(final AsciiCodec c)
    {
        if (c.tokenEquals(0, Replies.CMD_SET))
        {
            return MODE_SET;
        }
        if (c.tokenEquals(0, Replies.CMD_ADD))
        {
            return MODE_ADD;
        }
        if (c.tokenEquals(0, Replies.CMD_REPLACE))
        {
            return MODE_REPLACE;
        }
        if (c.tokenEquals(0, Replies.CMD_APPEND))
        {
            return MODE_APPEND;
        }
        if (c.tokenEquals(0, Replies.CMD_PREPEND))
        {
            return MODE_PREPEND;
        }
        if (c.tokenEquals(0, Replies.CMD_CAS))
        {
            return MODE_CAS;
        }
        return -1;
    }

    /** {@code <cmd> <key> <flags> <exptime> <bytes> [<cas>] [noreply]\r\n<data>\r\n}. */
    int storage(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        final int mode = storeMode(c);
        final boolean isCas = mode == MODE_CAS;
        final int nt = c.ntokens;
        if (isCas ? nt != 7 && nt != 8 : nt != 6 && nt != 7)
        {
            return Flow.reply(s, Replies.ERROR, next, false);
        }
        final boolean noreply = c.lastTokenIsNoreply();
        if (c.tokenLength[1] > KEY_MAX_LENGTH || !c.tokenFlags(2))
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, noreply);
        }
        final long clientFlags = c.number;
        if (!c.tokenSigned32(3))
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, noreply);
        }
        final long exptime = c.number;
        if (!c.tokenSigned32(4))
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, noreply);
        }
        final long vlen = c.number;
        long compareCas = 0;
        if (isCas)
        {
            if (!c.tokenUnsigned64(5))
            {
                return Flow.reply(s, Replies.BAD_FORMAT, next, noreply);
            }
            compareCas = c.number;
        }
        if (vlen < 0 || vlen > Integer.MAX_VALUE - 2)
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, noreply);
        }
        final long total = vlen + 2;
        final long keyOffset = c.tokenStart[1];
        final int keyLength = c.tokenLength[1];
        final long expiresAt = AsciiCodec.absoluteExpiry(exptime, table.nowSeconds());
        if (AsciiCodec.itemTooLarge(keyLength, clientFlags, vlen, settings.itemSizeMaxBytes()))
        {
            if (mode == MODE_SET)
            {
                // memcached also unlinks the old item of a too-large set: the writer must see it
                final int r = forwarding.claim(s, s.input, keyOffset, keyLength, 0, false);
                if (r != Flow.CONTINUE)
                {
                    return r;
                }
                forwarding.record().opcode(OP_STORE).storeMode(MODE_SET).options(OPTION_TOO_LARGE);
                return forwarding.park(s, next - lineStart, WriteReplyFormatter.FOR_STORE, noreply, total);
            }
            stats.increment(slot, ServerStats.STORE_TOO_LARGE);
            return Flow.refuseWithData(s, Replies.TOO_LARGE, next, noreply, total);
        }
        final int data = Flow.dataBlock(s, next, vlen, noreply);
        if (data != Flow.DATA_READY)
        {
            return data;
        }
        final int r = forwarding.claim(s, s.input, keyOffset, keyLength, (int)vlen, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        forwarding.record()
            .opcode(OP_STORE)
            .storeMode((byte)mode)
            .clientFlags((int)clientFlags)
            .exptime(expiresAt)
            .compareCas(compareCas)
            .value(s.input, next, (int)vlen);
        return forwarding.park(s, next + total - lineStart, WriteReplyFormatter.FOR_STORE, noreply, 0);
    }

    /**
     * incr/decr ({@code <cmd> <key> <delta> [noreply]}, delta an unsigned 64-bit number) and touch
     * ({@code touch <key> <exptime> [noreply]}, exptime memcached's int32): one key and one number.
     */
    int keyAndNumber(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        final boolean touch = c.tokenEquals(0, Replies.CMD_TOUCH);
        if (c.ntokens != 4 && c.ntokens != 5)
        {
            return Flow.reply(s, Replies.ERROR, next, false);
        }
        final boolean noreply = c.lastTokenIsNoreply();
        if (c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, noreply);
        }
        if (!(touch ? c.tokenSigned32(2) : c.tokenUnsigned64(2)))
        {
            return Flow.reply(s, touch ? Replies.INVALID_EXPTIME : Replies.INVALID_DELTA, next, noreply);
        }
        final long number = c.number;
        final int r = forwarding.claim(s, s.input, c.tokenStart[1], c.tokenLength[1], 0, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        final WriteRecordEncoder record = forwarding.record();
        if (touch)
        {
            record.opcode(OP_TOUCH).exptime(AsciiCodec.absoluteExpiry(number, table.nowSeconds()));
            return forwarding.park(s, next - lineStart, WriteReplyFormatter.FOR_TOUCH, noreply, 0);
        }
        record.opcode(c.tokenEquals(0, Replies.CMD_INCR) ? OP_INCR : OP_DECR).number(number);
        return forwarding.park(s, next - lineStart, WriteReplyFormatter.FOR_ARITHMETIC, noreply, 0);
    }

    /** {@code delete <key> [0] [noreply]}: memcached still accepts a hold time of 0. */
    int delete(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        final int nt = c.ntokens;
        if (nt < 3 || nt > 5)
        {
            return Flow.reply(s, Replies.ERROR, next, false);
        }
        boolean noreply = false;
        if (nt > 3)
        {
            final boolean holdIsZero = c.tokenEquals(2, Replies.ZERO);
            noreply = c.lastTokenIsNoreply();
            final boolean valid = (nt == 4 && (holdIsZero || noreply)) || (nt == 5 && holdIsZero && noreply);
            if (!valid)
            {
                return Flow.reply(s, Replies.BAD_DELETE, next, noreply);
            }
        }
        if (c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, noreply);
        }
        final int r = forwarding.claim(s, s.input, c.tokenStart[1], c.tokenLength[1], 0, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        forwarding.record().opcode(OP_DELETE);
        return forwarding.park(s, next - lineStart, WriteReplyFormatter.FOR_DELETE, noreply, 0);
    }

    /** {@code flush_all [delay] [noreply]}: items stored before the (absolute) moment stop being live. */
    int flushAll(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        if (c.ntokens < 2 || c.ntokens > 4)
        {
            return Flow.reply(s, Replies.ERROR, next, false);
        }
        final boolean noreply = c.lastTokenIsNoreply();
        long delay = 0;
        if (c.ntokens != (noreply ? 3 : 2))
        {
            if (!c.tokenSigned32(1))
            {
                return Flow.reply(s, Replies.INVALID_EXPTIME, next, noreply);
            }
            delay = c.number;
        }
        final long now = table.nowSeconds();
        final long oldestLive = delay > 0 ? AsciiCodec.absoluteExpiry(delay, now) - 1 : now - 1;
        final int r = forwarding.claim(s, null, 0, 0, 0, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        forwarding.record().opcode(OP_FLUSH_ALL).exptime(oldestLive).options(delay == 0 ? OPTION_IMMEDIATE : 0);
        return forwarding.park(s, next - lineStart, WriteReplyFormatter.FOR_FLUSH_ALL, noreply, 0);
    }

    int version(final RequestSession s, final long next)
    {
        final ReplyBuffer rb = s.reply();
        rb.mark();
        if (!rb.beginResponse() || !rb.fits(Replies.VERSION.length + versionBytes.length + 2))
        {
            rb.rollbackToMark();
            return Flow.OUTPUT_FULL;
        }
        rb.put(Replies.VERSION);
        rb.put(versionBytes);
        rb.put(Replies.CRLF);
        s.position = next;
        return Flow.CONTINUE;
    }

    int verbosity(final RequestSession s, final long next)
    {
        final AsciiCodec c = s.codec;
        if (c.ntokens != 3 && c.ntokens != 4)
        {
            return Flow.reply(s, Replies.ERROR, next, false);
        }
        final boolean noreply = c.lastTokenIsNoreply();
        return Flow.reply(s, c.tokenUnsigned64(1) ? Replies.OK : Replies.BAD_FORMAT, next, noreply);
    }

    int stats(final RequestSession s, final long next)
    {
        final AsciiCodec c = s.codec;
        if (c.ntokens == 2)
        {
            final ReplyBuffer rb = s.reply();
            rb.mark();
            if (!rb.beginResponse() || !rb.fits(StatsWriter.MAX_BYTES))
            {
                rb.rollbackToMark();
                return Flow.OUTPUT_FULL;
            }
            statsWriter.write(rb);
            s.position = next;
            return Flow.CONTINUE;
        }
        if (c.ntokens == 3 && c.tokenEquals(1, Replies.RESET_ARG))
        {
            stats.resetFromSlot(slot);
            return Flow.reply(s, Replies.RESET, next, false);
        }
        if (c.ntokens == 3)
        {
            final int group = c.tokenEquals(1, Replies.SETTINGS_ARG) ? 0 : c.tokenEquals(1, Replies.SLABS_ARG) ? 1 :
                c.tokenEquals(1, Replies.ITEMS_ARG) ? 2 : c.tokenEquals(1, Replies.CONNS_ARG) ? 3 : -1;
            if (group >= 0)
            {
                final ReplyBuffer rb = s.reply();
                rb.mark();
                if (!rb.beginResponse() || !rb.fits(StatsGroupsWriter.MAX_BYTES))
                {
                    rb.rollbackToMark();
                    return Flow.OUTPUT_FULL;
                }
                switch (group)
                {
                    case 0 -> statsGroups.writeSettings(rb);
                    case 1 -> statsGroups.writeSlabs(rb);
                    case 2 -> statsGroups.writeItems(rb);
                    default -> statsGroups.writeConns(rb);
                }
                s.position = next;
                return Flow.CONTINUE;
            }
        }
        return Flow.reply(s, Replies.ERROR, next, false);
    }

    /**
     * memcached's {@code shutdown [graceful]}: refused unless enabled (memcached's -A); enabled, the connection
     * closes without a reply and the server stops (both modes: wirekv's stop is always the orderly one).
     */
    int shutdown(final RequestSession s, final long next)
    {
        if (null == shutdown)
        {
            return Flow.reply(s, Replies.SHUTDOWN_DISABLED, next, false);
        }
        final AsciiCodec c = s.codec;
        if (c.ntokens == 2 || (c.ntokens == 3 && c.tokenEquals(1, Replies.GRACEFUL_ARG)))
        {
            shutdown.run(); // starts the stop on a thread of its own; runs once per server
            s.position = next;
            return Flow.CLOSE;
        }
        return Flow.reply(s, Replies.INVALID_SHUTDOWN_MODE, next, false);
    }
}
