package io.wirekv.dataplane.table;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.EpochClock;

/**
 * Keeps the table's {@link CachedEpochClock} current: every read of the table checks expiry against
 * it, so readers load one field instead of calling the system clock. One thread ticks it (writer 0),
 * storing only when the millisecond changes, so reader cache lines are invalidated at most 1000
 * times a second.
 * <p>
 * Lives with the table, whose expiry checks read the clock it ticks; the server creates it and
 * hands it to the writer that ticks it.
 */
public final class ClockTicker
{
    private final EpochClock source;
    private final CachedEpochClock cached;

    public ClockTicker(final EpochClock source, final CachedEpochClock cached)
    {
        this.source = source;
        this.cached = cached;
    }

    public void tick()
    {
        final long nowMs = source.time();
        if (nowMs != cached.time())
        {
            cached.update(nowMs); // ordered store in Agrona; readers load it with time()
        }
    }
}
