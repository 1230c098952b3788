package io.wirekv.dataplane.net;

/**
 * Neighbour table: IPv4 address to peer link ({@link PeerLink}: MAC and VLAN), learned from ARP
 * requests and replies and from the source of every accepted IPv4 frame, so a datagram can be
 * addressed to a peer without sending ARP. For a peer behind a router the frames come from the
 * router's MAC, so that is what is learned for the peer's address, and where datagrams to it must go.
 * <p>
 * Fixed size and allocation-free: {@code capacity} entries (a power of two, at least 4) in sets of
 * {@link #WAYS}, chosen by a multiplicative hash of the address. Learning an address already present
 * updates its link and makes it the newest in its set; learning a new address into a full set evicts
 * the entry learned or refreshed longest ago. Entries do not expire by time: a peer that moves is
 * re-learned by its next frame or ARP. Address 0.0.0.0 (ARP probes) is never learned.
 * <p>
 * Confined to one thread (the lcore that owns the {@link NetStack}).
 */
public final class ArpTable
{
    /** Entries per set. */
    public static final int WAYS = 4;
    /** Capacity {@link NetStack} uses by default. */
    public static final int DEFAULT_CAPACITY = 1024;

    private final int[] ipv4s;
    private final long[] links;
    private final long[] stamps;
    private final int setShift;
    private long clock;
    private int size;

    /**
     * @param capacity entries, a power of two and at least {@link #WAYS}.
     */
    public ArpTable(final int capacity)
    {
        if (capacity < WAYS || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("ARP table capacity must be a power of two >= " + WAYS + ", was " + capacity);
        }
        ipv4s = new int[capacity];
        links = new long[capacity];
        stamps = new long[capacity];
        final int sets = capacity / WAYS;
        setShift = sets == 1 ? 32 : 32 - Integer.numberOfTrailingZeros(sets);
    }

    public int capacity()
    {
        return ipv4s.length;
    }

    /**
     * @return addresses currently held.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param ipv4 host order.
     * @return the peer link learned for the address, or -1 if none is known.
     */
    public long lookup(final int ipv4)
    {
        if (ipv4 != 0)
        {
            final int base = setBase(ipv4);
            for (int i = base; i < base + WAYS; i++)
            {
                if (ipv4s[i] == ipv4)
                {
                    return links[i];
                }
            }
        }
        return -1;
    }

    /**
     * Records (or refreshes) a neighbour.
     *
     * @param ipv4     host order; 0 is ignored.
     * @param peerLink see {@link PeerLink}.
     */
    public void learn(final int ipv4, final long peerLink)
    {
        if (ipv4 == 0)
        {
            return;
        }
        final int base = setBase(ipv4);
        final long now = ++clock;
        int victim = base;
        for (int i = base; i < base + WAYS; i++)
        {
            if (ipv4s[i] == ipv4)
            {
                links[i] = peerLink;
                stamps[i] = now;
                return;
            }
            if (stamps[i] < stamps[victim])
            {
                victim = i;
            }
        }
        if (ipv4s[victim] == 0)
        {
            size++;
        }
        ipv4s[victim] = ipv4;
        links[victim] = peerLink;
        stamps[victim] = now;
    }

    /**
     * Forgets every neighbour.
     */
    public void clear()
    {
        java.util.Arrays.fill(ipv4s, 0);
        java.util.Arrays.fill(stamps, 0);
        size = 0;
    }

    private int setBase(final int ipv4)
    {
        // Fibonacci hashing: consecutive addresses of a subnet land in different sets.
        final int set = setShift == 32 ? 0 : (ipv4 * 0x9E37_79B9) >>> setShift;
        return set * WAYS;
    }
}
