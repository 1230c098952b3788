package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

/**
 * The resumable state of one request stream: a TCP connection, or one UDP datagram. Holds the
 * input window, the reply being built, and where processing stopped when a write was handed
 * to a writer ({@link RequestProcessor#PARKED}). Reused, never allocated per request.
 */
public final class RequestSession
{
    public RequestSession(final long ticket, final ReplyBuffer reply)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** The id the writer's reply carries back to find this session. */
    public long ticket()
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    public ReplyBuffer reply()
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /**
     * Points the session at unconsumed input {@code [start, end)} of {@code input}.
     * {@code endOfInput} is true for a UDP datagram (an incomplete command is an error) and
     * false for a TCP stream (an incomplete command waits for more bytes).
     */
    public void wrapInput(MemorySegment input, long start, long end, boolean endOfInput)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** First byte not yet consumed. */
    public long inputPosition()
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    public boolean isParked()
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** Forget all state (connection closed, datagram done). */
    public void reset()
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }
}
