package io.wirekv.e2e;

import io.wirekv.controlplane.cli.WirekvCli;
import io.wirekv.dataplane.cnc.CncFileDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code wirekv serve} process (the CLI's main class on this JVM's class path, kernel backend) on
 * 127.0.0.1 (or another address, inside a network namespace: {@link #startWith}), TCP and UDP on the same free port, 64 MiB, no hugepages: what a user who installed wirekv runs,
 * for clients that run in their own process (the Python clients). Started in the constructor, which returns
 * once serve has printed {@code wirekv: serving}; {@link #close()} stops it by its PID (SIGTERM, then a
 * forcible kill if it did not exit); {@link #killForcibly()} crashes it instead (the durability crash tests).
 */
public final class ServeProcess implements Target
{
    private static final long START_TIMEOUT_MS = 30_000;

    private final Process process;
    private final String listenAddress;
    private final int port;
    private final Path log;
    private final String instance;
    private final Thread shutdownHook;

    ServeProcess(final String... extraArgs)
    {
        this(List.of(), List.of(extraArgs));
    }

    /**
     * @param jvmOptions JVM options for the server's JVM, before the class path (e.g. a faster start-up)
     * @param extraArgs  serve arguments after the fixed ones (e.g. {@code --persistence sync --data-dir DIR})
     */
    public ServeProcess(final List<String> jvmOptions, final List<String> extraArgs)
    {
        this(List.of(), "127.0.0.1", jvmOptions, extraArgs, true);
    }

    /**
     * A serve process started through {@code commandPrefix} (e.g. {@code NetnsLink.execPrefix}: {@code ip netns
     * exec NAME}, which execs serve, so the PID is still serve's) listening on {@code listenAddress}.
     */
    public static ServeProcess startWith(
        final List<String> commandPrefix, final String listenAddress, final List<String> extraArgs)
    {
        return new ServeProcess(commandPrefix, listenAddress, List.of(), extraArgs, true);
    }

    /**
     * A serve process that may still be starting (recovering its data directory, say): for a crash test that
     * kills it at a random moment of its start-up.
     */
    public static ServeProcess launch(final List<String> jvmOptions, final List<String> extraArgs)
    {
        return new ServeProcess(List.of(), "127.0.0.1", jvmOptions, extraArgs, false);
    }

    private ServeProcess(
        final List<String> commandPrefix, final String listenAddress, final List<String> jvmOptions,
        final List<String> extraArgs, final boolean awaitServing)
    {
        this.listenAddress = listenAddress;
        this.port = MemcachedProcess.freeTcpAndUdpPort();
        this.instance = "e2e-serve-" + ProcessHandle.current().pid() + "-" + port;
        try
        {
            this.log = Files.createTempFile("wirekv-serve-", ".log");
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final List<String> cmd = new ArrayList<>(commandPrefix);
            cmd.addAll(List.of(java,
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx256m"));
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WirekvCli.class.getName(),
                "serve", "--listen", listenAddress, "--port", Integer.toString(port), "--memory", "64m", "--no-hugepages",
                "--instance", instance));
            cmd.addAll(extraArgs);
            this.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start wirekv serve: " + ex.getMessage(), ex);
        }
        this.shutdownHook = new Thread(process::destroyForcibly, "wirekv-serve-" + process.pid() + "-reaper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        if (awaitServing)
        {
            awaitServing();
        }
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
        if (process.isAlive())
        {
            threadDump(); // a start-up that hangs says where: the JVM prints every thread's stack on SIGQUIT
        }
        // read the log before close() deletes it
        final String output = output();
        final String why = process.isAlive() ? "did not start within " + START_TIMEOUT_MS + " ms" :
            "exited with status " + process.exitValue() + " before serving";
        close();
        throw new IllegalStateException("wirekv serve " + why + ": " + output);
    }

    /** SIGQUIT: the JVM prints a thread dump to its output (serve's log); waits up to 3 s for it to appear. */
    private void threadDump()
    {
        try
        {
            new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).inheritIO().start().waitFor();
            final long deadline = System.currentTimeMillis() + 3_000;
            while (System.currentTimeMillis() < deadline && !output().contains("JNI global refs"))
            {
                Thread.sleep(50);
            }
        }
        catch (final IOException ex)
        {
            // no dump: the output says what it says
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Everything serve printed so far (stdout and stderr). */
    public String output()
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
    public Process process()
    {
        return process;
    }

    /**
     * A crash: SIGKILL to this PID (no shutdown hook, nothing flushed), wait for the exit, then remove the CnC
     * directory the dead process left in /dev/shm. The log stays readable through {@link #output()} until
     * {@link #close()}.
     */
    public void killForcibly()
    {
        process.destroyForcibly(); // SIGKILL on Linux
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                throw new IllegalStateException(name() + " still running 10 s after SIGKILL");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + name() + " to die", ex);
        }
        deleteTree(cncDirectory());
    }

    /** serve runs without -Dwirekv.cnc.dir, so its CnC directory is in the default place, not this JVM's. */
    private Path cncDirectory()
    {
        return Path.of(CncFileDescriptor.DEFAULT_DIR, CncFileDescriptor.INSTANCE_DIR_PREFIX + instance);
    }

    private static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir))
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
        catch (final java.nio.file.NoSuchFileException gone)
        {
            // removed meanwhile (the server's own shutdown): nothing left to do
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove " + dir, ex);
        }
    }

    @Override
    public String name()
    {
        return "wirekv serve (pid " + process.pid() + ")";
    }

    @Override
    public String host()
    {
        return listenAddress;
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
        // a serve that needed the forcible kill (a slow shutdown on a busy machine) left its CnC directory behind
        deleteTree(cncDirectory());
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
