package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.LongAdder;

/**
 * One trial's counters and latency, written by the worker threads and read by the reporting
 * thread. Once the workers have stopped, every request sent is exactly one of received or lost,
 * so {@code sent == received + lost}; errors and wrong answers are kinds of received replies.
 * Hits and misses count keys (a multi-key get has several), stored counts answered SETs. A reply
 * that arrives after its request was counted lost is {@code late} and counted nowhere else. A UDP
 * request the local kernel refused to send (socket buffer full) is {@code unsent}, not sent. A reply
 * whose request id belongs to another thread's slice of the id space is {@code misrouted} (the device
 * delivered it to the wrong queue) and counted nowhere else; its request ends lost at its own thread.
 * Latency, in ns, goes to a {@link LatencyRecorder}.
 */
public final class BenchStats
{
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
    final LongAdder misrouted = new LongAdder();
    private final LatencyRecorder latency = new LatencyRecorder();

    void recordLatency(final long ns)
    {
        latency.record(ns);
    }

    void recordLatency(final long ns, final int count)
    {
        latency.record(ns, count);
    }

    /** Moves what was recorded since the last call into {@code into}; returns the interval. */
    Histogram drainInto(final Histogram into, final Histogram reuse)
    {
        return latency.drainInto(into, reuse);
    }

}
