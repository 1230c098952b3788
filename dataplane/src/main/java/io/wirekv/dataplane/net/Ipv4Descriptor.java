package io.wirekv.dataplane.net;

/**
 * IPv4 header (RFC 791). Offsets are from the first byte of the IP header; big-endian. IHL counts
 * 32-bit words and is at least 5; options, if any, sit between byte 20 and IHL * 4 and are legal.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------+-------+---------------+-------------------------------+
 *  |version|  IHL  |  DSCP / ECN   |         total length          |  0
 *  +-------+-------+---------------+-----+-------------------------+
 *  |        identification         |flags|    fragment offset      |  4   flags: 0, DF, MF
 *  +---------------+---------------+-----+-------------------------+
 *  |      TTL      |   protocol    |        header checksum        |  8
 *  +---------------+---------------+-------------------------------+
 *  |                        source address                         | 12
 *  +---------------------------------------------------------------+
 *  |                      destination address                      | 16
 *  +---------------------------------------------------------------+
 *  |                    options (IHL > 5) ...                      | 20
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class Ipv4Descriptor
{
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = VERSION_IHL_OFFSET + 1;
    public static final int TOTAL_LENGTH_OFFSET = TOS_OFFSET + 1;
    public static final int ID_OFFSET = TOTAL_LENGTH_OFFSET + 2;
    public static final int FLAGS_FRAGMENT_OFFSET = ID_OFFSET + 2;
    public static final int TTL_OFFSET = FLAGS_FRAGMENT_OFFSET + 2;
    public static final int PROTOCOL_OFFSET = TTL_OFFSET + 1;
    public static final int CHECKSUM_OFFSET = PROTOCOL_OFFSET + 1;
    public static final int SRC_OFFSET = CHECKSUM_OFFSET + 2;
    public static final int DST_OFFSET = SRC_OFFSET + 4;
    /** Header length without options (IHL 5). */
    public static final int MIN_HEADER_LENGTH = DST_OFFSET + 4;
    public static final int MAX_TOTAL_LENGTH = 0xFFFF;

    /** Version 4, IHL 5: the first byte of every header this stack writes. */
    public static final int VERSION_IHL_NO_OPTIONS = 0x45;
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    /** TTL of every packet this stack originates or answers. */
    public static final int DEFAULT_TTL = 64;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_UDP = 17;

    private Ipv4Descriptor()
    {
    }
}
