package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.cnc.CncMetric;
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

/** The Prometheus endpoint of a running appliance, read by the Prometheus client library's parser and a strict one of ours. */
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

    /**
     * The official Prometheus client library's own parser (Debian's python3-prometheus-client, which
     * deploy/install-deps.sh installs) reads the scrape: every family with its type and every sample.
     */
    @Test
    void shouldBeReadByThePrometheusClientLibrarysParser() throws Exception
    {
        assertEquals("END\r\n", CncTestSupport.udpRequest(server.udpPort(), "get metrics:official\r\n"));
        Thread.sleep(2 * 100 + 50);
        final String body = scrape("/metrics").body();
        final Process python = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
            "import sys",
            "from prometheus_client.parser import text_string_to_metric_families",
            "for family in text_string_to_metric_families(sys.stdin.read()):",
            "    for sample in family.samples:",
            "        labels = ','.join(k + '=' + v for k, v in sorted(sample.labels.items()))",
            "        print(family.type, sample.name, labels, sample.value)"))
            .redirectErrorStream(true).start();
        try (var in = python.getOutputStream())
        {
            in.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        final String parsed = new String(python.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(python.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "python3 ran past 30 s");
        assertEquals(0, python.exitValue(), "the Prometheus parser refused the scrape:\n" + parsed);
        for (final CncMetric m : CncMetric.values())
        {
            if (m.scope() == CncMetric.Scope.LCORE_NET)
            {
                continue; // the kernel backend has no L2/L3 stack
            }
            final String sample = "wirekv_" + m.metricName() + (m.kind() == CncMetric.Kind.COUNTER ? "_total" : "");
            final String type = m.kind() == CncMetric.Kind.COUNTER ? "counter" : "gauge";
            assertTrue(parsed.lines().anyMatch(line -> line.startsWith(type + " " + sample + " ")),
                type + " " + sample + " in what the parser read:\n" + parsed);
        }
        assertTrue(parsed.lines().anyMatch(line -> line.startsWith("counter wirekv_rx_packets_total lcore=0,port=0 ")),
            parsed);
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
