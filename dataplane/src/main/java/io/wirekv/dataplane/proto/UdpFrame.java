package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

/**
 * memcached's 8-byte UDP frame header, big-endian:
 * <pre>
 *  0               2               4               6               8
 *  +---------------+---------------+---------------+---------------+
 *  |  request id   | sequence no.  | datagram count|  reserved (0) |
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public final class UdpFrame
{
    public static final int HEADER_LENGTH = 8;

    private UdpFrame()
    {
    }

    /** True if this is a request wirekv serves: at least a header, count 1, sequence 0, reserved 0. */
    public static boolean isValidRequest(MemorySegment datagram, long offset, int length)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    public static int requestId(MemorySegment datagram, long offset)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }
}
