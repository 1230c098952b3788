package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

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
    public static final int REQUEST_ID_OFFSET = 0;
    public static final int SEQUENCE_OFFSET = REQUEST_ID_OFFSET + 2;
    public static final int COUNT_OFFSET = SEQUENCE_OFFSET + 2;
    public static final int RESERVED_OFFSET = COUNT_OFFSET + 2;

    /**
     * The only non-zero reserved value accepted: libmemcached's UDP clients (memcaslap among them)
     * set the reserved field to 0x0100 ("support facebook memcached" in its ms_conn.c). memcached
     * ignores the field altogether; wirekv drops any other non-zero value as malformed.
     */
    public static final short RESERVED_LIBMEMCACHED = 0x0100;

    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private UdpFrame()
    {
    }

    /**
     * True if this is a request wirekv serves: at least a header, count 1, reserved 0 (or
     * libmemcached's {@link #RESERVED_LIBMEMCACHED}). Anything else is counted and dropped
     * (multi-datagram requests are not supported, as in memcached 1.6). The sequence number is
     * ignored, as memcached ignores it.
     */
    public static boolean isValidRequest(final MemorySegment datagram, final long offset, final int length)
    {
        if (length < HEADER_LENGTH || offset < 0 || offset + length > datagram.byteSize())
        {
            return false;
        }
        final short reserved = datagram.get(SHORT_BE, offset + RESERVED_OFFSET);
        return datagram.get(SHORT_BE, offset + COUNT_OFFSET) == 1 &&
            (0 == reserved || RESERVED_LIBMEMCACHED == reserved);
    }

    public static int requestId(final MemorySegment datagram, final long offset)
    {
        return datagram.get(SHORT_BE, offset + REQUEST_ID_OFFSET) & 0xFFFF;
    }

    public static int sequence(final MemorySegment datagram, final long offset)
    {
        return datagram.get(SHORT_BE, offset + SEQUENCE_OFFSET) & 0xFFFF;
    }

    public static int count(final MemorySegment datagram, final long offset)
    {
        return datagram.get(SHORT_BE, offset + COUNT_OFFSET) & 0xFFFF;
    }
}
