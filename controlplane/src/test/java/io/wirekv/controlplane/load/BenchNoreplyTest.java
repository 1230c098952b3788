package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.e2e.MemcachedProcess;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wirekv bench --noreply} against a real memcached and an in-process wirekv: pipelined SETs without
 * replies, counted through the {@code mn} sync points, add up with what the server says it stored, and every
 * key then reads back with the generator's value.
 */
class BenchNoreplyTest
{
    /** Keys stored once each, in order, before the random runs. */
    private static final int KEYS = 500;

    @Test
    void shouldLandEveryNoreplySetOnMemcached() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            for (final BenchSpec.Protocol protocol : BenchSpec.Protocol.values())
            {
                assertSetsLand(memcached.address(), protocol);
            }
        }
    }

    @Test
    void shouldLandEveryNoreplySetOnWirekv() throws Exception
    {
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final String instance = "t-noreply-" + ProcessHandle.current().pid();
        final ServerConfig config = new ServerConfig(instance, "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(),
            1, 1, 16, 32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false);
        try (WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(log, true),
            "  instance = " + instance + " (test)\n"))
        {
            for (final BenchSpec.Protocol protocol : BenchSpec.Protocol.values())
            {
                assertSetsLand(new ServerAddress("127.0.0.1", server.tcpPort()), protocol);
            }
        }
    }

    @Test
    void shouldCountQuietSetErrorsBeforeTheSyncPoint() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            // memcached's item limit is 1 MiB with its header: a 1 MiB value is refused, and meta q still says so
            final BenchSpec spec = spec(memcached.address(), BenchSpec.Protocol.META, 1024 * 1024, 8, Duration.ofMillis(500));

            final BenchTrial t = Bench.run(spec, BenchPlan.single(false), null).trials().get(0);

            assertTrue(t.sent() >= spec.syncEvery(), t.toString());
            assertEquals(0, t.lost(), t.toString());
            assertEquals(t.sent(), t.received(), t.toString());
            assertEquals(t.received(), t.errors(), "every refused SET is an error, " + t);
            assertEquals(0, t.stored(), t.toString());
        }
    }

    @Test
    void shouldRefuseNoreplyOverUdp()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new BenchSpec(
            new ServerAddress("127.0.0.1", 11211), BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT, KEYS, 16, 32, 32, 0,
            0, 1, 1, null, 0, 64, Duration.ofSeconds(1), 1000, 1_000_000_000L, 0, 7, BenchSpec.Idle.SPIN, true));
        assertTrue(ex.getMessage().contains("--noreply needs --transport tcp"), ex.getMessage());
    }

    private static void assertSetsLand(final ServerAddress target, final BenchSpec.Protocol protocol) throws Exception
    {
        final BenchSpec spec = spec(target, protocol, 32, 64, Duration.ofMillis(1000));
        final KeyChooser chooser = new KeyChooser(spec.keySpace(), spec.zipfTheta());

        // every key once, in order (the warm-up's stream), without replies
        long setsBefore = stat(target, "cmd_set");
        final BenchTrial ordered = Bench.trial(List.of(spec.forWarmUp()), chooser, null, new KernelBenchPorts(), false,
            true, null).getFirst();
        String what = protocol + " on " + target + ", in order: " + ordered;
        assertEquals(KEYS, ordered.sent(), what);
        assertEquals(KEYS, ordered.received(), what);
        assertEquals(KEYS, ordered.stored(), what);
        assertEquals(KEYS, stat(target, "cmd_set") - setsBefore, "the server processed every SET sent, " + what);
        assertEquals(KEYS, stat(target, "curr_items"), "every key stored once, none twice, " + what);

        // a timed closed-loop run of random keys: the counts add up with the server's
        setsBefore = stat(target, "cmd_set");
        final BenchTrial t = Bench.run(spec, BenchPlan.single(false), null).trials().get(0);
        what = protocol + " on " + target + ": " + t;
        assertTrue(t.sent() > 2 * spec.syncEvery(), what);
        assertEquals(t.sent(), t.received() + t.lost(), what);
        assertEquals(0, t.lost(), what);
        assertEquals(0, t.errors(), what);
        assertEquals(t.received(), t.stored(), what);
        assertEquals(t.sent(), stat(target, "cmd_set") - setsBefore, "the server processed every SET sent, " + what);

        // a sample of keys read back with replies, values checked byte for byte
        final BenchSpec reads = new BenchSpec(target, BenchSpec.Transport.TCP, protocol, KEYS, 16, 32, 32, 0, 1.0, 1, 1,
            null, 0, 16, Duration.ofMillis(400), 5_000_000, 1_000_000_000L, 1.0, spec.seed());
        final BenchTrial r = Bench.run(reads, BenchPlan.single(false), null).trials().get(0);
        assertTrue(r.verified() > 0, protocol + ": " + r);
        assertEquals(r.verified(), r.hits(), protocol + ": every value found was checked, " + r);
        assertEquals(0, r.misses(), protocol + ": every key was stored, " + r);
        assertEquals(0, r.wrongAnswers(), protocol + ": " + r);
    }

    private static BenchSpec spec(final ServerAddress target, final BenchSpec.Protocol protocol, final int valueSize,
        final int outstanding, final Duration duration)
    {
        return new BenchSpec(target, BenchSpec.Transport.TCP, protocol, KEYS, 16, valueSize, valueSize, 0, 0.0, 1, 1, null,
            0, outstanding, duration, 5_000_000, 5_000_000_000L, 0, 7, BenchSpec.Idle.SPIN, true);
    }

    /** A counter from the server's {@code stats}. */
    private static long stat(final ServerAddress target, final String name) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(target.socketAddress(), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
            final StringBuilder reply = new StringBuilder();
            final InputStream in = socket.getInputStream();
            final byte[] buf = new byte[8192];
            while (!reply.toString().endsWith("END\r\n"))
            {
                final int n = in.read(buf);
                if (n < 0)
                {
                    break;
                }
                reply.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
            final String stats = reply.toString();
            for (final String line : stats.split("\r\n"))
            {
                if (line.startsWith("STAT " + name + " "))
                {
                    return Long.parseLong(line.substring(("STAT " + name + " ").length()).trim());
                }
            }
            throw new AssertionError("no " + name + " in " + stats);
        }
    }
}
