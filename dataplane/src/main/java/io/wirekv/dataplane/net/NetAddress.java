package io.wirekv.dataplane.net;

/**
 * The appliance's own link and network address on one port.
 *
 * @param mac  the port's MAC address in the low 48 bits, first octet on the wire most significant
 *             ({@code 02:00:00:00:00:01} is {@code 0x0200_0000_0001L}).
 * @param ipv4 the IPv4 address in host order, first octet most significant ({@code 10.0.0.1} is
 *             {@code 0x0A00_0001}).
 */
public record NetAddress(long mac, int ipv4)
{
    /** Bits of a MAC address in a {@code long}. */
    public static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    public NetAddress
    {
        if ((mac & ~MAC_MASK) != 0)
        {
            throw new IllegalArgumentException("MAC must fit in 48 bits: 0x" + Long.toHexString(mac));
        }
        if ((mac & EthernetDescriptor.GROUP_BIT) != 0)
        {
            throw new IllegalArgumentException("MAC must be unicast (group bit clear): " + macToString(mac));
        }
        if (ipv4 == 0 || ipv4 == -1 || (ipv4 >>> 28) == 0xE)
        {
            throw new IllegalArgumentException("IPv4 address must be unicast: " + ipv4ToString(ipv4));
        }
    }

    /**
     * @param text e.g. {@code "02:00:00:00:00:01"}.
     * @return the MAC in the low 48 bits.
     */
    public static long parseMac(final String text)
    {
        final String[] parts = text.split(":");
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("MAC must be six hex octets separated by ':': " + text);
        }
        long mac = 0;
        for (final String part : parts)
        {
            mac = (mac << 8) | Integer.parseInt(part, 16);
        }
        return mac;
    }

    /**
     * @param text a dotted quad, e.g. {@code "10.0.0.1"}.
     * @return the address in host order.
     */
    public static int parseIpv4(final String text)
    {
        final String[] parts = text.split("\\.");
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("IPv4 address must be a dotted quad: " + text);
        }
        int ip = 0;
        for (final String part : parts)
        {
            final int octet = Integer.parseInt(part);
            if (octet < 0 || octet > 255)
            {
                throw new IllegalArgumentException("IPv4 octet out of range in " + text);
            }
            ip = (ip << 8) | octet;
        }
        return ip;
    }

    public static String macToString(final long mac)
    {
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x",
            (mac >>> 40) & 0xFF, (mac >>> 32) & 0xFF, (mac >>> 24) & 0xFF,
            (mac >>> 16) & 0xFF, (mac >>> 8) & 0xFF, mac & 0xFF);
    }

    public static String ipv4ToString(final int ip)
    {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }

    @Override
    public String toString()
    {
        return "NetAddress{mac=" + macToString(mac) + ", ipv4=" + ipv4ToString(ipv4) + '}';
    }
}
