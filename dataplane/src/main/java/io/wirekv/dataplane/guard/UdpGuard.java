package io.wirekv.dataplane.guard;

/**
 * The amplification guard every lcore applies, whatever its backend: datagrams from sources outside
 * the allow-list are dropped before any table access, and a source that has not shown it receives
 * replies ({@link ValidatedSources}) gets at most {@code factor} times its request's bytes back,
 * frame headers included (QUIC's anti-amplification rule, RFC 9000 section 8, per request).
 * <p>
 * Immutable and shared by every lcore; the methods allocate nothing.
 */
public final class UdpGuard
{
    /** Every source, no cap: the guard opened up deliberately. */
    public static final UdpGuard OPEN = new UdpGuard(UdpAllowList.of(java.util.List.of("0.0.0.0/0")), 0,
        new ValidatedSources(ValidatedSources.PROBES, 0), false);

    /** Unvalidated sources each lcore keeps a reply bucket for. */
    private static final int REPLY_RATE_SOURCES = 4096;
    private static final int LOOPBACK_NET = 0x7F00_0000;
    private static final int LOOPBACK_MASK = 0xFF00_0000;

    private final UdpAllowList allowList;
    private final int replyFactor;
    private final ValidatedSources validated;
    private final boolean trustLoopback;
    private final long unvalidatedReplyRate;

    /**
     * @param allowList     sources that are served.
     * @param replyFactor   an unvalidated source's reply is capped at this many times its request; 0 = no cap.
     * @param validated     the addresses TCP connections have validated.
     * @param trustLoopback treat 127.0.0.0/8 as validated: true on the kernel backend, where the kernel
     *                      refuses loopback sources arriving from the wire (martians), so they cannot be spoofed.
     */
    public UdpGuard(
        final UdpAllowList allowList, final int replyFactor, final ValidatedSources validated, final boolean trustLoopback)
    {
        this(allowList, replyFactor, validated, trustLoopback, 0);
    }

    /**
     * @param unvalidatedReplyRate reply bytes per second one unvalidated source may get from one lcore; 0 = no limit.
     */
    public UdpGuard(
        final UdpAllowList allowList, final int replyFactor, final ValidatedSources validated, final boolean trustLoopback,
        final long unvalidatedReplyRate)
    {
        this.unvalidatedReplyRate = unvalidatedReplyRate;
        this.allowList = allowList;
        this.replyFactor = replyFactor;
        this.validated = validated;
        this.trustLoopback = trustLoopback;
    }

    /** @return true when a datagram from this source may be served at all. */
    public boolean allows(final int ipv4HostOrder)
    {
        return allowList.allows(ipv4HostOrder);
    }

    /** @return the largest reply, in bytes, an unvalidated source may get for a request this long; no cap = MAX_VALUE. */
    public long unvalidatedBudgetBytes(final int requestBytes)
    {
        return 0 == replyFactor ? Long.MAX_VALUE : (long)replyFactor * requestBytes;
    }

    /** @return true when replies to this source need no cap (validated, or trusted loopback). */
    public boolean isValidated(final int ipv4HostOrder, final long nowNs)
    {
        return (trustLoopback && (ipv4HostOrder & LOOPBACK_MASK) == LOOPBACK_NET) ||
            validated.isValidated(ipv4HostOrder, nowNs);
    }

    /**
     * @return a new per-lcore token bucket table for unvalidated sources, or null when there is no rate limit.
     *         Each lcore owns its own: the buckets are single-threaded.
     */
    public SourceReplyRate newReplyRate()
    {
        return 0 == unvalidatedReplyRate ? null : new SourceReplyRate(unvalidatedReplyRate, REPLY_RATE_SOURCES);
    }

    public UdpAllowList allowList()
    {
        return allowList;
    }

    public int replyFactor()
    {
        return replyFactor;
    }

    public ValidatedSources validatedSources()
    {
        return validated;
    }

    public String describe()
    {
        return "udp.allow " + allowList + ", unvalidated replies " +
            (0 == replyFactor ? "uncapped" : "capped at " + replyFactor + "x the request") +
            (0 == unvalidatedReplyRate ? "" : ", at most " + unvalidatedReplyRate + " reply bytes/s per unvalidated source per lcore") +
            ", " + validated.capacity() + " validated sources (by TCP connection)";
    }
}
