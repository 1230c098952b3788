package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.housekeeping.CncMetric;
import io.wirekv.dataplane.server.WirekvServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus endpoint of a running appliance, read by a strict exposition-format parser. */
class MetricsServerTest
{
    private static String instance;
    private static WirekvServer server;
    private static MetricsServer metrics;

    @BeforeAll
    static void start()
    {
        instance = CncTestSupport.uniqueInstance("metrics");
        server = CncTestSupport.startServer(instance, new ByteArrayOutputStream());
        metrics = MetricsServer.start(CncFileDescriptor.baseDirectory(), instance, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop()
    {
        if (null != metrics)
        {
            metrics.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    private static HttpResponse<String> scrape(final String path) throws Exception
    {
        try (HttpClient client = HttpClient.newHttpClient())
        {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void shouldExposeEveryCounterInPrometheusTextFormat() throws Exception
    {
        assertEquals("END\r\n", CncTestSupport.udpRequest(server.udpPort(), "get metrics:none\r\n"));
        Thread.sleep(2 * 100 + 50); // one housekeeping period, and a margin
        final HttpResponse<String> response = scrape("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));

        final Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(response.body());
        for (final CncMetric m : CncMetric.values())
        {
            if (m.scope() == CncMetric.Scope.LCORE_NET)
            {
                continue; // the kernel backend has no L2/L3 stack
            }
            final String name = "wirekv_" + m.metricName() + (m.kind() == CncMetric.Kind.COUNTER ? "_total" : "");
            final PrometheusTextParser.Family f = families.get(name);
            assertTrue(f != null && !f.samples.isEmpty(), name + " in\n" + response.body());
            assertEquals(m.kind() == CncMetric.Kind.COUNTER ? "counter" : "gauge", f.type, name);
            assertEquals(m.help(), f.help, name);
        }
        final PrometheusTextParser.Sample rx = families.get("wirekv_rx_packets_total").samples.getFirst();
        assertEquals(Map.of("lcore", "0", "port", "0"), rx.labels());
        assertTrue(rx.value() >= 1, rx.toString());
        assertTrue(families.get("wirekv_cmd_get_total").samples.getFirst().value() >= 1);
        assertEquals(1.0, families.get("wirekv_up").samples.getFirst().value());
    }

    @Test
    void shouldRejectWhatIsNotTheExpositionFormat()
    {
        // the parser is strict: a test of the endpoint is only as good as this
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("wirekv_x{lcore=0} 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("wirekv-x 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("wirekv_x one\n"));
        assertThrows(IllegalArgumentException.class, () ->
            PrometheusTextParser.parse("wirekv_x 1\n# TYPE wirekv_x counter\n"));
        assertThrows(IllegalArgumentException.class, () ->
            PrometheusTextParser.parse("wirekv_x{a=\"1\"} 1\nwirekv_y 1\nwirekv_x{a=\"2\"} 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("wirekv_x 1\nwirekv_x 2\n"));
        assertEquals(2, PrometheusTextParser.parse("# HELP a_total x\\ny\n# TYPE a_total counter\n" +
            "a_total{l=\"q\\\"\"} 1\na_total 2 1700000000000\n").get("a_total").samples.size());
    }

    @Test
    void shouldAnswerOtherPathsWithNotFound() throws Exception
    {
        assertEquals(404, scrape("/other").statusCode());
    }
}
