package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteReplyDecoder;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.record.WriteReplyDescriptor.*;

/**
 * Turns the writer's {@link io.wirekv.dataplane.record.WriteReplyDescriptor binary reply} into memcached's
 * text or meta reply for the parked command, from the session's own parse of it (noreply, meta flags in
 * request order, the gat key) and with the same {@link MetaReplyFormatter} the reads use. One instance per
 * reader thread.
 */
final class WriteReplyFormatter
{
    // How to answer a parked write: set by the command handler when it parks.
    static final int FOR_STORE = 1;
    static final int FOR_DELETE = 2;
    static final int FOR_ARITHMETIC = 3;
    static final int FOR_TOUCH = 4;
    static final int FOR_GAT_KEY = 5;
    static final int FOR_FLUSH_ALL = 6;
    static final int FOR_MG = 7;
    static final int FOR_MS = 8;
    static final int FOR_MD = 9;
    static final int FOR_MA = 10;

    private final MetaReplyFormatter meta;
    private final WriteReplyDecoder reply = new WriteReplyDecoder();
    private final ItemFacts facts = new ItemFacts();

    WriteReplyFormatter(final MetaReplyFormatter meta)
    {
        this.meta = meta;
    }

    /** {@link #constantLine}'s answer when noreply silences the reply. */
    static final byte[] NO_LINE = new byte[0];

    /**
     * The whole reply when it is one constant line (a text store, delete, touch or flush_all; or the error for
     * a refused record), {@link #NO_LINE} when noreply silences it, or null when it needs {@link #format}. The
     * reader puts such a line straight into the session's reply, with no formatting buffer in between.
     */
    byte[] constantLine(final RequestSession s, final MemorySegment memory, final long offset)
    {
        final byte status = reply.wrap(memory, offset).status();
        if (status == STATUS_BAD_RECORD)
        {
            return Replies.ERROR; // never sent by this reader; says so rather than guessing
        }
        final byte[] refusal = Replies.refusal(status);
        if (null != refusal)
        {
            // the log or replication refused the write before it changed anything (the reason is in `wirekv errors`)
            return s.parkedNoreply ? NO_LINE : refusal;
        }
        final byte[] line = switch (s.parkedReplyKind)
        {
            case FOR_STORE -> storeReply(status);
            case FOR_DELETE -> status == STATUS_DELETED ? Replies.DELETED : Replies.NOT_FOUND;
            case FOR_TOUCH -> status == STATUS_TOUCHED ? Replies.TOUCHED : Replies.NOT_FOUND;
            case FOR_FLUSH_ALL -> Replies.OK;
            default -> null;
        };
        return null == line || !s.parkedNoreply ? line : NO_LINE;
    }

    /** Writes the reply text (possibly nothing: noreply, q) into {@code out}. */
    void format(final RequestSession s, final MemorySegment memory, final long offset, final ReplyBuffer out,
        final long now)
    {
        final byte[] line = constantLine(s, memory, offset);
        if (null != line)
        {
            out.put(line);
            return;
        }
        final WriteReplyDecoder r = reply.wrap(memory, offset);
        final byte status = r.status();
        final ItemFacts item = r.has(FACT_ITEM) ? facts.from(r) : null;
        switch (s.parkedReplyKind)
        {
            case FOR_ARITHMETIC -> arithmetic(s, r, status, out);
            case FOR_GAT_KEY -> gatKey(s, r, item, out);
            case FOR_MG -> metaGet(s, r, status, item, out, now);
            case FOR_MS -> metaSet(s, status, item, out, now);
            case FOR_MD -> metaDelete(s, status, out, now);
            case FOR_MA -> metaArithmetic(s, r, status, item, out, now);
            default -> out.put(Replies.ERROR);
        }
    }

    private static byte[] storeReply(final byte status)
    {
        return switch (status)
        {
            case STATUS_STORED -> Replies.STORED;
            case STATUS_NOT_STORED -> Replies.NOT_STORED;
            case STATUS_EXISTS -> Replies.EXISTS;
            case STATUS_NOT_FOUND -> Replies.NOT_FOUND;
            case STATUS_TOO_LARGE -> Replies.TOO_LARGE;
            default -> Replies.OUT_OF_MEMORY_STORING;
        };
    }

    private static byte[] serverError(final byte status)
    {
        return status == STATUS_TOO_LARGE ? Replies.TOO_LARGE : Replies.OUT_OF_MEMORY_STORING;
    }

    private static void arithmetic(
        final RequestSession s, final WriteReplyDecoder r, final byte status, final ReplyBuffer out)
    {
        if (s.parkedNoreply)
        {
            return;
        }
        switch (status)
        {
            case STATUS_STORED ->
            {
                out.put(r.buffer(), r.valueOffset(), r.valueLength());
                out.put(Replies.CRLF);
            }
            case STATUS_NON_NUMERIC -> out.put(Replies.NON_NUMERIC);
            default -> out.put(storeReply(status));
        }
    }

    /** One key of gat/gats: its VALUE block on a hit, nothing on a miss (the caller adds END after the last). */
    private static void gatKey(final RequestSession s, final WriteReplyDecoder r, final ItemFacts item, final ReplyBuffer out)
    {
        if (item == null)
        {
            return;
        }
        final boolean withCas = (s.stageFlags & 1) != 0;
        GetCommands.putValue(out, s.input, s.position + s.parkedKeyStart, s.parkedKeyLength, item.clientFlags,
            item.valueLength, withCas, item.cas);
        out.put(r.buffer(), r.valueOffset(), r.valueLength());
        out.put(Replies.CRLF);
    }

    private void metaGet(
        final RequestSession s, final WriteReplyDecoder r, final byte status, final ItemFacts item,
        final ReplyBuffer out, final long now)
    {
        final MetaFlags m = s.meta;
        if (status == STATUS_NOT_FOUND)
        {
            if (!m.quiet)
            {
                out.put(Replies.EN);
                meta.appendFlags(out, s.codec, m, 2, MetaReplyFormatter.KIND_MG, null, 0, now);
                out.put(Replies.CRLF);
            }
            return;
        }
        if (status != STATUS_HIT)
        {
            out.put(serverError(status));
            return;
        }
        meta.writeMetaGetHit(out, s.codec, m, item, r.buffer(), r.valueOffset(), r.expiryBefore(), r.has(FACT_WON),
            r.has(FACT_WON_BY_STALE), r.has(FACT_TOKEN_SENT_BEFORE), now);
    }

    /** A meta status line: code, then the return flags ({@code item} null: only O and k echo). */
    private void metaStatus(
        final RequestSession s, final ReplyBuffer out, final byte[] code, final int kind, final ItemFacts item,
        final long now)
    {
        out.put(code);
        meta.appendFlags(out, s.codec, s.meta, kind == MetaReplyFormatter.KIND_MS ? 3 : 2, kind, item,
            item == null ? 0 : item.expiresAt, now);
        out.put(Replies.CRLF);
    }

    private void metaSet(
        final RequestSession s, final byte status, final ItemFacts item, final ReplyBuffer out, final long now)
    {
        final int kind = MetaReplyFormatter.KIND_MS;
        switch (status)
        {
            case STATUS_STORED ->
            {
                if (!s.meta.quiet)
                {
                    metaStatus(s, out, Replies.HD, kind, item, now);
                }
            }
            case STATUS_NOT_STORED -> metaStatus(s, out, Replies.NS, kind, null, now);
            case STATUS_EXISTS -> metaStatus(s, out, Replies.EX, kind, null, now);
            case STATUS_NOT_FOUND -> metaStatus(s, out, Replies.NF, kind, null, now);
            default -> out.put(serverError(status));
        }
    }

    private void metaDelete(final RequestSession s, final byte status, final ReplyBuffer out, final long now)
    {
        final int kind = MetaReplyFormatter.KIND_MD;
        switch (status)
        {
            case STATUS_NOT_FOUND -> metaStatus(s, out, Replies.NF, kind, null, now);
            case STATUS_EXISTS -> metaStatus(s, out, Replies.EX, kind, null, now);
            default ->
            {
                if (!s.meta.quiet)
                {
                    metaStatus(s, out, Replies.HD, kind, null, now);
                }
            }
        }
    }

    private void metaArithmetic(
        final RequestSession s, final WriteReplyDecoder r, final byte status, final ItemFacts item,
        final ReplyBuffer out, final long now)
    {
        final MetaFlags m = s.meta;
        switch (status)
        {
            case STATUS_EXISTS -> metaStatus(s, out, Replies.EX, MetaReplyFormatter.KIND_MA, null, now);
            case STATUS_NOT_FOUND -> metaStatus(s, out, Replies.NF, MetaReplyFormatter.KIND_MA, null, now);
            case STATUS_NON_NUMERIC -> out.put(Replies.NON_NUMERIC);
            case STATUS_STORED ->
            {
                if (m.quiet && !r.has(FACT_CREATED))
                {
                    return;
                }
                if (m.value)
                {
                    out.put(Replies.VA);
                    out.putUnsigned(r.valueLength());
                }
                else
                {
                    out.put(Replies.HD);
                }
                meta.appendFlags(out, s.codec, m, 2, MetaReplyFormatter.KIND_MA, item, item.expiresAt, now);
                out.put(Replies.CRLF);
                if (m.value)
                {
                    out.put(r.buffer(), r.valueOffset(), r.valueLength());
                    out.put(Replies.CRLF);
                }
            }
            default -> out.put(serverError(status));
        }
    }
}
