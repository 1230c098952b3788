package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * memcached's 8-byte UDP frame header, big-endian:
 * <pre>
 *  0               2               4               6               8
 *  +---------------+---------------+---------------+---------------+
 *  |  request id   | sequence no.  | datagram count|   reserved    |
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 * A request is read as memcached 1.6 reads it ({@code try_read_udp}): the request id is echoed, the
 * datagram count must be exactly 1, and the sequence number and reserved field are ignored (libmemcached
 * sends 0x0100 in the reserved field, pylibmc's UDP mode arbitrary bytes such as 0x7A00). Replies carry
 * reserved 0.
 */
public final class UdpFrame
{
    public static final int HEADER_LENGTH = 8;
    public static final int REQUEST_ID_OFFSET = 0;
    public static final int SEQUENCE_OFFSET = REQUEST_ID_OFFSET + 2;
    public static final int COUNT_OFFSET = SEQUENCE_OFFSET + 2;
    public static final int RESERVED_OFFSET = COUNT_OFFSET + 2;

    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private UdpFrame()
    {
    }

    /**
     * True if this is a request wirekv serves: at least a header and a datagram count of 1. Anything
     * else is counted and dropped. memcached 1.6.18 sends nothing for a count other than 1 either: its
     * {@code try_read_udp} formats {@code SERVER_ERROR multi-packet request not supported} but returns
     * without transmitting it (checked against a real {@code memcached -U}: no datagram leaves), so a
     * silent drop is byte-for-byte what a client sees from memcached. The sequence number and the
     * reserved field are ignored, as memcached ignores them.
     */
    public static boolean isValidRequest(final MemorySegment datagram, final long offset, final int length)
    {
        if (length < HEADER_LENGTH || offset < 0 || offset + length > datagram.byteSize())
        {
            return false;
        }
        return datagram.get(SHORT_BE, offset + COUNT_OFFSET) == 1;
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
