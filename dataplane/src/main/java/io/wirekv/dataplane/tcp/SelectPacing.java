package io.wirekv.dataplane.tcp;

import org.agrona.concurrent.NanoClock;

/**
 * When a TCP agent polls its selector (an {@code epoll_wait}): every {@code interval}-th duty cycle, and at least every
 * {@code maxGapNs}. Sharing an lcore's thread (colocated), skipping cycles keeps a busy UDP duty cycle from paying a
 * system call each time; the time bound keeps an idle thread responsive, since each of its duty cycles includes its
 * idle strategy's park (up to 100 us): 16 of those held a TCP request for up to 1.6 ms. Allocation-free.
 */
final class SelectPacing
{
    /** The time bound a shared thread uses. */
    static final long MAX_GAP_NS = 20_000;

    private final int interval;
    private final long maxGapNs;
    private final NanoClock clock;
    private int cycle;
    private long lastPollNs;

    SelectPacing(final int interval, final long maxGapNs, final NanoClock clock)
    {
        this.interval = interval;
        this.maxGapNs = maxGapNs;
        this.clock = clock;
    }

    /** Called once per duty cycle: whether to poll the selector in this one. */
    boolean due()
    {
        if (++cycle >= interval) // interval 1 (an agent on its own thread): no clock read
        {
            cycle = 0;
            lastPollNs = clock.nanoTime();
            return true;
        }
        final long now = clock.nanoTime();
        if (now - lastPollNs >= maxGapNs)
        {
            cycle = 0;
            lastPollNs = now;
            return true;
        }
        return false;
    }
}
