package io.wirekv.dataplane.net;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.net.NetCounters.*;
import static io.wirekv.dataplane.net.Wire.*;

/**
 * The L2/L3 stack a kernel-bypass lcore runs on raw Ethernet frames: classifies each received frame,
 * answers ARP and ping in place and hands UDP datagrams for the service port to the caller; its
 * {@link FrameWriter} writes the headers of the datagrams the caller sends. One per lcore and queue,
 * confined to its thread; allocation-free and exception-free on every path after construction.
 * <p>
 * A frame is {@code (memory, offset, length)}: {@code offset} is absolute in {@code memory} (on DPDK
 * the segment spans the address space and the offset is the mbuf data address) and the caller
 * guarantees those {@code length} bytes lie inside the segment. Nothing outside them is read or
 * written, whatever the frame holds.
 * <pre>
 *  | Ethernet 14 | [802.1Q tag 4] | IPv4 20 [+ options] | UDP 8 | payload ... | [Ethernet padding]
 *  | Ethernet 14 | [802.1Q tag 4] | ARP 28                      | [Ethernet padding]
 *  | Ethernet 14 | [802.1Q tag 4] | IPv4 20 [+ options] | ICMP 8 | data ... | [Ethernet padding]
 * </pre>
 * What is accepted (each decision is one outcome counter in {@link NetCounters}):
 * <ul>
 *   <li>Ethernet: destination our MAC, or broadcast for ARP only (IP to the broadcast MAC, multicast
 *       MACs: not for us); source must not be a group address (malformed). One 802.1Q tag of any
 *       VLAN id is accepted and kept in replies; stacked tags and other EtherTypes (IPv6, LLC) are
 *       unsupported.</li>
 *   <li>ARP (Ethernet/IPv4 only): a request for our address is answered in place; every other
 *       request or reply, gratuitous ARP included, is {@code arp_other}. Every ARP with a non-zero
 *       sender address that is not ours teaches the {@link ArpTable}.</li>
 *   <li>IPv4: version 4, IHL at least 5 (options are legal and skipped; an echo reply keeps them
 *       verbatim), total length at least the header and at most what the frame holds (Ethernet
 *       padding after it is ignored), source not 0.0.0.0, multicast, class E or broadcast, header
 *       checksum verified, TTL ignored. Destination must be our unicast address exactly: directed
 *       and limited broadcast and multicast are not for us. UDP fragments go to the {@link Ipv4Reassembler}:
 *       one it keeps is {@code fragment_held} (verdict DROP: its bytes were copied); the one completing a datagram
 *       takes the whole datagram through the UDP checks below and their outcome. Other fragments and those not
 *       kept are {@code drop_fragment}. Accepted packets teach the {@link ArpTable} (source to MAC and VLAN).</li>
 *   <li>ICMP: echo request (code 0, checksum verified) is answered in place; other types are
 *       unsupported.</li>
 *   <li>UDP: destination port ours, source port not 0, UDP length equal to the IP payload length
 *       (stricter than Linux, which trims excess), checksum 0 accepted as "none", otherwise verified
 *       over the pseudo-header.</li>
 * </ul>
 * Frames that are merely not ours (not for us, unsupported, fragments of other protocols, {@code arp_other}) get
 * {@link #DROP} when the stack was built with {@code dropUnhandled}, else {@link #PASS}; malformed
 * frames and bad checksums always get {@link #DROP}.
 * <p>
 * Use on an lcore, per received frame:
 * <pre>{@code
 * switch (stack.onFrame(memory, offset, length))
 * {
 *     case NetStack.UDP_REQUEST ->
 *     {
 *         // request payload: stack.payloadLength() bytes at stack.payloadOffset() in stack.payloadMemory() (the
 *         // frame's memory, or the reassembler's for a datagram that came in fragments), valid until the next
 *         // onFrame. A reply built in the same buffer puts its payload at offset +
 *         // FrameWriter.headerLength(stack.peerLink()), which is not payloadOffset() when the request had IP
 *         // options, then:
 *         final int frameLength = stack.frameWriter().writeUdpHeaders(memory, offset, stack.peerLink(),
 *             stack.peerIpv4(), stack.peerPort(), replyPayloadLength, FrameWriter.SUM_THE_PAYLOAD);
 *         // transmit frameLength bytes at offset
 *     }
 *     case NetStack.REPLY_IN_PLACE -> transmit(offset, stack.replyLength());
 *     case NetStack.PASS -> passToKernel(frame); // AF_XDP; counted already
 *     default -> free(frame);                     // DROP: counted already
 * }
 * }</pre>
 */
public final class NetStack
{
    /** A UDP datagram for the service: see {@link #payloadOffset()} and the other accessors. */
    public static final int UDP_REQUEST = 1;
    /** The frame was rewritten into its reply; send {@link #replyLength()} bytes from the same offset. */
    public static final int REPLY_IN_PLACE = 2;
    /** Counted and to be freed. */
    public static final int DROP = 3;
    /** Not ours: give it back to the kernel where the backend can (AF_XDP), else free it. */
    public static final int PASS = 4;

    private static final int ETH_HEADER = EthernetDescriptor.HEADER_LENGTH;
    private static final int VLAN_HEADER = EthernetDescriptor.VLAN_HEADER_LENGTH;
    private static final int IP_HEADER = Ipv4Descriptor.MIN_HEADER_LENGTH;
    private static final int UDP_HEADER = UdpDescriptor.HEADER_LENGTH;
    private static final int VALID_CHECKSUM_SUM = 0xFFFF;

    private final long localMac;
    private final int localIpv4;
    private final int udpPort;
    private final NetCounters counters;
    private final boolean dropUnhandled;
    private final ArpTable arpTable;
    private final Ipv4Reassembler reassembler;
    private final FrameWriter frameWriter;

    private MemorySegment payloadMemory = MemorySegment.NULL;
    private long payloadOffset;
    private int payloadLength;
    private int peerIpv4;
    private int peerPort;
    private long peerLink;
    private int replyLength;

    /**
     * @param local         our MAC and IPv4 address on this port.
     * @param udpPort       the service's UDP port, 1..65535.
     * @param counters      where this stack counts; may be shared only by stacks on the same thread.
     * @param dropUnhandled true (DPDK): frames not ours are dropped; false (AF_XDP): they get PASS.
     */
    public NetStack(final NetAddress local, final int udpPort, final NetCounters counters, final boolean dropUnhandled)
    {
        this(local, udpPort, counters, dropUnhandled, new ArpTable(ArpTable.DEFAULT_CAPACITY),
            ReassemblySettings.defaults(), SystemNanoClock.INSTANCE);
    }

    /**
     * @param arpTable   the neighbour table this stack learns into (confined to the same thread).
     * @param reassembly the bounds of IPv4 reassembly (its buffers are allocated here).
     * @param clock      monotonic time for reassembly timeouts.
     */
    public NetStack(
        final NetAddress local,
        final int udpPort,
        final NetCounters counters,
        final boolean dropUnhandled,
        final ArpTable arpTable,
        final ReassemblySettings reassembly,
        final NanoClock clock)
    {
        if (udpPort < 1 || udpPort > 0xFFFF)
        {
            throw new IllegalArgumentException("UDP port must be 1..65535, was " + udpPort);
        }
        this.localMac = local.mac();
        this.localIpv4 = local.ipv4();
        this.udpPort = udpPort;
        this.counters = counters;
        this.dropUnhandled = dropUnhandled;
        this.arpTable = arpTable;
        this.reassembler = new Ipv4Reassembler(reassembly, clock, counters);
        this.frameWriter = new FrameWriter(local, udpPort);
    }

    /** The writer of this port's outgoing datagrams' headers (and ARP requests), on the same thread. */
    public FrameWriter frameWriter()
    {
        return frameWriter;
    }

    public ArpTable arpTable()
    {
        return arpTable;
    }

    public NetCounters counters()
    {
        return counters;
    }

    /**
     * Classifies one received frame; for ARP requests for our address and ICMP echo requests to us,
     * rewrites the frame in place into the reply.
     *
     * @param memory segment holding the frame.
     * @param offset absolute offset of the frame's first byte.
     * @param length frame length in bytes (without FCS).
     * @return {@link #UDP_REQUEST}, {@link #REPLY_IN_PLACE}, {@link #DROP} or {@link #PASS}.
     */
    public int onFrame(final MemorySegment memory, final long offset, final int length)
    {
        counters.increment(RX_FRAMES);
        if (length < ETH_HEADER)
        {
            return drop(DROP_MALFORMED);
        }
        final long dstMac = mac(memory, offset + EthernetDescriptor.DST_MAC_OFFSET);
        final long srcMac = mac(memory, offset + EthernetDescriptor.SRC_MAC_OFFSET);
        if ((srcMac & EthernetDescriptor.GROUP_BIT) != 0)
        {
            return drop(DROP_MALFORMED);
        }
        int etherType = u16(memory, offset + EthernetDescriptor.ETHER_TYPE_OFFSET);
        int l2Length = ETH_HEADER;
        long link = PeerLink.untagged(srcMac);
        if (etherType == EthernetDescriptor.ETHER_TYPE_VLAN)
        {
            if (length < VLAN_HEADER)
            {
                return drop(DROP_MALFORMED);
            }
            link = PeerLink.tagged(srcMac, u16(memory, offset + EthernetDescriptor.VLAN_TCI_OFFSET));
            etherType = u16(memory, offset + EthernetDescriptor.VLAN_ETHER_TYPE_OFFSET);
            l2Length = VLAN_HEADER;
        }
        if (dstMac != localMac && (dstMac != EthernetDescriptor.BROADCAST_MAC ||
            etherType != EthernetDescriptor.ETHER_TYPE_ARP))
        {
            return unhandled(DROP_NOT_FOR_US);
        }
        if (etherType == EthernetDescriptor.ETHER_TYPE_IPV4)
        {
            return onIpv4(memory, offset, length, l2Length, srcMac, link);
        }
        if (etherType == EthernetDescriptor.ETHER_TYPE_ARP)
        {
            return onArp(memory, offset, length, l2Length, link);
        }
        return unhandled(DROP_UNSUPPORTED);
    }

    /**
     * Discards datagrams whose fragments stopped coming (see {@link Ipv4Reassembler#expire()}); once per receive
     * burst. Reads the clock only while a datagram is being reassembled.
     */
    public void expireFragments()
    {
        reassembler.expire();
    }

    /** @return after UDP_REQUEST: the segment holding the payload, the frame's or the reassembler's. */
    public MemorySegment payloadMemory()
    {
        return payloadMemory;
    }

    /** @return after UDP_REQUEST: absolute offset of the UDP payload in {@link #payloadMemory()}. */
    public long payloadOffset()
    {
        return payloadOffset;
    }

    /** @return after UDP_REQUEST: UDP payload bytes. */
    public int payloadLength()
    {
        return payloadLength;
    }

    /** @return after UDP_REQUEST: the sender's IPv4 address, host order. */
    public int peerIpv4()
    {
        return peerIpv4;
    }

    /** @return after UDP_REQUEST: the sender's UDP port. */
    public int peerPort()
    {
        return peerPort;
    }

    /** @return after UDP_REQUEST: the sender's MAC and VLAN, see {@link PeerLink}. */
    public long peerLink()
    {
        return peerLink;
    }

    /** @return after REPLY_IN_PLACE: length of the reply now at the frame's offset. */
    public int replyLength()
    {
        return replyLength;
    }

    private int onArp(
        final MemorySegment memory, final long offset, final int length, final int l2Length, final long link)
    {
        if (length - l2Length < ArpDescriptor.LENGTH)
        {
            return drop(DROP_MALFORMED);
        }
        final long arp = offset + l2Length;
        if (u16(memory, arp + ArpDescriptor.HARDWARE_TYPE_OFFSET) != ArpDescriptor.HARDWARE_TYPE_ETHERNET ||
            u16(memory, arp + ArpDescriptor.PROTOCOL_TYPE_OFFSET) != EthernetDescriptor.ETHER_TYPE_IPV4 ||
            u8(memory, arp + ArpDescriptor.HARDWARE_LENGTH_OFFSET) != 6 ||
            u8(memory, arp + ArpDescriptor.PROTOCOL_LENGTH_OFFSET) != 4)
        {
            return drop(DROP_MALFORMED);
        }
        final int opcode = u16(memory, arp + ArpDescriptor.OPCODE_OFFSET);
        if (opcode != ArpDescriptor.OPCODE_REQUEST && opcode != ArpDescriptor.OPCODE_REPLY)
        {
            return unhandled(DROP_UNSUPPORTED);
        }
        final long senderMac = mac(memory, arp + ArpDescriptor.SENDER_MAC_OFFSET);
        final int senderIpv4 = i32(memory, arp + ArpDescriptor.SENDER_IP_OFFSET);
        if ((senderMac & EthernetDescriptor.GROUP_BIT) != 0 || !isUnicastOrZero(senderIpv4))
        {
            return drop(DROP_MALFORMED);
        }
        if (senderIpv4 != 0 && senderIpv4 != localIpv4)
        {
            // RFC 826 learns the sender hardware address; the VLAN is the frame's.
            arpTable.learn(senderIpv4, (link & ~NetAddress.MAC_MASK) | senderMac);
        }
        if (opcode != ArpDescriptor.OPCODE_REQUEST || i32(memory, arp + ArpDescriptor.TARGET_IP_OFFSET) != localIpv4)
        {
            return unhandled(ARP_OTHER);
        }

        putMac(memory, offset + EthernetDescriptor.DST_MAC_OFFSET, senderMac);
        putMac(memory, offset + EthernetDescriptor.SRC_MAC_OFFSET, localMac);
        putU16(memory, arp + ArpDescriptor.OPCODE_OFFSET, ArpDescriptor.OPCODE_REPLY);
        putMac(memory, arp + ArpDescriptor.TARGET_MAC_OFFSET, senderMac);
        putI32(memory, arp + ArpDescriptor.TARGET_IP_OFFSET, senderIpv4);
        putMac(memory, arp + ArpDescriptor.SENDER_MAC_OFFSET, localMac);
        putI32(memory, arp + ArpDescriptor.SENDER_IP_OFFSET, localIpv4);
        int reply = l2Length + ArpDescriptor.LENGTH;
        if (length >= EthernetDescriptor.MIN_FRAME_LENGTH)
        {
            // the request had room for the padding: send a full minimum frame with zeroed padding
            // rather than rely on the NIC (or leak the request's trailer bytes)
            for (int i = reply; i < EthernetDescriptor.MIN_FRAME_LENGTH; i++)
            {
                putU8(memory, offset + i, 0);
            }
            reply = EthernetDescriptor.MIN_FRAME_LENGTH;
        }
        replyLength = reply;
        counters.increment(ARP_REQUESTS_ANSWERED);
        return REPLY_IN_PLACE;
    }

    private int onIpv4(
        final MemorySegment memory,
        final long offset,
        final int length,
        final int l2Length,
        final long srcMac,
        final long link)
    {
        final int available = length - l2Length;
        if (available < IP_HEADER)
        {
            return drop(DROP_MALFORMED);
        }
        final long ip = offset + l2Length;
        final int versionIhl = u8(memory, ip + Ipv4Descriptor.VERSION_IHL_OFFSET);
        final int headerLength = (versionIhl & 0xF) << 2;
        final int totalLength = u16(memory, ip + Ipv4Descriptor.TOTAL_LENGTH_OFFSET);
        if ((versionIhl >>> 4) != 4 || headerLength < IP_HEADER || totalLength < headerLength || totalLength > available)
        {
            return drop(DROP_MALFORMED);
        }
        final int srcIpv4 = i32(memory, ip + Ipv4Descriptor.SRC_OFFSET);
        if (srcIpv4 == 0 || !isUnicastOrZero(srcIpv4))
        {
            return drop(DROP_MALFORMED);
        }
        if (i32(memory, ip + Ipv4Descriptor.DST_OFFSET) != localIpv4)
        {
            return unhandled(DROP_NOT_FOR_US);
        }
        if (Checksums.fold(Checksums.sum(memory, ip, headerLength)) != VALID_CHECKSUM_SUM)
        {
            return drop(DROP_BAD_IP_CHECKSUM);
        }
        arpTable.learn(srcIpv4, link);
        final int flagsFragment = u16(memory, ip + Ipv4Descriptor.FLAGS_FRAGMENT_OFFSET);
        final int protocol = u8(memory, ip + Ipv4Descriptor.PROTOCOL_OFFSET);
        final long l4 = ip + headerLength;
        final int l4Length = totalLength - headerLength;
        if ((flagsFragment & (Ipv4Descriptor.FLAG_MF | Ipv4Descriptor.FRAGMENT_OFFSET_MASK)) != 0)
        {
            counters.increment(FRAGMENTS);
            if (protocol != Ipv4Descriptor.PROTOCOL_UDP || reassembler.capacity() == 0)
            {
                return unhandled(DROP_FRAGMENT);
            }
            final int verdict = reassembler.onFragment(memory, l4, l4Length, srcIpv4, localIpv4, protocol,
                u16(memory, ip + Ipv4Descriptor.ID_OFFSET), flagsFragment);
            return verdict == Ipv4Reassembler.COMPLETE ?
                onUdp(reassembler.memory(), reassembler.datagramOffset(), reassembler.datagramLength(), srcIpv4, link) :
                drop(verdict == Ipv4Reassembler.HELD ? FRAGMENT_HELD : DROP_FRAGMENT);
        }
        if (protocol == Ipv4Descriptor.PROTOCOL_UDP)
        {
            return onUdp(memory, l4, l4Length, srcIpv4, link);
        }
        if (protocol == Ipv4Descriptor.PROTOCOL_ICMP)
        {
            return onIcmp(memory, offset, l2Length, ip, headerLength, totalLength, srcMac, srcIpv4);
        }
        return unhandled(DROP_UNSUPPORTED);
    }

    private int onUdp(final MemorySegment memory, final long udp, final int l4Length, final int srcIpv4, final long link)
    {
        if (l4Length < UDP_HEADER || u16(memory, udp + UdpDescriptor.LENGTH_OFFSET) != l4Length)
        {
            return drop(DROP_MALFORMED);
        }
        if (u16(memory, udp + UdpDescriptor.DST_PORT_OFFSET) != udpPort)
        {
            return unhandled(DROP_NOT_FOR_US);
        }
        final int srcPort = u16(memory, udp + UdpDescriptor.SRC_PORT_OFFSET);
        if (srcPort == 0)
        {
            return drop(DROP_MALFORMED);
        }
        if (u16(memory, udp + UdpDescriptor.CHECKSUM_OFFSET) != 0 &&
            Checksums.fold(Checksums.pseudoHeaderSum(srcIpv4, localIpv4, Ipv4Descriptor.PROTOCOL_UDP, l4Length) +
            Checksums.sum(memory, udp, l4Length)) != VALID_CHECKSUM_SUM)
        {
            return drop(DROP_BAD_UDP_CHECKSUM);
        }
        payloadMemory = memory;
        payloadOffset = udp + UDP_HEADER;
        payloadLength = l4Length - UDP_HEADER;
        peerIpv4 = srcIpv4;
        peerPort = srcPort;
        peerLink = link;
        counters.increment(UDP_REQUESTS);
        return UDP_REQUEST;
    }

    private int onIcmp(
        final MemorySegment memory,
        final long offset,
        final int l2Length,
        final long ip,
        final int headerLength,
        final int totalLength,
        final long srcMac,
        final int srcIpv4)
    {
        final long icmp = ip + headerLength;
        final int icmpLength = totalLength - headerLength;
        if (icmpLength < IcmpDescriptor.HEADER_LENGTH)
        {
            return drop(DROP_MALFORMED);
        }
        if (u8(memory, icmp + IcmpDescriptor.TYPE_OFFSET) != IcmpDescriptor.TYPE_ECHO_REQUEST)
        {
            return unhandled(DROP_UNSUPPORTED);
        }
        if (u8(memory, icmp + IcmpDescriptor.CODE_OFFSET) != 0)
        {
            return drop(DROP_MALFORMED);
        }
        if (Checksums.fold(Checksums.sum(memory, icmp, icmpLength)) != VALID_CHECKSUM_SUM)
        {
            return drop(DROP_BAD_ICMP_CHECKSUM);
        }

        putMac(memory, offset + EthernetDescriptor.DST_MAC_OFFSET, srcMac);
        putMac(memory, offset + EthernetDescriptor.SRC_MAC_OFFSET, localMac);
        // the VLAN tag, if any, stays as it is
        putI32(memory, ip + Ipv4Descriptor.DST_OFFSET, srcIpv4);
        putI32(memory, ip + Ipv4Descriptor.SRC_OFFSET, localIpv4);
        putU8(memory, ip + Ipv4Descriptor.TTL_OFFSET, Ipv4Descriptor.DEFAULT_TTL);
        putU16(memory, ip + Ipv4Descriptor.CHECKSUM_OFFSET, 0);
        putU16(memory, ip + Ipv4Descriptor.CHECKSUM_OFFSET, Checksums.checksum(memory, ip, headerLength));
        putU8(memory, icmp + IcmpDescriptor.TYPE_OFFSET, IcmpDescriptor.TYPE_ECHO_REPLY);
        putU16(memory, icmp + IcmpDescriptor.CHECKSUM_OFFSET, 0);
        putU16(memory, icmp + IcmpDescriptor.CHECKSUM_OFFSET, Checksums.checksum(memory, icmp, icmpLength));
        replyLength = l2Length + totalLength;
        counters.increment(ICMP_ECHO_ANSWERED);
        return REPLY_IN_PLACE;
    }

    private int drop(final int reason)
    {
        counters.increment(reason);
        return DROP;
    }

    private int unhandled(final int reason)
    {
        counters.increment(reason);
        if (dropUnhandled)
        {
            return DROP;
        }
        counters.increment(PASSED);
        return PASS;
    }

    /**
     * @return false for multicast (224/4), class E (240/4) and limited broadcast; true otherwise, 0 included.
     */
    private static boolean isUnicastOrZero(final int ipv4)
    {
        return (ipv4 >>> 28) < 0xE;
    }
}
