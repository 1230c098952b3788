package io.wirekv.dataplane.net;

/**
 * ICMP echo request/reply (RFC 792); offsets from the first byte of the ICMP message, big-endian.
 * The checksum covers the whole ICMP message (header and data, odd length padded with a zero byte).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  | type (8 / 0)  |   code (0)    |           checksum            |  0
 *  +---------------+---------------+-------------------------------+
 *  |          identifier           |        sequence number        |  4
 *  +-------------------------------+-------------------------------+
 *  |                           data ...                            |  8
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class IcmpDescriptor
{
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = TYPE_OFFSET + 1;
    public static final int CHECKSUM_OFFSET = CODE_OFFSET + 1;
    public static final int IDENTIFIER_OFFSET = CHECKSUM_OFFSET + 2;
    public static final int SEQUENCE_OFFSET = IDENTIFIER_OFFSET + 2;
    public static final int HEADER_LENGTH = SEQUENCE_OFFSET + 2;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_ECHO_REQUEST = 8;

    private IcmpDescriptor()
    {
    }
}
