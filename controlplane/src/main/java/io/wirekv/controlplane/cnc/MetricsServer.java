package io.wirekv.controlplane.cnc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Prometheus endpoint ({@code GET /metrics}) built from an instance's CnC file, like any other reader of
 * it: the exporter never touches the dataplane. One thread serves scrapes.
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
     * @param address address to bind, 127.0.0.1 by default.
     * @param port    TCP port, 0 = any free port (see {@link #port()}).
     */
    public static MetricsServer start(final Path cncBase, final String instance, final String address, final int port)
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
            server.createContext("/metrics", exchange -> serve(exchange, reader));
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

    private static void serve(final HttpExchange exchange, final CncReader reader) throws IOException
    {
        try (exchange)
        {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final long now = System.currentTimeMillis();
            final byte[] body = PrometheusText.render(CounterSnapshot.take(reader, now), now - reader.heartbeatMs())
                .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
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
