package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.controlplane.client.McTransport;
import io.wirekv.controlplane.client.ServerAddress;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * A live {@code wirekv serve --metrics-port} (its own process, as an operator runs it) scraped over HTTP
 * and checked by Prometheus' own linter, {@code promtool check metrics} (Debian's prometheus package,
 * which deploy/install-deps.sh installs): names, types, units, HELP, histogram shape.
 */
class ServeMetricsPromtoolTest
{
    private static final Pattern METRICS_AT = Pattern.compile("wirekv: metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @Test
    void shouldServeMetricsThatPromtoolAccepts() throws Exception
    {
        final Path promtool = promtool();
        final int port = freePort();
        final int metricsPort = freePort(); // metrics.port 0 means off, so ask for a free one
        final Path log = Files.createTempFile("wirekv-serve-metrics", ".log");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process serve = new ProcessBuilder(List.of(java,
            "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Xmx256m", "-cp", System.getProperty("java.class.path"), WirekvCli.class.getName(),
            "serve", "--port", Integer.toString(port), "--memory", "32m", "--no-hugepages", "--metrics-port", Integer.toString(metricsPort),
            "--instance", "t-promtool-" + ProcessHandle.current().pid()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (serve.isAlive() && !read(log).contains("wirekv: serving") && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertTrue(read(log).contains("wirekv: serving"), read(log));
            final Matcher at = METRICS_AT.matcher(read(log));
            assertTrue(at.find() && at.group(1).equals(Integer.toString(metricsPort)), "serve says where the metrics are: " +
                read(log));
            final URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");

            for (final boolean udp : new boolean[] {true, false})
            {
                try (McClient c = new McClient(McTransport.open(new ServerAddress("127.0.0.1", port), udp, 1000, 2)))
                {
                    assertEquals("STORED", c.set("scrape", 0, 0, "ok".getBytes(StandardCharsets.US_ASCII)));
                    assertEquals("ok", new String(c.get("scrape").data(), StandardCharsets.US_ASCII));
                }
            }
            Thread.sleep(2 * 100 + 50); // a housekeeping period copies the counters into the CnC file

            final String body;
            final HttpResponse<Void> head;
            try (HttpClient client = HttpClient.newHttpClient())
            {
                body = client.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
                head = client.send(HttpRequest.newBuilder(metrics).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.discarding());
            }
            assertEquals(200, head.statusCode());
            assertTrue(head.headers().firstValueAsLong("Content-Length").orElse(0) > 1000, head.headers().toString());

            final Check check = promtool(promtool, body);
            assertEquals(0, check.exit(), "promtool check metrics refused the scrape:\n" + check.output() + "\n" + body);
            assertEquals("", check.output().trim(), "promtool's lint findings");
            assertTrue(count(body, "wirekv_request_duration_seconds_count{family=\"read\"}") >= 2, body);
            assertTrue(count(body, "wirekv_request_duration_seconds_count{family=\"write\"}") >= 2, body);
            assertTrue(count(body, "wirekv_commands_total{command=\"get\",status=\"hit\"}") >= 2, body);
            assertTrue(body.contains("\nwirekv_build_info{version=\""), body);
            assertTrue(body.contains("\njvm_gc_collection_seconds_count{gc=\""), body);

            serve.destroy(); // SIGTERM to the one process this test started
            assertTrue(serve.waitFor(20, TimeUnit.SECONDS), "serve exits after SIGTERM");
        }
        finally
        {
            if (serve.isAlive())
            {
                serve.destroyForcibly();
                serve.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }

    /** The check is only as good as promtool's lint: it must refuse what Prometheus' conventions refuse. */
    @Test
    void shouldSeePromtoolRefuseWhatBreaksTheConventions() throws Exception
    {
        final Path promtool = promtool();
        final Check millis = promtool(promtool, "# HELP x_age_ms Age\n# TYPE x_age_ms gauge\nx_age_ms 1\n");
        assertNotEquals(0, millis.exit(), millis.output());
        assertTrue(millis.output().contains("abbreviated units"), millis.output());
        final Check total = promtool(promtool, "# HELP x_hits Hits\n# TYPE x_hits counter\nx_hits 1\n");
        assertNotEquals(0, total.exit(), total.output());
        assertTrue(total.output().contains("_total"), total.output());
    }

    private record Check(int exit, String output)
    {
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    private static Path promtool()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        {
            final Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return abort("promtool is not installed (Debian package prometheus; deploy/install-deps.sh installs it)");
    }

    private static Check promtool(final Path promtool, final String exposition) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream())
        {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool ran past 30 s");
        return new Check(p.exitValue(), output);
    }

    private static double count(final String body, final String series)
    {
        for (final String line : body.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return -1;
    }

    private static String read(final Path p) throws IOException
    {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
