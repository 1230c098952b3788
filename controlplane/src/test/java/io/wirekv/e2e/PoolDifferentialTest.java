package io.wirekv.e2e;

import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The scale-out kit's promise: a pool of wirekv behind nutcracker (twemproxy) answers like a pool of memcached
 * behind nutcracker. The differential sequences that twemproxy can carry (text commands over TCP: no meta
 * commands, no UDP, nothing server-wide such as flush_all or stats) run through both pools, two servers
 * each with the same names (so keys land on the same member on both sides), configured by
 * deploy/pool/wirekv-pool.sh; the replies must agree after {@link Normalisation}, multi-get replies compared
 * as sets of VALUE blocks (twemproxy splits a multi-get by server and reassembles the fragments itself).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PoolDifferentialTest
{
    private static final int POOL_SIZE = 2;
    private static final int MIN_SEQUENCES = 150;

    /** What twemproxy's memcache parser forwards; anything else it refuses by closing the connection. */
    private static final Set<String> TWEMPROXY_COMMANDS = Set.of(
        "get", "gets", "set", "add", "replace", "append", "prepend", "cas", "delete", "incr", "decr", "touch");
    private static final Set<String> STORAGE = Set.of("set", "add", "replace", "append", "prepend", "cas");

    private NutcrackerPool memcachedPool;
    private NutcrackerPool wirekvPool;

    @BeforeAll
    void startPools()
    {
        final Path deploy = deployDirectory();
        final List<Target> memcached = new ArrayList<>();
        final List<Target> wirekv = new ArrayList<>();
        try
        {
            for (int i = 1; i <= POOL_SIZE; i++)
            {
                memcached.add(new MemcachedProcess());
                wirekv.add(startWirekv("pool-" + i + "-" + ProcessHandle.current().pid()));
            }
        }
        catch (final RuntimeException ex)
        {
            memcached.forEach(Target::close);
            wirekv.forEach(Target::close);
            throw ex;
        }
        memcachedPool = NutcrackerPool.start("nutcracker+memcached", memcached, deploy);
        wirekvPool = NutcrackerPool.start("nutcracker+wirekv", wirekv, deploy);
    }

    @AfterAll
    void stopPools()
    {
        CloseHelper.closeAll(wirekvPool, memcachedPool); // both, even if the first throws
    }

    private static Target startWirekv(final String instance)
    {
        final ServerConfig c = WirekvTarget.testConfig();
        final ServerConfig config = new ServerConfig(instance, c.listenAddress(), c.port(), c.backend(), c.lcores(),
            c.lcoreCpus(), c.writers(), c.tcpThreads(), c.partitions(), c.memoryBytes(), c.memoryMode(), c.itemSizeMaxBytes(),
            c.udpMaxPayloadBytes(), c.burstSize(), c.udpSlotsPerLcore(), c.idle(), c.preferHugepages());
        return new WirekvTarget(WirekvServer.start(config, SystemEpochClock.INSTANCE, System.out), config.listenAddress(),
            instance);
    }

    /** The sequences twemproxy can carry, over TCP only. */
    static List<Sequence> poolSequences()
    {
        final List<Sequence> out = new ArrayList<>();
        for (final Sequence s : DifferentialTest.allSequences())
        {
            if (s.exclusive() || s.differs() != null || !s.transports().contains(Sequence.Transport.TCP) ||
                !s.phases().stream().flatMap(List::stream).allMatch(PoolDifferentialTest::twemproxyCarries))
            {
                continue;
            }
            out.add(new Sequence(s.name(), s.origin(), EnumSet.of(Sequence.Transport.TCP), false, s.phases(), null));
        }
        return out;
    }

    /** Every command line of the step is one twemproxy forwards, with a key memcached accepts (at most 250 bytes). */
    static boolean twemproxyCarries(final Sequence.Step step)
    {
        final String[] lines = step.template().split("\r\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i];
            if (line.isEmpty() && i == lines.length - 1)
            {
                break;
            }
            final String[] tokens = line.split(" ", -1);
            final String verb = tokens[0].toLowerCase(Locale.ROOT);
            if (!TWEMPROXY_COMMANDS.contains(verb) || !verb.equals(tokens[0]) || tokens.length < 2 || line.contains("\t") ||
                line.contains("  ") || line.endsWith(" ") || line.contains("${key:25") || line.contains("${rep:"))
            {
                return false;
            }
            if (STORAGE.contains(verb))
            {
                i++; // the data block
            }
        }
        return true;
    }

    @TestFactory
    List<DynamicTest> shouldAnswerThroughNutcrackerLikeAMemcachedPool()
    {
        final List<Sequence> sequences = poolSequences();
        assertTrue(System.getProperty("wirekv.e2e.only") != null || sequences.size() >= MIN_SEQUENCES,
            "only " + sequences.size() + " sequences twemproxy can carry, expected at least " + MIN_SEQUENCES);
        final List<DifferentialRunner.Run> runs;
        try (DifferentialRunner runner = new DifferentialRunner(memcachedPool, wirekvPool))
        {
            runs = runner.runAll(sequences);
        }
        // The comparison means something only if the replies do: values came back, and the proxy closed few connections.
        final List<String> replies = runs.stream().flatMap(r -> r.reference().stream()).map(DifferentialRunner.StepOutcome::reply)
            .toList();
        final long withValues = replies.stream().filter(r -> r.startsWith("VALUE ") || r.contains("\nVALUE ")).count();
        final long closed = replies.stream().filter(r -> r.contains("<connection closed>")).count();
        System.err.println("pool differential: " + runs.size() + " runs, " + replies.size() + " steps, " + withValues +
            " with values, " + closed + " closed by the proxy");
        assertTrue(withValues >= 100, withValues + " steps with values");
        assertTrue(closed * 10 < replies.size(), closed + " of " + replies.size() + " steps closed the connection");
        final List<DynamicTest> tests = new ArrayList<>();
        for (final DifferentialRunner.Run run : runs)
        {
            tests.add(DynamicTest.dynamicTest(run.displayName(), () -> compare(run)));
        }
        return tests;
    }

    private void compare(final DifferentialRunner.Run run)
    {
        final List<DifferentialRunner.StepOutcome> ref = run.reference();
        final List<DifferentialRunner.StepOutcome> tgt = run.target();
        assertEquals(ref.size(), tgt.size(), "step count");
        for (int i = 0; i < ref.size(); i++)
        {
            final String expected = valueBlocksAsSets(ref.get(i).reply());
            assertTrue(!expected.contains("<timeout"), () -> "memcached's pool timed out (the harness or twemproxy, not " +
                "wirekv):\n" + memcachedPool.log());
            if (!expected.equals(valueBlocksAsSets(tgt.get(i).reply())))
            {
                fail("sequence " + run.sequence().name() + " (" + run.sequence().origin() + ") through nutcracker, step " +
                    (i + 1) + " differs.\n  request: " + ref.get(i).request() + "\n  memcached pool:\n" + ref.get(i).reply() +
                    "  wirekv pool:\n" + tgt.get(i).reply());
            }
        }
    }

    /**
     * The normalised reply with each retrieval reply's VALUE blocks (header line and data line) sorted, so that
     * the order twemproxy reassembles a multi-get's fragments in does not matter; everything else stays in order.
     */
    static String valueBlocksAsSets(final String normalised)
    {
        final List<String> lines = List.of(normalised.split("\n", -1));
        final StringBuilder out = new StringBuilder();
        final List<String> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            if (line.startsWith("VALUE ") && i + 1 < lines.size())
            {
                blocks.add(line + "\n" + lines.get(i + 1));
                i++;
                continue;
            }
            if (!blocks.isEmpty())
            {
                blocks.stream().sorted().forEach(b -> out.append(b).append('\n'));
                blocks.clear();
            }
            out.append(line);
            if (i + 1 < lines.size())
            {
                out.append('\n');
            }
        }
        blocks.stream().sorted().forEach(b -> out.append(b).append('\n'));
        return out.toString();
    }

    static Path deployDirectory()
    {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent())
        {
            if (Files.isExecutable(p.resolve("deploy/pool/wirekv-pool.sh")))
            {
                return p.resolve("deploy");
            }
        }
        throw new IllegalStateException("deploy/pool/wirekv-pool.sh not found above " + System.getProperty("user.dir"));
    }
}
