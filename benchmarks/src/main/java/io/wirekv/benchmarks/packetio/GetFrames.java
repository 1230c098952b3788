package io.wirekv.benchmarks.packetio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds, at setup time, the complete Ethernet frames the generator sends: memcached ASCII requests over
 * UDP/IPv4, each with memcached's 8-byte UDP frame header, and an ARP request. Frames are byte arrays the
 * generator copies into mbufs unchanged; nothing here runs per packet.
 * <pre>
 *  0            6            12     14                  34          42                 50
 *  +------------+------------+------+-------------------+-----------+------------------+-------------------+
 *  | dst MAC    | src MAC    | 0800 | IPv4 header (20)  | UDP (8)   | memcached UDP    | "get key\r\n"     |
 *  |            |            |      | checksum valid    | csum 0    | id, seq 0, 1, 0  | or "set ..."      |
 *  +------------+------------+------+-------------------+-----------+------------------+-------------------+
 * </pre>
 * The IPv4 header checksum is computed; the UDP checksum is 0 ("not computed", allowed for IPv4).
 */
final class GetFrames
{
    static final int ETHER_TYPE_OFFSET = 12;
    static final int ETHER_HEADER = 14;
    static final int IP_HEADER = 20;
    static final int UDP_HEADER = 8;
    static final int MEMCACHED_UDP_HEADER = 8;
    /** First byte of the memcached UDP frame header. */
    static final int MEMCACHED_OFFSET = ETHER_HEADER + IP_HEADER + UDP_HEADER;
    /** First byte of the ASCII request or reply. */
    static final int PAYLOAD_OFFSET = MEMCACHED_OFFSET + MEMCACHED_UDP_HEADER;
    static final int IP_PROTOCOL_OFFSET = ETHER_HEADER + 9;
    static final int UDP_SOURCE_PORT_OFFSET = ETHER_HEADER + IP_HEADER;
    static final int ETHER_TYPE_IPV4 = 0x0800;
    static final int ETHER_TYPE_ARP = 0x0806;
    static final int IP_PROTOCOL_UDP = 17;
    /** Shortest Ethernet frame without FCS. */
    static final int MIN_FRAME = 60;

    private GetFrames()
    {
    }

    /**
     * @param index    key number.
     * @param keySize  bytes; at least 8.
     * @return {@code "key:"} followed by the zero-padded decimal index, {@code keySize} bytes long.
     */
    static String key(final int index, final int keySize)
    {
        final String digits = Integer.toString(index);
        final StringBuilder sb = new StringBuilder(keySize).append("key:");
        for (int i = sb.length() + digits.length(); i < keySize; i++)
        {
            sb.append('0');
        }
        return sb.append(digits).toString();
    }

    /**
     * @return {@code get KEY\r\n}.
     */
    static byte[] getRequest(final String key)
    {
        return ("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @return {@code set KEY 0 0 N\r\nVALUE\r\n} with a value of {@code valueSize} bytes derived from the key.
     */
    static byte[] setRequest(final String key, final int valueSize)
    {
        final StringBuilder value = new StringBuilder(valueSize);
        for (int i = 0; i < valueSize; i++)
        {
            value.append((char)('a' + (key.charAt(key.length() - 1 - (i % 4)) + i) % 26));
        }
        return ("set " + key + " 0 0 " + valueSize + "\r\n" + value + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param dstMac     48 bits, first wire byte in bits 47..40.
     * @param srcMac     48 bits.
     * @param srcIp      IPv4, first wire byte in bits 31..24.
     * @param dstIp      IPv4.
     * @param srcPort    UDP source port.
     * @param dstPort    UDP destination port.
     * @param requestId  memcached UDP request id.
     * @param request    the ASCII request.
     * @return the frame, padded with zeros to {@link #MIN_FRAME}.
     */
    static byte[] udpFrame(
        final long dstMac, final long srcMac, final int srcIp, final int dstIp, final int srcPort, final int dstPort,
        final int requestId, final byte[] request)
    {
        final int udpLength = UDP_HEADER + MEMCACHED_UDP_HEADER + request.length;
        final int ipLength = IP_HEADER + udpLength;
        final byte[] frame = new byte[Math.max(MIN_FRAME, ETHER_HEADER + ipLength)];
        final ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short)ETHER_TYPE_IPV4);
        b.put((byte)0x45).put((byte)0).putShort((short)ipLength);
        b.putShort((short)requestId).putShort((short)0x4000); // id, don't fragment
        b.put((byte)64).put((byte)IP_PROTOCOL_UDP).putShort((short)0);
        b.putInt(srcIp).putInt(dstIp);
        b.putShort(ETHER_HEADER + 10, (short)ipv4Checksum(frame, ETHER_HEADER, IP_HEADER));
        b.putShort((short)srcPort).putShort((short)dstPort).putShort((short)udpLength).putShort((short)0);
        b.putShort((short)requestId).putShort((short)0).putShort((short)1).putShort((short)0);
        b.put(request);
        return frame;
    }

    /**
     * @return an ARP request, broadcast: who has {@code targetIp}, tell {@code senderIp} at {@code senderMac}.
     */
    static byte[] arpRequest(final long senderMac, final int senderIp, final int targetIp)
    {
        final byte[] frame = new byte[MIN_FRAME];
        final ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        putMac(b, 0xFFFF_FFFF_FFFFL);
        putMac(b, senderMac);
        b.putShort((short)ETHER_TYPE_ARP);
        b.putShort((short)1).putShort((short)ETHER_TYPE_IPV4).put((byte)6).put((byte)4).putShort((short)1);
        putMac(b, senderMac);
        b.putInt(senderIp);
        putMac(b, 0);
        b.putInt(targetIp);
        return frame;
    }

    /**
     * @return the one's-complement checksum of {@code length} bytes (even) from {@code offset}.
     */
    static int ipv4Checksum(final byte[] data, final int offset, final int length)
    {
        long sum = 0;
        for (int i = offset; i < offset + length; i += 2)
        {
            sum += ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    /**
     * @param text e.g. {@code "10.77.0.1"}.
     * @return the address, first wire byte in bits 31..24.
     */
    static int parseIpv4(final String text)
    {
        final String[] parts = text.split("\\.");
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int value = 0;
        for (final String part : parts)
        {
            final int octet = Integer.parseInt(part);
            if (octet < 0 || octet > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    /**
     * @param text e.g. {@code "02:00:00:00:00:01"}.
     * @return 48 bits, first wire byte in bits 47..40.
     */
    static long parseMac(final String text)
    {
        final String[] parts = text.split(":");
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long value = 0;
        for (final String part : parts)
        {
            value = (value << 8) | Integer.parseInt(part, 16);
        }
        return value;
    }

    private static void putMac(final ByteBuffer b, final long mac)
    {
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            b.put((byte)(mac >>> shift));
        }
    }
}
