package io.wirekv.e2e.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirekv.e2e.durability.AckOracle.Durability;
import io.wirekv.e2e.durability.AckOracle.KeyHistory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The crash test's judge on made-up histories: each kind of finding it must report, and what it must accept. */
class AckOracleTest
{
    private static final long NOW_MS = 1_800_000_000_000L;
    private static final long KILL_NANOS = 10_000_000_000L;

    private final AckOracle oracle = new AckOracle(List.of("a", "b"));

    @Test
    void shouldAcceptEitherOutcomeOfTheWriteInFlightAtTheKill()
    {
        final KeyHistory a = oracle.history("a");
        a.acknowledged(state("v1", 0), KILL_NANOS - 50_000_000);
        a.sending(state("v2", 0), false);

        final CycleVerdict applied = check(Durability.SYNC, Map.of("a", seen("v2", 7)), 1);
        assertEquals(0, applied.lost(), applied::summary);
        assertTrue(applied.consistent(), applied::summary);
        assertEquals(1, applied.inFlight());

        oracle.history("a").sending(state("v3", 0), false);
        final CycleVerdict notApplied = check(Durability.SYNC, Map.of("a", seen("v2", 7)), 1);
        assertEquals(0, notApplied.lost(), notApplied::summary);
        assertTrue(notApplied.consistent(), notApplied::summary);
    }

    @Test
    void shouldCountLostAcknowledgedWritesAndTheWindowBackToTheOldest()
    {
        final KeyHistory a = oracle.history("a");
        a.acknowledged(state("v1", 0), KILL_NANOS - 900_000_000);
        a.acknowledged(state("v2", 0), KILL_NANOS - 300_000_000);
        a.acknowledged(state("v3", 0), KILL_NANOS - 100_000_000);

        final CycleVerdict v = check(Durability.ASYNC, Map.of("a", seen("v1", 3)), 1);

        assertEquals(2, v.lost(), v::summary);
        assertEquals(1, v.keysWithLoss());
        assertEquals(300.0, v.largestLossWindowMs(), 0.001);
        assertTrue(v.consistent(), v::summary);
        assertTrue(v.problems().getFirst().startsWith("a: 2 acknowledged write(s) lost"), v.problems()::toString);
    }

    @Test
    void shouldReportAValueThatNoWriteLeft()
    {
        oracle.history("a").acknowledged(state("v1", 0), KILL_NANOS - 1);

        final CycleVerdict v = check(Durability.ASYNC, Map.of("a", seen("garbage", 3)), 1);

        assertEquals(1, v.wrongKeys(), v::summary);
        assertTrue(!v.consistent());
    }

    @Test
    void shouldReportAnUntouchedKeyWhoseCasUniqueChangedAcrossTheRestart()
    {
        oracle.history("a").acknowledged(state("v1", 0), KILL_NANOS - 1);
        final CycleVerdict first = check(Durability.SYNC, Map.of("a", seen("v1", 40)), 1);
        assertTrue(first.consistent(), first::summary);

        final CycleVerdict second = check(Durability.SYNC, Map.of("a", seen("v1", 41)), 1);

        assertEquals(1, second.wrongKeys(), second::summary);
    }

    @Test
    void shouldReportACasUniqueBelowOneAnEarlierVersionHad()
    {
        final KeyHistory a = oracle.history("a");
        a.acknowledged(state("v1", 0).withCas(500), KILL_NANOS - 2);
        a.acknowledged(state("v2", 0), KILL_NANOS - 1);

        final CycleVerdict v = check(Durability.SYNC, Map.of("a", seen("v2", 3)), 1);

        assertEquals(1, v.casRegressions(), v::summary);
    }

    @Test
    void shouldAcceptATouchThatKeepsTheCasUnique()
    {
        oracle.history("a").acknowledged(state("v1", 0), KILL_NANOS - 2);
        assertTrue(check(Durability.SYNC, Map.of("a", seen("v1", 40)), 1).consistent());
        final KeyHistory a = oracle.history("a");
        final KeyState touched = state("v1", 0).withExpiry(NOW_MS + 100_000, NOW_MS + 101_000);
        a.sending(touched, true);
        a.acknowledged(touched, KILL_NANOS - 1);

        final CycleVerdict v = check(Durability.SYNC, Map.of("a", new Observation(true, "v1".getBytes(StandardCharsets.US_ASCII), 0,
            100, 40)), 1);

        assertEquals(0, v.casRegressions(), v::summary);
        assertTrue(v.consistent(), v::summary);
        assertEquals(0, v.lost(), v::summary);
    }

    @Test
    void shouldReportKeysThatWereNeverSentThroughCurrItems()
    {
        oracle.history("a").acknowledged(state("v1", 0), KILL_NANOS - 1);

        final CycleVerdict v = check(Durability.SYNC, Map.of("a", seen("v1", 3)), 2);

        assertEquals(1, v.wrongKeys(), v::summary);
        assertTrue(v.problems().getFirst().contains("curr_items"), v.problems()::toString);
    }

    @Test
    void shouldAcceptAShortTtlKeyGoneAfterItsExpiryButNotBefore()
    {
        final byte[] value = "t".getBytes(StandardCharsets.US_ASCII);
        oracle.history("a").acknowledged(KeyState.stored(value, 0, NOW_MS - 10_000, NOW_MS - 9_000), KILL_NANOS - 1);
        oracle.history("b").acknowledged(KeyState.stored(value, 0, NOW_MS + 9_000, NOW_MS + 10_000), KILL_NANOS - 1);

        final CycleVerdict v = check(Durability.SYNC, Map.of(), 0);

        assertEquals(0, v.wrongKeys(), v::summary);
        assertEquals(1, v.lost(), v::summary);
        assertTrue(v.problems().getFirst().startsWith("b:"), v.problems()::toString);
    }

    @Test
    void shouldAcceptAKeyReapedBetweenItsReadAndTheSecondCount()
    {
        oracle.history("a").acknowledged(state("v1", 0), KILL_NANOS - 1);
        oracle.history("b").acknowledged(state("v1", 0), KILL_NANOS - 1);

        // both present when read, both counted before; b expired and was reaped before the count after the keys
        final CycleVerdict v = oracle.check(1, Durability.SYNC, Map.of("a", seen("v1", 3), "b", seen("v1", 4)), 2, 1,
            NOW_MS, KILL_NANOS, List.of());

        assertEquals(0, v.wrongKeys(), v::summary);
    }

    @Test
    void shouldReportACountBelowTheKeysPresent()
    {
        oracle.history("a").acknowledged(state("v1", 0), KILL_NANOS - 1);
        oracle.history("b").acknowledged(state("v1", 0), KILL_NANOS - 1);

        final CycleVerdict v = oracle.check(1, Durability.SYNC, Map.of("a", seen("v1", 3), "b", seen("v1", 4)), 1, 1,
            NOW_MS, KILL_NANOS, List.of());

        assertEquals(1, v.wrongKeys(), v::summary);
        assertTrue(v.problems().getFirst().contains("miscounts"), v.problems()::toString);
    }

    /** With the same {@code curr_items} before and after the keys. */
    private CycleVerdict check(final Durability durability, final Map<String, Observation> seen, final long currItems)
    {
        return oracle.check(1, durability, seen, currItems, currItems, NOW_MS, KILL_NANOS, List.of());
    }

    private static KeyState state(final String value, final long flags)
    {
        return KeyState.stored(value.getBytes(StandardCharsets.US_ASCII), flags, 0, 0);
    }

    private static Observation seen(final String value, final long cas)
    {
        return new Observation(true, value.getBytes(StandardCharsets.US_ASCII), 0, -1, cas);
    }
}
