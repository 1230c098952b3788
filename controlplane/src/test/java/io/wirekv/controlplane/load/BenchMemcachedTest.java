package io.wirekv.controlplane.load;

import io.wirekv.e2e.MemcachedProcess;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code wirekv bench}'s engine against a real memcached on loopback (one server for the class). */
class BenchMemcachedTest
{
    private static MemcachedProcess memcached;

    @BeforeAll
    static void startMemcached() throws Exception
    {
        memcached = new MemcachedProcess();
    }

    @AfterAll
    static void stopMemcached() throws Exception
    {
        if (memcached != null)
        {
            memcached.close();
        }
    }

    @Test
    void shouldAccountForEveryRequestOverUdpWithTextCommands() throws Exception
    {
        final BenchSpec spec = BenchSpecs.closed(memcached.address(), BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT, 1,
            Duration.ofMillis(1500), 0.05);
        final StringWriter progress = new StringWriter();

        final Bench.Run run = Bench.run(spec, BenchPlan.single(true), new PrintWriter(progress));

        assertEquals(spec.keySpace(), run.warmUpKeys(), progress.toString());
        final BenchTrial t = run.trials().get(0);
        assertSane(t, spec);
        assertTrue(progress.toString().contains("[  1s] offered"), progress.toString());
    }

    @Test
    void shouldAccountForEveryRequestOverTcpWithMetaMultiGets() throws Exception
    {
        final BenchSpec spec = BenchSpecs.closed(memcached.address(), BenchSpec.Transport.TCP, BenchSpec.Protocol.META, 3,
            Duration.ofMillis(1000), 0.2);

        final Bench.Run run = Bench.run(spec, BenchPlan.single(true), null);

        final BenchTrial t = run.trials().get(0);
        assertSane(t, spec);
        assertEquals(0, t.misses(), "every key was stored by the warm-up");
    }

    @Test
    void shouldAddUpMemcachedsPerKeyDatagramsForMultiGetsOverUdp() throws Exception
    {
        for (final BenchSpec.Protocol protocol : BenchSpec.Protocol.values())
        {
            final BenchSpec spec = BenchSpecs.closed(memcached.address(), BenchSpec.Transport.UDP, protocol, 4,
                Duration.ofMillis(700), 0.5);

            final Bench.Run run = Bench.run(spec, BenchPlan.single(true), null);

            final BenchTrial t = run.trials().get(0);
            assertSane(t, spec);
            assertEquals(0, t.late(), protocol + ": no part of a reply arrives after its request is done");
            assertTrue(t.hits() > 3L * (t.received() - t.stored()), protocol + ": several hits per multi-get, " + t);
        }
    }

    @Test
    void shouldReassembleAndCheckValuesThatSpanDatagramsOverUdp() throws Exception
    {
        for (final BenchSpec.Protocol protocol : BenchSpec.Protocol.values())
        {
            for (final int multiget : new int[] {1, 3})
            {
                final BenchSpec spec = new BenchSpec(memcached.address(), BenchSpec.Transport.UDP, protocol, 300, 16, 16,
                    5000, 0, 0.9, multiget, 1, null, 0, 4, Duration.ofMillis(300), 1_000_000, 1_000_000_000L, 0.3, 13);

                final BenchTrial t = Bench.run(spec, BenchPlan.single(true), null).trials().get(0);

                final String what = protocol + " multiget " + multiget + ": " + t;
                assertSane(t, spec);
                assertEquals(0, t.late(), what);
                assertEquals(0, t.misses(), what);
                assertEquals((long)multiget * (t.received() - t.stored()), t.hits(), "every key of every get hit: " + what);
            }
        }
    }

    @Test
    void shouldCountMissesAndNoWrongAnswersWhenNothingWasStored() throws Exception
    {
        final BenchSpec spec = new BenchSpec(memcached.address(), BenchSpec.Transport.UDP, BenchSpec.Protocol.META, 1000,
            24, 8, 8, 0, 1.0, 1, 1, null, 0, 4, Duration.ofMillis(300), 100_000, 500_000_000L, 1.0, 99);

        final BenchTrial t = Bench.run(spec, BenchPlan.single(false), null).trials().get(0);

        assertEquals(t.sent(), t.received() + t.lost());
        assertTrue(t.misses() > 0, "keys of 24 bytes were never stored: " + t);
        assertEquals(0, t.hits());
        assertEquals(0, t.wrongAnswers());
    }

    @Test
    void shouldStopAtTheRequestLimit() throws Exception
    {
        final BenchSpec spec = new BenchSpec(memcached.address(), BenchSpec.Transport.TCP, BenchSpec.Protocol.TEXT, 100,
            16, 8, 8, 0, 0.5, 1, 2, null, 0, 4, Duration.ofSeconds(10), 1001, 1_000_000_000L, 0, 3);

        final long t0 = System.nanoTime();
        final BenchTrial t = Bench.run(spec, BenchPlan.single(false), null).trials().get(0);

        assertEquals(1001, t.sent());
        assertEquals(t.sent(), t.received() + t.lost());
        assertTrue(System.nanoTime() - t0 < 9_000_000_000L, "stopped by the limit, not by the 10 s duration");
    }

    @Test
    void shouldRunPinnedThreadsOnTheGivenCpus() throws Exception
    {
        final java.util.BitSet allowed = io.wirekv.dataplane.lcore.Affinity.allowedCpus();
        final int cpu = allowed.nextSetBit(0);
        final BenchSpec spec = new BenchSpec(memcached.address(), BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT, 100,
            16, 8, 8, 0, 0.5, 1, 2, new int[] {cpu}, 0, 4, Duration.ofMillis(300), 1_000_000, 1_000_000_000L, 0.1, 3);

        final BenchTrial t = Bench.run(spec, BenchPlan.single(true), null).trials().get(0);

        assertNull(t.failure(), "pinning to CPU " + cpu + " of " + allowed);
        assertEquals(t.sent(), t.received() + t.lost());
        assertTrue(t.received() > 0);
        assertEquals(java.util.BitSet.valueOf(allowed.toLongArray()), io.wirekv.dataplane.lcore.Affinity.allowedCpus(),
            "the calling thread is not pinned, only the workers");
    }

    static void assertSane(final BenchTrial t, final BenchSpec spec)
    {
        assertNull(t.failure());
        assertTrue(t.sent() > 0, "sent something");
        assertEquals(t.sent(), t.received() + t.lost(), "sent = received + lost (nothing in flight at the end): " + t);
        assertTrue(t.received() > 0, "received something");
        assertEquals(0, t.errors(), "memcached answered every request without an error: " + t);
        assertEquals(0, t.wrongAnswers(), "memcached returns what was stored: " + t);
        assertTrue(t.verified() > 0, "some values were checked: " + t);
        assertTrue(t.stored() > 0 && t.hits() > 0, "both SETs and GETs were answered: " + t);
        final Histogram h = t.latencyNs();
        assertEquals(t.received(), h.getTotalCount(), "one latency per reply");
        final long p50 = h.getValueAtPercentile(50);
        final long p90 = h.getValueAtPercentile(90);
        final long p99 = h.getValueAtPercentile(99);
        final long max = h.getMaxValue();
        assertTrue(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max,
            "percentiles monotonic: " + p50 + " " + p90 + " " + p99 + " " + max);
        assertTrue(p99 < spec.timeoutNs(), "p99 below the timeout: " + p99);
    }
}
