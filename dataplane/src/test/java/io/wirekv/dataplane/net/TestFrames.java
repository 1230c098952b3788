package io.wirekv.dataplane.net;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Builds frames byte by byte for tests, with checksums from {@link #referenceChecksum}, a plain
 * 16-bit-at-a-time implementation kept independent of {@link Checksums}.
 */
final class TestFrames
{
    static final long OUR_MAC = 0x02_00_00_00_00_01L;
    static final int OUR_IP = 0x0A_00_00_01; // 10.0.0.1
    static final long PEER_MAC = 0x02_00_00_00_00_02L;
    static final int PEER_IP = 0x0A_00_00_02; // 10.0.0.2
    static final long OTHER_MAC = 0x02_00_00_00_00_03L;
    static final int OTHER_IP = 0x0A_00_00_03; // 10.0.0.3
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    static final int PORT = 11211;
    static final int PEER_PORT = 40000;
    static final int NO_VLAN = -1;
    static final byte[] NO_OPTIONS = new byte[0];

    private TestFrames()
    {
    }

    static NetStack stack(final NetCounters counters, final boolean dropUnhandled)
    {
        return new NetStack(new NetAddress(OUR_MAC, OUR_IP), PORT, counters, dropUnhandled);
    }

    /** RFC 1071 done the obvious way: 16-bit big-endian words, odd byte padded, carries folded at the end. */
    static int referenceChecksum(final byte[] data, final int from, final int length)
    {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2)
        {
            sum += ((data[from + i] & 0xFF) << 8) | (data[from + i + 1] & 0xFF);
        }
        if ((length & 1) != 0)
        {
            sum += (data[from + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    /** Reference UDP checksum: pseudo-header bytes concatenated with the UDP segment, then {@link #referenceChecksum}. */
    static int referenceUdpChecksum(final byte[] frame, final int udpStart, final int srcIp, final int dstIp)
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

    static byte[] hex(final String hex)
    {
        final byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    static int u16(final byte[] b, final int at)
    {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static int u32(final byte[] b, final int at)
    {
        return (u16(b, at) << 16) | u16(b, at + 2);
    }

    static long mac(final byte[] b, final int at)
    {
        return ((long)u16(b, at) << 32) | (u32(b, at + 2) & 0xFFFF_FFFFL);
    }

    static void putU16(final byte[] b, final int at, final int value)
    {
        b[at] = (byte)(value >>> 8);
        b[at + 1] = (byte)value;
    }

    static void putU32(final byte[] b, final int at, final int value)
    {
        putU16(b, at, value >>> 16);
        putU16(b, at + 2, value);
    }

    static void putMac(final byte[] b, final int at, final long mac)
    {
        putU16(b, at, (int)(mac >>> 32));
        putU32(b, at + 2, (int)mac);
    }

    static MemorySegment segment(final byte[] frame)
    {
        return MemorySegment.ofArray(frame);
    }

    static byte[] payload(final int length, final int seed)
    {
        final byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)(i * 31 + seed);
        }
        return payload;
    }

    /** Ethernet header length for a VLAN id or {@link #NO_VLAN}. */
    static int l2(final int vlan)
    {
        return vlan == NO_VLAN ? 14 : 18;
    }

    static final class Builder
    {
        private byte[] buf = new byte[256];
        private int pos;

        int position()
        {
            return pos;
        }

        Builder u8(final int value)
        {
            ensure(1);
            buf[pos++] = (byte)value;
            return this;
        }

        Builder u16(final int value)
        {
            return u8(value >>> 8).u8(value);
        }

        Builder u32(final int value)
        {
            return u16(value >>> 16).u16(value);
        }

        Builder mac(final long mac)
        {
            return u16((int)(mac >>> 32)).u32((int)mac);
        }

        Builder bytes(final byte[] bytes)
        {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, pos, bytes.length);
            pos += bytes.length;
            return this;
        }

        Builder zeros(final int count)
        {
            ensure(count);
            pos += count;
            return this;
        }

        Builder ethernet(final long dst, final long src, final int vlan, final int etherType)
        {
            mac(dst).mac(src);
            if (vlan != NO_VLAN)
            {
                u16(0x8100).u16(vlan);
            }
            return u16(etherType);
        }

        void patchU16(final int at, final int value)
        {
            putU16(buf, at, value);
        }

        byte[] array()
        {
            return buf;
        }

        byte[] toArray()
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

    /** Writes an IPv4 header with a correct checksum; returns its start. */
    static int ipv4(
        final Builder b, final int protocol, final int srcIp, final int dstIp, final byte[] options, final int l4Length,
        final int flagsFragment)
    {
        final int start = b.position();
        final int ihl = 5 + options.length / 4;
        b.u8(0x40 | ihl).u8(0).u16(ihl * 4 + l4Length).u16(0x1234).u16(flagsFragment).u8(64).u8(protocol).u16(0)
            .u32(srcIp).u32(dstIp).bytes(options);
        b.patchU16(start + 10, referenceChecksum(b.array(), start, ihl * 4));
        return start;
    }

    static byte[] udp(
        final long dstMac, final int vlan, final int srcIp, final int dstIp, final int srcPort, final int dstPort,
        final byte[] payload, final byte[] options, final int padding, final boolean withChecksum)
    {
        final Builder b = new Builder().ethernet(dstMac, PEER_MAC, vlan, 0x0800);
        ipv4(b, 17, srcIp, dstIp, options, 8 + payload.length, 0x4000);
        final int udpStart = b.position();
        b.u16(srcPort).u16(dstPort).u16(8 + payload.length).u16(0).bytes(payload).zeros(padding);
        if (withChecksum)
        {
            final int checksum = referenceUdpChecksum(b.array(), udpStart, srcIp, dstIp);
            b.patchU16(udpStart + 6, checksum == 0 ? 0xFFFF : checksum);
        }
        return b.toArray();
    }

    static byte[] udpRequest(final byte[] payload)
    {
        return udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, PORT, payload, NO_OPTIONS, 0, true);
    }

    static byte[] icmp(
        final long dstMac, final int vlan, final int srcIp, final int dstIp, final int type, final byte[] data,
        final byte[] options, final int padding)
    {
        final Builder b = new Builder().ethernet(dstMac, PEER_MAC, vlan, 0x0800);
        ipv4(b, 1, srcIp, dstIp, options, 8 + data.length, 0);
        final int icmpStart = b.position();
        b.u8(type).u8(0).u16(0).u16(0x1c2b).u16(7).bytes(data);
        b.patchU16(icmpStart + 2, referenceChecksum(b.array(), icmpStart, 8 + data.length));
        return b.zeros(padding).toArray();
    }

    static byte[] echoRequest(final byte[] data)
    {
        return icmp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, 8, data, NO_OPTIONS, 0);
    }

    static byte[] arp(
        final long dstMac, final long srcMac, final int vlan, final int opcode, final long senderMac, final int senderIp,
        final long targetMac, final int targetIp, final int padding)
    {
        return new Builder().ethernet(dstMac, srcMac, vlan, 0x0806)
            .u16(1).u16(0x0800).u8(6).u8(4).u16(opcode)
            .mac(senderMac).u32(senderIp).mac(targetMac).u32(targetIp)
            .zeros(padding).toArray();
    }

    static byte[] arpRequest(final int targetIp)
    {
        return arp(BROADCAST, PEER_MAC, NO_VLAN, 1, PEER_MAC, PEER_IP, 0, targetIp, 0);
    }
}
