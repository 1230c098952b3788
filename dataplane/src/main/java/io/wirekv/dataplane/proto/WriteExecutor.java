package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;

/**
 * Runs on a partition's writer thread: parses one forwarded write command and applies it,
 * writing memcached's reply (possibly empty, for noreply/quiet) into {@code reply}.
 * <p>
 * The command was validated by {@link RequestProcessor} before it was forwarded, so this side only
 * re-parses the fields it needs; it still never throws on odd input (anything it cannot parse gets
 * {@code ERROR}). Threading: one instance per writer thread; not thread-safe.
 */
public final class WriteExecutor
{
    private final Table table;
    private final ProtocolSettings settings;
    private final ServerStats stats;
    private final int slot;
    private final AsciiCodec codec = new AsciiCodec();
    private final MetaFlags meta = new MetaFlags();
    private final MetaReplyFormatter formatter = new MetaReplyFormatter();
    private final ItemView item = new ItemView();
    private final StoreSemantics semantics = new StoreSemantics();
    private final MemorySegment numberScratch = MemorySegment.ofArray(new byte[24]);
    private final MemorySegment empty = MemorySegment.ofArray(new byte[0]);

    public WriteExecutor(final Table table, final ProtocolSettings settings)
    {
        this(table, settings, new ServerStats(1), 0);
    }

    /**
     * @param stats      the server's counters (cmd_set, delete_hits, ...).
     * @param threadSlot this writer thread's slot in {@code stats}.
     */
    public WriteExecutor(final Table table, final ProtocolSettings settings, final ServerStats stats, final int threadSlot)
    {
        this.table = table;
        this.settings = settings;
        this.stats = stats;
        this.slot = threadSlot;
    }

    /**
     * Applies one forwarded command and appends its reply at {@code reply.length()} (the caller usually
     * resets a stream-mode buffer first).
     *
     * @return the number of reply bytes appended (0 for noreply/quiet).
     */
    public int execute(
        final PartitionWriter writer, final MemorySegment command, final long offset, final int length,
        final ReplyBuffer reply)
    {
        final int before = reply.length();
        final long end = offset + length;
        final long newline = AsciiCodec.indexOf(command, offset, end, (byte)'\n');
        if (newline < 0)
        {
            reply.put(Replies.ERROR);
            return reply.length() - before;
        }
        long contentEnd = newline;
        if (newline > offset && command.get(BYTE, newline - 1) == '\r')
        {
            contentEnd--;
        }
        final AsciiCodec c = codec;
        c.tokenize(command, offset, contentEnd);
        if (c.ntokens < 2)
        {
            reply.put(Replies.ERROR);
            return reply.length() - before;
        }
        final long data = newline + 1;
        final long now = table.nowSeconds();
        if (c.ntokens < 3 && !c.tokenEquals(0, Replies.CMD_FLUSH_ALL) || !hasArity(c))
        {
            // never forwarded by RequestProcessor; refuse rather than read tokens that are not there
            reply.put(Replies.ERROR);
            return reply.length() - before;
        }
        if (c.tokenLength[0] == 2 && c.tokenByte(0, 0) == 'm')
        {
            switch (c.tokenByte(0, 1))
            {
                case 'g' -> metaGet(writer, reply, now);
                case 's' -> metaSet(writer, command, data, reply, now);
                case 'd' -> metaDelete(writer, reply, now);
                case 'a' -> metaArithmetic(writer, reply, now);
                default -> reply.put(Replies.ERROR);
            }
        }
        else if (c.tokenEquals(0, Replies.CMD_SET))
        {
            storage(writer, StoreSemantics.MODE_SET, command, data, reply, now);
        }
        else if (c.tokenEquals(0, Replies.CMD_ADD))
        {
            storage(writer, StoreSemantics.MODE_ADD, command, data, reply, now);
        }
        else if (c.tokenEquals(0, Replies.CMD_REPLACE))
        {
            storage(writer, StoreSemantics.MODE_REPLACE, command, data, reply, now);
        }
        else if (c.tokenEquals(0, Replies.CMD_APPEND))
        {
            storage(writer, StoreSemantics.MODE_APPEND, command, data, reply, now);
        }
        else if (c.tokenEquals(0, Replies.CMD_PREPEND))
        {
            storage(writer, StoreSemantics.MODE_PREPEND, command, data, reply, now);
        }
        else if (c.tokenEquals(0, Replies.CMD_CAS))
        {
            storage(writer, StoreSemantics.MODE_CAS, command, data, reply, now);
        }
        else if (c.tokenEquals(0, Replies.CMD_DELETE))
        {
            delete(writer, reply);
        }
        else if (c.tokenEquals(0, Replies.CMD_INCR))
        {
            arithmetic(writer, true, reply);
        }
        else if (c.tokenEquals(0, Replies.CMD_DECR))
        {
            arithmetic(writer, false, reply);
        }
        else if (c.tokenEquals(0, Replies.CMD_TOUCH))
        {
            touch(writer, reply, now);
        }
        else if (c.tokenEquals(0, Replies.CMD_GAT) || c.tokenEquals(0, Replies.CMD_GATS))
        {
            gat(writer, reply, now, c.tokenLength[0] == 4);
        }
        else if (c.tokenEquals(0, Replies.CMD_FLUSH_ALL))
        {
            flushAll(reply, now);
        }
        else
        {
            reply.put(Replies.ERROR);
        }
        return reply.length() - before;
    }

    /** The token counts RequestProcessor validated before forwarding (memcached's ntokens, terminal included). */
    private static boolean hasArity(final AsciiCodec c)
    {
        final int nt = c.ntokens;
        if (c.tokenEquals(0, Replies.CMD_CAS))
        {
            return nt == 7 || nt == 8;
        }
        if (c.tokenEquals(0, Replies.CMD_SET) || c.tokenEquals(0, Replies.CMD_ADD) ||
            c.tokenEquals(0, Replies.CMD_REPLACE) || c.tokenEquals(0, Replies.CMD_APPEND) ||
            c.tokenEquals(0, Replies.CMD_PREPEND))
        {
            return nt == 6 || nt == 7;
        }
        if (c.tokenEquals(0, Replies.CMD_INCR) || c.tokenEquals(0, Replies.CMD_DECR) ||
            c.tokenEquals(0, Replies.CMD_TOUCH))
        {
            return nt == 4 || nt == 5;
        }
        if (c.tokenEquals(0, Replies.CMD_MS))
        {
            return nt >= 4;
        }
        return true;
    }

    private static void say(final ReplyBuffer reply, final byte[] line, final boolean noreply)
    {
        if (!noreply)
        {
            reply.put(line);
        }
    }

    // ------------------------------------------------------------------------------------------ text

    private void storage(
        final PartitionWriter writer, final int mode, final MemorySegment command, final long data,
        final ReplyBuffer reply, final long now)
    {
        final AsciiCodec c = codec;
        final boolean noreply = c.lastTokenIsNoreply();
        final boolean isCas = mode == StoreSemantics.MODE_CAS;
        if (!c.tokenFlags(2))
        {
            say(reply, Replies.BAD_FORMAT, noreply);
            return;
        }
        final int clientFlags = (int)c.number;
        if (!c.tokenSigned32(3))
        {
            say(reply, Replies.BAD_FORMAT, noreply);
            return;
        }
        final long expiresAt = AsciiCodec.absoluteExpiry(c.number, now);
        if (!c.tokenSigned32(4) || c.number < 0)
        {
            say(reply, Replies.BAD_FORMAT, noreply);
            return;
        }
        final int vlen = (int)c.number;
        long compareCas = 0;
        if (isCas)
        {
            if (!c.tokenUnsigned64(5))
            {
                say(reply, Replies.BAD_FORMAT, noreply);
                return;
            }
            compareCas = c.number;
        }
        final MemorySegment key = c.line;
        final long keyOffset = c.tokenStart[1];
        final int keyLength = c.tokenLength[1];
        stats.increment(slot, ServerStats.CMD_SET);
        if (AsciiCodec.itemTooLarge(keyLength, clientFlags & 0xFFFFFFFFL, vlen, settings.itemSizeMaxBytes()))
        {
            stats.increment(slot, ServerStats.STORE_TOO_LARGE);
            if (mode == StoreSemantics.MODE_SET)
            {
                writer.unlink(key, keyOffset, keyLength);
            }
            say(reply, Replies.TOO_LARGE, noreply);
            return;
        }
        if (data + vlen > command.byteSize())
        {
            say(reply, Replies.BAD_DATA_CHUNK, noreply);
            return;
        }
        final int status = semantics.store(writer,
            mode, key, keyOffset, keyLength, command, data, vlen, clientFlags, expiresAt, compareCas, item);
        if (isCas)
        {
            stats.increment(slot, status == Status.STORED ? ServerStats.CAS_HITS :
                status == Status.EXISTS ? ServerStats.CAS_BADVAL : ServerStats.CAS_MISSES);
        }
        say(reply, storeReply(status), noreply);
    }

    private static byte[] storeReply(final int status)
    {
        return switch (status)
        {
            case Status.STORED -> Replies.STORED;
            case Status.NOT_STORED -> Replies.NOT_STORED;
            case Status.EXISTS -> Replies.EXISTS;
            case Status.NOT_FOUND -> Replies.NOT_FOUND;
            case Status.TOO_LARGE -> Replies.TOO_LARGE;
            default -> Replies.OUT_OF_MEMORY_STORING;
        };
    }

    private void delete(final PartitionWriter writer, final ReplyBuffer reply)
    {
        final AsciiCodec c = codec;
        final boolean noreply = c.ntokens > 3 && c.lastTokenIsNoreply();
        final int status = semantics.delete(writer, c.line, c.tokenStart[1], c.tokenLength[1], 0);
        if (status == Status.DELETED)
        {
            stats.increment(slot, ServerStats.DELETE_HITS);
            say(reply, Replies.DELETED, noreply);
        }
        else
        {
            stats.increment(slot, ServerStats.DELETE_MISSES);
            say(reply, Replies.NOT_FOUND, noreply);
        }
    }

    private void arithmetic(final PartitionWriter writer, final boolean increment, final ReplyBuffer reply)
    {
        final AsciiCodec c = codec;
        final boolean noreply = c.lastTokenIsNoreply();
        if (!c.tokenUnsigned64(2))
        {
            say(reply, Replies.INVALID_DELTA, noreply);
            return;
        }
        final int status = semantics.arithmetic(writer, c.line, c.tokenStart[1], c.tokenLength[1], increment, c.number, item);
        switch (status)
        {
            case Status.STORED ->
            {
                stats.increment(slot, increment ? ServerStats.INCR_HITS : ServerStats.DECR_HITS);
                if (!noreply)
                {
                    putNumber(reply);
                    reply.put(Replies.CRLF);
                }
            }
            case Status.NOT_FOUND ->
            {
                stats.increment(slot, increment ? ServerStats.INCR_MISSES : ServerStats.DECR_MISSES);
                say(reply, Replies.NOT_FOUND, noreply);
            }
            case Status.NON_NUMERIC -> say(reply, Replies.NON_NUMERIC, noreply);
            default -> say(reply, storeReply(status), noreply);
        }
    }

    /** The digits of the arithmetic result in {@link #item} (memcached pads shorter results with spaces). */
    private int numberLength()
    {
        final MemorySegment seg = item.segment();
        final long at = item.valueOffset();
        int n = 0;
        while (n < item.valueLength() && seg.get(BYTE, at + n) != ' ')
        {
            n++;
        }
        return n;
    }

    private void putNumber(final ReplyBuffer reply)
    {
        reply.put(item.segment(), item.valueOffset(), numberLength());
    }

    private void touch(final PartitionWriter writer, final ReplyBuffer reply, final long now)
    {
        final AsciiCodec c = codec;
        final boolean noreply = c.lastTokenIsNoreply();
        if (!c.tokenSigned32(2))
        {
            say(reply, Replies.INVALID_EXPTIME, noreply);
            return;
        }
        stats.increment(slot, ServerStats.CMD_TOUCH);
        final int status = semantics.touch(writer,
            c.line, c.tokenStart[1], c.tokenLength[1], AsciiCodec.absoluteExpiry(c.number, now), item);
        if (status == Status.TOUCHED)
        {
            stats.increment(slot, ServerStats.TOUCH_HITS);
            say(reply, Replies.TOUCHED, noreply);
        }
        else
        {
            stats.increment(slot, ServerStats.TOUCH_MISSES);
            say(reply, Replies.NOT_FOUND, noreply);
        }
    }

    private void gat(final PartitionWriter writer, final ReplyBuffer reply, final long now, final boolean withCas)
    {
        final AsciiCodec c = codec;
        if (!c.tokenSigned32(1))
        {
            reply.put(Replies.INVALID_EXPTIME);
            return;
        }
        final long expiresAt = AsciiCodec.absoluteExpiry(c.number, now);
        for (int i = 2; i < c.ntokens - 1; i++)
        {
            stats.increment(slot, ServerStats.CMD_TOUCH);
            stats.increment(slot, ServerStats.CMD_GET);
            final int status = semantics.touch(writer, c.line, c.tokenStart[i], c.tokenLength[i], expiresAt, item);
            if (status != Status.TOUCHED)
            {
                stats.increment(slot, ServerStats.TOUCH_MISSES);
                stats.increment(slot, ServerStats.GET_MISSES);
                continue;
            }
            stats.increment(slot, ServerStats.TOUCH_HITS);
            stats.increment(slot, ServerStats.GET_HITS);
            if (!reply.fits(c.tokenLength[i] + 51 + item.valueLength() + 2 + Replies.END.length))
            {
                reply.put(Replies.OUT_OF_MEMORY_GET);
                return;
            }
            reply.put(Replies.VALUE);
            reply.put(c.line, c.tokenStart[i], c.tokenLength[i]);
            reply.putByteUnchecked((byte)' ');
            reply.putUnsigned(item.clientFlags() & 0xFFFFFFFFL);
            reply.putByteUnchecked((byte)' ');
            reply.putUnsigned(item.valueLength());
            if (withCas)
            {
                reply.putByteUnchecked((byte)' ');
                reply.putUnsigned(item.cas());
            }
            reply.put(Replies.CRLF);
            reply.put(item.segment(), item.valueOffset(), item.valueLength());
            reply.put(Replies.CRLF);
        }
        reply.put(Replies.END);
    }

    private void flushAll(final ReplyBuffer reply, final long now)
    {
        final AsciiCodec c = codec;
        final boolean noreply = c.lastTokenIsNoreply();
        long delay = 0;
        if (c.ntokens != (noreply ? 3 : 2))
        {
            if (!c.tokenSigned32(1))
            {
                say(reply, Replies.INVALID_EXPTIME, noreply);
                return;
            }
            delay = c.number;
        }
        stats.increment(slot, ServerStats.CMD_FLUSH);
        final long oldestLive = delay > 0 ? AsciiCodec.absoluteExpiry(delay, now) - 1 : now - 1;
        table.flush(oldestLive, delay == 0);
        say(reply, Replies.OK, noreply);
    }

    // ------------------------------------------------------------------------------------------ meta

    private boolean parseMeta(final int firstFlag, final long now, final ReplyBuffer reply, final byte[] errorOverride)
    {
        if (!meta.parse(codec, firstFlag, now))
        {
            reply.put(errorOverride != null ? errorOverride : meta.error);
            return false;
        }
        return true;
    }

    private void metaGet(final PartitionWriter writer, final ReplyBuffer reply, final long now)
    {
        if (!parseMeta(2, now, reply, null))
        {
            return;
        }
        final MetaFlags m = meta;
        stats.increment(slot, ServerStats.CMD_GET);
        boolean won = false;
        boolean wonByStale = false;
        if (!writer.find(m.key, m.keyOffset, m.keyLength, item))
        {
            if (!m.vivify)
            {
                stats.increment(slot, ServerStats.GET_MISSES);
                if (!m.quiet)
                {
                    reply.put(Replies.EN);
                    formatter.appendFlags(reply, codec, m, 2, MetaReplyFormatter.KIND_MG, null, 0, now);
                    reply.put(Replies.CRLF);
                }
                return;
            }
            stats.increment(slot, ServerStats.GET_MISSES);
            final int status = writer.publish(
                m.key, m.keyOffset, m.keyLength, empty, 0, 0, empty, 0, 0, 0, m.vivifyExptime, explicitCasOrNext(),
                ItemView.META_WIN_SENT, item);
            if (status != Status.STORED)
            {
                reply.put(storeReplyServerError(status));
                return;
            }
            won = true;
            writeHit(reply, now, item.expiresAtSeconds(), true, false, false);
            return;
        }
        stats.increment(slot, ServerStats.GET_HITS);
        final long oldExpiry = item.expiresAtSeconds();
        final int bits = item.metaBits();
        final boolean tokenSentBefore = (bits & ItemView.META_WIN_SENT) != 0;
        if (!tokenSentBefore)
        {
            if ((bits & ItemView.META_STALE) != 0)
            {
                won = true;
                wonByStale = true;
            }
            else if (m.recache && oldExpiry != 0 && oldExpiry - now < m.recacheExptime - now)
            {
                won = true;
            }
        }
        if (won || m.newTtl)
        {
            final long newExpiry = m.newTtl ? m.ttlExptime : oldExpiry;
            final int status = writer.publish(
                m.key, m.keyOffset, m.keyLength, item.segment(), item.valueOffset(), item.valueLength(), empty, 0, 0,
                item.clientFlags(), newExpiry, item.cas(), bits | (won ? ItemView.META_WIN_SENT : 0), item);
            if (status != Status.STORED)
            {
                reply.put(storeReplyServerError(status));
                return;
            }
        }
        writeHit(reply, now, oldExpiry, won, wonByStale, tokenSentBefore);
    }

    private void writeHit(
        final ReplyBuffer reply, final long now, final long expiryBeforeTouch, final boolean won,
        final boolean wonByStale, final boolean tokenSentBefore)
    {
        final MetaFlags m = meta;
        if (!reply.fits(MetaReplyFormatter.lineBound(codec) + (m.value ? item.valueLength() + 2 : 0)))
        {
            reply.put(Replies.OUT_OF_MEMORY_GET);
            return;
        }
        if (m.value)
        {
            reply.put(Replies.VA);
            reply.putUnsigned(item.valueLength());
        }
        else
        {
            reply.put(Replies.HD);
        }
        formatter.appendFlags(reply, codec, m, 2, MetaReplyFormatter.KIND_MG, item, expiryBeforeTouch, now);
        if (won && !wonByStale)
        {
            reply.put(MetaReplyFormatter.W);
        }
        else if (tokenSentBefore)
        {
            reply.put(MetaReplyFormatter.Z);
        }
        if ((item.metaBits() & ItemView.META_STALE) != 0)
        {
            reply.put(MetaReplyFormatter.X);
            if (wonByStale)
            {
                reply.put(MetaReplyFormatter.W);
            }
        }
        reply.put(Replies.CRLF);
        if (m.value)
        {
            reply.put(item.segment(), item.valueOffset(), item.valueLength());
            reply.put(Replies.CRLF);
        }
    }

    private static byte[] storeReplyServerError(final int status)
    {
        return status == Status.TOO_LARGE ? Replies.TOO_LARGE : Replies.OUT_OF_MEMORY_STORING;
    }

    private void metaStatus(
        final ReplyBuffer reply, final byte[] code, final int kind, final ItemView itemOrNull, final long now)
    {
        reply.put(code);
        formatter.appendFlags(reply, codec, meta, kind == MetaReplyFormatter.KIND_MS ? 3 : 2, kind, itemOrNull,
            itemOrNull == null ? 0 : itemOrNull.expiresAtSeconds(), now);
        reply.put(Replies.CRLF);
    }

    private void metaSet(
        final PartitionWriter writer, final MemorySegment command, final long data, final ReplyBuffer reply,
        final long now)
    {
        final AsciiCodec c = codec;
        if (!c.tokenSigned32(2) || c.number < 0)
        {
            reply.put(Replies.BAD_FORMAT);
            return;
        }
        final int vlen = (int)c.number;
        if (!parseMeta(3, now, reply, null))
        {
            return;
        }
        final MetaFlags m = meta;
        if (data + vlen > command.byteSize())
        {
            reply.put(Replies.BAD_DATA_CHUNK);
            return;
        }
        int mode;
        switch (m.mode)
        {
            case 0, 'S', 's' -> mode = StoreSemantics.MODE_SET;
            case 'E', 'e' -> mode = StoreSemantics.MODE_ADD;
            case 'A', 'a' -> mode = StoreSemantics.MODE_APPEND;
            case 'P', 'p' -> mode = StoreSemantics.MODE_PREPEND;
            case 'R', 'r' -> mode = StoreSemantics.MODE_REPLACE;
            default ->
            {
                reply.put(Replies.INVALID_MS_MODE);
                return;
            }
        }
        if (m.hasCompareCas && (mode == StoreSemantics.MODE_SET || mode == StoreSemantics.MODE_REPLACE))
        {
            mode = StoreSemantics.MODE_CAS;
        }
        stats.increment(slot, ServerStats.CMD_SET);
        final long expiresAt = m.newTtl ? m.ttlExptime : 0;
        final int flags = (int)m.clientFlags;
        int status;
        if (m.invalidate && mode == StoreSemantics.MODE_CAS &&
            writer.find(m.key, m.keyOffset, m.keyLength, item) && Long.compareUnsigned(m.compareCas, item.cas()) < 0)
        {
            // I: a CAS older than the item's still stores, but the result is marked stale
            status = writer.publish(m.key, m.keyOffset, m.keyLength, command, data, vlen, empty, 0, 0,
                flags, expiresAt, explicitCasOrNext(), ItemView.META_STALE, item);
        }
        else if (m.binaryKey && mode == StoreSemantics.MODE_SET)
        {
            // a plain set through a base64 key: remember it, memcached echoes such keys encoded
            status = writer.publish(m.key, m.keyOffset, m.keyLength, command, data, vlen, empty, 0, 0,
                flags, expiresAt, explicitCasOrNext(), MetaReplyFormatter.META_KEY_BINARY, item);
        }
        else if (m.hasExplicitCas && mode == StoreSemantics.MODE_SET)
        {
            status = writer.publish(m.key, m.keyOffset, m.keyLength, command, data, vlen, empty, 0, 0,
                flags, expiresAt, m.explicitCas, 0, item);
        }
        else
        {
            status = semantics.store(writer, mode, m.key, m.keyOffset, m.keyLength, command, data, vlen, flags, expiresAt,
                m.compareCas, item);
            if (status == Status.STORED)
            {
                status = applyExplicitCas(writer);
            }
        }
        if (mode == StoreSemantics.MODE_CAS)
        {
            stats.increment(slot, status == Status.STORED ? ServerStats.CAS_HITS :
                status == Status.EXISTS ? ServerStats.CAS_BADVAL : ServerStats.CAS_MISSES);
        }
        switch (status)
        {
            case Status.STORED ->
            {
                if (!m.quiet)
                {
                    metaStatus(reply, Replies.HD, MetaReplyFormatter.KIND_MS, item, now);
                }
            }
            case Status.NOT_STORED -> metaStatus(reply, Replies.NS, MetaReplyFormatter.KIND_MS, null, now);
            case Status.EXISTS -> metaStatus(reply, Replies.EX, MetaReplyFormatter.KIND_MS, null, now);
            case Status.NOT_FOUND -> metaStatus(reply, Replies.NF, MetaReplyFormatter.KIND_MS, null, now);
            default -> reply.put(storeReplyServerError(status));
        }
    }

    private void metaDelete(final PartitionWriter writer, final ReplyBuffer reply, final long now)
    {
        if (!parseMeta(2, now, reply, Replies.INVALID_OR_DUPLICATE_FLAG))
        {
            return;
        }
        final MetaFlags m = meta;
        if (!writer.find(m.key, m.keyOffset, m.keyLength, item))
        {
            stats.increment(slot, ServerStats.DELETE_MISSES);
            metaStatus(reply, Replies.NF, MetaReplyFormatter.KIND_MD, null, now);
            return;
        }
        if (m.hasCompareCas && m.compareCas != item.cas())
        {
            metaStatus(reply, Replies.EX, MetaReplyFormatter.KIND_MD, null, now);
            return;
        }
        stats.increment(slot, ServerStats.DELETE_HITS);
        if (m.invalidate)
        {
            final long expiry = m.newTtl ? m.ttlExptime : item.expiresAtSeconds();
            writer.publish(m.key, m.keyOffset, m.keyLength, item.segment(), item.valueOffset(), item.valueLength(),
                empty, 0, 0, item.clientFlags(), expiry, explicitCasOrNext(), // memcached: invalidation bumps the CAS
                (item.metaBits() & MetaReplyFormatter.META_KEY_BINARY) | ItemView.META_STALE, item);
        }
        else
        {
            writer.unlink(m.key, m.keyOffset, m.keyLength);
        }
        if (!m.quiet)
        {
            metaStatus(reply, Replies.HD, MetaReplyFormatter.KIND_MD, null, now);
        }
    }

    private void metaArithmetic(final PartitionWriter writer, final ReplyBuffer reply, final long now)
    {
        if (!parseMeta(2, now, reply, Replies.INVALID_OR_DUPLICATE_FLAG))
        {
            return;
        }
        final MetaFlags m = meta;
        final boolean increment;
        switch (m.mode)
        {
            case 0, 'I', 'i', '+' -> increment = true;
            case 'D', 'd', '-' -> increment = false;
            default ->
            {
                reply.put(Replies.INVALID_MA_MODE);
                return;
            }
        }
        if (m.hasCompareCas && writer.find(m.key, m.keyOffset, m.keyLength, item) && item.cas() != m.compareCas)
        {
            metaStatus(reply, Replies.EX, MetaReplyFormatter.KIND_MA, null, now);
            return;
        }
        int status = semantics.arithmetic(writer, m.key, m.keyOffset, m.keyLength, increment, m.delta, item);
        boolean created = false;
        if (status == Status.NOT_FOUND)
        {
            stats.increment(slot, increment ? ServerStats.INCR_MISSES : ServerStats.DECR_MISSES);
            if (!m.vivify)
            {
                metaStatus(reply, Replies.NF, MetaReplyFormatter.KIND_MA, null, now);
                return;
            }
            final int digits = formatUnsigned(numberScratch, m.initial);
            status = writer.publish(m.key, m.keyOffset, m.keyLength, numberScratch, 0, digits, empty, 0, 0,
                0, m.vivifyExptime, explicitCasOrNext(), 0, item);
            if (status != Status.STORED)
            {
                reply.put(storeReplyServerError(status));
                return;
            }
            created = true;
        }
        else if (status == Status.NON_NUMERIC)
        {
            reply.put(Replies.NON_NUMERIC);
            return;
        }
        else if (status != Status.STORED)
        {
            reply.put(storeReplyServerError(status));
            return;
        }
        else
        {
            stats.increment(slot, increment ? ServerStats.INCR_HITS : ServerStats.DECR_HITS);
            status = applyExplicitCas(writer);
            if (status != Status.STORED)
            {
                reply.put(storeReplyServerError(status));
                return;
            }
        }
        if (m.newTtl)
        {
            semantics.touch(writer, m.key, m.keyOffset, m.keyLength, m.ttlExptime, item);
        }
        if (m.quiet && !created)
        {
            return;
        }
        final int n = numberLength();
        if (m.value)
        {
            reply.put(Replies.VA);
            reply.putUnsigned(n);
        }
        else
        {
            reply.put(Replies.HD);
        }
        formatter.appendFlags(reply, codec, m, 2, MetaReplyFormatter.KIND_MA, item, item.expiresAtSeconds(), now);
        reply.put(Replies.CRLF);
        if (m.value)
        {
            putNumber(reply);
            reply.put(Replies.CRLF);
        }
    }

    /** The CAS for an item this meta command creates: its E token, else 0 (the table assigns the next one). */
    private long explicitCasOrNext()
    {
        return meta.hasExplicitCas ? meta.explicitCas : 0;
    }

    /**
     * E(token) after a table operation that assigned the next CAS to {@link #item} (ms add/replace/append/prepend/
     * cas modes, ma): republishes the new item unchanged but with the explicit CAS. The writer owns the
     * partition, so no one can observe the intermediate CAS except through a concurrent read, which sees
     * either item whole. Returns STORED or the publish failure.
     */
    private int applyExplicitCas(final PartitionWriter writer)
    {
        if (!meta.hasExplicitCas)
        {
            return Status.STORED;
        }
        return writer.publish(meta.key, meta.keyOffset, meta.keyLength, item.segment(), item.valueOffset(),
            item.valueLength(), empty, 0, 0, item.clientFlags(), item.expiresAtSeconds(), meta.explicitCas,
            item.metaBits(), item);
    }

    private static int formatUnsigned(final MemorySegment dst, final long value)
    {
        int length = 1;
        long probe = Long.divideUnsigned(value, 10);
        while (probe != 0)
        {
            length++;
            probe = Long.divideUnsigned(probe, 10);
        }
        long v = value;
        for (int i = length - 1; i >= 0; i--)
        {
            dst.set(BYTE, i, (byte)('0' + Long.remainderUnsigned(v, 10)));
            v = Long.divideUnsigned(v, 10);
        }
        return length;
    }
}
