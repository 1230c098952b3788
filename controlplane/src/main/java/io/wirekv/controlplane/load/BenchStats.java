package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.LongAdder;

/**
 * One trial's counters and latency, written by the worker threads and read by the reporting
 * thread. Once the workers have stopped, every request sent is exactly one of received or lost,
 * so {@code sent == received + lost}; errors and wrong answers are kinds of received replies.
 * Hits and misses count keys (a multi-key get has several), stored counts answered SETs. A reply
 * that arrives after its request was counted lost is {@code late} and counted nowhere else. A UDP
 * request the local kernel refused to send (socket buffer full) is {@code unsent}, not sent.
 * Latency, in ns, goes to a {@link Recorder} (wait-free for many writers).
 */
public final class BenchStats
{
    /** Longest latency tracked: 60 s, in ns; 3 significant digits. */
    public static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder lost = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder wrong = new LongAdder();
    final LongAdder verified = new LongAdder();
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder late = new LongAdder();
    final LongAdder unsent = new LongAdder();
    final Recorder latencyNs = new Recorder(1, HIGHEST_TRACKABLE_NS, 3);

    void recordLatency(final long ns)
    {
        latencyNs.recordValue(Math.min(Math.max(1, ns), HIGHEST_TRACKABLE_NS));
    }

    /** Moves what was recorded since the last call into {@code into}; returns the interval. */
    Histogram drainInto(final Histogram into, final Histogram reuse)
    {
        final Histogram interval = latencyNs.getIntervalHistogram(reuse);
        into.add(interval);
        return interval;
    }

    static Histogram histogram()
    {
        return new Histogram(1, HIGHEST_TRACKABLE_NS, 3);
    }
}
