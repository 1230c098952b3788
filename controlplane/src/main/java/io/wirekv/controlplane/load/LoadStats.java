package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency of one protocol's load, written by its worker threads and read by the
 * reporting thread. Every request sent ends as exactly one of ok (hit, miss or stored), error
 * or timeout once the workers have stopped, so {@code sent == ok + errors + timeouts}.
 * Latency is recorded in nanoseconds into a {@link Recorder} (wait-free for many writers); the
 * reporter takes interval histograms from it once a second.
 */
public final class LoadStats
{
    /** Longest latency tracked: 60 s, in ns; 3 significant digits. */
    public static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

    final LongAdder sent = new LongAdder();
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
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
