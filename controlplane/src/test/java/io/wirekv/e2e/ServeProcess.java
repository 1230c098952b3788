package io.wirekv.e2e;

import io.wirekv.controlplane.cli.WirekvCli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code wirekv serve} process (the CLI's main class on this JVM's class path, kernel backend) on
 * 127.0.0.1, TCP and UDP on the same free port, 64 MiB, no hugepages: what a user who installed wirekv runs,
 * for clients that run in their own process (the Python clients). Started in the constructor, which returns
 * once serve has printed {@code wirekv: serving}; {@link #close()} stops it by its PID (SIGTERM, then a
 * forcible kill if it did not exit).
 */
final class ServeProcess implements Target
{
    private static final long START_TIMEOUT_MS = 30_000;

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread shutdownHook;

    ServeProcess(final String... extraArgs)
    {
        this.port = MemcachedProcess.freeTcpAndUdpPort();
        try
        {
            this.log = Files.createTempFile("wirekv-serve-", ".log");
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final List<String> cmd = new ArrayList<>(List.of(java,
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), WirekvCli.class.getName(),
                "serve", "--listen", "127.0.0.1", "--port", Integer.toString(port), "--memory", "64m", "--no-hugepages",
                "--instance", "e2e-serve-" + ProcessHandle.current().pid() + "-" + port));
            cmd.addAll(List.of(extraArgs));
            this.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start wirekv serve: " + ex.getMessage(), ex);
        }
        this.shutdownHook = new Thread(process::destroyForcibly, "wirekv-serve-" + process.pid() + "-reaper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        awaitServing();
    }

    private void awaitServing()
    {
        final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            if (output().contains("wirekv: serving"))
            {
                return;
            }
            if (!process.isAlive())
            {
                break;
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new IllegalStateException("wirekv serve did not start within " + START_TIMEOUT_MS + " ms: " + output());
    }

    /** Everything serve printed so far (stdout and stderr). */
    String output()
    {
        try
        {
            return Files.readString(log, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "<cannot read " + log + ": " + ex.getMessage() + ">";
        }
    }

    /** The serve process, e.g. to wait for it to exit by itself. */
    Process process()
    {
        return process;
    }

    @Override
    public String name()
    {
        return "wirekv serve (pid " + process.pid() + ")";
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

    @Override
    public void close()
    {
        MemcachedProcess.stop(process);
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // the JVM is exiting: the hook runs anyway and finds the process gone.
        }
        try
        {
            Files.deleteIfExists(log);
        }
        catch (final IOException ignore)
        {
            // a leftover temp file is harmless.
        }
    }
}
