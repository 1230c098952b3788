package io.wirekv.dataplane.ring;

import io.wirekv.dataplane.proto.WriteForwarder;
import io.wirekv.dataplane.record.WriteReplyDecoder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import java.lang.foreign.MemorySegment;


/**
 * A reader thread's end of the {@link WriteRings}: claims room for write records on the ring to the
 * writer that owns the partition ({@code partition % writers}) and hands writers' binary replies to a
 * {@link ReplyHandler}. Used only by its reader thread.
 */
public final class ReaderRingEndpoint implements WriteForwarder
{
    /** Receives one writer reply: its ticket and the reply bytes in {@code memory}. */
    @FunctionalInterface
    public interface ReplyHandler
    {
        void onReply(long ticket, MemorySegment memory, long offset, int length);
    }

    private static final int REPLIES_PER_WRITER_PER_CYCLE = 64;

    private final int reader;
    private final WriteRings rings;
    private final int writers;
    private final Drain drain = new Drain();
    private SpscMessageRing claimed;
    /** Records sent minus replies taken: a writer answers each record exactly once and sends nothing unasked. */
    private long awaitingReplies;

    public ReaderRingEndpoint(final int reader, final WriteRings rings, final ReplyHandler replyHandler)
    {
        this.reader = reader;
        this.rings = rings;
        this.writers = rings.writers();
        this.drain.handler = replyHandler;
    }

    @Override
    public int claim(final int partition, final int length)
    {
        final SpscMessageRing ring = rings.request(reader, partition % writers);
        final int at = ring.tryClaim(WriteRings.MSG_WRITE, length);
        if (at >= 0)
        {
            claimed = ring;
        }
        return at;
    }

    @Override
    public MemorySegment memory()
    {
        return claimed.memory();
    }

    @Override
    public void commit(final int offset)
    {
        claimed.commit(offset);
        awaitingReplies++;
    }

    /**
     * Delivers waiting replies to the handler; returns how many. With no record awaiting its reply there is none to
     * take, and the rings are not looked at: a reader that forwards no writes (a colocated TCP agent with no
     * clients, an lcore serving only reads) pays nothing for them in its duty cycle.
     */
    public int drainReplies()
    {
        if (0 == awaitingReplies)
        {
            return 0;
        }
        int replies = 0;
        for (int w = 0; w < writers; w++)
        {
            final SpscMessageRing ring = rings.reply(reader, w);
            drain.memory = ring.memory();
            replies += ring.ring().read(drain, REPLIES_PER_WRITER_PER_CYCLE);
        }
        awaitingReplies -= replies;
        return replies;
    }

    private static final class Drain implements MessageHandler
    {
        final WriteReplyDecoder reply = new WriteReplyDecoder();
        ReplyHandler handler;
        MemorySegment memory;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            handler.onReply(reply.wrap(memory, offset).ticket(), memory, offset, length);
        }
    }
}
