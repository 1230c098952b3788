package io.wirekv.dataplane.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * The sources whose datagrams an lcore serves: a short list of IPv4 CIDR blocks. Immutable; the
 * check is a loop over two {@code int} arrays, allocation-free, and runs before any table access.
 */
public final class UdpAllowList
{
    private final int[] networks;
    private final int[] masks;
    private final String text;

    private UdpAllowList(final int[] networks, final int[] masks, final String text)
    {
        this.networks = networks;
        this.masks = masks;
        this.text = text;
    }

    /**
     * @param cidrs blocks such as {@code 127.0.0.0/8}, {@code 10.1.2.3/32} or {@code 10.1.2.3}
     *              (a single address); {@code 0.0.0.0/0} allows every source.
     * @throws IllegalArgumentException naming the block that is not one.
     */
    public static UdpAllowList of(final List<String> cidrs)
    {
        final int[] networks = new int[cidrs.size()];
        final int[] masks = new int[cidrs.size()];
        final List<String> normalised = new ArrayList<>();
        for (int i = 0; i < cidrs.size(); i++)
        {
            final String cidr = cidrs.get(i).trim();
            final int slash = cidr.indexOf('/');
            final int prefix = slash < 0 ? 32 : prefixLength(cidr, cidr.substring(slash + 1));
            final int address = parseIpv4(cidr, slash < 0 ? cidr : cidr.substring(0, slash));
            masks[i] = mask(prefix);
            networks[i] = address & masks[i];
            normalised.add(ipv4ToString(networks[i]) + "/" + prefix);
        }
        return new UdpAllowList(networks, masks, String.join(",", normalised));
    }

    /** @return true when a datagram from this address (host order) may be served. */
    public boolean allows(final int ipv4HostOrder)
    {
        for (int i = 0; i < networks.length; i++)
        {
            if ((ipv4HostOrder & masks[i]) == networks[i])
            {
                return true;
            }
        }
        return false;
    }

    /** @return true when every source is allowed ({@code 0.0.0.0/0} is listed). */
    public boolean allowsEverySource()
    {
        for (final int mask : masks)
        {
            if (0 == mask)
            {
                return true;
            }
        }
        return false;
    }

    /** The netmask of a prefix length: {@code 24} is {@code 0xFFFFFF00}. */
    public static int mask(final int prefixLength)
    {
        return 0 == prefixLength ? 0 : -1 << (32 - prefixLength);
    }

    /** The dotted quad of a host-order address. */
    public static String ipv4ToString(final int ipv4)
    {
        return (ipv4 >>> 24) + "." + ((ipv4 >>> 16) & 0xFF) + "." + ((ipv4 >>> 8) & 0xFF) + "." + (ipv4 & 0xFF);
    }

    /** The blocks as {@code network/prefix}, comma-separated, as the start-up report shows them. */
    @Override
    public String toString()
    {
        return text;
    }

    private static int prefixLength(final String cidr, final String text)
    {
        try
        {
            final int prefix = Integer.parseInt(text);
            if (prefix >= 0 && prefix <= 32)
            {
                return prefix;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 CIDR block: the prefix length must be 0..32");
    }

    private static int parseIpv4(final String cidr, final String text)
    {
        final String[] parts = text.split("\\.", -1);
        if (parts.length == 4)
        {
            int address = 0;
            for (final String part : parts)
            {
                if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit) ||
                    Integer.parseInt(part) > 255)
                {
                    address = -1;
                    break;
                }
                address = (address << 8) | Integer.parseInt(part);
            }
            if (address != -1 || "255.255.255.255".equals(text))
            {
                return address;
            }
        }
        throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 CIDR block such as 10.0.0.0/8 or 192.0.2.7");
    }
}
