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
        metrics = MetricsServer.start(CncFileDescriptor.baseDirectory(), instance, "127.0.0.1", 0,
            server.requestLatencies());
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

    /** The Prometheus series a CnC metric appears as: family name and the mapping's labels. */
    private static PrometheusNames.Mapping mapping(final CncMetric m)
    {
        return PrometheusNames.of(m.metricName(), m.kind() == CncMetric.Kind.GAUGE, m.help());
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
            final PrometheusNames.Mapping p = mapping(m);
            final PrometheusTextParser.Family f = families.get(p.family());
            assertTrue(f != null && f.samples.stream().anyMatch(s -> s.labels().entrySet().containsAll(p.labels().entrySet())),
                p.family() + p.labels() + " in\n" + response.body());
            assertEquals(m.kind() == CncMetric.Kind.COUNTER ? "counter" : "gauge", f.type, p.family());
            assertEquals(p.help(), f.help, p.family());
        }
        final PrometheusTextParser.Sample rx = families.get("wirekv_rx_packets_total").samples.getFirst();
        assertEquals(Map.of("lcore", "0", "port", "0"), rx.labels());
        assertTrue(rx.value() >= 1, rx.toString());
        assertTrue(families.get("wirekv_commands_total").samples.stream()
            .anyMatch(s -> s.labels().equals(Map.of("command", "get", "status", "miss")) && s.value() >= 1));
        assertEquals(1.0, families.get("wirekv_up").samples.getFirst().value());
        assertEquals("gauge", families.get("wirekv_grace_period_age_seconds").type);
        assertTrue(families.get("wirekv_build_info").samples.getFirst().labels().keySet().containsAll(
            java.util.Set.of("version", "commit")));
        for (final String jvm : new String[] {"jvm_memory_used_bytes", "jvm_memory_committed_bytes",
            "jvm_gc_collection_seconds", "jvm_threads_current", "process_cpu_seconds_total"})
        {
            assertTrue(families.containsKey(jvm) && !families.get(jvm).samples.isEmpty(), jvm);
        }
        assertTrue(families.get("jvm_memory_used_bytes").samples.stream()
            .anyMatch(s -> s.labels().equals(Map.of("area", "heap")) && s.value() > 0));
    }

    @Test
    void shouldHistogramRequestLatencyByFamilyOfCommand() throws Exception
    {
        final Map<String, PrometheusTextParser.Family> before = PrometheusTextParser.parse(scrape("/metrics").body());
        assertEquals("END\r\n", CncTestSupport.udpRequest(server.udpPort(), "get metrics:latency\r\n"));
        assertEquals("STORED\r\n", CncTestSupport.udpRequest(server.udpPort(), "set metrics:latency 0 0 1\r\nx\r\n"));
        final Map<String, PrometheusTextParser.Family> after = PrometheusTextParser.parse(scrape("/metrics").body());
        final PrometheusTextParser.Family h = after.get(PrometheusText.REQUEST_DURATION);
        assertEquals("histogram", h.type); // the parser checked cumulative buckets, +Inf and _count
        for (final String family : new String[] {"read", "write"})
        {
            assertTrue(count(after, family) >= count(before, family) + 1, family + ": one more request counted");
            final double sum = h.samples.stream().filter(s -> s.name().endsWith("_sum") &&
                s.labels().get("family").equals(family)).findFirst().orElseThrow().value();
            assertTrue(sum > 0 && sum < 60, family + " sum in seconds: " + sum);
        }
    }

    private static double count(final Map<String, PrometheusTextParser.Family> families, final String family)
    {
        return families.get(PrometheusText.REQUEST_DURATION).samples.stream()
            .filter(s -> s.name().endsWith("_count") && s.labels().equals(Map.of("family", family)))
            .findFirst().orElseThrow().value();
    }

    @Test
    void shouldAnswerHeadWithTheHeadersOfGetAndNoBody() throws Exception
    {
        final java.net.http.HttpResponse<byte[]> head;
        try (HttpClient client = HttpClient.newHttpClient())
        {
            head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + "/metrics"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        final long length = head.headers().firstValueAsLong("Content-Length").orElse(-1);
        final int got = scrape("/metrics").body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        // the body changes between the two requests only in digits (values, ages): the lengths stay close
        assertTrue(length > 1000 && Math.abs(length - got) < 200, "HEAD Content-Length " + length + ", GET body " + got);
        // and the connection survives: a second request on the same client is answered (no stray body bytes)
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", metrics.port()))
        {
            socket.getOutputStream().write(("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing HTTP/1.1\r\n" +
                "Host: x\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final String replies = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(replies.startsWith("HTTP/1.1 200"), replies);
            final int second = replies.indexOf("HTTP/1.1 404");
            assertTrue(second > 0, "the GET after HEAD is answered: " + replies);
            assertTrue(replies.substring(0, second).endsWith("\r\n\r\n"), "HEAD sent headers only: " + replies);
        }
    }

    @Test
    void shouldRejectOtherMethods() throws Exception
    {
        try (HttpClient client = HttpClient.newHttpClient())
        {
            final HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                metrics.port() + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        }
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
            final String sample = mapping(m).family();
            final String type = m.kind() == CncMetric.Kind.COUNTER ? "counter" : "gauge";
            assertTrue(parsed.lines().anyMatch(line -> line.startsWith(type + " " + sample + " ")),
                type + " " + sample + " in what the parser read:\n" + parsed);
        }
        assertTrue(parsed.lines().anyMatch(line -> line.startsWith("counter wirekv_rx_packets_total lcore=0,port=0 ")),
            parsed);
        assertTrue(parsed.lines().anyMatch(line ->
            line.startsWith("histogram wirekv_request_duration_seconds_bucket family=read,le=+Inf ")), parsed);
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
        final String histogram = "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n";
        assertEquals(4, PrometheusTextParser.parse(histogram).get("h").samples.size());
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse(histogram.replace("h_count 2", "h_count 3")));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse(histogram.replace("} 1\n", "} 5\n")));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse(histogram.replace("+Inf", "9")));
    }

    @Test
    void shouldAnswerOtherPathsWithNotFound() throws Exception
    {
        assertEquals(404, scrape("/other").statusCode());
    }
}
