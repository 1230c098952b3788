package io.wirekv.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pool behind nutcracker (twemproxy) on 127.0.0.1, as a {@link Target}: the backends (memcached processes
 * or in-process wirekv servers) named pool-1..pool-N, and the proxy configured by deploy/pool/wirekv-pool.sh's
 * {@code config} (the same generator the kit's start uses). Text protocol over TCP only: steps end with the
 * {@code version} sentinel ({@link TcpWire#withVersionSentinel}), as twemproxy has no meta commands.
 * Closing stops the proxy (by its process) and then the backends.
 */
final class NutcrackerPool implements Target
{
    static final String BINARY = "/usr/sbin/nutcracker";

    private final String name;
    private final List<Target> backends;
    private final Process proxy;
    private final int port;
    private final Path dir;

    private NutcrackerPool(final String name, final List<Target> backends, final Process proxy, final int port, final Path dir)
    {
        this.name = name;
        this.backends = backends;
        this.proxy = proxy;
        this.port = port;
        this.dir = dir;
    }

    /** Starts nutcracker in front of {@code backends} (which this pool then owns and closes). */
    static NutcrackerPool start(final String name, final List<Target> backends, final Path deploy)
    {
        MemcachedProcess.requireExecutable(BINARY, "nutcracker");
        Process proxy = null;
        try
        {
            final Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "nutcracker-" + name + "-");
            final int port = freePort();
            final List<String> servers = new ArrayList<>();
            for (int i = 0; i < backends.size(); i++)
            {
                servers.add("pool-" + (i + 1) + "=" + backends.get(i).host() + ":" + backends.get(i).tcpPort());
            }
            final Process config = new ProcessBuilder(deploy.resolve("pool/wirekv-pool.sh").toString(), "config",
                "--servers", String.join(",", servers), "--proxy", "127.0.0.1:" + port, "--timeout", "2000")
                .redirectErrorStream(true).start();
            final String yaml = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!config.waitFor(10, TimeUnit.SECONDS) || config.exitValue() != 0)
            {
                throw new IllegalStateException("wirekv-pool.sh config failed:\n" + yaml);
            }
            final Path conf = dir.resolve("nutcracker.yml");
            Files.writeString(conf, yaml);
            proxy = new ProcessBuilder(BINARY, "--conf-file", conf.toString(), "--stats-port", Integer.toString(freePort()),
                "--stats-addr", "127.0.0.1", "--output", dir.resolve("nutcracker.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nutcracker.out").toFile()).start();
            awaitListening(proxy, port, dir);
            return new NutcrackerPool(name, List.copyOf(backends), proxy, port, dir);
        }
        catch (final IOException ex)
        {
            stop(proxy, backends);
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            stop(proxy, backends);
            throw new IllegalStateException(ex);
        }
        catch (final RuntimeException ex)
        {
            stop(proxy, backends);
            throw ex;
        }
    }

    private static void awaitListening(final Process proxy, final int port, final Path dir) throws InterruptedException, IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            if (!proxy.isAlive())
            {
                throw new IllegalStateException("nutcracker exited (" + proxy.exitValue() + "): " +
                    Files.readString(dir.resolve("nutcracker.log")));
            }
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            }
            catch (final IOException notYet)
            {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nutcracker did not listen on 127.0.0.1:" + port + " in 10 s");
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String host()
    {
        return "127.0.0.1";
    }

    @Override
    public int tcpPort()
    {
        return port;
    }

    @Override
    public int udpPort()
    {
        throw new UnsupportedOperationException("twemproxy serves TCP only");
    }

    @Override
    public TcpWire openTcpWire()
    {
        return TcpWire.withVersionSentinel(host(), port);
    }

    @Override
    public UdpWire openUdpWire()
    {
        throw new UnsupportedOperationException("twemproxy serves TCP only");
    }

    /** The proxy's own log (what it refused, which server failed), for failure messages. */
    String log()
    {
        try
        {
            return Files.readString(dir.resolve("nutcracker.log"));
        }
        catch (final IOException ex)
        {
            return "(no nutcracker log: " + ex.getMessage() + ")";
        }
    }

    @Override
    public void close()
    {
        stop(proxy, backends);
    }

    private static void stop(final Process proxy, final List<Target> backends)
    {
        if (proxy != null)
        {
            proxy.destroy();
            try
            {
                if (!proxy.waitFor(5, TimeUnit.SECONDS))
                {
                    proxy.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                proxy.destroyForcibly();
            }
        }
        for (final Target backend : backends)
        {
            backend.close();
        }
    }
}
