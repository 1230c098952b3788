package io.wirekv.dataplane.latency;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Durations in fixed buckets whose upper bounds follow the 1-2-5 series from 500 ns to 10 s (and one
 * bucket above), the shape of a Prometheus histogram: {@link #UPPER_BOUNDS_NS} are its {@code le}
 * values. Recording is a short scan of the bounds, two plain loads and two opaque stores: no
 * allocation, no lock, no atomic read-modify-write.
 * <p>
 * Single writer: only the thread that owns the histogram calls {@link #record}; any thread may call
 * {@link #readBuckets} and {@link #sumNs} (opaque loads; see the package rule).
 */
public final class LatencyHistogram
{
    /** Inclusive upper bounds of the finite buckets, ns; the last bucket ({@code le="+Inf"}) has none. */
    private static final long[] UPPER_BOUNDS_NS = {
        500L, 1_000L, 2_000L, 5_000L, 10_000L, 20_000L, 50_000L, 100_000L, 200_000L, 500_000L,
        1_000_000L, 2_000_000L, 5_000_000L, 10_000_000L, 20_000_000L, 50_000_000L, 100_000_000L,
        200_000_000L, 500_000_000L, 1_000_000_000L, 2_000_000_000L, 5_000_000_000L, 10_000_000_000L};

    /** Buckets: one per finite bound and the +Inf bucket. */
    public static final int BUCKETS = UPPER_BOUNDS_NS.length + 1;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Non-cumulative counts; written by the owning agent only. */
    private final long[] counts = new long[BUCKETS];
    /** [0] sum of recorded durations, ns; an array so that it shares the opaque access of the counts. */
    private final long[] sumNs = new long[1];

    /** Upper bound of bucket {@code i} in ns, or {@link Long#MAX_VALUE} for the last (+Inf) bucket. */
    public static long upperBoundNs(final int bucket)
    {
        return bucket < UPPER_BOUNDS_NS.length ? UPPER_BOUNDS_NS[bucket] : Long.MAX_VALUE;
    }

    /** Records one duration. Owning thread only; a negative duration (a clock step) counts as 0. */
    public void record(final long durationNs)
    {
        final long ns = Math.max(0L, durationNs);
        int bucket = 0;
        while (bucket < UPPER_BOUNDS_NS.length && ns > UPPER_BOUNDS_NS[bucket])
        {
            bucket++;
        }
        // opaque: single writer; pairs with getOpaque in readBuckets and sumNs (exporter thread)
        LONGS.setOpaque(counts, bucket, counts[bucket] + 1);
        LONGS.setOpaque(sumNs, 0, sumNs[0] + ns);
    }

    /**
     * Adds this histogram's non-cumulative bucket counts to {@code into} (length {@link #BUCKETS}), so
     * that several agents' histograms can be summed; any thread.
     */
    public void readBuckets(final long[] into)
    {
        for (int i = 0; i < BUCKETS; i++)
        {
            into[i] += (long)LONGS.getOpaque(counts, i); // opaque: pairs with setOpaque in record
        }
    }

    /** The sum of recorded durations, ns; any thread. */
    public long sumNs()
    {
        return (long)LONGS.getOpaque(sumNs, 0); // opaque: pairs with setOpaque in record
    }
}
