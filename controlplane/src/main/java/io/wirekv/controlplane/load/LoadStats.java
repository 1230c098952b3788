package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency of one protocol's load, written by its worker threads and read by the
 * reporting thread. Every request sent ends as exactly one of ok (hit, miss or stored), error
 * or timeout once the workers have stopped, so {@code sent == ok + errors + timeouts}.
 * Latency is recorded in nanoseconds into a {@link LatencyRecorder}; the reporter takes interval
 * histograms from it once a second.
 */
public final class LoadStats
{
    final LongAdder sent = new LongAdder();
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    private final LatencyRecorder latency = new LatencyRecorder();

    void recordLatency(final long ns)
    {
        latency.record(ns);
    }

    /** Moves what was recorded since the last call into {@code into}; returns the interval. */
    Histogram drainInto(final Histogram into, final Histogram reuse)
    {
        return latency.drainInto(into, reuse);
    }

    public long sent()
    {
        return sent.sum();
    }

    public long ok()
    {
        return hits.sum() + misses.sum() + stored.sum();
    }

    public long hits()
    {
        return hits.sum();
    }

    public long misses()
    {
        return misses.sum();
    }

    public long stored()
    {
        return stored.sum();
    }

    public long errors()
    {
        return errors.sum();
    }

    public long timeouts()
    {
        return timeouts.sum();
    }
}
