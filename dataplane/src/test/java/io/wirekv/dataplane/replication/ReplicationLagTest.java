package io.wirekv.dataplane.replication;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** repl_lag_ms is the wait of the oldest unacknowledged record, also while the backup never wholly catches up. */
class ReplicationLagTest
{
    private static final long MS = 1_000_000;
    private final ReplicationLag lag = new ReplicationLag(null, 1);

    @Test
    void shouldMeasureTheOldestUnacknowledgedRecordNotTheTimeSinceCaughtUp()
    {
        assertEquals(0, lag.oldestWaitNs(0, 10, 0, 0));
        assertEquals(5 * MS, lag.oldestWaitNs(0, 20, 0, 5 * MS));
        assertEquals(1 * MS, lag.oldestWaitNs(0, 20, 10, 6 * MS), "records 11-20 were first seen at 5 ms");
        assertEquals(0, lag.oldestWaitNs(0, 20, 20, 7 * MS));
    }

    @Test
    void shouldStayShortUnderASteadyLoadThatIsNeverWhollyAcknowledged()
    {
        long worstNs = 0;
        for (long t = 0; t <= 2_000 * MS; t += MS / 4) // 2 s: 100 records a ms appended, acked 2 ms later
        {
            final long appended = 100 * (t / MS) + 1;
            final long acked = Math.max(0, appended - 200);
            worstNs = Math.max(worstNs, lag.oldestWaitNs(0, appended, acked, t));
        }
        assertTrue(worstNs <= 3 * MS, "worst " + worstNs / MS + " ms: the time since caught up would be 2,000");
    }

    @Test
    void shouldKeepTheOldestWaitExactWhenTheMarksRunOut()
    {
        for (long t = 0; t < 3 * ReplicationLag.MARKS; t++)
        {
            lag.oldestWaitNs(0, t + 1, 0, t * MS);
        }
        final long now = 3L * ReplicationLag.MARKS * MS;
        assertEquals(now, lag.oldestWaitNs(0, 3L * ReplicationLag.MARKS + 1, 0, now));
        lag.reset(0);
        assertEquals(0, lag.oldestWaitNs(0, 5, 0, now), "a reset forgets the old marks");
    }
}
