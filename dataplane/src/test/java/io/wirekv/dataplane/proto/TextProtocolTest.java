package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text protocol over a TCP-like stream. Expected replies were taken from memcached 1.6.18
 * (the oracle) for the same input, CAS values aside.
 */
class TextProtocolTest
{
    private ProtoHarness h;

    @BeforeEach
    void setUp()
    {
        h = new ProtoHarness(2 << 20, 1024 * 1024);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    private void expect(final String request, final String reply)
    {
        assertEquals(reply, h.tcp(request), () -> "request: " + request);
    }

    @Test
    void shouldStoreThenGetValue()
    {
        expect("set k 5 0 3\r\nabc\r\n", "STORED\r\n");
        expect("get k\r\n", "VALUE k 5 3\r\nabc\r\nEND\r\n");
        expect("get nokey\r\n", "END\r\n");
    }

    @Test
    void shouldReturnCasWithGetsAndHonourIt()
    {
        h.tcp("set k 0 0 1\r\na\r\n");
        final String gets = h.tcp("gets k\r\n");
        assertTrue(gets.startsWith("VALUE k 0 1 "), gets);
        final String cas = gets.substring("VALUE k 0 1 ".length(), gets.indexOf('\r'));
        expect("cas k 0 0 1 " + cas + "\r\nb\r\n", "STORED\r\n");
        expect("cas k 0 0 1 " + cas + "\r\nc\r\n", "EXISTS\r\n");
        expect("cas nokey 0 0 1 5\r\na\r\n", "NOT_FOUND\r\n");
        expect("get k\r\n", "VALUE k 0 1\r\nb\r\nEND\r\n");
    }

    @Test
    void shouldApplyAddReplaceAppendPrepend()
    {
        expect("add k 0 0 1\r\na\r\nadd k 0 0 1\r\nb\r\n", "STORED\r\nNOT_STORED\r\n");
        expect("replace nokey 0 0 1\r\na\r\nreplace k 0 0 1\r\nx\r\n", "NOT_STORED\r\nSTORED\r\n");
        expect("append k 5 5 2\r\nyz\r\nprepend k 0 0 2\r\nvw\r\nget k\r\n",
            "STORED\r\nSTORED\r\nVALUE k 0 5\r\nvwxyz\r\nEND\r\n");
        expect("prepend nokey 0 0 1\r\na\r\nappend nokey 0 0 1\r\na\r\n", "NOT_STORED\r\nNOT_STORED\r\n");
    }

    @Test
    void shouldIncrementAndDecrementLikeMemcached()
    {
        expect("set n 0 0 2\r\n10\r\nincr n 18446744073709551615\r\nget n\r\ndecr n 100\r\nget n\r\n",
            "STORED\r\n9\r\nVALUE n 0 2\r\n9 \r\nEND\r\n0\r\nVALUE n 0 2\r\n0 \r\nEND\r\n");
        expect("incr nokey 1\r\n", "NOT_FOUND\r\n");
        expect("set s 0 0 1\r\na\r\nincr s 1\r\ndecr s 1\r\n",
            "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n" +
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
        expect("incr n abc\r\nincr n -1\r\nincr n 18446744073709551616\r\n",
            "CLIENT_ERROR invalid numeric delta argument\r\nCLIENT_ERROR invalid numeric delta argument\r\n" +
            "CLIENT_ERROR invalid numeric delta argument\r\n");
    }

    @Test
    void shouldDeleteTouchAndGat()
    {
        expect("set k 0 0 1\r\na\r\ntouch k 10\r\ntouch nokey 10\r\ntouch k abc\r\n",
            "STORED\r\nTOUCHED\r\nNOT_FOUND\r\nCLIENT_ERROR invalid exptime argument\r\n");
        expect("gat 100 k nokey k\r\n", "VALUE k 0 1\r\na\r\nVALUE k 0 1\r\na\r\nEND\r\n");
        final String gats = h.tcp("gats 100 k\r\n");
        assertTrue(gats.matches("VALUE k 0 1 \\d+\r\na\r\nEND\r\n"), gats);
        expect("gat abc k\r\ngat 10\r\ngat\r\n", "CLIENT_ERROR invalid exptime argument\r\nEND\r\nERROR\r\n");
        expect("delete k 0\r\ndelete k\r\ndelete k 5\r\n",
            "DELETED\r\nNOT_FOUND\r\nCLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
    }

    @Test
    void shouldReplyExactlyAsMemcachedToMalformedCommands()
    {
        final String[][] cases = {
            {"set k 0 0 5\r\nabcdefgh\r\nget k\r\n", "CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n"},
            {"get " + "a".repeat(251) + "\r\n", "CLIENT_ERROR bad command line format\r\n"},
            {"get " + "a".repeat(250) + "\r\n", "END\r\n"},
            {"get a " + "a".repeat(251) + " b\r\n", "CLIENT_ERROR bad command line format\r\n"},
            {"get" + " a".repeat(30) + " " + "a".repeat(251) + "\r\n", "CLIENT_ERROR bad command line format\r\n"},
            {"get" + " a".repeat(30) + " " + "a".repeat(250) + "\r\n", "END\r\n"},
            {"gat 0 a " + "a".repeat(251) + "\r\n", "CLIENT_ERROR bad command line format\r\n"},
            {"set k abc 0 5\r\nabcde\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n"},
            {"set k 0 0 -1\r\n", "CLIENT_ERROR bad command line format\r\n"},
            {"set k 0 0\r\n", "ERROR\r\n"},
            {"set k 0 0 5 noreply extra\r\nabcde\r\n", "ERROR\r\nERROR\r\n"},
            {"set k -1 0 1\r\na\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n"},
            {"set f 18446744073709551616 0 1\r\na\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n"},
            {"cas k 0 0 1\r\na\r\n", "ERROR\r\nERROR\r\n"},
            {"cas k 0 0 1 abc\r\na\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n"},
            {"incr k\r\n", "ERROR\r\n"},
            {"get\r\n", "ERROR\r\n"},
            {"\r\n", "ERROR\r\n"},
            {"GET k\r\n", "ERROR\r\n"},
            {"gets\r\n", "ERROR\r\n"},
            {"verbosity\r\nverbosity 1\r\nverbosity abc\r\nverbosity 1 noreply\r\n",
                "ERROR\r\nOK\r\nCLIENT_ERROR bad command line format\r\n"},
            {"flush_all abc\r\nflush_all 0\r\nflush_all noreply\r\n",
                "CLIENT_ERROR invalid exptime argument\r\nOK\r\n"},
            {"shutdown\r\n", "ERROR: shutdown not enabled\r\n"},
            {"stats foo\r\nstats reset\r\n", "ERROR\r\nRESET\r\n"},
            {"set k 0 0 5 noreply\r\nabcdefgh\r\n", "ERROR\r\n"},
            {"set k 0 0 abc noreply\r\nset k 0 abc 1 noreply\r\na\r\nmn\r\n", "ERROR\r\nMN\r\n"},
            {"quit\r\nversion\r\n", "<CLOSE>"},
            {"version\r\n", "VERSION 1.6.18\r\n"},
            {"mn\r\n" + "x".repeat(2100) + "\r\nmn\r\n", "MN\r\nERROR\r\nMN\r\n"},
        };
        for (final String[] c : cases)
        {
            expect(c[0], c[1]);
        }
    }

    @Test
    void shouldCloseWhenLongLineHasNoNewlineUnlessItIsAGet()
    {
        assertEquals("<CLOSE>", h.tcp("x".repeat(3000)));
        assertEquals("", h.tcp("get " + "x".repeat(3000)));
    }

    @Test
    void shouldParseNumbersWithMemcachedRules()
    {
        expect("set f 4294967296 0 1\r\na\r\nget f\r\n", "STORED\r\nVALUE f 0 1\r\na\r\nEND\r\n");
        expect("set f 18446744073709551615 0 1\r\na\r\nget f\r\n", "STORED\r\nVALUE f 4294967295 1\r\na\r\nEND\r\n");
        expect("set f -0 +5 +1\r\na\r\nget f\r\n", "STORED\r\nVALUE f 0 1\r\na\r\nEND\r\n");
        // memcached's safe_strtol parses a 64-bit long and truncates it to int32
        expect("set t 0 0 4294967297\r\na\r\nget t\r\n", "STORED\r\nVALUE t 0 1\r\na\r\nEND\r\n");
        expect("set t 0 0 9223372036854775808\r\n", "CLIENT_ERROR bad command line format\r\n");
        expect("touch t 4294967296\r\nmg t t\r\n", "TOUCHED\r\nHD t-1\r\n");
        expect("set  g   0 0 1 \r\nb\r\n  get g\r\nget g\n", "STORED\r\nVALUE g 0 1\r\nb\r\nEND\r\nVALUE g 0 1\r\nb\r\nEND\r\n");
    }

    @Test
    void shouldRefuseTooLargeItemSwallowItsDataAndUnlinkOnSet()
    {
        // memcached -I 1m: 48 + 8 + (nkey + 1) + (flags ? 4 : 0) + vlen + 2 must stay <= 1 MiB
        expect("set k 0 0 1\r\na\r\n", "STORED\r\n");
        expect("set k 0 0 1048517\r\n" + "a".repeat(1048517) + "\r\nget k\r\n",
            "SERVER_ERROR object too large for cache\r\nEND\r\n");
        expect("set k 0 0 1048516\r\n" + "a".repeat(1048516) + "\r\n", "STORED\r\n");
        expect("set k 1 0 1048513\r\n" + "a".repeat(1048513) + "\r\n", "SERVER_ERROR object too large for cache\r\n");
        expect("set k 1 0 1048512\r\n" + "a".repeat(1048512) + "\r\n", "STORED\r\n");
        expect("add j 0 0 1048517\r\n" + "a".repeat(1048517) + "\r\nmn\r\n",
            "SERVER_ERROR object too large for cache\r\nMN\r\n");
    }

    @Test
    void shouldSuppressRepliesWithNoreply()
    {
        expect("set k 0 0 1 noreply\r\na\r\nadd k 0 0 1 noreply\r\nb\r\nincr k 1 noreply\r\n" +
            "touch k 10 noreply\r\ndelete k noreply\r\ndelete k 0 noreply\r\nflush_all 0 noreply\r\nmn\r\n", "MN\r\n");
    }

    @Test
    void shouldAnswerPipelinedCommandsInOrderWithReadsSeeingEarlierWrites()
    {
        final StringBuilder req = new StringBuilder();
        final StringBuilder rep = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            req.append("set key").append(i).append(" ").append(i).append(" 0 ").append(String.valueOf(i).length())
                .append("\r\n").append(i).append("\r\nget key").append(i).append("\r\n");
            rep.append("STORED\r\nVALUE key").append(i).append(" ").append(i).append(" ")
                .append(String.valueOf(i).length()).append("\r\n").append(i).append("\r\nEND\r\n");
        }
        expect(req.toString(), rep.toString());
    }

    @Test
    void shouldGiveSameRepliesWhateverTheInputIsSplitInto()
    {
        final String script = "set a 1 0 3\r\nabc\r\nget a b\r\nappend a 0 0 2\r\nde\r\ngets a\r\nincr n 1\r\n" +
            "set n 0 0 1\r\n7\r\nincr n 3\r\nms m 2 T0 F3\r\nhi\r\nmg m v f s k O1\r\nmd m q\r\nmg m\r\nmn\r\n" +
            "delete a noreply\r\nget a\r\nset k 0 0 5\r\nabcdefgh\r\nversion\r\n";
        final String once = h.tcp(script);
        assertTrue(once.endsWith("VERSION 1.6.18\r\n"), once);
        for (int chunk = 1; chunk < 40; chunk++)
        {
            h.tcp("flush_all\r\n");
            final String cas = once.replaceAll("VALUE a 1 5 \\d+", "VALUE a 1 5 C");
            final String got = h.tcp(ProtoHarness.bytes(script), chunk).replaceAll("VALUE a 1 5 \\d+", "VALUE a 1 5 C");
            assertEquals(cas, got, "chunk " + chunk);
        }
    }

    @Test
    void shouldExpireRelativeAbsoluteAndNegativeExptimes()
    {
        expect("set r 0 10 1\r\na\r\nset abs 0 " + (ProtoHarness.NOW_SECONDS + 100) + " 1\r\nb\r\n" +
            "set neg 0 -1 1\r\nc\r\nset past 0 " + (ProtoHarness.NOW_SECONDS - 5) + " 1\r\nd\r\nget r abs neg past\r\n",
            "STORED\r\nSTORED\r\nSTORED\r\nSTORED\r\nVALUE r 0 1\r\na\r\nVALUE abs 0 1\r\nb\r\nEND\r\n");
        h.advanceSeconds(10);
        expect("get r abs\r\n", "VALUE abs 0 1\r\nb\r\nEND\r\n");
        h.advanceSeconds(90);
        expect("get abs\r\n", "END\r\n");
        expect("set t 0 2592000 1\r\na\r\nmg t t\r\n", "STORED\r\nHD t2592000\r\n");
    }

    @Test
    void shouldFlushNowAndAfterDelay()
    {
        expect("set a 0 0 1\r\na\r\nflush_all\r\nget a\r\n", "STORED\r\nOK\r\nEND\r\n");
        h.advanceSeconds(2);
        expect("set b 0 0 1\r\nb\r\nflush_all 10\r\nget b\r\n", "STORED\r\nOK\r\nVALUE b 0 1\r\nb\r\nEND\r\n");
        h.advanceSeconds(11);
        expect("get b\r\n", "END\r\n");
    }

    @Test
    void shouldReportStatsInMemcachedFormat()
    {
        h.tcp("set a 0 0 1\r\na\r\nget a\r\nget b\r\n");
        final String stats = h.tcp("stats\r\n");
        assertTrue(stats.startsWith("STAT pid "), stats);
        assertTrue(stats.contains("STAT version 1.6.18\r\n"), stats);
        assertTrue(stats.contains("STAT cmd_get 2\r\n"), stats);
        assertTrue(stats.contains("STAT get_hits 1\r\n"), stats);
        assertTrue(stats.contains("STAT get_misses 1\r\n"), stats);
        assertTrue(stats.contains("STAT cmd_set 1\r\n"), stats);
        assertTrue(stats.contains("STAT curr_items 1\r\n"), stats);
        assertTrue(stats.indexOf("STAT cmd_get") < stats.indexOf("STAT get_hits"), stats);
        assertTrue(stats.endsWith("END\r\n"), stats);
        h.tcp("stats reset\r\n");
        assertTrue(h.tcp("stats\r\n").contains("STAT cmd_get 0\r\n"));
    }

    @Test
    void shouldReportAStalledReaderAndItsRetiredMemoryInStats()
    {
        // A registered reader that never reports quiescence holds back reclamation: stats must say so.
        try (io.wirekv.dataplane.table.QsbrReader stalled = h.table.registerReader("stalled"))
        {
            h.tcp("set s 0 0 1\r\na\r\nset s 0 0 1\r\nb\r\n"); // the first item is retired, not freed
            h.advanceSeconds(2); // past the stall threshold (1 s) on the table's clock
            final String stats = h.tcp("stats\r\n");
            assertTrue(stats.contains("STAT table_stalled_readers 1\r\n"), stats);
            assertTrue(!stats.contains("STAT table_retired_not_freed_bytes 0\r\n"), stats);
            assertTrue(stats.contains("STAT table_grace_period_age_ms "), stats);
            assertTrue(stats.indexOf("STAT evictions") < stats.indexOf("STAT table_"), "memcached's stats come first");
        }
    }
}
