package io.wirekv.controlplane.cnc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wirekv.dataplane.latency.RequestLatency;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Prometheus endpoint ({@code GET /metrics}, and {@code HEAD} for its headers) built from an instance's
 * CnC file, like any other reader of it: the exporter never touches the dataplane's counters. Run inside
 * the server's process, it also serves that JVM's metrics and, when given the server's reader threads'
 * {@link RequestLatency} recorders, the request latency histogram (opaque reads of words each agent
 * writes alone). One thread serves scrapes.
 */
public final class MetricsServer implements AutoCloseable
{
    private final HttpServer server;
    private final ExecutorService executor;
    private final CncReader reader;

    private MetricsServer(final HttpServer server, final ExecutorService executor, final CncReader reader)
    {
        this.server = server;
        this.executor = executor;
        this.reader = reader;
    }

    /**
     * An exporter without the latency histogram (no recorders given).
     *
     * @param address address to bind, 127.0.0.1 by default.
     * @param port    TCP port, 0 = any free port (see {@link #port()}).
     */
    public static MetricsServer start(final Path cncBase, final String instance, final String address, final int port)
    {
        return start(cncBase, instance, address, port, List.of());
    }

    /**
     * @param address   address to bind, 127.0.0.1 by default.
     * @param port      TCP port, 0 = any free port (see {@link #port()}).
     * @param latencies the server's reader threads' recorders ({@code WirekvServer.requestLatencies()}),
     *                  summed into {@code wirekv_request_duration_seconds}; empty for none.
     */
    public static MetricsServer start(final Path cncBase, final String instance, final String address, final int port,
        final List<RequestLatency> latencies)
    {
        final CncReader reader = CncReader.open(cncBase, instance, false);
        final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "wirekv-metrics");
            t.setDaemon(true);
            return t;
        });
        try
        {
            final HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
            final List<RequestLatency> recorders = List.copyOf(latencies);
            server.createContext("/metrics", exchange -> serve(exchange, reader, recorders));
            server.setExecutor(executor);
            server.start();
            return new MetricsServer(server, executor, reader);
        }
        catch (final IOException ex)
        {
            executor.shutdownNow();
            reader.close();
            throw new UncheckedIOException("cannot serve metrics on " + address + ":" + port + ": " + ex.getMessage() +
                " (choose another metrics.port, or 0 to disable)", ex);
        }
    }

    private static void serve(final HttpExchange exchange, final CncReader reader, final List<RequestLatency> latencies)
        throws IOException
    {
        try (exchange)
        {
            final boolean head = "HEAD".equals(exchange.getRequestMethod());
            if (!"GET".equals(exchange.getRequestMethod()) && !head)
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final long now = System.currentTimeMillis();
            final CounterSnapshot snapshot = CounterSnapshot.take(reader, now);
            final byte[] body = PrometheusText.render(snapshot, now - reader.heartbeatMs(), latencies)
                .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
            if (head)
            {
                // HEAD: the length GET would send, and no body (HttpServer sends none after length -1)
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }

    /** The bound port. */
    public int port()
    {
        return server.getAddress().getPort();
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        reader.close();
    }
}
