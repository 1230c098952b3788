package io.wirekv.dataplane.guard;

/**
 * A token bucket of reply bytes per unvalidated source address, one per lcore: however many spoofed
 * requests arrive, an address that has not shown it receives replies gets at most {@code bytesPerSecond}
 * of replies per second from this lcore (with a burst of one second's worth). The per-request factor
 * ({@link UdpGuard#unvalidatedBudgetBytes}) bounds each reply; this bounds their sum, so the appliance
 * cannot be aimed at a victim at the attacker's request rate.
 * <p>
 * Layout: open addressing over power-of-two arrays, an address looked for in at most {@link #PROBES}
 * consecutive entries from its hash; a full probe window reuses its least recently seen entry, so a
 * flood of new sources never grows the table (a forgotten source starts again with a full bucket:
 * at most one burst more per eviction). Address 0 (0.0.0.0) marks an empty entry and is never a source.
 * <p>
 * Single-threaded (the owning lcore); allocation-free after construction.
 */
public final class SourceReplyRate
{
    /** Entries probed per lookup. */
    public static final int PROBES = 8;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long bytesPerSecond;
    private final long burstBytes;
    private final int mask;
    private final int[] addresses;
    private final long[] tokens;
    private final long[] refilledNs;

    /**
     * @param bytesPerSecond reply bytes one source may get per second, at least 1.
     * @param capacity       sources remembered, a power of two of at least {@link #PROBES}.
     */
    public SourceReplyRate(final long bytesPerSecond, final int capacity)
    {
        if (bytesPerSecond < 1)
        {
            throw new IllegalArgumentException("bytesPerSecond must be at least 1, was " + bytesPerSecond);
        }
        if (capacity < PROBES || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two of at least " + PROBES + ", was " + capacity);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = bytesPerSecond;
        this.mask = capacity - 1;
        this.addresses = new int[capacity];
        this.tokens = new long[capacity];
        this.refilledNs = new long[capacity];
    }

    public long bytesPerSecond()
    {
        return bytesPerSecond;
    }

    /**
     * Takes {@code bytes} from the source's bucket if it holds that many.
     *
     * @param ipv4HostOrder the source address.
     * @param bytes         the reply's size on the wire (frame headers included).
     * @param nowNs         a {@code System.nanoTime()} reading, not decreasing between calls.
     * @return true when the reply may leave; false when the source has had its share for now.
     */
    public boolean tryTake(final int ipv4HostOrder, final long bytes, final long nowNs)
    {
        final int entry = entryFor(ipv4HostOrder, nowNs);
        final long elapsedNs = nowNs - refilledNs[entry];
        long available = tokens[entry];
        if (elapsedNs > 0)
        {
            // Whole seconds and the remainder apart, so that bytesPerSecond * elapsed never overflows.
            final long refill = (elapsedNs / NANOS_PER_SECOND) * bytesPerSecond +
                (elapsedNs % NANOS_PER_SECOND) * bytesPerSecond / NANOS_PER_SECOND;
            available = Math.min(burstBytes, available + Math.min(refill, burstBytes));
            refilledNs[entry] = nowNs;
        }
        if (available < bytes)
        {
            tokens[entry] = available;
            return false;
        }
        tokens[entry] = available - bytes;
        return true;
    }

    private int entryFor(final int address, final long nowNs)
    {
        final int home = hash(address) & mask;
        int oldest = home;
        for (int p = 0; p < PROBES; p++)
        {
            final int i = (home + p) & mask;
            if (addresses[i] == address)
            {
                return i;
            }
            if (addresses[i] == 0)
            {
                return claim(i, address, nowNs);
            }
            if (refilledNs[i] - refilledNs[oldest] < 0)
            {
                oldest = i;
            }
        }
        return claim(oldest, address, nowNs);
    }

    private int claim(final int i, final int address, final long nowNs)
    {
        addresses[i] = address;
        tokens[i] = burstBytes;
        refilledNs[i] = nowNs;
        return i;
    }

    private static int hash(final int address)
    {
        final int h = address * 0x9E3779B9; // Fibonacci hashing: neighbouring addresses land apart
        return h ^ (h >>> 16);
    }
}
