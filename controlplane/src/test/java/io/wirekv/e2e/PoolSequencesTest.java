package io.wirekv.e2e;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool test's own rules: which steps twemproxy carries, and multi-get replies compared as sets. */
class PoolSequencesTest
{
    @Test
    void shouldCarryTextCommandsButNotMetaOrServerWideOnes()
    {
        assertTrue(PoolDifferentialTest.twemproxyCarries(new Sequence.Step("set ${k}a 0 0 1\r\nx\r\nget ${k}a ${k}b\r\n")));
        assertTrue(PoolDifferentialTest.twemproxyCarries(new Sequence.Step("incr ${k}n 1 noreply\r\n")));
        assertFalse(PoolDifferentialTest.twemproxyCarries(new Sequence.Step("mg ${k}a v\r\n")));
        assertFalse(PoolDifferentialTest.twemproxyCarries(new Sequence.Step("flush_all\r\n")));
        assertFalse(PoolDifferentialTest.twemproxyCarries(new Sequence.Step("gat 10 ${k}a\r\n")));
        assertFalse(PoolDifferentialTest.twemproxyCarries(new Sequence.Step("set ${k}a 0 0 1\r\nx\r\nstats\r\n")));
        assertTrue(PoolDifferentialTest.poolSequences().stream().allMatch(s -> s.transports().equals(
            java.util.Set.of(Sequence.Transport.TCP)) && !s.exclusive()));
    }

    @Test
    void shouldCompareValueBlocksAsASetAndEverythingElseInOrder()
    {
        final String ab = "VALUE a 0 1\na\nVALUE b 0 1\nb\nEND\nSTORED\n";
        final String ba = "VALUE b 0 1\nb\nVALUE a 0 1\na\nEND\nSTORED\n";
        assertEquals(PoolDifferentialTest.valueBlocksAsSets(ab), PoolDifferentialTest.valueBlocksAsSets(ba));
        assertNotEquals(PoolDifferentialTest.valueBlocksAsSets(ab),
            PoolDifferentialTest.valueBlocksAsSets("VALUE b 0 1\na\nVALUE a 0 1\nb\nEND\nSTORED\n"), "data stays with its key");
        assertNotEquals(PoolDifferentialTest.valueBlocksAsSets("STORED\nNOT_STORED\n"),
            PoolDifferentialTest.valueBlocksAsSets("NOT_STORED\nSTORED\n"));
    }
}
