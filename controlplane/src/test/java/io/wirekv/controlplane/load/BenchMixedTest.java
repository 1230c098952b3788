package io.wirekv.controlplane.load;

import io.wirekv.e2e.MemcachedProcess;
import io.wirekv.controlplane.client.ServerAddress;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mixed trial, UDP and TCP threads at once (what {@code wirekv demo} runs), against a real memcached;
 * the server-CPU sample and the timed warm-up load of {@code --server-pid} and {@code --warmup}.
 */
class BenchMixedTest
{
    private static BenchSpec udp(final ServerAddress target, final Duration duration, final int keys)
    {
        return new BenchSpec(target, BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT, keys, 16, 32, 32, 0, 0.9, 1, 1,
            null, 0, 4, duration, 1_000_000_000L, 500_000_000L, 0.05, 1, BenchSpec.Idle.YIELD);
    }

    private static BenchPlan plan(final Duration warmUpLoad, final long serverPid)
    {
        return new BenchPlan(BenchPlan.Mode.SINGLE, true, Duration.ofSeconds(1), 1, 0, 0.02, 12, 0, 1_000_000, java.util.List.of(),
            warmUpLoad, serverPid);
    }

    @Test
    void shouldAccountForEveryRequestPerTransportAndReportMonotonicPercentiles() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final BenchSpec spec = udp(memcached.address(), Duration.ofSeconds(2), 1000);
            final StringWriter progress = new StringWriter();

            final Bench.Run run = Bench.run(spec, spec.tcpSide(1, 4), BenchBackend.kernel(), plan(Duration.ZERO, 0),
                new PrintWriter(progress));

            assertEquals(1000, run.warmUpKeys(), "the warm-up stored every key once (over TCP)");
            assertEquals(2, run.trials().size(), "one result per transport");
            assertEquals("udp", run.trials().get(0).transport());
            assertEquals("tcp", run.trials().get(1).transport());
            for (final BenchTrial t : run.trials())
            {
                final String side = t.transport();
                assertTrue(t.sent() > 0, side + " sent something");
                assertEquals(t.sent(), t.received() + t.lost(), side + ": sent = received + lost");
                assertTrue(t.hits() > 0, side + " hits");
                assertTrue(t.stored() > 0, side + " stores");
                assertEquals(0, t.misses(), side + ": every key was stored by the warm-up");
                assertEquals(0, t.errors(), side + " errors");
                assertEquals(0, t.wrongAnswers(), side + ": both sides store the same values");
                assertNull(t.failure(), side);
                assertNull(t.serverCpu(), side + ": no --server-pid");
                final Histogram h = t.latencyNs();
                assertEquals(t.received(), h.getTotalCount(), side + ": one latency per reply");
                final long p50 = h.getValueAtPercentile(50);
                final long p90 = h.getValueAtPercentile(90);
                final long p99 = h.getValueAtPercentile(99);
                final long p999 = h.getValueAtPercentile(99.9);
                assertTrue(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= h.getMaxValue(),
                    side + " percentiles " + p50 + " " + p90 + " " + p99 + " " + p999 + " " + h.getMaxValue());
            }
            assertTrue(progress.toString().contains("warm-up: stored 1,000 of 1,000 keys"), progress.toString());
            assertTrue(progress.toString().matches("(?s).*\\[  1s\\] udp +[0-9,]+/s p50 .* \\| tcp +[0-9,]+/s p50 .*"),
                progress.toString());

            final StringWriter table = new StringWriter();
            BenchReport.print(run, new PrintWriter(table));
            assertTrue(table.toString().contains("transport ") && table.toString().contains("\nudp ") &&
                table.toString().contains("\ntcp "), table.toString());
            final String json = BenchReport.toJson(run);
            assertTrue(json.contains("\"tcp_threads\": 1,") && json.contains("\"transport\": \"udp\"") &&
                json.contains("\"transport\": \"tcp\", \"target_rate_per_s\": 0") &&
                json.contains("\"sent\": " + run.trials().get(1).sent() + ","), json);
        }
    }

    @Test
    void shouldSampleTheServersCpuOverTheMeasuredWindowAfterATimedWarmUpLoad() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final BenchSpec spec = udp(memcached.address(), Duration.ofMillis(1500), 500);
            final StringWriter progress = new StringWriter();

            final Bench.Run run = Bench.run(spec, null, BenchBackend.kernel(), plan(Duration.ofMillis(700), memcached.pid()),
                new PrintWriter(progress));

            assertTrue(run.warmUpLoadNs() >= Duration.ofMillis(700).toNanos(), "the warm-up load ran: " + run.warmUpLoadNs());
            assertTrue(progress.toString().contains("warm-up load: "), progress.toString());
            final BenchTrial t = run.trials().getFirst();
            final BenchServerCpu cpu = t.serverCpu();
            assertNotNull(cpu);
            assertEquals(memcached.pid(), cpu.pid());
            assertTrue(cpu.cpuNs() > 0, "memcached worked: " + cpu);
            assertTrue(cpu.windowNs() >= Duration.ofMillis(1400).toNanos() && cpu.windowNs() < Duration.ofMillis(2500).toNanos(),
                "the window is the trial, not the warm-up: " + cpu);
            assertTrue(cpu.requests() > 0 && cpu.requests() <= t.received(), cpu + " vs " + t.received());
            assertTrue(cpu.cores() > 0 && cpu.cores() <= Runtime.getRuntime().availableProcessors() + 0.1, cpu.toString());
            assertEquals(cpu.requests() * 1e9 / cpu.cpuNs(), cpu.requestsPerCpuSecond(), 1e-6);
            assertTrue(cpu.busiestThread().contains("(tid "), cpu.busiestThread());
            assertTrue(cpu.busiestThreadNs() > 0 && cpu.busiestThreadNs() <= cpu.cpuNs(), cpu.toString());

            final StringWriter table = new StringWriter();
            BenchReport.print(run, new PrintWriter(table));
            assertTrue(table.toString().contains("server pid " + memcached.pid() + ": ") &&
                table.toString().contains("requests per server CPU-second"), table.toString());
            assertTrue(table.toString().contains("warm-up load: "), table.toString());
        }
    }

    @Test
    void shouldShareOneServerSampleBetweenTheSidesOfAMixedTrial() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final BenchSpec spec = udp(memcached.address(), Duration.ofMillis(800), 200);

            final Bench.Run run = Bench.run(spec, spec.tcpSide(1, 2), BenchBackend.kernel(), plan(Duration.ZERO, memcached.pid()),
                null);

            final BenchServerCpu cpu = run.trials().get(0).serverCpu();
            assertNotNull(cpu);
            assertSame(cpu, run.trials().get(1).serverCpu());
            assertTrue(cpu.requests() > run.trials().get(0).received() / 2, "both sides' replies count: " + cpu);
        }
    }

    @Test
    void shouldLoseEveryRequestInClosedLoopWhenNothingAnswersUdp() throws Exception
    {
        final int port;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        final BenchSpec spec = new BenchSpec(new ServerAddress("127.0.0.1", port), BenchSpec.Transport.UDP,
            BenchSpec.Protocol.TEXT, 10, 16, 8, 8, 0, 0.5, 1, 1, null, 0, 2, Duration.ofMillis(300), 1_000_000L,
            100_000_000L, 0, 1, BenchSpec.Idle.YIELD);

        final BenchTrial t = Bench.run(spec, BenchPlan.single(false), null).trials().getFirst();

        assertTrue(t.sent() > 0);
        assertEquals(0, t.received());
        assertEquals(t.sent(), t.lost());
    }

    @Test
    void shouldRefuseAMixedRunThatCannotBeOne()
    {
        final BenchSpec spec = udp(new ServerAddress("127.0.0.1", 1), Duration.ofSeconds(1), 10);
        final BenchSpec tcp = spec.tcpSide(1, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Bench.run(tcp, spec, BenchBackend.kernel(),
            plan(Duration.ZERO, 0), null)).getMessage().contains("--transport udp"));
        final BenchPlan search = new BenchPlan(BenchPlan.Mode.SEARCH, false, Duration.ofSeconds(1), 1, 0, 0.02, 12, 0,
            1_000_000, java.util.List.of(), Duration.ZERO, 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Bench.run(spec, tcp, BenchBackend.kernel(), search,
            null)).getMessage().contains("--search"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ServerCpuSampler(Integer.MAX_VALUE))
            .getMessage().startsWith("--server-pid " + Integer.MAX_VALUE + ": no such process"));
        assertEquals(0, tcp.cpus().length, "no CPUs given, none for the TCP side");
        final BenchSpec pinned = new BenchSpec(spec.target(), BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT, 10, 16, 8,
            8, 0, 0.5, 1, 2, new int[] {4, 5, 6}, 0, 2, Duration.ofSeconds(1), 1, 1_000_000L, 0, 1);
        assertEquals(java.util.List.of(6, 4, 5), java.util.Arrays.stream(pinned.tcpSide(2, 1).cpus()).boxed().toList(),
            "TCP threads take the CPUs after the UDP threads'");
    }
}
