package io.wirekv.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Differential test: every sequence (hand-written in {@code e2e/sequences.txt} plus {@link SequenceGenerator}'s
 * tables) is sent over TCP and UDP to a real memcached and to the target ({@link Targets}); the replies must
 * agree byte for byte after {@link Normalisation}. One memcached process and one target serve all sequences;
 * every sequence uses its own key prefix. memcached's transcript is written to
 * {@code target/e2e-differential-transcript-TARGET.txt} for reference.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DifferentialTest
{
    private static final int MIN_DISTINCT_SEQUENCES = 200;

    private MemcachedProcess reference;
    private Target target;

    @BeforeAll
    void startServers()
    {
        reference = new MemcachedProcess();
        target = startTarget();
        requireSentinelSupport(target);
    }

    /** The server compared with memcached; subclasses run the same sequences on other backends. */
    Target startTarget()
    {
        return Targets.start();
    }

    /** The sequences this run compares. */
    List<Sequence> sequences()
    {
        return allSequences();
    }

    /** Checks of the target itself after every sequence ran (e.g. what its counters show), as extra tests. */
    List<DynamicTest> targetChecks(final Target target)
    {
        return List.of();
    }

    /** The harness ends every step with {@code mn}; a target without it cannot be compared step by step. */
    static void requireSentinelSupport(final Target server)
    {
        try (TcpWire tcp = server.openTcpWire();
            UdpWire udp = server.openUdpWire())
        {
            final TcpWire.Reply t = tcp.exchange(new byte[0], 0);
            assertEquals("MN\r\n", new String(t.bytes(), StandardCharsets.ISO_8859_1),
                server.name() + " must answer the meta no-op \"mn\\r\\n\" with \"MN\\r\\n\" over TCP (port " +
                server.tcpPort() + "): the differential harness ends every step with it");
            final UdpWire.Reply u = udp.exchange(0xFFFF, new Sequence.Step(""), new byte[0]);
            assertEquals("MN\r\n", new String(u.payload(), StandardCharsets.ISO_8859_1),
                server.name() + " must answer a UDP datagram [id=65535 seq=0 count=1 res=0] \"mn\\r\\n\" with one " +
                "datagram [65535 0 1 0] \"MN\\r\\n\" (port " + server.udpPort() + ")");
        }
    }

    @AfterAll
    void stopServers()
    {
        try
        {
            if (target != null)
            {
                target.close();
            }
        }
        finally
        {
            if (reference != null)
            {
                reference.close();
            }
        }
    }

    static List<Sequence> allSequences()
    {
        final List<Sequence> all = new ArrayList<>(SequenceFile.load("/e2e/sequences.txt"));
        all.addAll(SequenceGenerator.generate());
        final String only = System.getProperty("wirekv.e2e.only");
        if (only != null && !only.isBlank())
        {
            final java.util.regex.Pattern p = java.util.regex.Pattern.compile(only);
            all.removeIf(s -> !p.matcher(s.name()).find());
        }
        return all;
    }

    @TestFactory
    List<DynamicTest> shouldReplyByteForByteLikeMemcached()
    {
        final List<Sequence> sequences = sequences();
        final Set<String> names = new HashSet<>();
        for (final Sequence s : sequences)
        {
            assertTrue(names.add(s.name()), "duplicate sequence name " + s.name() + " at " + s.origin());
        }
        assertTrue(System.getProperty("wirekv.e2e.only") != null || sequences.size() >= MIN_DISTINCT_SEQUENCES,
            "only " + sequences.size() + " distinct sequences, expected at least " + MIN_DISTINCT_SEQUENCES);

        final long startNs = System.nanoTime();
        final List<DifferentialRunner.Run> runs;
        try (DifferentialRunner runner = new DifferentialRunner(reference, target))
        {
            runs = runner.runAll(sequences);
        }
        final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        writeTranscript(runs, sequences.size(), elapsedMs);
        assertTrue(reference.isAlive(), "reference memcached died during the run");

        final List<DynamicTest> tests = new ArrayList<>();
        for (final DifferentialRunner.Run run : runs)
        {
            tests.add(DynamicTest.dynamicTest(run.displayName(), () -> compare(run)));
        }
        tests.addAll(targetChecks(target));
        return tests;
    }

    private void compare(final DifferentialRunner.Run run)
    {
        final List<DifferentialRunner.StepOutcome> ref = run.reference();
        final List<DifferentialRunner.StepOutcome> tgt = run.target();
        assertEquals(ref.size(), tgt.size(), "step count");
        final List<Sequence.Step> steps = run.sequence().phases().stream().flatMap(List::stream).toList();
        for (int i = 0; i < ref.size(); i++)
        {
            if (steps.get(i).expectTarget() != null)
            {
                // a documented deliberate difference (DeliberateDifferences): checked against the sequence's own expectation
                if (tgt.get(i).mismatch() != null)
                {
                    fail("sequence " + run.sequence().name() + " (" + run.sequence().origin() + ") over " + run.transport() +
                        ", step " + (i + 1) + " (deliberate difference " + run.sequence().differs() + "): " +
                        tgt.get(i).mismatch() + "\n  request: " + tgt.get(i).request());
                }
                continue;
            }
            if (!ref.get(i).reply().equals(tgt.get(i).reply()))
            {
                fail("sequence " + run.sequence().name() + " (" + run.sequence().origin() + ") over " + run.transport() +
                    ", step " + (i + 1) + " differs from memcached.\n  request: " + ref.get(i).request() +
                    "\n  memcached:\n" + indent(ref.get(i).reply()) + "  " + target.name() + ":\n" +
                    indent(tgt.get(i).reply()) + "  target request (after its own ${cas:N}): " + tgt.get(i).request());
            }
        }
    }

    private static String indent(final String s)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String line : s.split("\n"))
        {
            sb.append("    ").append(line).append('\n');
        }
        return sb.toString();
    }

    private void writeTranscript(final List<DifferentialRunner.Run> runs, final int sequences, final long elapsedMs)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("# memcached's normalised replies; target=").append(target.name()).append("; ")
            .append(sequences).append(" sequences, ").append(runs.size()).append(" runs, ")
            .append(elapsedMs).append(" ms\n");
        for (final DifferentialRunner.Run run : runs)
        {
            sb.append("\n=== ").append(run.displayName()).append("  (").append(run.sequence().origin()).append(")\n");
            for (int i = 0; i < run.reference().size(); i++)
            {
                final DifferentialRunner.StepOutcome o = run.reference().get(i);
                final boolean deliberate = run.sequence().phases().stream().flatMap(List::stream).toList()
                    .get(i).expectTarget() != null;
                final boolean same = i < run.target().size() && o.reply().equals(run.target().get(i).reply());
                sb.append(deliberate ? "~> " : same ? "> " : "!> ").append(o.request()).append('\n').append(indent(o.reply()));
                if (deliberate && i < run.target().size())
                {
                    final String why = run.target().get(i).mismatch();
                    sb.append("  target (deliberate difference ").append(run.sequence().differs()).append(", ")
                        .append(why == null ? "as expected" : why).append("):\n")
                        .append(indent(run.target().get(i).reply()));
                }
                else if (!same && i < run.target().size())
                {
                    sb.append("  target:\n").append(indent(run.target().get(i).reply()));
                }
            }
        }
        try
        {
            final Path dir = Path.of(System.getProperty("user.dir"), "target");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("e2e-differential-transcript-" + target.name() + ".txt"), sb, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            System.err.println("cannot write transcript: " + ex.getMessage());
        }
    }
}
