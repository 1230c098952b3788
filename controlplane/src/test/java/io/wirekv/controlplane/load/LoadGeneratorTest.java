package io.wirekv.controlplane.load;

import io.wirekv.e2e.MemcachedProcess;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator against a real memcached for 2 seconds over UDP and TCP at once. */
class LoadGeneratorTest
{
    @Test
    void shouldAccountForEveryRequestAndReportMonotonicPercentiles() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final LoadSpec spec = new LoadSpec(memcached.address(), memcached.address(), Duration.ofSeconds(2),
                1000, 16, 32, 0.9, 1, 4, 1, 4, 500, true, 1);
            final StringWriter progress = new StringWriter();

            final LoadReport report = LoadGenerator.run(spec, new PrintWriter(progress));

            assertEquals(1000, report.warmUpKeys());
            for (final LoadReport.Result r : new LoadReport.Result[] {report.udp(), report.tcp()})
            {
                assertNotNull(r);
                assertTrue(r.sent() > 0, r.protocol() + " sent something");
                assertEquals(r.sent(), r.ok() + r.errors() + r.timeouts(), r.protocol() + ": sent = ok + errors + timeouts");
                assertTrue(r.hits() > 0, r.protocol() + " hits");
                assertTrue(r.stored() > 0, r.protocol() + " stores");
                assertEquals(0, r.misses(), r.protocol() + ": every key was stored by the warm-up");
                assertEquals(0, r.errors(), r.protocol() + " errors");
                assertNull(r.failure());
                final Histogram h = r.latencyNs();
                assertEquals(r.ok(), h.getTotalCount(), r.protocol() + ": one latency per reply");
                final long p50 = h.getValueAtPercentile(50);
                final long p90 = h.getValueAtPercentile(90);
                final long p99 = h.getValueAtPercentile(99);
                final long p999 = h.getValueAtPercentile(99.9);
                assertTrue(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= h.getMaxValue(),
                    r.protocol() + " percentiles " + p50 + " " + p90 + " " + p99 + " " + p999 + " " + h.getMaxValue());
            }
            assertTrue(progress.toString().contains("warm-up: stored 1000 keys"), progress.toString());
            assertTrue(progress.toString().contains("[  1s] udp"), progress.toString());

            final StringWriter summary = new StringWriter();
            report.print(new PrintWriter(summary));
            assertTrue(summary.toString().contains("latency (us)"), summary.toString());
            final String json = report.toJson();
            assertTrue(json.startsWith("{\"elapsed_s\":") && json.contains("\"udp\":{\"requests_per_s\":") &&
                json.contains("\"sent\":" + report.tcp().sent() + ","), json);
        }
    }

    @Test
    void shouldCountTimeoutsWhenNothingAnswersUdp() throws Exception
    {
        final int port;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        final var address = new io.wirekv.controlplane.client.ServerAddress("127.0.0.1", port);
        // 300 ms with 2 requests in flight and a 100 ms timeout: each slot sends again only once its request timed out
        final LoadSpec spec = new LoadSpec(address, null, Duration.ofMillis(300), 10, 16, 8, 0.5, 1, 2, 0, 1, 100,
            false, 1);

        final long t0 = System.nanoTime();
        final LoadReport report = LoadGenerator.run(spec, null);
        final long ms = (System.nanoTime() - t0) / 1_000_000;

        final LoadReport.Result r = report.udp();
        assertEquals(0, r.ok());
        assertEquals(0, r.errors(), "nothing answered, so nothing answered with an error");
        assertEquals(r.sent(), r.timeouts(), "every request timed out");
        assertTrue(r.sent() >= 2 && r.sent() <= 2 * (300 / 100 + 2),
            "each of the 2 slots waited out its 100 ms timeout before sending again: sent " + r.sent());
        assertTrue(ms >= 300 && ms < 5_000, "ran its 300 ms and drained within the timeout: " + ms + " ms");
        assertNull(report.tcp());
    }

    @Test
    void shouldRejectASpecOutOfRangeNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new LoadSpec(null, new io.wirekv.controlplane.client.ServerAddress("127.0.0.1", 1), Duration.ofSeconds(1),
                100_000, 4, 32, 0.9, 0, 1, 1, 1, 100, false, 1));
        assertEquals("key size must be from 6 (for 100000 keys) to 250 bytes, got 4", ex.getMessage());
    }

    @Test
    void shouldWriteFixedSizeKeysAndWholeRequests()
    {
        final byte[] buf = new byte[128];
        final int end = KeyValues.putRequest(buf, 0, false, 42, 8, 3);
        assertEquals("set k0000042 0 0 3\r\nvvv\r\n", new String(buf, 0, end, java.nio.charset.StandardCharsets.US_ASCII));
        final int end2 = KeyValues.putRequest(buf, 0, true, 7, 4, 3);
        assertEquals("get k007\r\n", new String(buf, 0, end2, java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(end <= KeyValues.maxRequestBytes(8, 3));
    }
}
