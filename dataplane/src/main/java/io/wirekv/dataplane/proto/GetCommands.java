package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.ItemView;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;
import static io.wirekv.dataplane.proto.AsciiCodec.KEY_MAX_LENGTH;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OPTION_WANT_VALUE;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OP_GAT;

/**
 * Multi-key retrieval: get/gets answered key by key from the table, and gat/gats, whose touch is a write,
 * forwarded one key at a time (keys of one line may live in different partitions). Both can stop between
 * keys (reply buffer full, or a parked key) and resume from {@link RequestSession#stageCursor}.
 * One instance per reader thread.
 */
final class GetCommands
{
    private final TableReads reads;
    private final ServerStats stats;
    private final int slot;
    private final WriteForwarding forwarding;

    GetCommands(final TableReads reads, final ServerStats stats, final int slot, final WriteForwarding forwarding)
    {
        this.reads = reads;
        this.stats = stats;
        this.slot = slot;
        this.forwarding = forwarding;
    }

    int startGet(
        final RequestSession s, final long lineStart, final long contentEnd, final long next, final boolean withCas)
    {
        final long firstKey = s.codec.tokenStart[1];
        if (anyKeyTooLong(s.codec, 1, s.input, contentEnd))
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, false); // memcached refuses the whole line
        }
        s.stage = RequestSession.STAGE_MULTIGET;
        s.stageFlags = withCas ? 1 : 0;
        s.stageCursor = (int)(firstKey - lineStart);
        s.stageLineLength = (int)(next - lineStart);
        return continueGet(s);
    }

    /** True when a key from token {@code firstKeyToken} on (to the end of the line) is longer than memcached allows. */
    private static boolean anyKeyTooLong(
        final AsciiCodec tokens, final int firstKeyToken, final MemorySegment in, final long contentEnd)
    {
        final int last = tokens.ntokens - 1;
        if (0 == tokens.tokenLength[last])
        {
            // the tokenizer took every key of the line (its terminal token is empty): their lengths are known
            for (int i = firstKeyToken; i < last; i++)
            {
                if (tokens.tokenLength[i] > KEY_MAX_LENGTH)
                {
                    return true;
                }
            }
            return false;
        }
        long p = tokens.tokenStart[firstKeyToken];
        while ((p = CommandScan.nextKey(in, p, contentEnd)) >= 0)
        {
            final long e = CommandScan.keyEnd(in, p, contentEnd);
            if (e - p > KEY_MAX_LENGTH)
            {
                return true;
            }
            p = e;
        }
        return false;
    }

    private static int lineContentLength(final RequestSession s)
    {
        int n = s.stageLineLength - 1;
        if (n > 0 && s.input.get(BYTE, s.position + n - 1) == '\r')
        {
            n--;
        }
        return n;
    }

    private static void finishLine(final RequestSession s)
    {
        s.stage = RequestSession.STAGE_NONE;
        s.position += s.stageLineLength;
    }

    int continueGet(final RequestSession s)
    {
        final MemorySegment in = s.input;
        final long lineStart = s.position;
        final long contentEnd = lineStart + lineContentLength(s);
        final boolean withCas = (s.stageFlags & 1) != 0;
        final ReplyBuffer rb = s.reply();
        final ItemView item = reads.item();
        long p = CommandScan.nextKey(in, lineStart + s.stageCursor, contentEnd);
        int loadedAhead = 0; // keys of the line loaded ahead; the next of them to look up
        int nextLoadedAhead = 0;
        boolean loadingAhead = true;
        while (p >= 0)
        {
            final long e = CommandScan.keyEnd(in, p, contentEnd);
            final int keyLength = (int)(e - p);
            final long following = CommandScan.nextKey(in, e, contentEnd);
            final boolean last = following < 0;
            if (nextLoadedAhead == loadedAhead && !last && loadingAhead)
            {
                loadedAhead = reads.loadAhead(in, p, contentEnd); // a multi-key get: its next keys' misses overlap
                nextLoadedAhead = 0;
                loadingAhead = loadedAhead > 0;
            }
            rb.mark();
            final boolean bufferWasEmpty = rb.length() == 0;
            final boolean hit = nextLoadedAhead < loadedAhead ?
                reads.getLoadedAhead(in, p, keyLength, nextLoadedAhead++) : reads.get(in, p, keyLength);
            int needed = last ? Replies.END.length : 0;
            if (hit)
            {
                needed += ReplySizes.valueReplyBytes(keyLength, item.valueLength());
            }
            // memcached 1.6 over UDP: a hit is its own response; a miss sends an empty (header-only) datagram
            // only as the very first response, and END rides on the last key's response
            final boolean ownResponse = hit || last || bufferWasEmpty;
            if ((ownResponse && !rb.beginResponse()) || !rb.fits(needed))
            {
                rb.rollbackToMark();
                if (bufferWasEmpty)
                {
                    // the value can never fit: memcached's reply when it cannot build a get response
                    rb.beginResponse();
                    rb.put(Replies.OUT_OF_MEMORY_GET);
                    finishLine(s);
                    return Flow.CONTINUE;
                }
                s.stageCursor = (int)(p - lineStart);
                return Flow.OUTPUT_FULL;
            }
            stats.increment(slot, ServerStats.CMD_GET);
            if (hit)
            {
                stats.increment(slot, ServerStats.GET_HITS);
                putValue(rb, in, p, keyLength, item.clientFlags(), item.valueLength(), withCas, item.cas());
                rb.put(item.segment(), item.valueOffset(), item.valueLength());
                rb.put(Replies.CRLF);
            }
            else
            {
                stats.increment(slot, ServerStats.GET_MISSES);
            }
            if (last)
            {
                rb.put(Replies.END);
            }
            p = following;
        }
        finishLine(s);
        return Flow.CONTINUE;
    }

    /** {@code VALUE <key> <flags> <bytes> [<cas>]\r\n}: the line before a retrieved value. */
    static void putValue(
        final ReplyBuffer rb, final MemorySegment key, final long keyOffset, final int keyLength, final int clientFlags,
        final int valueLength, final boolean withCas, final long cas)
    {
        rb.put(Replies.VALUE);
        rb.put(key, keyOffset, keyLength);
        rb.putByteUnchecked((byte)' ');
        rb.putUnsigned(clientFlags & 0xFFFFFFFFL);
        rb.putByteUnchecked((byte)' ');
        rb.putUnsigned(valueLength);
        if (withCas)
        {
            rb.putByteUnchecked((byte)' ');
            rb.putUnsigned(cas);
        }
        rb.put(Replies.CRLF);
    }

    // ------------------------------------------------------------------------------------------ gat

    int startGat(
        final RequestSession s, final long lineStart, final long contentEnd, final long next, final long nowSeconds)
    {
        final AsciiCodec c = s.codec;
        if (!c.tokenSigned32(1))
        {
            return Flow.reply(s, Replies.INVALID_EXPTIME, next, false);
        }
        s.gatExpiresAt = AsciiCodec.absoluteExpiry(c.number, nowSeconds);
        if (c.ntokens < 4)
        {
            return Flow.reply(s, Replies.END, next, false);
        }
        if (anyKeyTooLong(c, 2, s.input, contentEnd))
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, false);
        }
        s.stage = RequestSession.STAGE_MULTIGAT;
        s.stageFlags = c.tokenLength[0] == 4 ? 1 : 0;
        s.stageCursor = (int)(c.tokenStart[2] - lineStart);
        s.stageLineLength = (int)(next - lineStart);
        return continueGat(s);
    }

    /** Forwards the next key of the gat line as its own record and parks. */
    int continueGat(final RequestSession s)
    {
        final MemorySegment in = s.input;
        final long lineStart = s.position;
        final long contentEnd = lineStart + lineContentLength(s);
        final long p = CommandScan.nextKey(in, lineStart + s.stageCursor, contentEnd);
        if (p < 0)
        {
            finishLine(s);
            return Flow.CONTINUE;
        }
        final int keyLength = (int)(CommandScan.keyEnd(in, p, contentEnd) - p);
        final int r = forwarding.claim(s, in, p, keyLength, 0, true);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        forwarding.record().opcode(OP_GAT).options(OPTION_WANT_VALUE).exptime(s.gatExpiresAt);
        s.parkedKeyStart = (int)(p - lineStart);
        s.parkedKeyLength = keyLength;
        s.stageCursor = s.parkedKeyStart + keyLength;
        s.parkedInMultiGat = true;
        return forwarding.park(s, 0, WriteReplyFormatter.FOR_GAT_KEY, false, 0);
    }

    /**
     * A gat key's reply is formatted in {@code text}; adds END after the last key and moves the session on.
     * @return whether that was the line's last key.
     */
    boolean resumeGat(final RequestSession s, final ReplyBuffer text)
    {
        final long contentEnd = s.position + lineContentLength(s);
        final boolean lastKey = CommandScan.nextKey(s.input, s.position + s.stageCursor, contentEnd) < 0;
        if (lastKey)
        {
            text.put(Replies.END);
            finishLine(s);
        }
        else
        {
            s.stage = RequestSession.STAGE_MULTIGAT;
        }
        s.parkedInMultiGat = false;
        return lastKey;
    }
}
