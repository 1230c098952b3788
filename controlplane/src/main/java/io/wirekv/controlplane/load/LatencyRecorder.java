package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Request latency in nanoseconds, recorded by many worker threads into a {@link Recorder} (wait-free)
 * and drained by the reporting thread as interval histograms: 1 ns to 60 s, 3 significant digits.
 * One per {@link BenchStats}.
 */
final class LatencyRecorder
{
    /** Longest latency tracked: 60 s, in ns; longer values are recorded as this. */
    static final long HIGHEST_TRACKABLE_NS = 60_000_000_000L;

    private final Recorder recorder = new Recorder(1, HIGHEST_TRACKABLE_NS, 3);

    /** Any thread; clamps to 1 ns..{@link #HIGHEST_TRACKABLE_NS}. */
    void record(final long ns)
    {
        recorder.recordValue(Math.min(Math.max(1, ns), HIGHEST_TRACKABLE_NS));
    }

    /** {@link #record(long)} {@code count} times at once. */
    void record(final long ns, final int count)
    {
        recorder.recordValueWithCount(Math.min(Math.max(1, ns), HIGHEST_TRACKABLE_NS), count);
    }

    /** Moves what was recorded since the last call into {@code into}; returns the interval. */
    Histogram drainInto(final Histogram into, final Histogram reuse)
    {
        final Histogram interval = recorder.getIntervalHistogram(reuse);
        into.add(interval);
        return interval;
    }

    /** An empty histogram with the same range and precision, to drain into. */
    static Histogram histogram()
    {
        return new Histogram(1, HIGHEST_TRACKABLE_NS, 3);
    }
}
