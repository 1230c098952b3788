package io.wirekv.controlplane.load;

import io.wirekv.controlplane.MemcachedProcess;
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
        try (MemcachedProcess memcached = MemcachedProcess.start())
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
