package io.wirekv.e2e.replication;

import io.wirekv.e2e.ServeProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The replication tests' kit: data directories under target/ (ext4, never /dev/shm), free loopback ports for each
 * node's replication.listen, and real {@code wirekv serve} processes started as a primary or a backup. The seam for
 * the later partition tests: the same arguments work with addresses inside network namespaces.
 */
public final class ReplicationPair
{
    private ReplicationPair()
    {
    }

    /** A fresh data directory under the module's target/. */
    public static Path newDataDir(final String prefix)
    {
        try
        {
            final Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            return Files.createTempDirectory(target, prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** A TCP port free on 127.0.0.1 now. */
    public static int freePort()
    {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** serve arguments of a node: persistence, data.dir, role and mode, its listen and peer (either may be -1). */
    public static List<String> args(final Path dataDir, final String persistence, final String role, final String mode,
        final int listenPort, final int peerPort, final String... more)
    {
        final List<String> args = new ArrayList<>(List.of("--persistence", persistence, "--data-dir",
            dataDir.toString(), "--replication-role", role, "--replication-mode", mode));
        if (listenPort > 0)
        {
            args.addAll(List.of("--replication-listen", "127.0.0.1:" + listenPort));
        }
        if (peerPort > 0)
        {
            args.addAll(List.of("--replication-peer", "127.0.0.1:" + peerPort));
        }
        args.addAll(List.of(more));
        return args;
    }

    public static ServeProcess start(final List<String> args)
    {
        return new ServeProcess(List.of("-XX:TieredStopAtLevel=1"), args);
    }

    public static void deleteTree(final Path dir)
    {
        if (null == dir || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** serve's instance name, as ServeProcess gives it. */
    public static String instanceOf(final ServeProcess serve)
    {
        return "e2e-serve-" + ProcessHandle.current().pid() + "-" + serve.tcpPort();
    }

    /** Runs the CLI in this JVM against {@code serve}'s CnC file: exit code, stdout, stderr. */
    public static String[] cli(final ServeProcess serve, final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--instance", instanceOf(serve), "--cnc-dir",
            io.wirekv.dataplane.cnc.CncFileDescriptor.DEFAULT_DIR));
        final java.io.StringWriter out = new java.io.StringWriter();
        final java.io.StringWriter err = new java.io.StringWriter();
        final int code = io.wirekv.controlplane.cli.WirekvCli.run(all.toArray(String[]::new),
            new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    /** Polls {@code condition} every 20 ms for at most {@code timeoutMs}; true once it held. */
    public static boolean eventually(final long timeoutMs, final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
