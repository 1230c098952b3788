package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

/**
 * The protocol engine of one reader thread (an lcore or a TCP thread): parses memcached text
 * and meta commands from a session's input, answers reads from the table in place, forwards
 * writes to their partition's writer and parks until the reply comes back. Allocates nothing,
 * throws nothing: malformed input gets memcached's error reply.
 */
public final class RequestProcessor
{
    /** All complete commands consumed (a TCP stream may keep a partial one for later). */
    public static final int DONE = 0;
    /** A write was forwarded; call {@link #resume} with its reply. */
    public static final int PARKED = 1;
    /** The reply buffer cannot take the next reply: send what it holds, then call {@link #process} again. */
    public static final int OUTPUT_FULL = 2;
    /** The forwarding ring is full: nothing consumed; drain replies and call {@link #process} again. */
    public static final int BACKPRESSURE = 3;
    /** quit, or an error after which memcached closes the connection: send the reply, then close. */
    public static final int CLOSE = 4;

    public RequestProcessor(
        final Table table, final ProtocolSettings settings, final ServerStats stats, final WriteForwarder forwarder)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    public int process(RequestSession session)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** Appends the writer's reply for the parked command and continues like {@link #process}. */
    public int resume(RequestSession session, MemorySegment reply, long offset, int length)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }
}
