package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

/**
 * A reader's way of handing a write to its partition's writer: claim room for the record on the ring,
 * encode the command straight into it, then park the session until the binary reply comes back (or, for a
 * pipelining session's text write, queue the reply's place in its {@link WritePipeline} and read on).
 * <pre>
 *   int r = forwarding.claim(s, key, keyOffset, keyLength, valueLength, false);
 *   if (r != Flow.CONTINUE) return r;             // OUTPUT_FULL or BACKPRESSURE: nothing consumed
 *   forwarding.record().opcode(...)...;           // the fields of this command
 *   return forwarding.park(s, consumed, WriteReplyFormatter.FOR_STORE, noreply, 0);
 * </pre>
 * One instance per reader thread.
 */
final class WriteForwarding
{
    private final Table table;
    private final ProtocolSettings settings;
    private final WriteForwarder forwarder;
    private final WriteRecordEncoder encoder = new WriteRecordEncoder();
    private int claimedAt;
    /** The reply bound the last claim checked room for. */
    private int claimedBound;

    WriteForwarding(final Table table, final ProtocolSettings settings, final WriteForwarder forwarder)
    {
        this.table = table;
        this.settings = settings;
        this.forwarder = forwarder;
    }

    /** Reply bytes to keep free for a write whose reply may carry an item's value. */
    int valueReplyBound()
    {
        return ReplySizes.valueReplyBound(settings.itemSizeMaxBytes());
    }

    /**
     * Claims ring room for a record of this key (null: partition 0, no key) and value length, and starts it.
     * @return {@link Flow#CONTINUE} with {@link #record()} ready, or OUTPUT_FULL when the session's reply buffer
     * could not take the answer, or BACKPRESSURE when the ring is full.
     */
    int claim(
        final RequestSession s, final MemorySegment key, final long keyOffset, final int keyLength,
        final int valueLength, final boolean valueReply)
    {
        final ReplyBuffer rb = s.reply();
        final int bound = valueReply ? valueReplyBound() : ReplySizes.STATUS_REPLY_BOUND;
        // a pipelining session also keeps room for the replies of the writes already in flight
        final int reserved = null == s.pipeline ? 0 : s.pipeline.reservedBytes;
        if ((rb.length() > 0 || reserved > 0) && !rb.fits(reserved + bound))
        {
            return Flow.OUTPUT_FULL;
        }
        // the key's one hash: it picks the partition here and indexes the item on the writer (the record carries it)
        final long keyHash = key == null ? 0 : Table.keyHash(key, keyOffset, keyLength);
        final int partition = key == null ? 0 : table.partitionOfHash(keyHash);
        final int length = WriteRecordDescriptor.recordLength(key == null ? 0 : keyLength, valueLength);
        final int at = forwarder.claim(partition, length);
        if (at < 0)
        {
            return Flow.BACKPRESSURE;
        }
        claimedAt = at;
        claimedBound = bound;
        encoder.wrap(forwarder.memory(), at, length).partition(partition).ticket(s.ticket());
        if (key != null)
        {
            encoder.keyHash(keyHash).key(key, keyOffset, keyLength);
        }
        return Flow.CONTINUE;
    }

    /** The record being built since the last successful {@link #claim}. */
    WriteRecordEncoder record()
    {
        return encoder;
    }

    /**
     * The reply kinds a pipelining session does not park for: their reply needs nothing of the request's parse
     * but the kind and noreply ({@link WriteReplyFormatter#constantLine} or an incr/decr number).
     */
    static boolean isPipelined(final int replyKind)
    {
        return replyKind == WriteReplyFormatter.FOR_STORE || replyKind == WriteReplyFormatter.FOR_DELETE ||
            replyKind == WriteReplyFormatter.FOR_TOUCH || replyKind == WriteReplyFormatter.FOR_ARITHMETIC;
    }

    /**
     * Sends the record and parks the session (a pipelining session's text write instead queues in its
     * {@link WritePipeline}, is consumed at once and returns {@link Flow#CONTINUE}): on resume, {@code consumed} input bytes are consumed, then
     * {@code swallowAfter} more, and the reply is formatted as {@code replyKind}.
     */
    int park(
        final RequestSession s, final long consumed, final int replyKind, final boolean noreply, final long swallowAfter)
    {
        final WritePipeline pipeline = s.pipeline;
        if (null != pipeline && s.protocol == RequestSession.PROTOCOL_TEXT && isPipelined(replyKind))
        {
            // the reply comes back with the sequence in the ticket's high half; the session reads on meanwhile
            final int seq = pipeline.addWrite(replyKind, noreply, claimedBound);
            encoder.ticket(s.ticket() & 0xFFFF_FFFFL | (long)seq << 32);
            forwarder.commit(claimedAt);
            s.position += consumed;
            s.swallowRemaining = swallowAfter;
            return Flow.CONTINUE;
        }
        forwarder.commit(claimedAt);
        s.stage = RequestSession.STAGE_PARKED;
        s.parkedLength = (int)consumed;
        s.swallowAfterPark = swallowAfter;
        s.parkedReplyKind = replyKind;
        s.parkedNoreply = noreply;
        return Flow.PARKED;
    }
}
