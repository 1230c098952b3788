package io.wirekv.dataplane.net;

/**
 * UDP header (RFC 768); offsets from its first byte, big-endian. The checksum covers a pseudo-header
 * (source and destination address, zero, protocol 17, UDP length), the UDP header and the payload;
 * 0 on the wire means "no checksum", so a computed 0 is sent as 0xFFFF.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |          source port          |       destination port        |  0
 *  +-------------------------------+-------------------------------+
 *  |   length (header + payload)   |           checksum            |  4
 *  +-------------------------------+-------------------------------+
 *  |                          payload ...                          |  8
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class UdpDescriptor
{
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = SRC_PORT_OFFSET + 2;
    public static final int LENGTH_OFFSET = DST_PORT_OFFSET + 2;
    public static final int CHECKSUM_OFFSET = LENGTH_OFFSET + 2;
    public static final int HEADER_LENGTH = CHECKSUM_OFFSET + 2;

    private UdpDescriptor()
    {
    }
}
