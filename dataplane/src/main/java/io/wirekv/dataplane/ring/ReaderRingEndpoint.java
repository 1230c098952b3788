package io.wirekv.dataplane.ring;

import io.wirekv.dataplane.proto.WriteForwarder;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A reader thread's end of the {@link WriteRings}: forwards write commands to the writer that
 * owns the partition ({@code partition % writers}) and hands writers' replies to a
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

    public ReaderRingEndpoint(final int reader, final WriteRings rings, final ReplyHandler replyHandler)
    {
        this.reader = reader;
        this.rings = rings;
        this.writers = rings.writers();
        this.drain.handler = replyHandler;
    }

    @Override
    public boolean forward(
        final int partition, final MemorySegment command, final long offset, final int length, final long ticket)
    {
        return WriteRings.offerRequest(rings.request(reader, partition % writers), ticket, partition, command, offset, length);
    }

    /** Delivers waiting replies to the handler; returns how many. */
    public int drainReplies()
    {
        int replies = 0;
        for (int w = 0; w < writers; w++)
        {
            final SpscMessageRing ring = rings.reply(reader, w);
            drain.memory = ring.memory();
            replies += ring.ring().read(drain, REPLIES_PER_WRITER_PER_CYCLE);
        }
        return replies;
    }

    private static final class Drain implements MessageHandler
    {
        ReplyHandler handler;
        MemorySegment memory;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            final long ticket = memory.get(JAVA_LONG_UNALIGNED, offset + WriteRings.TICKET_OFFSET);
            handler.onReply(
                ticket, memory, offset + WriteRings.REPLY_HEADER_LENGTH, length - WriteRings.REPLY_HEADER_LENGTH);
        }
    }
}
