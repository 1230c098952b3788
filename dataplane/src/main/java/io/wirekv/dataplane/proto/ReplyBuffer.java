package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

/**
 * Off-heap reply accumulator over caller-owned memory. Stream mode (TCP, writer replies) is a
 * plain append buffer. Datagram mode (UDP) leaves an 8-byte frame-header gap at the start of
 * every {@code maxPayloadBytes} chunk, so the finished buffer already is the datagram train;
 * {@link #finishDatagrams(int)} fills in the headers once the count is known.
 */
public final class ReplyBuffer
{
    public ReplyBuffer(final MemorySegment memory)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    public MemorySegment memory()
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    public void resetStream()
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    public void resetDatagrams(int maxPayloadBytes)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** Bytes written so far, frame-header gaps included. */
    public int length()
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** Appends raw bytes; false (and nothing written) if they do not fit. */
    public boolean put(MemorySegment src, long offset, int length)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** Writes every frame header (request id, sequence, count, 0); returns the datagram count. */
    public int finishDatagrams(int requestId)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** Offset of datagram {@code index} within {@link #memory()} after {@link #finishDatagrams}. */
    public long datagramOffset(int index)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    public int datagramLength(int index)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }
}
