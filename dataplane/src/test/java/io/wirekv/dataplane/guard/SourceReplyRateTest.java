package io.wirekv.dataplane.guard;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceReplyRateTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final int A = 0x0A00_0002; // 10.0.0.2
    private static final int B = 0x0A00_0003;

    @Test
    void shouldServeOneSecondOfBurstThenTheRate()
    {
        final SourceReplyRate rate = new SourceReplyRate(1000, 16);
        final long t0 = 5 * SECOND;
        assertTrue(rate.tryTake(A, 600, t0));
        assertTrue(rate.tryTake(A, 400, t0), "the burst is one second's worth");
        assertFalse(rate.tryTake(A, 1, t0), "empty");
        assertFalse(rate.tryTake(A, 200, t0 + SECOND / 10), "100 bytes refilled in 100 ms, not 200");
        assertTrue(rate.tryTake(A, 200, t0 + SECOND / 5), "200 bytes after 200 ms");
        assertTrue(rate.tryTake(A, 1000, t0 + 100 * SECOND), "refilled, but never beyond the burst");
        assertFalse(rate.tryTake(A, 1, t0 + 100 * SECOND));
    }

    @Test
    void shouldKeepSourcesApart()
    {
        final SourceReplyRate rate = new SourceReplyRate(1000, 16);
        assertTrue(rate.tryTake(A, 1000, SECOND));
        assertFalse(rate.tryTake(A, 1, SECOND));
        assertTrue(rate.tryTake(B, 1000, SECOND), "another source has its own bucket");
    }

    @Test
    void shouldNeverGrowUnderAFloodOfSourcesAndForgetTheOldest()
    {
        final SourceReplyRate rate = new SourceReplyRate(1000, 8);
        assertTrue(rate.tryTake(A, 1000, SECOND));
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(rate.tryTake(0x0B00_0000 + i, 10, SECOND + i), "a new source starts with a full bucket");
        }
        assertTrue(rate.tryTake(A, 1000, SECOND + 20_000), "forgotten: A starts again with a full bucket");
    }

    @Test
    void shouldNotOverflowAfterALongSilence()
    {
        final SourceReplyRate rate = new SourceReplyRate(Long.MAX_VALUE / 4, 8);
        assertTrue(rate.tryTake(A, Long.MAX_VALUE / 4, 0));
        assertTrue(rate.tryTake(A, Long.MAX_VALUE / 4, Long.MAX_VALUE / 2), "refill clamps to the burst, no overflow");
    }

    @Test
    void shouldRefuseBadSettings()
    {
        assertEquals("bytesPerSecond must be at least 1, was 0",
            assertThrows(IllegalArgumentException.class, () -> new SourceReplyRate(0, 8)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SourceReplyRate(1, 12));
    }
}
