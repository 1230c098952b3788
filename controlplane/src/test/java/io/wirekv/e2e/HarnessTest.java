package io.wirekv.e2e;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The differential harness's own pieces, without any server. */
final class HarnessTest
{
    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldNumberCasValuesByFirstAppearanceAcrossSteps()
    {
        final List<String> cas = new ArrayList<>();
        final String first = Normalisation.normalise(bytes("VALUE k 0 1 900\r\na\r\nVALUE j 0 1 7\r\nb\r\nEND\r\n"), cas);
        final String second = Normalisation.normalise(bytes("HD c7\r\nVA 1 c900 f0\r\nx\r\n"), cas);
        assertEquals("VALUE k 0 1 <cas#1>\\r\\n\na\\r\\n\nVALUE j 0 1 <cas#2>\\r\\n\nb\\r\\n\nEND\\r\\n\n", first);
        assertEquals("HD c<cas#2>\\r\\n\nVA 1 c<cas#1> f0\\r\\n\nx\\r\\n\n", second);
        assertEquals(List.of("900", "7"), cas);
    }

    @Test
    void shouldNotMistakeValueBytesForProtocolLines()
    {
        final List<String> cas = new ArrayList<>();
        final String out = Normalisation.normalise(bytes("VALUE k 0 17 5\r\nVERSION 1.2.3\r\n\r\nEND\r\n"), cas);
        assertTrue(out.contains("VERSION 1.2.3"), out);
        assertEquals(List.of("5"), cas);
    }

    @Test
    void shouldRoundTtlsButKeepNoExpiryExact()
    {
        final List<String> cas = new ArrayList<>();
        assertEquals(Normalisation.normalise(bytes("HD t999\r\n"), cas), Normalisation.normalise(bytes("HD t1000\r\n"), cas));
        assertEquals("HD t-1\\r\\n\n", Normalisation.normalise(bytes("HD t-1\r\n"), cas));
        assertFalse(Normalisation.normalise(bytes("HD t100\r\n"), cas).equals(Normalisation.normalise(bytes("HD t1000\r\n"), cas)));
    }

    @Test
    void shouldHideVersionAndStatValuesOnly()
    {
        final List<String> cas = new ArrayList<>();
        assertEquals("VERSION <version>\\r\\n\n", Normalisation.normalise(bytes("VERSION 1.6.18\r\n"), cas));
        assertEquals("STAT pid <v>\\r\\n\nEND\\r\\n\n",
            Normalisation.normalise(bytes("STAT pid 42\r\nSTAT libevent 2.1\r\nEND\r\n"), cas),
            "values hidden, memcached-internal names dropped");
    }

    @Test
    void shouldCompareUdpDatagramSizesUnlessATokenLengthWasNormalised()
    {
        final boolean[] altered = new boolean[1];
        Normalisation.normalise(bytes("VALUE k 0 1\r\na\r\nEND\r\n"), new ArrayList<>(), altered);
        assertFalse(altered[0]);
        assertEquals("0/2:1400 1/2:20", Normalisation.udpLayout("0/2:1400 1/2:20", altered[0], "VALUE"));
        Normalisation.normalise(bytes("HD c123\r\n"), new ArrayList<>(), altered);
        assertTrue(altered[0]);
        assertTrue(Normalisation.udpLayout("0/1:17 0/1:12", altered[0], "HD").startsWith("0/1 0/1 "));
    }

    @Test
    void shouldParseStepsContinuationsEscapesAndSleepBarriers()
    {
        final List<Sequence> seqs = SequenceFile.parse("test", String.join("\n",
            "# comment",
            "=== one tcp",
            "> set ${k}a 0 0 2",
            "| \\x00\\r",
            ">> get ${k}a",
            "@sleep",
            "@udp 3 2 1",
            "> version",
            "=== two udp exclusive",
            "> mn"));
        assertEquals(2, seqs.size());
        final Sequence one = seqs.get(0);
        assertEquals(Sequence.Transport.TCP, one.transports().iterator().next());
        assertEquals(2, one.phases().size());
        assertEquals("set ${k}a 0 0 2\r\n\0\r\r\n", one.phases().get(0).get(0).template());
        assertEquals("get ${k}a", one.phases().get(0).get(1).template());
        assertEquals(new Sequence.Step("version\r\n", 3, 2, 1), one.phases().get(1).get(0));
        assertTrue(seqs.get(1).exclusive());
        assertThrows(IllegalArgumentException.class, () -> SequenceFile.parse("bad", "=== x\nget a"));
    }

    @Test
    void shouldParseDeliberateDifferenceExpectationsOnlyWithAKnownReason()
    {
        final Sequence s = SequenceFile.parse("test", String.join("\n",
            "=== d udp differs=explicit-cas",
            "> set ${k}a 0 0 1",
            "| a",
            "@target-silent",
            "> version",
            "@target VA 1 c5",
            "@target x",
            "> mg ${k}a v c",
            "> mn")).getFirst();
        final List<Sequence.Step> steps = s.phases().getFirst();
        assertEquals("explicit-cas", s.differs());
        assertEquals(null, steps.get(0).expectTarget());
        assertEquals(Sequence.Step.SILENT, steps.get(1).expectTarget());
        assertEquals("VA 1 c5\r\nx\r\n", steps.get(2).expectTarget());
        assertEquals(null, steps.get(3).expectTarget());
        assertThrows(IllegalArgumentException.class, () -> SequenceFile.parse("bad", "=== x\n@target HD\n> mn"));
        assertThrows(IllegalArgumentException.class, () -> SequenceFile.parse("bad", "=== x differs=nope\n@target HD\n> mn"));
        assertThrows(IllegalArgumentException.class, () -> SequenceFile.parse("bad", "=== x differs=explicit-cas\n> mn"));
    }

    @Test
    void shouldResolvePlaceholdersPerServer()
    {
        final List<String> cas = List.of("41", "99");
        assertEquals("cas p_a 0 0 1 99", new String(Templates.resolve("cas ${k}a 0 0 1 ${cas:2}", "p_", cas),
            StandardCharsets.ISO_8859_1));
        assertEquals(Templates.UNUSED_CAS, new String(Templates.resolve("${cas:3}", "p_", cas), StandardCharsets.ISO_8859_1));
        assertEquals(250, Templates.resolve("${key:250}", "t12_", cas).length);
        final String v = Templates.value(100_000);
        assertEquals(100_000, v.length());
        assertFalse(v.contains("M"), "values never contain 'M', so MN\\r\\n cannot appear inside one");
    }

    @Test
    void shouldCountMnCommandsOnlyAtLineStarts()
    {
        assertEquals(2, TcpWire.countMnCommands("mg a q\r\nmn\r\nmg b\r\nmn\r\n"));
        assertEquals(0, TcpWire.countMnCommands("set mn 0 0 2\r\nxmn\r\n"));
        assertTrue(TcpWire.endsWithSentinelReply(bytes("EN\r\nMN\r\n")));
        assertFalse(TcpWire.endsWithSentinelReply(bytes("VA 4\r\nxxMN\r\n")));
    }

    @Test
    void shouldParseMemcaslapSummary()
    {
        final String out = "cmd_get: 18000\ncmd_set: 2000\nget_misses: 0\nverify_misses: 0\nverify_failed: 3\n" +
            "Run time: 0.2s Ops: 20000 TPS: 100720 Net_rate: 114.2M/s\n";
        final var c = MemcaslapUdpTest.parseCounters(out);
        assertEquals(18000L, c.get("cmd_get"));
        assertEquals(3L, c.get("verify_failed"));
        assertFalse(c.containsKey("Run"));
    }
}
