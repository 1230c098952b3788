package io.wirekv.dataplane.net;

import java.util.concurrent.TimeUnit;

/**
 * Bounds of IPv4 reassembly on one lcore's {@link NetStack} (see {@link Ipv4Reassembler}): memory is
 * {@code contexts} × 64 KiB, allocated when the stack is built; nothing waits longer than {@code timeoutNs}.
 *
 * @param contexts          datagrams being reassembled at once on one lcore, 0..{@link #MAX_CONTEXTS}; 0 turns
 *                          reassembly off (fragments are counted and dropped as {@code drop_fragment}).
 * @param perSourceContexts of those, most held for one source address, 1..contexts (1 when contexts is 0).
 * @param timeoutNs         how long a datagram may wait for its missing fragments, counted from its first.
 */
public record ReassemblySettings(int contexts, int perSourceContexts, long timeoutNs)
{
    /** Most contexts an lcore may have (64 MiB of buffers). */
    public static final int MAX_CONTEXTS = 1024;
    /** Longest timeout accepted: Linux's ipfrag_time default; an appliance wants far less. */
    public static final long MAX_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    public static final int DEFAULT_CONTEXTS = 32;
    public static final int DEFAULT_PER_SOURCE_CONTEXTS = 8;
    public static final long DEFAULT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    public ReassemblySettings
    {
        if (contexts < 0 || contexts > MAX_CONTEXTS)
        {
            throw new IllegalArgumentException("reassembly contexts must be 0.." + MAX_CONTEXTS + ", was " + contexts);
        }
        if (perSourceContexts < 1 || perSourceContexts > Math.max(1, contexts))
        {
            throw new IllegalArgumentException(
                "reassembly contexts per source must be 1..contexts (" + contexts + "), was " + perSourceContexts);
        }
        if (timeoutNs < TimeUnit.MILLISECONDS.toNanos(1) || timeoutNs > MAX_TIMEOUT_NS)
        {
            throw new IllegalArgumentException("reassembly timeout must be 1 ms..30 s, was " + timeoutNs + " ns");
        }
    }

    /** @return for the start-up report, e.g. {@code IPv4 reassembly 32 x 64 KiB per lcore, 8 per source, 1000 ms}. */
    public String describe()
    {
        return contexts == 0 ? "IPv4 reassembly off (fragments dropped)" : "IPv4 reassembly " + contexts +
            " x 64 KiB per lcore, " + perSourceContexts + " per source, " + timeoutNs / 1_000_000 + " ms";
    }

    /** 32 contexts (2 MiB) per lcore, 8 per source, 1 s. */
    public static ReassemblySettings defaults()
    {
        return new ReassemblySettings(DEFAULT_CONTEXTS, DEFAULT_PER_SOURCE_CONTEXTS, DEFAULT_TIMEOUT_NS);
    }

    /** No reassembly: every fragment is counted and dropped, as before reassembly existed. */
    public static ReassemblySettings disabled()
    {
        return new ReassemblySettings(0, 1, DEFAULT_TIMEOUT_NS);
    }
}
