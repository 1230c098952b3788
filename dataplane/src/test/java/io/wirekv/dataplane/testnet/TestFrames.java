package io.wirekv.dataplane.testnet;

import io.wirekv.dataplane.net.ArpTable;
import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.net.NetStack;
import io.wirekv.dataplane.net.ReassemblySettings;
import org.agrona.concurrent.NanoClock;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frames as a test's "network" builds and reads them, byte by byte: Ethernet (with or without a VLAN tag),
 * IPv4 (with options, fragments), UDP, ICMP echo, ARP. Checksums come from {@link #referenceChecksum}, the
 * textbook RFC 1071 sum kept independent of the dataplane's {@code Checksums}, so the two check each other.
 * The one kit for the L2/L3 stack's unit tests and the bypass backends' end-to-end tests.
 */
public final class TestFrames
{
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    public static final int NO_VLAN = -1;
    public static final byte[] NO_OPTIONS = new byte[0];
    /** IPv4 flags/fragment field with only Don't Fragment set. */
    public static final int DONT_FRAGMENT = 0x4000;

    /** The addresses of the L2/L3 stack's unit tests: the stack under test, its peer, a third host. */
    public static final long OUR_MAC = 0x02_00_00_00_00_01L;
    public static final int OUR_IP = 0x0A_00_00_01; // 10.0.0.1
    public static final long PEER_MAC = 0x02_00_00_00_00_02L;
    public static final int PEER_IP = 0x0A_00_00_02; // 10.0.0.2
    public static final long OTHER_MAC = 0x02_00_00_00_00_03L;
    public static final int OTHER_IP = 0x0A_00_00_03; // 10.0.0.3
    public static final int PORT = 11211;
    public static final int PEER_PORT = 40000;

    private TestFrames()
    {
    }

    /** A stack answering for {@link #OUR_MAC}/{@link #OUR_IP} and UDP port {@link #PORT}. */
    public static NetStack stack(final NetCounters counters, final boolean dropUnhandled)
    {
        return new NetStack(new NetAddress(OUR_MAC, OUR_IP), PORT, counters, dropUnhandled);
    }

    /** As {@link #stack(NetCounters, boolean)}, reassembling within {@code reassembly} by {@code clock}. */
    public static NetStack stack(
        final NetCounters counters, final boolean dropUnhandled, final ReassemblySettings reassembly, final NanoClock clock)
    {
        return new NetStack(new NetAddress(OUR_MAC, OUR_IP), PORT, counters, dropUnhandled,
            new ArpTable(ArpTable.DEFAULT_CAPACITY), reassembly, clock);
    }

    // ------------------------------------------------------------------------------------------ checksums

    /** The one's-complement sum of big-endian 16-bit words (odd tail padded with zero), unfolded. */
    public static long sum(final byte[] bytes, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2)
        {
            sum += u16(bytes, offset + i);
        }
        if ((length & 1) != 0)
        {
            sum += (bytes[offset + length - 1] & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds the carries of a one's-complement sum into 16 bits. */
    public static int fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)s;
    }

    /** RFC 1071 done the obvious way: 16-bit big-endian words, odd byte padded, carries folded at the end. */
    public static int referenceChecksum(final byte[] data, final int from, final int length)
    {
        return ~fold(sum(data, from, length)) & 0xFFFF;
    }

    /** The IPv4 pseudo-header's sum, as its 12 bytes would sum. */
    public static long pseudoHeaderSum(final int srcIp, final int dstIp, final int protocol, final int length)
    {
        return (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF) + protocol + length;
    }

    /** Reference UDP checksum: pseudo-header bytes concatenated with the UDP segment, then {@link #referenceChecksum}. */
    public static int referenceUdpChecksum(final byte[] frame, final int udpStart, final int srcIp, final int dstIp)
    {
        final int udpLength = u16(frame, udpStart + 4);
        final byte[] pseudo = new byte[12 + udpLength];
        putU32(pseudo, 0, srcIp);
        putU32(pseudo, 4, dstIp);
        pseudo[9] = 17;
        putU16(pseudo, 10, udpLength);
        System.arraycopy(frame, udpStart, pseudo, 12, udpLength);
        return referenceChecksum(pseudo, 0, pseudo.length);
    }

    // ------------------------------------------------------------------------------------------ frames

    /** A memcached request datagram: the 8-byte UDP frame header (id, sequence 0, count 1, reserved 0) then the text. */
    public static byte[] memcachedDatagram(final int requestId, final String request)
    {
        return new Builder().u16(requestId).u16(0).u16(1).u16(0)
            .bytes(request.getBytes(StandardCharsets.US_ASCII)).toArray();
    }

    /** An IPv4/UDP frame without VLAN or IP options, with a correct UDP checksum. */
    public static byte[] udp(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int srcPort, final int dstPort,
        final byte[] payload)
    {
        return udp(dstMac, srcMac, NO_VLAN, srcIp, dstIp, srcPort, dstPort, payload, NO_OPTIONS, 0, true);
    }

    /** An IPv4/UDP frame from {@link #PEER_MAC}. */
    public static byte[] udp(
        final long dstMac, final int vlan, final int srcIp, final int dstIp, final int srcPort, final int dstPort,
        final byte[] payload, final byte[] options, final int padding, final boolean withChecksum)
    {
        return udp(dstMac, PEER_MAC, vlan, srcIp, dstIp, srcPort, dstPort, payload, options, padding, withChecksum);
    }

    /**
     * An IPv4/UDP frame: {@code padding} zero bytes after the datagram (not covered by the lengths); without
     * {@code withChecksum} the UDP checksum is 0 (none).
     */
    public static byte[] udp(
        final long dstMac, final long srcMac, final int vlan, final int srcIp, final int dstIp, final int srcPort,
        final int dstPort, final byte[] payload, final byte[] options, final int padding, final boolean withChecksum)
    {
        final Builder b = new Builder().ethernet(dstMac, srcMac, vlan, ETHERTYPE_IPV4);
        ipv4(b, 17, srcIp, dstIp, options, 8 + payload.length, DONT_FRAGMENT);
        final int udpStart = b.position();
        b.u16(srcPort).u16(dstPort).u16(8 + payload.length).u16(0).bytes(payload).zeros(padding);
        if (withChecksum)
        {
            final int checksum = referenceUdpChecksum(b.array(), udpStart, srcIp, dstIp);
            b.patchU16(udpStart + 6, checksum == 0 ? 0xFFFF : checksum);
        }
        return b.toArray();
    }

    /** A request from the peer to the stack under test's memcached port. */
    public static byte[] udpRequest(final byte[] payload)
    {
        return udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, PORT, payload, NO_OPTIONS, 0, true);
    }

    /** Writes an IPv4 header with identification 0x1234 and a correct checksum; returns its start. */
    public static int ipv4(
        final Builder b, final int protocol, final int srcIp, final int dstIp, final byte[] options, final int l4Length,
        final int flagsFragment)
    {
        return ipv4(b, protocol, srcIp, dstIp, options, l4Length, flagsFragment, 0x1234);
    }

    /** Writes an IPv4 header with a correct checksum; returns its start. */
    public static int ipv4(
        final Builder b, final int protocol, final int srcIp, final int dstIp, final byte[] options, final int l4Length,
        final int flagsFragment, final int identification)
    {
        final int start = b.position();
        final int ihl = 5 + options.length / 4;
        b.u8(0x40 | ihl).u8(0).u16(ihl * 4 + l4Length).u16(identification).u16(flagsFragment).u8(64).u8(protocol).u16(0)
            .u32(srcIp).u32(dstIp).bytes(options);
        b.patchU16(start + 10, referenceChecksum(b.array(), start, ihl * 4));
        return start;
    }

    // ------------------------------------------------------------------------------------------ fragments

    /** A whole UDP datagram (header with a correct checksum, then the payload): the IP payload to fragment. */
    public static byte[] udpDatagram(
        final int srcIp, final int dstIp, final int srcPort, final int dstPort, final byte[] payload)
    {
        final byte[] udp = new Builder().u16(srcPort).u16(dstPort).u16(8 + payload.length).u16(0).bytes(payload).toArray();
        final int checksum = ~fold(pseudoHeaderSum(srcIp, dstIp, 17, udp.length) + sum(udp, 0, udp.length)) & 0xFFFF;
        putU16(udp, 6, checksum == 0 ? 0xFFFF : checksum);
        return udp;
    }

    /**
     * One IPv4 fragment frame (no VLAN, no options): bytes {@code [offset, offset + length)} of the IP payload
     * {@code l4}, fragment offset {@code offset / 8} (any remainder is cut, so a test can build illegal ones with
     * {@link #ipv4Fragment(long, long, int, int, int, int, byte[], int, int, int, boolean)}).
     */
    public static byte[] ipv4Fragment(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int identification, final byte[] l4,
        final int offset, final int length, final boolean more)
    {
        return ipv4Fragment(dstMac, srcMac, srcIp, dstIp, 17, identification, l4, offset, length, offset / 8, more);
    }

    /** As above, with any protocol and the fragment offset field (in 8-byte units) given separately. */
    public static byte[] ipv4Fragment(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int protocol, final int identification,
        final byte[] l4, final int offset, final int length, final int fragmentOffset, final boolean more)
    {
        final Builder b = new Builder().ethernet(dstMac, srcMac, NO_VLAN, ETHERTYPE_IPV4);
        ipv4(b, protocol, srcIp, dstIp, NO_OPTIONS, length, (more ? 0x2000 : 0) | fragmentOffset, identification);
        return b.bytes(Arrays.copyOfRange(l4, offset, offset + length)).toArray();
    }

    /**
     * A UDP datagram as a sending kernel puts it on a link of the given MTU: one frame (DF set) when it fits,
     * else IPv4 fragments of at most {@code mtu} bytes of IP packet each, in order, data a multiple of 8 bytes
     * in all but the last.
     */
    public static List<byte[]> udpFragmented(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int srcPort, final int dstPort,
        final byte[] payload, final int mtu, final int identification)
    {
        if (20 + 8 + payload.length <= mtu)
        {
            return List.of(udp(dstMac, srcMac, srcIp, dstIp, srcPort, dstPort, payload));
        }
        final byte[] l4 = udpDatagram(srcIp, dstIp, srcPort, dstPort, payload);
        final int perFragment = (mtu - 20) & ~7;
        final List<byte[]> frames = new ArrayList<>();
        for (int offset = 0; offset < l4.length; offset += perFragment)
        {
            final int length = Math.min(perFragment, l4.length - offset);
            frames.add(ipv4Fragment(dstMac, srcMac, srcIp, dstIp, identification, l4, offset, length,
                offset + length < l4.length));
        }
        return frames;
    }

    /** An ICMP message from {@link #PEER_MAC} with identifier 0x1c2b, sequence 7. */
    public static byte[] icmp(
        final long dstMac, final int vlan, final int srcIp, final int dstIp, final int type, final byte[] data,
        final byte[] options, final int padding)
    {
        return icmp(dstMac, PEER_MAC, vlan, srcIp, dstIp, type, 0x1c2b, 7, data, options, padding);
    }

    public static byte[] icmp(
        final long dstMac, final long srcMac, final int vlan, final int srcIp, final int dstIp, final int type,
        final int id, final int seq, final byte[] data, final byte[] options, final int padding)
    {
        final Builder b = new Builder().ethernet(dstMac, srcMac, vlan, ETHERTYPE_IPV4);
        ipv4(b, 1, srcIp, dstIp, options, 8 + data.length, 0);
        final int icmpStart = b.position();
        b.u8(type).u8(0).u16(0).u16(id).u16(seq).bytes(data);
        b.patchU16(icmpStart + 2, referenceChecksum(b.array(), icmpStart, 8 + data.length));
        return b.zeros(padding).toArray();
    }

    /** An echo request from the peer to the stack under test. */
    public static byte[] echoRequest(final byte[] data)
    {
        return icmp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, 8, data, NO_OPTIONS, 0);
    }

    /** An echo request (type 8), no VLAN, no IP options. */
    public static byte[] icmpEcho(final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int id,
        final int seq, final byte[] data)
    {
        return icmp(dstMac, srcMac, NO_VLAN, srcIp, dstIp, 8, id, seq, data, NO_OPTIONS, 0);
    }

    public static byte[] arp(
        final long dstMac, final long srcMac, final int vlan, final int opcode, final long senderMac, final int senderIp,
        final long targetMac, final int targetIp, final int padding)
    {
        return new Builder().ethernet(dstMac, srcMac, vlan, ETHERTYPE_ARP)
            .u16(1).u16(ETHERTYPE_IPV4).u8(6).u8(4).u16(opcode)
            .mac(senderMac).u32(senderIp).mac(targetMac).u32(targetIp)
            .zeros(padding).toArray();
    }

    /** Who has {@code targetIp}? asks the peer, broadcast. */
    public static byte[] arpRequest(final int targetIp)
    {
        return arpRequest(PEER_MAC, PEER_IP, targetIp);
    }

    /** Who has {@code targetIp}? asks {@code srcMac}/{@code srcIp}, broadcast, unpadded (42 bytes). */
    public static byte[] arpRequest(final long srcMac, final int srcIp, final int targetIp)
    {
        return arp(BROADCAST, srcMac, NO_VLAN, 1, srcMac, srcIp, 0, targetIp, 0);
    }

    // ------------------------------------------------------------------------------------------ bytes

    public static byte[] hex(final String hex)
    {
        final byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    public static int u16(final byte[] b, final int at)
    {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    public static int u32(final byte[] b, final int at)
    {
        return (u16(b, at) << 16) | u16(b, at + 2);
    }

    public static long mac(final byte[] b, final int at)
    {
        return ((long)u16(b, at) << 32) | (u32(b, at + 2) & 0xFFFF_FFFFL);
    }

    public static void putU16(final byte[] b, final int at, final int value)
    {
        b[at] = (byte)(value >>> 8);
        b[at + 1] = (byte)value;
    }

    public static void putU32(final byte[] b, final int at, final int value)
    {
        putU16(b, at, value >>> 16);
        putU16(b, at + 2, value);
    }

    public static void putMac(final byte[] b, final int at, final long mac)
    {
        putU16(b, at, (int)(mac >>> 32));
        putU32(b, at + 2, (int)mac);
    }

    public static MemorySegment segment(final byte[] frame)
    {
        return MemorySegment.ofArray(frame);
    }

    public static byte[] payload(final int length, final int seed)
    {
        final byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)(i * 31 + seed);
        }
        return payload;
    }

    /** Ethernet header length for a VLAN id or {@link #NO_VLAN}. */
    public static int l2(final int vlan)
    {
        return vlan == NO_VLAN ? 14 : 18;
    }

    public static int ipv4(final int a, final int b, final int c, final int d)
    {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    /** Appends big-endian fields to a growing frame. */
    public static final class Builder
    {
        private byte[] buf = new byte[256];
        private int pos;

        public int position()
        {
            return pos;
        }

        public Builder u8(final int value)
        {
            ensure(1);
            buf[pos++] = (byte)value;
            return this;
        }

        public Builder u16(final int value)
        {
            return u8(value >>> 8).u8(value);
        }

        public Builder u32(final int value)
        {
            return u16(value >>> 16).u16(value);
        }

        public Builder mac(final long mac)
        {
            return u16((int)(mac >>> 32)).u32((int)mac);
        }

        public Builder bytes(final byte[] bytes)
        {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, pos, bytes.length);
            pos += bytes.length;
            return this;
        }

        public Builder zeros(final int count)
        {
            ensure(count);
            pos += count;
            return this;
        }

        public Builder ethernet(final long dst, final long src, final int vlan, final int etherType)
        {
            mac(dst).mac(src);
            if (vlan != NO_VLAN)
            {
                u16(0x8100).u16(vlan);
            }
            return u16(etherType);
        }

        public void patchU16(final int at, final int value)
        {
            putU16(buf, at, value);
        }

        public byte[] array()
        {
            return buf;
        }

        public byte[] toArray()
        {
            return Arrays.copyOf(buf, pos);
        }

        private void ensure(final int count)
        {
            if (pos + count > buf.length)
            {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + count));
            }
        }
    }

    /** A received IPv4/UDP frame, checked: header checksum, UDP checksum (when present), lengths. */
    public record UdpFrame(long dstMac, long srcMac, int srcIp, int dstIp, int srcPort, int dstPort, byte[] payload)
    {
        public static UdpFrame parse(final byte[] frame)
        {
            if (u16(frame, 12) != ETHERTYPE_IPV4 || frame[23] != 17)
            {
                throw new AssertionError("not IPv4/UDP: " + Arrays.toString(Arrays.copyOf(frame, Math.min(40, frame.length))));
            }
            final int ihl = (frame[14] & 0x0F) * 4;
            final int totalLength = u16(frame, 16);
            if (fold(sum(frame, 14, ihl)) != 0xFFFF)
            {
                throw new AssertionError("bad IPv4 header checksum");
            }
            final int udp = 14 + ihl;
            final int udpLength = u16(frame, udp + 4);
            if (udpLength != totalLength - ihl || 14 + totalLength > frame.length)
            {
                throw new AssertionError("inconsistent lengths: ip " + totalLength + ", udp " + udpLength + ", frame " + frame.length);
            }
            final int srcIp = u32(frame, 26);
            final int dstIp = u32(frame, 30);
            if (u16(frame, udp + 6) != 0 &&
                fold(pseudoHeaderSum(srcIp, dstIp, 17, udpLength) + sum(frame, udp, udpLength)) != 0xFFFF)
            {
                throw new AssertionError("bad UDP checksum");
            }
            return new UdpFrame(mac(frame, 0), mac(frame, 6), srcIp, dstIp, u16(frame, udp), u16(frame, udp + 2),
                Arrays.copyOfRange(frame, udp + 8, udp + udpLength));
        }

        /** The memcached payload after the 8-byte UDP frame header, as text. */
        public String memcachedText()
        {
            return new String(payload, 8, payload.length - 8, StandardCharsets.US_ASCII);
        }

        public int requestId()
        {
            return u16(payload, 0);
        }
    }
}
