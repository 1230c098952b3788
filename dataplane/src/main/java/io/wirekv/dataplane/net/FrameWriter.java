package io.wirekv.dataplane.net;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.net.Wire.*;

/**
 * Writes the headers of the frames a kernel-bypass port sends on its own: Ethernet/IPv4/UDP in front of a datagram's
 * payload (the server's replies, the load generator's requests) and the ARP requests that find a peer's MAC. The
 * receiving side, and the replies it rewrites in place (ARP, ping), are {@link NetStack}'s. One per {@link NetStack},
 * confined to its thread (the IPv4 id counter is per writer); allocation-free and exception-free.
 */
public final class FrameWriter
{
    /** Ethernet + IPv4 (no options) + UDP header length of an untagged datagram. */
    public static final int UDP_HEADERS_LENGTH = EthernetDescriptor.HEADER_LENGTH + Ipv4Descriptor.MIN_HEADER_LENGTH +
        UdpDescriptor.HEADER_LENGTH;
    /** Largest payload {@link #writeUdpHeaders} accepts (IPv4 total length is 16 bits). */
    public static final int MAX_UDP_PAYLOAD_LENGTH = Ipv4Descriptor.MAX_TOTAL_LENGTH - Ipv4Descriptor.MIN_HEADER_LENGTH -
        UdpDescriptor.HEADER_LENGTH;
    /** {@link #writeUdpHeaders}: no payload sum given, read the payload to take it. */
    public static final long SUM_THE_PAYLOAD = -1;

    private static final int ETH_HEADER = EthernetDescriptor.HEADER_LENGTH;
    private static final int VLAN_HEADER = EthernetDescriptor.VLAN_HEADER_LENGTH;
    private static final int IP_HEADER = Ipv4Descriptor.MIN_HEADER_LENGTH;
    private static final int UDP_HEADER = UdpDescriptor.HEADER_LENGTH;
    /** The sum of a datagram's IPv4 header words that never change: version/IHL/TOS, DF, TTL/protocol. */
    private static final int UDP_IP_HEADER_CONSTANT_SUM = (Ipv4Descriptor.VERSION_IHL_NO_OPTIONS << 8) +
        Ipv4Descriptor.FLAG_DF + ((Ipv4Descriptor.DEFAULT_TTL << 8) | Ipv4Descriptor.PROTOCOL_UDP);

    private final long localMac;
    private final int localIpv4;
    private final int udpPort;
    private int nextIpId;

    /**
     * @param local   our MAC and IPv4 address on this port: the source of every frame written.
     * @param udpPort the source port of every datagram written.
     */
    public FrameWriter(final NetAddress local, final int udpPort)
    {
        this.localMac = local.mac();
        this.localIpv4 = local.ipv4();
        this.udpPort = udpPort;
    }

    /**
     * @param peerLink see {@link PeerLink}.
     * @return bytes of Ethernet (+ VLAN tag) + IPv4 + UDP header a datagram to that link needs: 42 or 46.
     */
    public static int headerLength(final long peerLink)
    {
        return PeerLink.hasVlan(peerLink) ? UDP_HEADERS_LENGTH + EthernetDescriptor.VLAN_TAG_LENGTH : UDP_HEADERS_LENGTH;
    }

    /**
     * Writes Ethernet (+ an 802.1Q tag, priority 0, if the link has a VLAN), IPv4 (no options, DF set,
     * TTL 64, a per-stack incrementing id, header checksum) and UDP headers (source port ours, checksum
     * over pseudo-header, header and payload) at {@code offset}, for a datagram whose payload is
     * already at {@code offset + headerLength(peerLink)}. Short frames are not padded to 60 bytes (NICs
     * pad on transmit).
     *
     * @param memory        segment holding the frame buffer.
     * @param offset        absolute offset of the frame's first byte.
     * @param peerLink      destination MAC and VLAN, see {@link PeerLink} (not -1: look the peer up first).
     * @param peerIpv4      destination address, host order.
     * @param peerPort      destination port.
     * @param payloadLength payload bytes, 0..{@link #MAX_UDP_PAYLOAD_LENGTH}.
     * @param payloadSum    the payload's unfolded {@link Checksums#sum} when the caller took it while it copied the
     *                      payload in ({@link Checksums#copyAndSum}, so the payload is not read twice), else
     *                      {@link #SUM_THE_PAYLOAD}.
     * @return the frame length, or -1 (nothing written) if payloadLength is out of range or peerLink is
     *         negative (an {@link ArpTable#lookup} miss).
     */
    public int writeUdpHeaders(
        final MemorySegment memory,
        final long offset,
        final long peerLink,
        final int peerIpv4,
        final int peerPort,
        final int payloadLength,
        final long payloadSum)
    {
        if (payloadLength < 0 || payloadLength > MAX_UDP_PAYLOAD_LENGTH || peerLink < 0)
        {
            return -1;
        }
        final int udpLength = UDP_HEADER + payloadLength;
        final int totalLength = IP_HEADER + udpLength;
        final int ipId = nextIpId++ & 0xFFFF;
        // the header's ten 16-bit words are the values about to be written: sum them, not the bytes back from memory
        final int ipChecksum = Checksums.finish(UDP_IP_HEADER_CONSTANT_SUM + totalLength + ipId +
            (localIpv4 >>> 16) + (localIpv4 & 0xFFFF) + (peerIpv4 >>> 16) + (peerIpv4 & 0xFFFF));
        // the UDP header's words (ports, length, a zero checksum) summed from the values, as the IP header's
        final int sum = Checksums.finish(
            Checksums.pseudoHeaderSum(localIpv4, peerIpv4, Ipv4Descriptor.PROTOCOL_UDP, udpLength) +
            udpPort + peerPort + udpLength +
            (payloadSum == SUM_THE_PAYLOAD ? Checksums.sum(memory, offset + headerLength(peerLink), payloadLength) :
                payloadSum));
        final int udpChecksum = sum == 0 ? 0xFFFF : sum; // 0 on the wire means "no checksum": send its other form
        if (PeerLink.hasVlan(peerLink))
        {
            writeTaggedHeaders(memory, offset, peerLink, peerIpv4, peerPort, totalLength, ipId, ipChecksum, udpChecksum);
            return VLAN_HEADER + totalLength;
        }
        // an untagged frame's 42 header bytes as five big-endian longs and a short (the layouts' offsets, packed):
        // six bounds-checked stores instead of eighteen
        final long peerMac = PeerLink.mac(peerLink);
        memory.set(BE_LONG, offset, peerMac << 16 | localMac >>> 32);
        memory.set(BE_LONG, offset + 8, (localMac & 0xFFFF_FFFFL) << 32 |
            (long)EthernetDescriptor.ETHER_TYPE_IPV4 << 16 | Ipv4Descriptor.VERSION_IHL_NO_OPTIONS << 8);
        memory.set(BE_LONG, offset + 16, (long)totalLength << 48 | (long)ipId << 32 | Ipv4Descriptor.FLAG_DF << 16 |
            Ipv4Descriptor.DEFAULT_TTL << 8 | Ipv4Descriptor.PROTOCOL_UDP);
        memory.set(BE_LONG, offset + 24, (long)ipChecksum << 48 | (localIpv4 & 0xFFFF_FFFFL) << 16 | peerIpv4 >>> 16);
        memory.set(BE_LONG, offset + 32, (long)(peerIpv4 & 0xFFFF) << 48 | (long)udpPort << 32 | (long)peerPort << 16 |
            udpLength);
        putU16(memory, offset + 40, udpChecksum);
        return UDP_HEADERS_LENGTH + payloadLength;
    }

    /** {@link #writeUdpHeaders} with an 802.1Q tag, field by field (a VLAN is the rare case). */
    private void writeTaggedHeaders(
        final MemorySegment memory, final long offset, final long peerLink, final int peerIpv4, final int peerPort,
        final int totalLength, final int ipId, final int ipChecksum, final int udpChecksum)
    {
        putMac(memory, offset + EthernetDescriptor.DST_MAC_OFFSET, PeerLink.mac(peerLink));
        putMac(memory, offset + EthernetDescriptor.SRC_MAC_OFFSET, localMac);
        putU16(memory, offset + EthernetDescriptor.ETHER_TYPE_OFFSET, EthernetDescriptor.ETHER_TYPE_VLAN);
        putU16(memory, offset + EthernetDescriptor.VLAN_TCI_OFFSET, PeerLink.vlanId(peerLink));
        putU16(memory, offset + EthernetDescriptor.VLAN_ETHER_TYPE_OFFSET, EthernetDescriptor.ETHER_TYPE_IPV4);
        final long ip = offset + VLAN_HEADER;
        putU8(memory, ip + Ipv4Descriptor.VERSION_IHL_OFFSET, Ipv4Descriptor.VERSION_IHL_NO_OPTIONS);
        putU8(memory, ip + Ipv4Descriptor.TOS_OFFSET, 0);
        putU16(memory, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET, totalLength);
        putU16(memory, ip + Ipv4Descriptor.ID_OFFSET, ipId);
        putU16(memory, ip + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET, Ipv4Descriptor.FLAG_DF);
        putU8(memory, ip + Ipv4Descriptor.TTL_OFFSET, Ipv4Descriptor.DEFAULT_TTL);
        putU8(memory, ip + Ipv4Descriptor.PROTOCOL_OFFSET, Ipv4Descriptor.PROTOCOL_UDP);
        putU16(memory, ip + Ipv4Descriptor.CHECKSUM_OFFSET, ipChecksum);
        putI32(memory, ip + Ipv4Descriptor.SRC_OFFSET, localIpv4);
        putI32(memory, ip + Ipv4Descriptor.DST_OFFSET, peerIpv4);
        final long udp = ip + IP_HEADER;
        putU16(memory, udp + UdpDescriptor.SRC_PORT_OFFSET, udpPort);
        putU16(memory, udp + UdpDescriptor.DST_PORT_OFFSET, peerPort);
        putU16(memory, udp + UdpDescriptor.LENGTH_OFFSET, totalLength - IP_HEADER);
        putU16(memory, udp + UdpDescriptor.CHECKSUM_OFFSET, udpChecksum);
    }

    /**
     * Writes an untagged broadcast ARP request "who has {@code targetIpv4}? tell our address" (RFC 826),
     * padded with zeros to the 60-byte minimum frame, for a sender that must learn a peer's MAC before
     * it can address datagrams to it (the load generator). The reply, like every ARP addressed to us,
     * teaches the {@link ArpTable} when it is received through {@link NetStack#onFrame}.
     *
     * @param memory     segment holding the frame buffer (at least 60 bytes from {@code offset}).
     * @param offset     absolute offset of the frame's first byte.
     * @param targetIpv4 the address to resolve, host order.
     * @return the frame length ({@link EthernetDescriptor#MIN_FRAME_LENGTH}).
     */
    public int writeArpRequest(final MemorySegment memory, final long offset, final int targetIpv4)
    {
        putMac(memory, offset + EthernetDescriptor.DST_MAC_OFFSET, EthernetDescriptor.BROADCAST_MAC);
        putMac(memory, offset + EthernetDescriptor.SRC_MAC_OFFSET, localMac);
        putU16(memory, offset + EthernetDescriptor.ETHER_TYPE_OFFSET, EthernetDescriptor.ETHER_TYPE_ARP);
        final long arp = offset + ETH_HEADER;
        putU16(memory, arp + ArpDescriptor.HARDWARE_TYPE_OFFSET, ArpDescriptor.HARDWARE_TYPE_ETHERNET);
        putU16(memory, arp + ArpDescriptor.PROTOCOL_TYPE_OFFSET, EthernetDescriptor.ETHER_TYPE_IPV4);
        putU8(memory, arp + ArpDescriptor.HARDWARE_LENGTH_OFFSET, 6);
        putU8(memory, arp + ArpDescriptor.PROTOCOL_LENGTH_OFFSET, 4);
        putU16(memory, arp + ArpDescriptor.OPCODE_OFFSET, ArpDescriptor.OPCODE_REQUEST);
        putMac(memory, arp + ArpDescriptor.SENDER_MAC_OFFSET, localMac);
        putI32(memory, arp + ArpDescriptor.SENDER_IP_OFFSET, localIpv4);
        putMac(memory, arp + ArpDescriptor.TARGET_MAC_OFFSET, 0);
        putI32(memory, arp + ArpDescriptor.TARGET_IP_OFFSET, targetIpv4);
        for (int i = ETH_HEADER + ArpDescriptor.LENGTH; i < EthernetDescriptor.MIN_FRAME_LENGTH; i++)
        {
            putU8(memory, offset + i, 0);
        }
        return EthernetDescriptor.MIN_FRAME_LENGTH;
    }
}
