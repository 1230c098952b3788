package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.KEY_MAX_LENGTH;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;

/**
 * memcached's meta commands on the reader's side, as memcached 1.6.18 checks them: mn and me answered here,
 * mg answered from the table unless it writes (N, T, R, or a stale item's win token), ms/md/ma and writing mg
 * encoded as write records. The flags are parsed once into {@link RequestSession#meta}, which also formats the
 * reply when the writer's answer comes back. One instance per reader thread.
 */
final class MetaCommands
{
    /**
     * memcached's MFLAG_MAX_OPT_LENGTH: a meta command whose ntokens (real tokens plus the terminal one)
     * exceeds this is refused with "options flags (are) too long" (so mg takes at most 17 flags).
     */
    static final int META_MAX_TOKENS = 20;

    private static final byte[] ME_EXP = Replies.b(" exp=");
    private static final byte[] ME_LA = Replies.b(" la=");
    private static final byte[] ME_CAS = Replies.b(" cas=");
    private static final byte[] ME_FETCH_NO = Replies.b(" fetch=no");
    private static final byte[] ME_FETCH_YES = Replies.b(" fetch=yes");
    private static final byte[] ME_CLS = Replies.b(" cls=1 size=");
    private static final byte[] EN_LINE = Replies.b("EN\r\n");

    private final TableReads reads;
    private final ProtocolSettings settings;
    private final ServerStats stats;
    private final int slot;
    private final WriteForwarding forwarding;
    private final MetaReplyFormatter formatter;
    private final ItemFacts facts = new ItemFacts();

    MetaCommands(
        final TableReads reads, final ProtocolSettings settings, final ServerStats stats, final int slot,
        final WriteForwarding forwarding, final MetaReplyFormatter formatter)
    {
        this.reads = reads;
        this.settings = settings;
        this.stats = stats;
        this.slot = slot;
        this.forwarding = forwarding;
        this.formatter = formatter;
    }

    /** {@code m<which> ...}: the line is tokenized in the session. */
    int process(final RequestSession s, final byte which, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        if (c.ntokens < 3 && (which == 'g' || which == 's' || which == 'd' || which == 'a'))
        {
            return Flow.reply(s, Replies.ERROR, next, false);
        }
        return switch (which)
        {
            case 'n' -> Flow.reply(s, Replies.MN, next, false);
            case 'g' -> get(s, lineStart, next);
            case 'e' -> debug(s, next);
            case 's' -> set(s, lineStart, next);
            case 'd', 'a' -> deleteOrArithmetic(s, which, lineStart, next);
            default -> Flow.reply(s, Replies.ERROR, next, false);
        };
    }

    private int get(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        final MetaFlags meta = s.meta;
        final byte[] refused = keyOrFlagCountError(c, Replies.MG_FLAGS_TOO_LONG);
        if (refused != null)
        {
            return Flow.reply(s, refused, next, false);
        }
        final long now = reads.nowSeconds();
        if (!meta.parse(c, 2, now))
        {
            return Flow.reply(s, meta.error, next, false);
        }
        if (MetaReplyFormatter.opaqueTooLong(c, 2))
        {
            return Flow.reply(s, Replies.OPAQUE_TOO_LONG, next, false);
        }
        if (meta.vivify || meta.newTtl || meta.recache)
        {
            return forwardGet(s, lineStart, next);
        }
        // a look, not yet a use: h reports the fetches before this one, so the bump comes after the reply
        final boolean hit = reads.peek(meta.key, meta.keyOffset, meta.keyLength);
        final ItemView item = reads.item();
        if (hit && (item.metaBits() & ItemView.META_STALE) != 0 && (item.metaBits() & ItemView.META_WIN_SENT) == 0)
        {
            return forwardGet(s, lineStart, next); // handing out the win token marks the item: that is a write
        }
        final ReplyBuffer rb = s.reply();
        rb.mark();
        if (!hit)
        {
            if (meta.quiet)
            {
                countGet(false);
                s.position = next;
                return Flow.CONTINUE;
            }
            if (!rb.beginResponse() || !rb.fits(MetaReplyFormatter.lineBound(c)))
            {
                rb.rollbackToMark();
                return Flow.OUTPUT_FULL;
            }
            countGet(false);
            rb.put(Replies.EN);
            formatter.appendFlags(rb, c, meta, 2, MetaReplyFormatter.KIND_MG, null, 0, now);
            rb.put(Replies.CRLF);
            s.position = next;
            return Flow.CONTINUE;
        }
        final boolean bufferWasEmpty = rb.length() == 0;
        final int needed = MetaReplyFormatter.lineBound(c) + (meta.value ? item.valueLength() + 2 : 0);
        if (!rb.beginResponse() || !rb.fits(needed))
        {
            rb.rollbackToMark();
            if (!bufferWasEmpty)
            {
                return Flow.OUTPUT_FULL;
            }
            stats.increment(slot, ServerStats.CMD_GET);
            rb.beginResponse();
            rb.put(Replies.OUT_OF_MEMORY_GET);
            s.position = next;
            return Flow.CONTINUE;
        }
        countGet(true);
        facts.from(item);
        formatter.writeMetaGetHit(rb, c, meta, facts, item.segment(), item.valueOffset(), facts.expiresAt, false, false,
            (facts.metaBits & ItemView.META_WIN_SENT) != 0, now);
        if (!meta.noBump)
        {
            Table.bump(item);
        }
        s.position = next;
        return Flow.CONTINUE;
    }

    /** memcached's first checks of mg/md/ma: a key within limits, not too many flags (mg words it differently). */
    private static byte[] keyOrFlagCountError(final AsciiCodec c, final byte[] tooManyFlags)
    {
        if (c.ntokens < 3 || c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return Replies.BAD_FORMAT;
        }
        return c.ntokens > META_MAX_TOKENS ? tooManyFlags : null;
    }

    /** Counted once the answer is certain, so no counter is ever taken back. */
    private void countGet(final boolean hit)
    {
        stats.increment(slot, ServerStats.CMD_GET);
        stats.increment(slot, hit ? ServerStats.GET_HITS : ServerStats.GET_MISSES);
    }

    private int forwardGet(final RequestSession s, final long lineStart, final long next)
    {
        final MetaFlags meta = s.meta;
        final int r = forwarding.claim(s, meta.key, meta.keyOffset, meta.keyLength, 0, true);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        forwarding.record()
            .opcode(OP_META_GET)
            .options(commonOptions(meta) | (meta.vivify ? OPTION_VIVIFY : 0) | (meta.recache ? OPTION_RECACHE : 0) |
                (meta.value ? OPTION_WANT_VALUE : 0) | (meta.noBump ? OPTION_NO_BUMP : 0))
            .exptime(meta.ttlExptime)
            .vivifyExptime(meta.vivifyExptime)
            .number(meta.recacheExptime)
            .newCas(meta.explicitCas);
        return forwarding.park(s, next - lineStart, WriteReplyFormatter.FOR_MG, false, 0);
    }

    /** The options every meta write shares: b, C, E, T. */
    private static int commonOptions(final MetaFlags meta)
    {
        return (meta.binaryKey ? OPTION_BINARY_KEY : 0) | (meta.hasCompareCas ? OPTION_COMPARE_CAS : 0) |
            (meta.hasExplicitCas ? OPTION_NEW_CAS : 0) | (meta.newTtl ? OPTION_NEW_TTL : 0);
    }

    /** memcached's cmd_meta counts the me commands that reached the lookup (not a retried one: OUTPUT_FULL repeats it). */
    private void countMetaDebug(final int status)
    {
        if (Flow.OUTPUT_FULL != status)
        {
            stats.increment(slot, ServerStats.CMD_META);
        }
    }

    private int debug(final RequestSession s, final long next)
    {
        final AsciiCodec c = s.codec;
        final MetaFlags meta = s.meta;
        if (c.ntokens < 3 || c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, false);
        }
        MemorySegment key = c.line;
        long keyOffset = c.tokenStart[1];
        int keyLength = c.tokenLength[1];
        if (c.ntokens > 3 && c.tokenLength[2] == 1 && c.tokenByte(2, 0) == 'b')
        {
            final int n = AsciiCodec.base64Decode(key, keyOffset, keyLength, meta.keyScratch, KEY_MAX_LENGTH);
            if (n <= 0)
            {
                return Flow.reply(s, Replies.BAD_FORMAT, next, false);
            }
            key = meta.keyScratch;
            keyOffset = 0;
            keyLength = n;
        }
        if (!reads.peek(key, keyOffset, keyLength)) // me is a look, not a use: memcached does not bump it either
        {
            final int status = Flow.reply(s, EN_LINE, next, false);
            countMetaDebug(status);
            return status;
        }
        final ItemView item = reads.item();
        final ReplyBuffer rb = s.reply();
        rb.mark();
        if (!rb.beginResponse() || !rb.fits(ReplySizes.ME_LINE_BOUND))
        {
            rb.rollbackToMark();
            return Flow.OUTPUT_FULL;
        }
        countMetaDebug(Flow.DONE);
        final long now = reads.nowSeconds();
        rb.put(Replies.ME);
        rb.put(c.line, c.tokenStart[1], c.tokenLength[1]);
        rb.put(ME_EXP);
        final long exp = item.expiresAtSeconds();
        // memcached 1.6.18 prints current_time - exptime: the remaining TTL negated (-1 = no expiry)
        rb.putSigned(exp == 0 ? -1 : now - exp);
        rb.put(ME_LA);
        rb.putUnsigned(Math.max(0, now - item.storedAtSeconds()));
        rb.put(ME_CAS);
        rb.putUnsigned(item.cas());
        rb.put((item.metaBits() & ItemView.META_FETCHED) != 0 ? ME_FETCH_YES : ME_FETCH_NO);
        rb.put(ME_CLS);
        rb.putUnsigned(AsciiCodec.ITEM_HEADER_BYTES + keyLength + 1 + (item.clientFlags() != 0 ? 4 : 0) +
            item.valueLength() + 2L);
        rb.put(Replies.CRLF);
        s.position = next;
        return Flow.CONTINUE;
    }

    private int set(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        final MetaFlags meta = s.meta;
        if (c.tokenLength[1] > KEY_MAX_LENGTH || c.ntokens <= 3)
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, false);
        }
        if (c.ntokens > META_MAX_TOKENS)
        {
            return Flow.reply(s, Replies.FLAGS_TOO_LONG, next, false); // data line not swallowed
        }
        if (!c.tokenSigned32(2) || c.number < 0 || c.number > Integer.MAX_VALUE - 2)
        {
            return Flow.reply(s, Replies.BAD_FORMAT, next, false);
        }
        final long vlen = c.number;
        final long total = vlen + 2;
        byte[] error = null;
        if (!meta.parse(c, 3, reads.nowSeconds()))
        {
            error = meta.error;
        }
        else if (MetaReplyFormatter.opaqueTooLong(c, 3))
        {
            error = Replies.OPAQUE_TOO_LONG;
        }
        else if (meta.mode != 0 && !CommandScan.validSetMode(meta.mode))
        {
            error = Replies.INVALID_MS_MODE;
        }
        else if (AsciiCodec.itemTooLarge(meta.keyLength, meta.clientFlags, vlen, settings.itemSizeMaxBytes()))
        {
            error = Replies.TOO_LARGE;
            stats.increment(slot, ServerStats.STORE_TOO_LARGE);
        }
        if (error != null)
        {
            return Flow.refuseWithData(s, error, next, false, total);
        }
        final int data = Flow.dataBlock(s, next, vlen, false);
        if (data != Flow.DATA_READY)
        {
            return data;
        }
        final int r = forwarding.claim(s, meta.key, meta.keyOffset, meta.keyLength, (int)vlen, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        byte mode = setMode(meta.mode);
        if (meta.hasCompareCas && (mode == MODE_SET || mode == MODE_REPLACE))
        {
            mode = MODE_CAS;
        }
        forwarding.record()
            .opcode(OP_STORE)
            .storeMode(mode)
            .options(commonOptions(meta) | (meta.invalidate ? OPTION_INVALIDATE : 0))
            .clientFlags((int)meta.clientFlags)
            .exptime(meta.newTtl ? meta.ttlExptime : 0)
            .compareCas(meta.compareCas)
            .newCas(meta.explicitCas)
            .value(s.input, next, (int)vlen);
        return forwarding.park(s, next + total - lineStart, WriteReplyFormatter.FOR_MS, false, 0);
    }

    /** ms's M token as a store mode (validated before). */
    private static byte setMode(final byte m)
    {
        return switch (m)
        {
            case 'E', 'e' -> MODE_ADD;
            case 'A', 'a' -> MODE_APPEND;
            case 'P', 'p' -> MODE_PREPEND;
            case 'R', 'r' -> MODE_REPLACE;
            default -> MODE_SET;
        };
    }

    private int deleteOrArithmetic(final RequestSession s, final byte which, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        final MetaFlags meta = s.meta;
        final byte[] refused = keyOrFlagCountError(c, Replies.FLAGS_TOO_LONG);
        if (refused != null)
        {
            return Flow.reply(s, refused, next, false);
        }
        if (!meta.parse(c, 2, reads.nowSeconds()))
        {
            return Flow.reply(s, Replies.INVALID_OR_DUPLICATE_FLAG, next, false);
        }
        if (MetaReplyFormatter.opaqueTooLong(c, 2))
        {
            return Flow.reply(s, Replies.OPAQUE_TOO_LONG, next, false);
        }
        final boolean arithmetic = which == 'a';
        if (arithmetic && meta.mode != 0 && !CommandScan.validArithmeticMode(meta.mode))
        {
            return Flow.reply(s, Replies.INVALID_MA_MODE, next, false);
        }
        final int r = forwarding.claim(s, meta.key, meta.keyOffset, meta.keyLength, 0, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        final WriteRecordEncoder record = forwarding.record()
            .options(commonOptions(meta) | (meta.invalidate ? OPTION_INVALIDATE : 0) |
                (meta.vivify ? OPTION_VIVIFY : 0) | (arithmetic && decrements(meta.mode) ? OPTION_DECREMENT : 0))
            .exptime(meta.ttlExptime)
            .compareCas(meta.compareCas)
            .newCas(meta.explicitCas);
        if (!arithmetic)
        {
            record.opcode(OP_META_DELETE);
            return forwarding.park(s, next - lineStart, WriteReplyFormatter.FOR_MD, false, 0);
        }
        record.opcode(OP_META_ARITHMETIC).number(meta.delta).initial(meta.initial).vivifyExptime(meta.vivifyExptime);
        return forwarding.park(s, next - lineStart, WriteReplyFormatter.FOR_MA, false, 0);
    }

    private static boolean decrements(final byte mode)
    {
        return mode == 'D' || mode == 'd' || mode == '-';
    }
}
