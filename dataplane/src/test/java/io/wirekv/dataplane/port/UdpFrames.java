package io.wirekv.dataplane.port;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Test helper: builds, checks and turns around Ethernet + IPv4 + UDP frames in a {@link MemorySegment}
 * (no VLAN, no IP options). {@link #swapInPlace} allocates nothing (swapping addresses and ports keeps
 * both checksums valid), so the allocation test can use it.
 */
final class UdpFrames
{
    static final int ETH = 14;
    static final int IP = 20;
    static final int UDP = 8;
    static final int HEADERS = ETH + IP + UDP;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    private UdpFrames()
    {
    }

    static int ipv4(final String dotted)
    {
        try
        {
            final byte[] b = InetAddress.getByName(dotted).getAddress();
            return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(ex);
        }
    }

    /**
     * Writes a complete frame at {@code at} with correct IPv4 and UDP checksums.
     *
     * @return the frame's length.
     */
    static int write(
        final MemorySegment memory, final long at, final byte[] dstMac, final byte[] srcMac, final int srcIp, final int dstIp,
        final int srcPort, final int dstPort, final byte[] payload)
    {
        MemorySegment.copy(dstMac, 0, memory, U8, at, 6);
        MemorySegment.copy(srcMac, 0, memory, U8, at + 6, 6);
        memory.set(U16, at + 12, (short)0x0800);
        final long ip = at + ETH;
        memory.set(U8, ip, (byte)0x45);
        memory.set(U8, ip + 1, (byte)0);
        memory.set(U16, ip + 2, (short)(IP + UDP + payload.length));
        memory.set(U16, ip + 4, (short)0x1234);
        memory.set(U16, ip + 6, (short)0x4000); // DF
        memory.set(U8, ip + 8, (byte)64);
        memory.set(U8, ip + 9, (byte)17);
        memory.set(U16, ip + 10, (short)0);
        memory.set(U32, ip + 12, srcIp);
        memory.set(U32, ip + 16, dstIp);
        memory.set(U16, ip + 10, (short)checksum(memory, ip, IP, 0));
        final long udp = ip + IP;
        memory.set(U16, udp, (short)srcPort);
        memory.set(U16, udp + 2, (short)dstPort);
        memory.set(U16, udp + 4, (short)(UDP + payload.length));
        memory.set(U16, udp + 6, (short)0);
        MemorySegment.copy(payload, 0, memory, U8, udp + UDP, payload.length);
        int sum = udpChecksum(memory, at);
        memory.set(U16, udp + 6, (short)(sum == 0 ? 0xFFFF : sum));
        return HEADERS + payload.length;
    }

    /** Swaps MACs, IPs and ports of the frame at {@code at}; checksums stay valid. Allocates nothing. */
    static void swapInPlace(final MemorySegment memory, final long at)
    {
        for (int i = 0; i < 6; i++)
        {
            final byte d = memory.get(U8, at + i);
            memory.set(U8, at + i, memory.get(U8, at + 6 + i));
            memory.set(U8, at + 6 + i, d);
        }
        final long ip = at + ETH;
        final int src = memory.get(U32, ip + 12);
        memory.set(U32, ip + 12, memory.get(U32, ip + 16));
        memory.set(U32, ip + 16, src);
        final long udp = ip + IP;
        final short srcPort = memory.get(U16, udp);
        memory.set(U16, udp, memory.get(U16, udp + 2));
        memory.set(U16, udp + 2, srcPort);
    }

    static byte[] mac(final MemorySegment memory, final long at, final int which)
    {
        final byte[] mac = new byte[6];
        MemorySegment.copy(memory, U8, at + which * 6L, mac, 0, 6);
        return mac;
    }

    static int etherType(final MemorySegment memory, final long at)
    {
        return memory.get(U16, at + 12) & 0xFFFF;
    }

    static int ipProtocol(final MemorySegment memory, final long at)
    {
        return memory.get(U8, at + ETH + 9) & 0xFF;
    }

    static int srcIp(final MemorySegment memory, final long at)
    {
        return memory.get(U32, at + ETH + 12);
    }

    static int dstIp(final MemorySegment memory, final long at)
    {
        return memory.get(U32, at + ETH + 16);
    }

    static int ipTotalLength(final MemorySegment memory, final long at)
    {
        return memory.get(U16, at + ETH + 2) & 0xFFFF;
    }

    static int srcPort(final MemorySegment memory, final long at)
    {
        return memory.get(U16, at + ETH + IP) & 0xFFFF;
    }

    static int dstPort(final MemorySegment memory, final long at)
    {
        return memory.get(U16, at + ETH + IP + 2) & 0xFFFF;
    }

    static int udpLength(final MemorySegment memory, final long at)
    {
        return memory.get(U16, at + ETH + IP + 4) & 0xFFFF;
    }

    static byte[] payload(final MemorySegment memory, final long at)
    {
        final byte[] payload = new byte[udpLength(memory, at) - UDP];
        MemorySegment.copy(memory, U8, at + HEADERS, payload, 0, payload.length);
        return payload;
    }

    /** @return true when the IPv4 header checksum verifies. */
    static boolean ipChecksumValid(final MemorySegment memory, final long at)
    {
        return checksum(memory, at + ETH, IP, 0) == 0;
    }

    /** @return true when the UDP checksum verifies (or is 0: none). */
    static boolean udpChecksumValid(final MemorySegment memory, final long at)
    {
        return (memory.get(U16, at + ETH + IP + 6) & 0xFFFF) == 0 || udpChecksum(memory, at) == 0;
    }

    private static int udpChecksum(final MemorySegment memory, final long at)
    {
        final long ip = at + ETH;
        final int udpLength = memory.get(U16, ip + IP + 4) & 0xFFFF;
        long sum = 0;
        sum += (memory.get(U16, ip + 12) & 0xFFFF) + (memory.get(U16, ip + 14) & 0xFFFF);
        sum += (memory.get(U16, ip + 16) & 0xFFFF) + (memory.get(U16, ip + 18) & 0xFFFF);
        sum += 17 + udpLength;
        return checksum(memory, ip + IP, udpLength, sum);
    }

    private static int checksum(final MemorySegment memory, final long at, final int length, final long initial)
    {
        long sum = initial;
        int i = 0;
        for (; i + 1 < length; i += 2)
        {
            sum += memory.get(U16, at + i) & 0xFFFF;
        }
        if (i < length)
        {
            sum += (memory.get(U8, at + i) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }
}
