package io.wirekv.dataplane.net;

/**
 * ARP packet for IPv4 over Ethernet (RFC 826), the payload of an EtherType 0x0806 frame. Offsets are
 * from the first byte of the ARP packet (after the Ethernet/VLAN header); big-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  | hardware type (1 = Ethernet)  | protocol type (0x0800)        |  0
 *  +---------------+---------------+-------------------------------+
 *  | hw len (6)    | proto len (4) | opcode (1 request, 2 reply)   |  4
 *  +---------------+---------------+-------------------------------+
 *  |                sender hardware address (6 bytes)              |  8
 *  +                               +-------------------------------+
 *  |                               | sender protocol address       | 12
 *  +-------------------------------+-------------------------------+
 *  |                               | target hardware address       | 16
 *  +-------------------------------+                               +
 *  |                                                               | 20
 *  +---------------------------------------------------------------+
 *  |                    target protocol address                    | 24
 *  +---------------------------------------------------------------+  28
 * </pre>
 */
public final class ArpDescriptor
{
    public static final int HARDWARE_TYPE_OFFSET = 0;
    public static final int PROTOCOL_TYPE_OFFSET = HARDWARE_TYPE_OFFSET + 2;
    public static final int HARDWARE_LENGTH_OFFSET = PROTOCOL_TYPE_OFFSET + 2;
    public static final int PROTOCOL_LENGTH_OFFSET = HARDWARE_LENGTH_OFFSET + 1;
    public static final int OPCODE_OFFSET = PROTOCOL_LENGTH_OFFSET + 1;
    public static final int SENDER_MAC_OFFSET = OPCODE_OFFSET + 2;
    public static final int SENDER_IP_OFFSET = SENDER_MAC_OFFSET + 6;
    public static final int TARGET_MAC_OFFSET = SENDER_IP_OFFSET + 4;
    public static final int TARGET_IP_OFFSET = TARGET_MAC_OFFSET + 6;
    public static final int LENGTH = TARGET_IP_OFFSET + 4;

    public static final int HARDWARE_TYPE_ETHERNET = 1;
    public static final int OPCODE_REQUEST = 1;
    public static final int OPCODE_REPLY = 2;

    private ArpDescriptor()
    {
    }
}
