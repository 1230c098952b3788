package io.wirekv.controlplane.load;

import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.net.PeerLink;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Resolves the target's MAC through the kernel's neighbour table ({@code /proc/net/arp}) for the
 * {@code xdp} backend: wirekv's XDP program passes ARP to the kernel, so the kernel, not the AF_XDP
 * socket, sees the replies. When the entry is missing it asks the kernel to resolve it by sending an
 * ICMP echo (or, unprivileged, a TCP probe) to the target through the interface, then polls the table
 * until the entry is complete or the timeout passes. Setup time only.
 */
final class KernelNeighbours
{
    private static final int ATF_COM = 0x2;
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private KernelNeighbours()
    {
    }

    /**
     * @return the target's link address ({@link PeerLink}, untagged), or -1 when the kernel could not
     * resolve it within the timeout.
     */
    static long resolve(final String interfaceName, final int targetIpv4, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        long link = lookup(interfaceName, targetIpv4);
        if (link >= 0)
        {
            return link;
        }
        try
        {
            final NetworkInterface nif = NetworkInterface.getByName(interfaceName);
            final InetAddress target = InetAddress.getByName(NetAddress.ipv4ToString(targetIpv4));
            final int probeMs = (int)Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
            target.isReachable(nif, 0, probeMs); // the answer does not matter: the kernel resolves the neighbour to send
        }
        catch (final IOException ex)
        {
            // no probe: an entry may still appear (e.g. the target talks first); the timeout decides
        }
        while (System.nanoTime() - deadline < 0)
        {
            link = lookup(interfaceName, targetIpv4);
            if (link >= 0)
            {
                return link;
            }
            LockSupport.parkNanos(POLL_NS);
        }
        return lookup(interfaceName, targetIpv4);
    }

    /**
     * @return the complete entry for the address on the interface, or -1.
     */
    static long lookup(final String interfaceName, final int ipv4)
    {
        final String address = NetAddress.ipv4ToString(ipv4);
        try (FileInputStream in = new FileInputStream("/proc/net/arp")) // NIO sees one byte of /proc files
        {
            final String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n");
            for (int i = 1; i < lines.length; i++)
            {
                // IP address  HW type  Flags  HW address  Mask  Device
                final String[] f = lines[i].trim().split("\\s+");
                if (f.length >= 6 && f[0].equals(address) && f[5].equals(interfaceName) &&
                    (Integer.decode(f[2]) & ATF_COM) != 0)
                {
                    return PeerLink.untagged(NetAddress.parseMac(f[3]));
                }
            }
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return -1;
        }
        return -1;
    }
}
