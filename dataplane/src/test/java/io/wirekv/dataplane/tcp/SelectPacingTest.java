package io.wirekv.dataplane.tcp;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A shared thread's TCP agent polls every n-th cycle while busy, and within the time bound while idle. */
class SelectPacingTest
{
    private final CachedNanoClock clock = new CachedNanoClock();

    @Test
    void shouldPollEveryIntervalThCycleWhileCyclesAreShort()
    {
        final SelectPacing pacing = new SelectPacing(16, 20_000, clock);
        int polls = 0;
        for (int i = 0; i < 160; i++)
        {
            clock.advance(100); // a busy 100 ns duty cycle
            polls += pacing.due() ? 1 : 0;
        }
        assertEquals(10, polls, "160 busy cycles: every 16th polls");
    }

    @Test
    void shouldPollEveryCycleWhenEachCycleParksLongerThanTheBound()
    {
        final SelectPacing pacing = new SelectPacing(16, 20_000, clock);
        pacing.due();
        for (int i = 0; i < 16; i++)
        {
            clock.advance(100_000); // an idle cycle: the idle strategy parked 100 us
            assertTrue(pacing.due(), "cycle " + i + " polls: a request waits at most one park");
        }
    }

    @Test
    void shouldPollOnceTheBoundHasPassedMidInterval()
    {
        final SelectPacing pacing = new SelectPacing(16, 20_000, clock);
        assertFalse(pacing.due());
        clock.advance(19_999);
        assertFalse(pacing.due());
        clock.advance(1);
        assertTrue(pacing.due(), "20 us since the last poll");
        assertFalse(pacing.due(), "the count and the time start again");
    }

    @Test
    void shouldPollEveryCycleOnItsOwnThread()
    {
        final SelectPacing pacing = new SelectPacing(1, 20_000, clock);
        for (int i = 0; i < 5; i++)
        {
            assertTrue(pacing.due());
        }
    }
}
