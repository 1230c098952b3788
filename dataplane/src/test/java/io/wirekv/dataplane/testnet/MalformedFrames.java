package io.wirekv.dataplane.testnet;

import io.wirekv.dataplane.net.NetCounters;

import static io.wirekv.dataplane.testnet.TestFrames.*;

/**
 * One frame for every way the appliance refuses a frame, addressed to a real server (its MAC, IPv4 address
 * and UDP port), with the {@link NetCounters} outcome each must add to: the L2/L3 stack's drop reasons,
 * ARP that is not for it, and a UDP datagram whose memcached frame header announces two datagrams (a
 * {@code UDP_REQUESTS} outcome that the lcore then counts as a malformed frame). The replays on the dpdk and
 * xdp backends send them round-robin and check that the counters add up exactly.
 */
public final class MalformedFrames
{
    /** The kinds, in the order of {@link #frames} and {@link #outcomes}. */
    public static final String[] KINDS = {
        "truncated", "bad-ip-checksum", "bad-udp-checksum", "not-for-us", "fragment", "ipv6", "bad-icmp-checksum",
        "arp-for-another", "multi-datagram",
    };
    /** The index of the kind the lcore counts as a malformed memcached frame. */
    public static final int MULTI_DATAGRAM = 8;
    /** The index of the UDP fragment the reassembler refuses (so its outcome is the same for every copy). */
    public static final int FRAGMENT = 4;

    /** How long a replay waits for the lcore to take in every frame it sent. */
    private static final long WAIT_NS = 60_000_000_000L;

    private final byte[][] frames;
    private final int[] outcomes = {
        NetCounters.DROP_MALFORMED, NetCounters.DROP_BAD_IP_CHECKSUM, NetCounters.DROP_BAD_UDP_CHECKSUM,
        NetCounters.DROP_NOT_FOR_US, NetCounters.DROP_FRAGMENT, NetCounters.DROP_UNSUPPORTED,
        NetCounters.DROP_BAD_ICMP_CHECKSUM, NetCounters.ARP_OTHER, NetCounters.UDP_REQUESTS,
    };

    /**
     * @param otherIp an address on the server's subnet that is not the server's.
     */
    public MalformedFrames(
        final long serverMac, final long clientMac, final int serverIp, final int clientIp, final int otherIp,
        final int serverPort)
    {
        final byte[] get = memcachedDatagram(1, "get replay\r\n");
        final int l2 = 14;
        final int udp = l2 + 20;

        final byte[] request = TestFrames.udp(serverMac, clientMac, clientIp, serverIp, 40_100, serverPort, get);
        final byte[] truncated = java.util.Arrays.copyOf(request, 20); // inside the IPv4 header

        final byte[] badIpChecksum = request.clone();
        badIpChecksum[l2 + 10] ^= 0x5A;

        final byte[] badUdpChecksum = request.clone();
        final int checksum = u16(badUdpChecksum, udp + 6);
        putU16(badUdpChecksum, udp + 6, checksum == 0x1234 ? 0x4321 : 0x1234); // wrong, and not 0 ("none")

        final byte[] notForUs = TestFrames.udp(serverMac, clientMac, clientIp, otherIp, 40_100, serverPort, get);

        // a first fragment (more fragments follow) of 28 bytes, not a multiple of 8 as RFC 791 requires of every
        // fragment but the last: drop_fragment, without taking a reassembly context, however often it comes
        final byte[] fragment = request.clone();
        if ((u16(fragment, l2 + 2) - 20) % 8 == 0)
        {
            throw new IllegalStateException("the fragment kind needs a length that is not a multiple of 8");
        }
        putU16(fragment, l2 + 6, 0x2000);
        putU16(fragment, l2 + 10, 0);
        putU16(fragment, l2 + 10, referenceChecksum(fragment, l2, 20));

        final byte[] ipv6 = request.clone();
        putU16(ipv6, 12, 0x86DD);

        final byte[] badIcmp = icmpEcho(serverMac, clientMac, clientIp, serverIp, 0x4242, 1, payload(24, 3));
        badIcmp[l2 + 20 + 8] ^= (byte)0xFF; // first data byte: the ICMP checksum no longer matches

        final byte[] arpForAnother = arpRequest(clientMac, clientIp, otherIp);

        final byte[] multiDatagram = request.clone();
        putU16(multiDatagram, udp + 8 + 4, 2); // memcached header: datagram count 2
        putU16(multiDatagram, udp + 6, 0);
        final int udpChecksum = referenceUdpChecksum(multiDatagram, udp, clientIp, serverIp);
        putU16(multiDatagram, udp + 6, udpChecksum == 0 ? 0xFFFF : udpChecksum);

        frames = new byte[][]{
            truncated, badIpChecksum, badUdpChecksum, notForUs, fragment, ipv6, badIcmp, arpForAnother, multiDatagram,
        };
    }

    /** @return the frame of kind {@code kind} (do not change it). */
    public byte[] frame(final int kind)
    {
        return frames[kind];
    }

    /** @return the {@link NetCounters} id that frame {@code kind} adds to. */
    public int outcome(final int kind)
    {
        return outcomes[kind];
    }

    /** Every counter of the stack now, indexed by counter id. */
    public static long[] snapshot(final NetCounters counters)
    {
        final long[] values = new long[NetCounters.count()];
        for (int id = 0; id < values.length; id++)
        {
            values[id] = counters.get(id);
        }
        return values;
    }

    /** Waits (at most a minute) until the stack has taken in {@code rxFrames} frames in all. */
    public static void awaitReceived(final NetCounters counters, final long rxFrames)
    {
        final long deadline = System.nanoTime() + WAIT_NS;
        while (counters.get(NetCounters.RX_FRAMES) < rxFrames && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
    }
}
