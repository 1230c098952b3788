package io.wirekv.controlplane.load;

import io.wirekv.e2e.MemcachedProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Open loop: the rate offered is the rate asked for. */
class BenchPacingTest
{
    @Test
    void shouldOfferTheTargetRateWithinTwoPercentOverFiveSeconds() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final long rate = 20_000;
            final BenchSpec spec = BenchSpecs.open(memcached.address(), rate, Duration.ofSeconds(5));

            final BenchTrial t = Bench.run(spec, BenchPlan.single(true), null).trials().get(0);

            assertNull(t.failure());
            final double offered = t.offeredPerSecond();
            assertTrue(Math.abs(offered - rate) <= 0.02 * rate, "offered " + offered + " req/s for " + rate);
            assertTrue(Math.abs(t.elapsedNs() - 5e9) <= 0.02 * 5e9, "sent for about 5 s: " + t.elapsedNs());
            assertEquals(t.sent(), t.received() + t.lost());
            assertTrue(t.received() > 0);
        }
    }

    @Test
    void shouldTimeRequestsFromTheirIntendedSendTimeWhenTheGeneratorFallsBehind() throws Exception
    {
        // 20 M req/s from one thread cannot be sent: request k goes out ever later after its due time,
        // and its latency includes that lateness (no coordinated omission), so the median is of the
        // order of the run's length instead of a loopback round trip
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final long durationNs = 400_000_000L;
            final BenchSpec spec = new BenchSpec(memcached.address(), BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT,
                1000, 16, 8, 8, 0, 1.0, 1, 1, null, 20_000_000, 8, Duration.ofNanos(durationNs), 10_000_000,
                2_000_000_000L, 0, 1);

            final BenchTrial t = Bench.run(spec, BenchPlan.single(false), null).trials().get(0);

            assertNull(t.failure());
            assertEquals(t.sent(), t.received() + t.lost());
            assertTrue(t.received() > 100, "some replies: " + t);
            assertTrue(t.offeredPerSecond() < 0.5 * spec.ratePerSecond(), "the generator fell behind: " + t);
            final long p50 = t.latencyNs().getValueAtPercentile(50);
            assertTrue(p50 > durationNs / 5, "median latency counts the lateness: " + p50 + " ns");
        }
    }

    @Test
    void shouldOfferTheWholeGridAndLoseEveryRequestWhenNothingAnswers() throws Exception
    {
        // nothing answers: every request is lost after the timeout, none is received, and the
        // worker still offers the whole grid (it does not slow down for missing replies)
        final int port;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        final BenchSpec spec = new BenchSpec(new io.wirekv.controlplane.client.ServerAddress("127.0.0.1", port),
            BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT, 100, 16, 8, 8, 0, 0.5, 1, 1, null, 2000, 8,
            Duration.ofMillis(500), 100_000, 50_000_000L, 0, 1);

        final BenchTrial t = Bench.trial(spec, new KeyChooser(100, 0), null);

        assertEquals(1000, t.sent(), "500 ms at 2000 req/s");
        assertEquals(t.sent(), t.lost());
        assertEquals(0, t.received());
    }
}
