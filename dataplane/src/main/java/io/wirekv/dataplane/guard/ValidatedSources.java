package io.wirekv.dataplane.guard;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded, allocation-free table of IPv4 source addresses that have shown they receive what the
 * appliance sends them: an address is validated by an established TCP connection from it (the
 * three-way handshake echoes the server's initial sequence number, so the address is not spoofed)
 * and stays validated for {@link #VALIDATION_TTL_S} seconds after that connection's last read.
 * <p>
 * Layout: open addressing over a power-of-two array of {@code long} entries,
 * {@code (lastSeenSecond << 32) | address}, {@code 0} = empty; a key is looked for in at most
 * {@link #PROBES} consecutive entries from its hash. Entries are never cleared, so an empty entry
 * ends a probe. A full probe window evicts its least recently seen entry: a flood of new sources
 * forgets old validations (those sources are capped again until they reconnect) but never grows
 * the table.
 * <p>
 * Threading: {@link #validate} is called by the TCP threads, {@link #isValidated} by the lcores.
 * Each entry is one {@code long} written with {@code setOpaque} and read with {@code getOpaque}
 * (single-copy atomic, never torn). Two validators racing for one empty entry may lose one of the
 * two validations; that only caps a reply that could have been sent.
 */
public final class ValidatedSources
{
    /** How long a validation lasts after the TCP connection's last read. */
    public static final long VALIDATION_TTL_S = 600;
    /** Entries probed per lookup. */
    public static final int PROBES = 8;

    private final AtomicLongArray entries;
    private final int mask;
    private final long originNs;

    /**
     * @param capacity entries, a power of two of at least {@link #PROBES}.
     * @param originNs a {@code System.nanoTime()} reading before any call (the table's second 0).
     */
    public ValidatedSources(final int capacity, final long originNs)
    {
        if (capacity < PROBES || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two of at least " + PROBES + ", was " + capacity);
        }
        this.entries = new AtomicLongArray(capacity);
        this.mask = capacity - 1;
        this.originNs = originNs;
    }

    public int capacity()
    {
        return mask + 1;
    }

    /**
     * Marks an address validated as of {@code nowNs} (a {@code System.nanoTime()} reading).
     * Allocation-free; called by TCP threads on accept and on each read.
     */
    public void validate(final int ipv4HostOrder, final long nowNs)
    {
        final long entry = (second(nowNs) << 32) | (ipv4HostOrder & 0xFFFF_FFFFL);
        final int home = hash(ipv4HostOrder);
        int victim = home;
        long oldest = Long.MAX_VALUE;
        for (int p = 0; p < PROBES; p++)
        {
            final int i = (home + p) & mask;
            // opaque: pairs with getOpaque in isValidated (one long, never torn)
            final long existing = entries.getOpaque(i);
            if (0 == existing || (int)existing == ipv4HostOrder)
            {
                if (existing != entry)
                {
                    entries.setOpaque(i, entry); // opaque: pairs with getOpaque in isValidated
                }
                return;
            }
            if ((existing >>> 32) < oldest)
            {
                oldest = existing >>> 32;
                victim = i;
            }
        }
        entries.setOpaque(victim, entry); // opaque: pairs with getOpaque in isValidated
    }

    /**
     * @return true when the address was validated within {@link #VALIDATION_TTL_S} of {@code nowNs}.
     * Allocation-free; called by lcores.
     */
    public boolean isValidated(final int ipv4HostOrder, final long nowNs)
    {
        final int home = hash(ipv4HostOrder);
        for (int p = 0; p < PROBES; p++)
        {
            // opaque: pairs with setOpaque in validate
            final long existing = entries.getOpaque((home + p) & mask);
            if (0 == existing)
            {
                return false;
            }
            if ((int)existing == ipv4HostOrder)
            {
                return second(nowNs) - (existing >>> 32) <= VALIDATION_TTL_S;
            }
        }
        return false;
    }

    /** Seconds since the origin, from 1, so that an occupied entry is never 0. */
    private long second(final long nowNs)
    {
        return 1 + Math.max(0, (nowNs - originNs) / 1_000_000_000L);
    }

    private int hash(final int ipv4)
    {
        final int h = ipv4 * 0x9E37_79B9; // Fibonacci hashing: neighbouring addresses spread
        return (h ^ (h >>> 16)) & mask;
    }
}
