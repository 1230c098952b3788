package io.wirekv.dataplane.net;

/**
 * Ethernet II header, optionally with one IEEE 802.1Q VLAN tag. Offsets are from the first byte
 * of the frame; multi-byte fields are big-endian. The FCS is not part of the frame as ports deliver it.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------------------------------------+
 *  |                 destination MAC (6 bytes)                   |  0
 *  +                             +-------------------------------+
 *  |                             |                               |  4
 *  +-----------------------------+      source MAC (6 bytes)     +
 *  |                                                             |  8
 *  +-----------------------------+-------------------------------+
 *  | EtherType (0x0800 IPv4,     | payload ...                   | 12  untagged: header is 14 bytes
 *  |   0x0806 ARP, 0x8100 VLAN)  |                               |
 *  +-----------------------------+-------------------------------+
 *  tagged (EtherType at 12 is 0x8100):
 *  +-----------------------------+-------------------------------+
 *  | TPID 0x8100                 | PCP(3) DEI(1) VLAN id(12)     | 12
 *  +-----------------------------+-------------------------------+
 *  | inner EtherType             | payload ...                   | 16  tagged: header is 18 bytes
 *  +-----------------------------+-------------------------------+
 * </pre>
 */
public final class EthernetDescriptor
{
    public static final int DST_MAC_OFFSET = 0;
    public static final int SRC_MAC_OFFSET = DST_MAC_OFFSET + 6;
    public static final int ETHER_TYPE_OFFSET = SRC_MAC_OFFSET + 6;
    public static final int HEADER_LENGTH = ETHER_TYPE_OFFSET + 2;

    /** Offset of the tag control information (PCP, DEI, VLAN id) in a tagged frame. */
    public static final int VLAN_TCI_OFFSET = ETHER_TYPE_OFFSET + 2;
    public static final int VLAN_ETHER_TYPE_OFFSET = VLAN_TCI_OFFSET + 2;
    public static final int VLAN_HEADER_LENGTH = VLAN_ETHER_TYPE_OFFSET + 2;
    public static final int VLAN_TAG_LENGTH = VLAN_HEADER_LENGTH - HEADER_LENGTH;
    public static final int VLAN_ID_MASK = 0x0FFF;

    /** Shortest frame on the wire without FCS; shorter frames are padded by the sender. */
    public static final int MIN_FRAME_LENGTH = 60;

    public static final int ETHER_TYPE_IPV4 = 0x0800;
    public static final int ETHER_TYPE_ARP = 0x0806;
    public static final int ETHER_TYPE_VLAN = 0x8100;

    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    /** The I/G bit of the first octet: set for multicast and broadcast addresses. */
    public static final long GROUP_BIT = 1L << 40;

    private EthernetDescriptor()
    {
    }
}
