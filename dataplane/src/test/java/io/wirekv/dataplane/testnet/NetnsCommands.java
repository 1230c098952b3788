package io.wirekv.dataplane.testnet;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.libc.LibC;
import io.wirekv.nativebindings.libc.Sched;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * What the namespace kits ({@link TestNetwork}, {@link NetnsLink}) share: whether this machine can run them, commands
 * run bounded in time (in the host namespace or inside a named one), and code run on a thread that has entered a
 * namespace.
 */
public final class NetnsCommands
{
    private NetnsCommands()
    {
    }

    /** A finished command: its exit status and its stdout and stderr together. */
    public record Result(int exit, String output)
    {
    }

    /**
     * @return why network namespaces cannot be made here (not root, no {@code ip}), or null.
     */
    public static String skipReason()
    {
        try
        {
            final int uid = (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (uid != 0)
            {
                return "network namespaces need root (effective uid " + uid + "); CI runs these as root";
            }
        }
        catch (final IOException ex)
        {
            return "cannot read the effective uid: " + ex;
        }
        return Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")) ? null :
            "`ip` (Debian package iproute2) is not installed";
    }

    /** Runs a command, returns stdout+stderr; throws with the output when it fails or runs past 30 s. */
    public static String run(final String... command)
    {
        return run(30, command);
    }

    /** Runs a command, returns stdout+stderr; throws with the output when it fails or runs past the timeout. */
    public static String run(final int timeoutSeconds, final String... command)
    {
        final Result result = execute(timeoutSeconds, command);
        if (result.exit() != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exit() + ": " +
                result.output().trim());
        }
        return result.output();
    }

    /** Runs a command for its side effect, ignoring failure (cleanup of what may not exist). */
    public static void runQuietly(final String... command)
    {
        try
        {
            execute(30, command);
        }
        catch (final IllegalStateException ignore)
        {
            // best effort: it may not exist
        }
    }

    /** Runs a command with its output in a file (so a hung command cannot block the read), bounded in time. */
    public static Result execute(final int timeoutSeconds, final String... command)
    {
        try
        {
            final Path output = Files.createTempFile("wirekv-netns", ".out");
            try
            {
                final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
                final boolean exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
                if (!exited)
                {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                final String out = Files.readString(output, StandardCharsets.UTF_8);
                if (!exited)
                {
                    throw new IllegalStateException(String.join(" ", command) + ": still running after " + timeoutSeconds +
                        " s, stopped: " + out.trim());
                }
                return new Result(p.exitValue(), out);
            }
            finally
            {
                Files.deleteIfExists(output);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + ": interrupted", ex);
        }
    }

    /** {@code ip netns exec NAMESPACE command...}: the command as run inside the namespace. */
    public static String[] inNamespace(final String namespace, final String... command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full.toArray(String[]::new);
    }

    /**
     * Runs {@code action} on a new platform thread that has entered the namespace ({@code setns}), and returns its
     * result within 60 s: sockets it creates belong to the namespace, also when other threads use them later.
     */
    public static <T> T inside(final String namespace, final Callable<T> action)
    {
        final FutureTask<T> task = new FutureTask<>(() ->
        {
            enter(namespace);
            return action.call();
        });
        final Thread thread = Thread.ofPlatform().name(namespace + "-client").daemon().start(task);
        try
        {
            return task.get(60, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("inside " + namespace + ": " + ex.getCause(), ex.getCause());
        }
        catch (final Exception ex)
        {
            thread.interrupt();
            throw new IllegalStateException("inside " + namespace + ": " + ex, ex);
        }
    }

    private static void enter(final String namespace)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment errno = Errno.allocateState(arena);
            final int fd = LibC.open(errno, "/var/run/netns/" + namespace, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            if (fd < 0)
            {
                throw new IllegalStateException("open /var/run/netns/" + namespace + ": " + LibC.strerror(-fd));
            }
            final int result = Sched.setns(errno, fd, Sched.CLONE_NEWNET);
            LibC.close(errno, fd);
            if (result < 0)
            {
                throw new IllegalStateException("setns(" + namespace + "): " + LibC.strerror(-result));
            }
        }
    }
}
