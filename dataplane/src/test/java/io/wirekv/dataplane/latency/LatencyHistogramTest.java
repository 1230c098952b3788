package io.wirekv.dataplane.latency;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyHistogramTest
{
    @Test
    void shouldCountEachDurationInTheFirstBucketWhoseBoundHoldsIt()
    {
        final LatencyHistogram h = new LatencyHistogram();
        h.record(0);
        h.record(500);          // le=500ns is inclusive
        h.record(501);          // next bucket: le=1us
        h.record(7_000);        // le=10us
        h.record(-5);           // a clock step counts as 0
        h.record(Long.MAX_VALUE / 4); // past 10 s: +Inf
        final long[] buckets = new long[LatencyHistogram.BUCKETS];
        h.readBuckets(buckets);
        final long[] expected = new long[LatencyHistogram.BUCKETS];
        expected[0] = 3;
        expected[1] = 1;
        expected[4] = 1;
        expected[LatencyHistogram.BUCKETS - 1] = 1;
        assertArrayEquals(expected, buckets);
        assertEquals(0 + 500 + 501 + 7_000 + Long.MAX_VALUE / 4, h.sumNs());
    }

    @Test
    void shouldHaveIncreasingBoundsEndingInInfinity()
    {
        for (int i = 1; i < LatencyHistogram.BUCKETS; i++)
        {
            assertTrue(LatencyHistogram.upperBoundNs(i) > LatencyHistogram.upperBoundNs(i - 1), "bucket " + i);
        }
        assertEquals(10_000_000_000L, LatencyHistogram.upperBoundNs(LatencyHistogram.BUCKETS - 2));
        assertEquals(Long.MAX_VALUE, LatencyHistogram.upperBoundNs(LatencyHistogram.BUCKETS - 1));
    }

    @Test
    void shouldSumSeveralHistogramsIntoOneArray()
    {
        final RequestLatency a = new RequestLatency();
        final RequestLatency b = new RequestLatency();
        a.record(false, 3_000);
        b.record(false, 3_000);
        b.record(true, 3_000);
        final long[] reads = new long[LatencyHistogram.BUCKETS];
        a.histogram(RequestLatency.Family.READ).readBuckets(reads);
        b.histogram(RequestLatency.Family.READ).readBuckets(reads);
        assertEquals(2, reads[3]);
        final long[] writes = new long[LatencyHistogram.BUCKETS];
        b.histogram(RequestLatency.Family.WRITE).readBuckets(writes);
        assertEquals(1, writes[3]);
    }

    @Test
    void shouldAllocateNothingWhenRecording()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final RequestLatency latency = new RequestLatency();
        long allocated = -1;
        for (int attempt = 0; attempt < 5 && allocated != 0; attempt++) // the first rounds may compile
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++)
            {
                latency.record((i & 1) == 0, i * 37L);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated while recording 100,000 durations");
    }
}
