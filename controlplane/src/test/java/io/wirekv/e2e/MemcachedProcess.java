package io.wirekv.e2e;

import io.wirekv.controlplane.client.ServerAddress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
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
 * A real memcached (Debian's /usr/bin/memcached) on 127.0.0.1, TCP and UDP on the same free port,
 * one worker thread ({@code -t 1}), 64 MiB ({@code -m 64}). Started in the constructor, which returns only
 * once the server answers {@code version} over TCP; {@link #close()} stops it by its PID
 * ({@link Process#destroy()}, then {@link Process#waitFor}, then a forcible kill if it did not exit).
 * <p>
 * When memcached is not installed the constructor throws {@link IllegalStateException} naming the Debian
 * package: CI installs it, so a missing binary is a failure, not a skip.
 * <p>
 * The one memcached launcher of the test suite: the differential tests' oracle, and the server the client,
 * CLI and bench tests run against ({@link #address()}). {@link #withSasl} starts it as {@code memcached -S}
 * (binary protocol only, UDP off, Cyrus SASL configured from a directory given as {@code SASL_CONF_PATH}).
 */
public final class MemcachedProcess implements Target
{
    public static final String BINARY = "/usr/bin/memcached";
    private static final long START_TIMEOUT_MS = 5_000;
    private static final int START_ATTEMPTS = 5;
    /** A binary-protocol VERSION request: 0x80, opcode 0x0b, everything else 0. */
    private static final byte[] BINARY_VERSION = {(byte)0x80, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private final Process process;
    private final int port;
    private final Path stderrFile;
    private final Thread shutdownHook;

    /** memcached with its default item size limit (1 MiB). */
    public MemcachedProcess()
    {
        this(0);
    }

    /**
     * {@code memcached -S}: SASL authentication required, binary protocol only, UDP off ({@code -U 0}: memcached
     * refuses SASL with UDP). {@code saslConfDir} is passed as {@code SASL_CONF_PATH}; it must hold a
     * {@code memcached.conf} naming the mechanisms and the sasldb (Cyrus' own format, written by saslpasswd2).
     */
    public static MemcachedProcess withSasl(final Path saslConfDir)
    {
        return new MemcachedProcess(0, saslConfDir);
    }

    /**
     * @param itemSizeMaxBytes value for {@code -I} (largest item), or 0 for memcached's default (1 MiB).
     */
    public MemcachedProcess(final int itemSizeMaxBytes)
    {
        this(itemSizeMaxBytes, null);
    }

    private MemcachedProcess(final int itemSizeMaxBytes, final Path saslConfDir)
    {
        requireExecutable(BINARY, "memcached");
        final Object[] started = launchReady(itemSizeMaxBytes, saslConfDir);
        this.process = (Process)started[0];
        this.port = (Integer)started[1];
        this.stderrFile = (Path)started[2];
        this.shutdownHook = new Thread(process::destroyForcibly, "memcached-" + process.pid() + "-reaper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** {process, port, stderr file} of a memcached that answers; retries when a port was taken meanwhile. */
    private static Object[] launchReady(final int itemSizeMaxBytes, final Path saslConfDir)
    {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++)
        {
            final int candidate = freeTcpAndUdpPort();
            final Path errFile = tempFile();
            final Process started = launch(candidate, itemSizeMaxBytes, saslConfDir, errFile);
            try
            {
                awaitReady(started, candidate, saslConfDir != null, errFile);
                return new Object[] {started, candidate, errFile};
            }
            catch (final IllegalStateException ex)
            {
                last = ex;
                stop(started);
            }
        }
        throw last;
    }

    /** Fails with the Debian package to install when {@code path} is not an executable file. */
    public static void requireExecutable(final String path, final String debianPackage)
    {
        if (!Files.isExecutable(Path.of(path)))
        {
            throw new IllegalStateException(path + " is not installed: run `apt-get install " + debianPackage + "`");
        }
    }

    @Override
    public String name()
    {
        return "memcached(pid " + process.pid() + ")";
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
        return port;
    }

    /** Where the clients reach it (TCP and UDP share the port). */
    public ServerAddress address()
    {
        return new ServerAddress(host(), port);
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    @Override
    public void close()
    {
        stop(process);
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignore)
        {
            // JVM already shutting down: the hook runs anyway.
        }
        try
        {
            Files.deleteIfExists(stderrFile);
        }
        catch (final IOException ignore)
        {
            // a leftover temp file in target/ is harmless.
        }
    }

    private static Process launch(final int port, final int itemSizeMaxBytes, final Path saslConfDir, final Path errFile)
    {
        final List<String> cmd = new ArrayList<>(List.of(
            BINARY, "-l", "127.0.0.1", "-p", Integer.toString(port), "-U", saslConfDir == null ? Integer.toString(port) : "0",
            "-t", "1", "-m", "64", "-c", "256"));
        if (saslConfDir != null)
        {
            cmd.add("-S");
        }
        if ("root".equals(System.getProperty("user.name")))
        {
            cmd.add("-u");
            cmd.add("root");
        }
        if (itemSizeMaxBytes > 0)
        {
            cmd.add("-I");
            cmd.add(Integer.toString(itemSizeMaxBytes));
        }
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(errFile.toFile());
            if (saslConfDir != null)
            {
                builder.environment().put("SASL_CONF_PATH", saslConfDir.toString());
            }
            return builder.start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + cmd + ": " + ex.getMessage(), ex);
        }
    }

    /** Until it answers a version request: text, or binary when {@code binaryOnly} (-S refuses text). */
    private static void awaitReady(final Process process, final int port, final boolean binaryOnly, final Path errFile)
    {
        final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("memcached exited with " + process.exitValue() + ": " + read(errFile));
            }
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                socket.setSoTimeout(500);
                final OutputStream out = socket.getOutputStream();
                out.write(binaryOnly ? BINARY_VERSION : "version\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                final InputStream in = socket.getInputStream();
                final byte[] buf = new byte[64];
                final int n = in.read(buf);
                if (n > 0 && (binaryOnly ? (buf[0] & 0xFF) == 0x81 && buf[1] == 0x0b :
                    new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("VERSION ")))
                {
                    return;
                }
            }
            catch (final IOException notYet)
            {
                // not listening yet.
            }
            sleepMs(20);
        }
        throw new IllegalStateException("memcached on port " + port + " did not answer within " + START_TIMEOUT_MS +
            " ms: " + read(errFile));
    }

    static void stop(final Process process)
    {
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A port free for both TCP and UDP on 127.0.0.1 right now (the caller retries if it is taken later), picked at
     * random outside the kernel's ephemeral range. The crash and failover harnesses restart a killed server on its
     * port, and in that gap a port from the ephemeral range, which the kernel hands to every outgoing connection and
     * every bind to port 0, was taken once (the 1,000-cycle crash run beside the whole suite: "Address already in
     * use").
     */
    static int freeTcpAndUdpPort()
    {
        final int[] ephemeral = ephemeralPortRange();
        // below the range when there is room (the default 32768-60999 leaves 10000-32767), else above it
        final int low = ephemeral[0] > 11_000 ? 10_000 : ephemeral[1] + 1;
        final int high = ephemeral[0] > 11_000 ? ephemeral[0] - 1 : 65_535;
        final java.util.SplittableRandom random = new java.util.SplittableRandom();
        for (int i = 0; i < 200; i++)
        {
            final int port = random.nextInt(low, high + 1);
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
            {
                return port;
            }
            catch (final IOException taken)
            {
                // in use over TCP or UDP: try another
            }
        }
        throw new IllegalStateException("no port in " + low + ".." + high + " free for both TCP and UDP on 127.0.0.1");
    }

    /** The kernel's ephemeral port range ({@code net.ipv4.ip_local_port_range}); Linux's default if unreadable. */
    private static int[] ephemeralPortRange()
    {
        try
        {
            final String[] range =
                Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
        }
        catch (final IOException | RuntimeException ex)
        {
            return new int[] {32_768, 60_999};
        }
    }

    private static Path tempFile()
    {
        try
        {
            return Files.createTempFile("memcached-", ".stderr");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.ISO_8859_1).strip();
        }
        catch (final IOException ex)
        {
            return "(stderr unreadable: " + ex.getMessage() + ")";
        }
    }

    static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
