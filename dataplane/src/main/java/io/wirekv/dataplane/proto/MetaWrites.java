package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteRecordDecoder;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;

import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;
import static io.wirekv.dataplane.record.WriteReplyDescriptor.*;

/**
 * The writer's side of the meta commands that write (mg with N/T/R or a stale item's win token, md, ma),
 * as memcached 1.6.18 applies them. Part of {@link WriteApplier}; the reader formats the replies.
 */
final class MetaWrites
{
    private MetaWrites()
    {
    }

    /** mg that writes: vivify on miss (N), new TTL (T), win token on a stale or soon-expiring item (R). */
    static void get(final WriteApplier a, final long now)
    {
        final WriteRecordDecoder r = a.record();
        final PartitionWriter writer = a.writer();
        final ItemView item = a.item();
        final WriteReplyEncoder reply = a.reply();
        a.stats().increment(a.slot(), ServerStats.CMD_GET);
        if (!writer.find(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), item))
        {
            a.stats().increment(a.slot(), ServerStats.GET_MISSES);
            if (!r.has(OPTION_VIVIFY))
            {
                reply.status(STATUS_NOT_FOUND);
                return;
            }
            final int status = writer.publish(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(),
                a.empty(), 0, 0, a.empty(), 0, 0, 0, r.vivifyExptime(), a.newCasOrNext(), ItemView.META_WIN_SENT, item);
            if (status != Status.STORED)
            {
                reply.status((byte)status);
                return;
            }
            reply.status(STATUS_HIT);
            a.itemFacts();
            reply.addFacts(FACT_WON);
            valueIfWanted(a);
            bumpUnlessNoBump(a);
            return;
        }
        a.stats().increment(a.slot(), ServerStats.GET_HITS);
        final long oldExpiry = item.expiresAtSeconds();
        final int bits = item.metaBits();
        final boolean tokenSentBefore = (bits & ItemView.META_WIN_SENT) != 0;
        boolean won = false;
        boolean wonByStale = false;
        if (!tokenSentBefore)
        {
            if ((bits & ItemView.META_STALE) != 0)
            {
                won = true;
                wonByStale = true;
            }
            else if (r.has(OPTION_RECACHE) && oldExpiry != 0 && oldExpiry - now < r.number() - now)
            {
                won = true;
            }
        }
        if (won || r.has(OPTION_NEW_TTL))
        {
            final long newExpiry = r.has(OPTION_NEW_TTL) ? r.exptime() : oldExpiry;
            final int status = writer.publish(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), item.segment(),
                item.valueOffset(), item.valueLength(), a.empty(), 0, 0, item.clientFlags(), newExpiry, item.cas(),
                bits | (won ? ItemView.META_WIN_SENT : 0), item);
            if (status != Status.STORED)
            {
                reply.status((byte)status);
                return;
            }
        }
        reply.status(STATUS_HIT);
        a.itemFacts();
        reply.expiryBefore(oldExpiry);
        reply.addFacts((won ? FACT_WON : 0) | (wonByStale ? FACT_WON_BY_STALE : 0) |
            (tokenSentBefore ? FACT_TOKEN_SENT_BEFORE : 0));
        valueIfWanted(a);
        bumpUnlessNoBump(a);
    }

    /** After the reply has the item's facts (its h is the fetches before this one): mg's bump, unless u. */
    private static void bumpUnlessNoBump(final WriteApplier a)
    {
        if (!a.record().has(OPTION_NO_BUMP))
        {
            Table.bump(a.item());
        }
    }

    private static void valueIfWanted(final WriteApplier a)
    {
        if (a.record().has(OPTION_WANT_VALUE))
        {
            a.itemValue();
        }
    }

    /** md: NOT_FOUND, EXISTS on a C mismatch, else DELETED (or, with I, marked stale with a new CAS). */
    static void delete(final WriteApplier a)
    {
        final WriteRecordDecoder r = a.record();
        final PartitionWriter writer = a.writer();
        final ItemView item = a.item();
        final WriteReplyEncoder reply = a.reply();
        if (!writer.find(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), item))
        {
            a.stats().increment(a.slot(), ServerStats.DELETE_MISSES);
            reply.status(STATUS_NOT_FOUND);
            return;
        }
        if (r.has(OPTION_COMPARE_CAS) && r.compareCas() != item.cas())
        {
            reply.status(STATUS_EXISTS);
            return;
        }
        a.stats().increment(a.slot(), ServerStats.DELETE_HITS);
        if (r.has(OPTION_INVALIDATE))
        {
            final long expiry = r.has(OPTION_NEW_TTL) ? r.exptime() : item.expiresAtSeconds();
            writer.publish(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), item.segment(), item.valueOffset(),
                item.valueLength(), a.empty(), 0, 0, item.clientFlags(), expiry,
                a.newCasOrNext(), // memcached: invalidation bumps the CAS
                (item.metaBits() & (MetaReplyFormatter.META_KEY_BINARY | ItemView.META_FETCHED)) | ItemView.META_STALE,
                item);
        }
        else
        {
            writer.unlink(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash());
        }
        reply.status(STATUS_DELETED);
    }

    /** ma: EXISTS on a C mismatch, NOT_FOUND (or created by N with the initial value), else the new number. */
    static void arithmetic(final WriteApplier a)
    {
        final WriteRecordDecoder r = a.record();
        final PartitionWriter writer = a.writer();
        final ItemView item = a.item();
        final WriteReplyEncoder reply = a.reply();
        final boolean increment = !r.has(OPTION_DECREMENT);
        if (r.has(OPTION_COMPARE_CAS) && writer.find(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), item) &&
            item.cas() != r.compareCas())
        {
            reply.status(STATUS_EXISTS);
            return;
        }
        int status = a.semantics().arithmetic(writer, r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), increment,
            r.number(), item);
        if (status == Status.NOT_FOUND)
        {
            a.stats().increment(a.slot(), increment ? ServerStats.INCR_MISSES : ServerStats.DECR_MISSES);
            if (!r.has(OPTION_VIVIFY))
            {
                reply.status(STATUS_NOT_FOUND);
                return;
            }
            final int digits = formatUnsigned(a, r.initial());
            status = writer.publish(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(),
                a.numberScratch(), 0, digits, a.empty(), 0, 0, 0, r.vivifyExptime(), a.newCasOrNext(), 0, item);
            if (status != Status.STORED)
            {
                reply.status((byte)status);
                return;
            }
            reply.addFacts(FACT_CREATED);
        }
        else if (status != Status.STORED)
        {
            reply.status((byte)status); // NON_NUMERIC, TOO_LARGE, OUT_OF_MEMORY
            return;
        }
        else
        {
            a.stats().increment(a.slot(), increment ? ServerStats.INCR_HITS : ServerStats.DECR_HITS);
            status = a.applyNewCas();
            if (status != Status.STORED)
            {
                reply.status((byte)status);
                return;
            }
        }
        if (r.has(OPTION_NEW_TTL))
        {
            a.semantics().touch(writer, r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), r.exptime(), item);
        }
        reply.status(STATUS_STORED);
        a.itemFacts();
        reply.value(item.segment(), item.valueOffset(), a.numberLength());
    }

    private static int formatUnsigned(final WriteApplier a, final long value)
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
            a.numberScratch().set(AsciiCodec.BYTE, i, (byte)('0' + Long.remainderUnsigned(v, 10)));
            v = Long.divideUnsigned(v, 10);
        }
        return length;
    }
}
