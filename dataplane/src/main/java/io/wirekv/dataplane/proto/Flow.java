package io.wirekv.dataplane.proto;

/**
 * What a command handler tells the request driver: the public outcomes of {@link RequestProcessor#process}
 * plus {@link #CONTINUE} (the line is done, take the next one). Also the one way to answer a line with a
 * fixed reply.
 */
final class Flow
{
    static final int DONE = 0;
    static final int PARKED = 1;
    static final int OUTPUT_FULL = 2;
    static final int BACKPRESSURE = 3;
    static final int CLOSE = 4;
    static final int CONTINUE = -1;

    /** From {@link #dataBlock}: the data block is all here and ends in CRLF. */
    static final int DATA_READY = -2;

    private Flow()
    {
    }

    /**
     * The data block of {@code valueLength} bytes that follows a storage line ending at {@code next}:
     * {@link #DATA_READY}, or what to return instead (DONE: wait for the rest, which over UDP never comes;
     * or the line answered as a bad chunk and skipped).
     */
    static int dataBlock(final RequestSession s, final long next, final long valueLength, final boolean noreply)
    {
        final long total = valueLength + 2;
        if (s.end - next < total)
        {
            if (s.endOfInput)
            {
                s.position = s.end; // memcached over UDP waits for the rest forever: no reply
            }
            return DONE;
        }
        final long dataEnd = next + valueLength;
        if (s.input.get(AsciiCodec.BYTE, dataEnd) != '\r' || s.input.get(AsciiCodec.BYTE, dataEnd + 1) != '\n')
        {
            final int r = reply(s, Replies.BAD_DATA_CHUNK, next, noreply);
            if (r == CONTINUE)
            {
                s.position = next + total;
            }
            return r;
        }
        return DATA_READY;
    }

    /**
     * Writes a fixed reply as one response (nothing if {@code noreply}) and consumes the line up to {@code next}.
     * Behind pipelined writes still in flight, the line queues after their replies instead.
     */
    static int reply(final RequestSession s, final byte[] reply, final long next, final boolean noreply)
    {
        final WritePipeline pipeline = s.pipeline;
        if (!noreply && null != pipeline && !pipeline.isEmpty())
        {
            if (!s.reply().fits(pipeline.reservedBytes + reply.length))
            {
                return OUTPUT_FULL;
            }
            pipeline.addLocal(reply);
        }
        else if (!noreply)
        {
            final ReplyBuffer rb = s.reply();
            rb.mark();
            if (!rb.beginResponse() || !rb.put(reply))
            {
                rb.rollbackToMark();
                return OUTPUT_FULL;
            }
        }
        s.position = next;
        return CONTINUE;
    }

    /** {@link #reply}, then drops the data block of {@code dataBytes} that follows the refused line. */
    static int refuseWithData(
        final RequestSession s, final byte[] reply, final long next, final boolean noreply, final long dataBytes)
    {
        final int r = reply(s, reply, next, noreply);
        if (r == CONTINUE)
        {
            s.swallowRemaining = dataBytes;
        }
        return r;
    }
}
