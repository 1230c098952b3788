package io.wirekv.dataplane.testnet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Frames as a test's "network" builds and reads them, written independently of the dataplane's L2/L3
 * stack (plain ByteBuffers, the textbook 16-bit one's-complement sum), so the two check each other.
 */
public final class TestFrames
{
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private TestFrames()
    {
    }

    /** A memcached request datagram: the 8-byte UDP frame header then the request text. */
    public static byte[] memcachedDatagram(final int requestId, final String request)
    {
        final byte[] text = request.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer b = ByteBuffer.allocate(8 + text.length);
        b.putShort((short)requestId).putShort((short)0).putShort((short)1).putShort((short)0).put(text);
        return b.array();
    }

    public static byte[] udp(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int srcPort, final int dstPort,
        final byte[] payload)
    {
        final int udpLength = 8 + payload.length;
        final ByteBuffer b = ByteBuffer.allocate(14 + 20 + udpLength).order(ByteOrder.BIG_ENDIAN);
        ethernet(b, dstMac, srcMac, ETHERTYPE_IPV4);
        ipv4(b, 17, srcIp, dstIp, udpLength);
        final int udp = b.position();
        b.putShort((short)srcPort).putShort((short)dstPort).putShort((short)udpLength).putShort((short)0).put(payload);
        final int sum = pseudoHeaderSum(srcIp, dstIp, 17, udpLength) + sum(b.array(), udp, udpLength);
        final int checksum = ~fold(sum) & 0xFFFF;
        b.putShort(udp + 6, (short)(checksum == 0 ? 0xFFFF : checksum));
        return b.array();
    }

    public static byte[] arpRequest(final long srcMac, final int srcIp, final int targetIp)
    {
        final ByteBuffer b = ByteBuffer.allocate(42);
        ethernet(b, BROADCAST, srcMac, ETHERTYPE_ARP);
        b.putShort((short)1).putShort((short)ETHERTYPE_IPV4).put((byte)6).put((byte)4).putShort((short)1);
        mac(b, srcMac);
        b.putInt(srcIp);
        mac(b, 0);
        b.putInt(targetIp);
        return b.array();
    }

    public static byte[] icmpEcho(final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int id,
        final int seq, final byte[] data)
    {
        final int icmpLength = 8 + data.length;
        final ByteBuffer b = ByteBuffer.allocate(14 + 20 + icmpLength);
        ethernet(b, dstMac, srcMac, ETHERTYPE_IPV4);
        ipv4(b, 1, srcIp, dstIp, icmpLength);
        final int icmp = b.position();
        b.put((byte)8).put((byte)0).putShort((short)0).putShort((short)id).putShort((short)seq).put(data);
        b.putShort(icmp + 2, (short)(~fold(sum(b.array(), icmp, icmpLength)) & 0xFFFF));
        return b.array();
    }

    public static void ethernet(final ByteBuffer b, final long dstMac, final long srcMac, final int etherType)
    {
        mac(b, dstMac);
        mac(b, srcMac);
        b.putShort((short)etherType);
    }

    public static void ipv4(final ByteBuffer b, final int protocol, final int srcIp, final int dstIp, final int payloadLength)
    {
        final int ip = b.position();
        b.put((byte)0x45).put((byte)0).putShort((short)(20 + payloadLength)).putShort((short)0x1234)
            .putShort((short)0x4000).put((byte)64).put((byte)protocol).putShort((short)0).putInt(srcIp).putInt(dstIp);
        b.putShort(ip + 10, (short)(~fold(sum(b.array(), ip, 20)) & 0xFFFF));
    }

    public static void mac(final ByteBuffer b, final long mac)
    {
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            b.put((byte)(mac >>> shift));
        }
    }

    public static long mac(final byte[] frame, final int offset)
    {
        long mac = 0;
        for (int i = 0; i < 6; i++)
        {
            mac = (mac << 8) | (frame[offset + i] & 0xFF);
        }
        return mac;
    }

    public static int u16(final byte[] frame, final int offset)
    {
        return ((frame[offset] & 0xFF) << 8) | (frame[offset + 1] & 0xFF);
    }

    public static int u32(final byte[] frame, final int offset)
    {
        return ByteBuffer.wrap(frame, offset, 4).getInt();
    }

    /** The one's-complement sum of big-endian 16-bit words (odd tail padded with zero), unfolded. */
    public static int sum(final byte[] bytes, final int offset, final int length)
    {
        int sum = 0;
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

    public static int fold(final int sum)
    {
        int s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return s;
    }

    public static int pseudoHeaderSum(final int srcIp, final int dstIp, final int protocol, final int length)
    {
        return (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF) + protocol + length;
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

    public static int ipv4(final int a, final int b, final int c, final int d)
    {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }
}
