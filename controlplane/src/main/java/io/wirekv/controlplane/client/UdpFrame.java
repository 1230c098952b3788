package io.wirekv.controlplane.client;

/**
 * The client side of memcached's 8-byte UDP frame header, over heap byte arrays. The layout (and
 * its diagram) is defined once, by the server's {@link io.wirekv.dataplane.proto.UdpFrame}; this
 * class reads and writes it. A request is one datagram (sequence 0, count 1); a reply may span
 * {@code count} datagrams numbered 0..count-1, all carrying the request's id.
 */
public final class UdpFrame
{
    public static final int HEADER_LENGTH = io.wirekv.dataplane.proto.UdpFrame.HEADER_LENGTH;
    public static final int REQUEST_ID_OFFSET = io.wirekv.dataplane.proto.UdpFrame.REQUEST_ID_OFFSET;
    public static final int SEQUENCE_OFFSET = io.wirekv.dataplane.proto.UdpFrame.SEQUENCE_OFFSET;
    public static final int COUNT_OFFSET = io.wirekv.dataplane.proto.UdpFrame.COUNT_OFFSET;
    public static final int RESERVED_OFFSET = io.wirekv.dataplane.proto.UdpFrame.RESERVED_OFFSET;
    /** Largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = 65507;

    private UdpFrame()
    {
    }

    /** Writes a request header (sequence 0, count 1) at {@code offset}. */
    public static void writeRequestHeader(final byte[] buffer, final int offset, final int requestId)
    {
        putU16(buffer, offset + REQUEST_ID_OFFSET, requestId);
        putU16(buffer, offset + SEQUENCE_OFFSET, 0);
        putU16(buffer, offset + COUNT_OFFSET, 1);
        putU16(buffer, offset + RESERVED_OFFSET, 0);
    }

    public static int requestId(final byte[] buffer, final int offset)
    {
        return u16(buffer, offset + REQUEST_ID_OFFSET);
    }

    public static int sequence(final byte[] buffer, final int offset)
    {
        return u16(buffer, offset + SEQUENCE_OFFSET);
    }

    public static int count(final byte[] buffer, final int offset)
    {
        return u16(buffer, offset + COUNT_OFFSET);
    }

    static void putU16(final byte[] b, final int i, final int v)
    {
        b[i] = (byte)(v >>> 8);
        b[i + 1] = (byte)v;
    }

    static int u16(final byte[] b, final int i)
    {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }
}
