package io.wirekv.dataplane.table;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.EpochClock;

/**
 * Keeps the table's {@link CachedEpochClock} current: every read of the table checks expiry against
 * it, so readers load one field instead of calling the system clock. One thread ticks it (writer 0),
 * storing only when the millisecond changes, so reader cache lines are invalidated at most 1000
 * times a second. The ticking thread passes the monotonic time it reads anyway; the system clock is
 * read only when {@link #READ_INTERVAL_NS} has passed since the last read, so a busy-polling duty cycle
 * does not pay a second clock call every cycle (the table's clock stays within that interval of the
 * system clock's millisecond; expiry is counted in seconds).
 * <p>
 * Lives with the table, whose expiry checks read the clock it ticks; the server creates it and
 * hands it to the writer that ticks it.
 */
public final class ClockTicker
{
    /** How often the system clock is read, at most. */
    public static final long READ_INTERVAL_NS = 100_000;

    private final EpochClock source;
    private final CachedEpochClock cached;
    private long nextReadNs;
    private boolean started;

    public ClockTicker(final EpochClock source, final CachedEpochClock cached)
    {
        this.source = source;
        this.cached = cached;
    }

    /** @param nowNs the ticking thread's {@link System#nanoTime} of this cycle. */
    public void tick(final long nowNs)
    {
        if (started && nowNs - nextReadNs < 0)
        {
            return;
        }
        started = true;
        nextReadNs = nowNs + READ_INTERVAL_NS;
        final long nowMs = source.time();
        if (nowMs != cached.time())
        {
            cached.update(nowMs); // ordered store in Agrona; readers load it with time()
        }
    }
}
