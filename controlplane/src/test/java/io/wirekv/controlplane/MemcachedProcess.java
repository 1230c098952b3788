package io.wirekv.controlplane;

import io.wirekv.controlplane.client.ServerAddress;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real memcached on loopback (TCP and UDP on one free port ≥ 20000, one worker thread) used as
 * the oracle and target in tests. Stopped by its PID on {@link #close()}.
 */
public final class MemcachedProcess implements AutoCloseable
{
    private static final String BINARY = "/usr/bin/memcached";

    private final Process process;
    private final int port;

    private MemcachedProcess(final Process process, final int port)
    {
        this.process = process;
        this.port = port;
    }

    /** Starts memcached and waits until it accepts TCP connections; fails the test if it cannot. */
    public static MemcachedProcess start() throws IOException, InterruptedException
    {
        final String binary = Files.isExecutable(Path.of(BINARY)) ? BINARY : which("memcached");
        if (binary == null)
        {
            fail("memcached is not installed: install the Debian package 'memcached' (apt-get install memcached)");
        }
        for (int attempt = 0; attempt < 5; attempt++)
        {
            final int port = freePort();
            final ProcessBuilder pb = new ProcessBuilder(binary, "-u", "root", "-l", "127.0.0.1",
                "-p", Integer.toString(port), "-U", Integer.toString(port), "-t", "1", "-m", "64")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            final Process p = pb.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && p.isAlive())
            {
                try (Socket s = new Socket())
                {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    return new MemcachedProcess(p, port);
                }
                catch (final IOException notYet)
                {
                    Thread.sleep(20);
                }
            }
            stop(p);
        }
        fail("memcached did not start listening on 127.0.0.1 after 5 attempts");
        return null;
    }

    public int port()
    {
        return port;
    }

    public ServerAddress address()
    {
        return new ServerAddress("127.0.0.1", port);
    }

    public long pid()
    {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException
    {
        stop(process);
    }

    private static void stop(final Process p) throws InterruptedException
    {
        // by PID: this handle is the one process we started
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort()
    {
        while (true)
        {
            final int port = ThreadLocalRandom.current().nextInt(20000, 60000);
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
            {
                return port;
            }
            catch (final IOException inUse)
            {
                // try another
            }
        }
    }

    private static String which(final String name)
    {
        for (final String dir : List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)))
        {
            final Path p = Path.of(dir, name);
            if (Files.isExecutable(p))
            {
                return p.toString();
            }
        }
        return null;
    }
}
