package io.wirekv.dataplane.net;

/**
 * A peer's link-layer address packed in one {@code long}, enough to address a reply without ARP:
 * <pre>
 *   63     61 60  59        48 47                                   0
 *  +---------+---+------------+--------------------------------------+
 *  |    0    | V |  VLAN id   |             peer MAC                 |
 *  +---------+---+------------+--------------------------------------+
 *   V: 1 if frames to the peer carry an 802.1Q tag with this VLAN id (priority and DEI are not kept:
 *      replies written by {@link FrameWriter#writeUdpHeaders} are tagged with priority 0).
 * </pre>
 * A valid peer link is never negative, so -1 can mean "unknown".
 */
public final class PeerLink
{
    public static final int VLAN_SHIFT = 48;
    public static final long HAS_VLAN = 1L << 60;

    private PeerLink()
    {
    }

    /**
     * @param mac peer MAC (low 48 bits).
     * @return an untagged link.
     */
    public static long untagged(final long mac)
    {
        return mac & NetAddress.MAC_MASK;
    }

    /**
     * @param mac    peer MAC (low 48 bits).
     * @param vlanId 0..4095.
     * @return a tagged link.
     */
    public static long tagged(final long mac, final int vlanId)
    {
        return HAS_VLAN | ((long)(vlanId & EthernetDescriptor.VLAN_ID_MASK) << VLAN_SHIFT) | (mac & NetAddress.MAC_MASK);
    }

    public static long mac(final long peerLink)
    {
        return peerLink & NetAddress.MAC_MASK;
    }

    public static boolean hasVlan(final long peerLink)
    {
        return (peerLink & HAS_VLAN) != 0;
    }

    public static int vlanId(final long peerLink)
    {
        return (int)(peerLink >>> VLAN_SHIFT) & EthernetDescriptor.VLAN_ID_MASK;
    }

    public static String toString(final long peerLink)
    {
        return NetAddress.macToString(mac(peerLink)) + (hasVlan(peerLink) ? " vlan " + vlanId(peerLink) : "");
    }
}
