package io.wirekv.controlplane.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Says on serve's output where a slow start-up is: every {@code everyMs} until the server serves, one line with the
 * time so far, the machine's load average and the starting thread's innermost frames (recovery of a large log, an
 * fsync on a saturated disk, a CPU-starved process), so that a start-up that does not serve in time is never
 * silent. Threading: its own daemon thread, which only samples the starting thread's stack; {@link #close} stops it.
 */
final class StartupWatch implements AutoCloseable
{
    private static final int FRAMES = 6;

    private final Thread watcher;

    private StartupWatch(final Thread starting, final PrintStream out, final long everyMs)
    {
        final long startNs = System.nanoTime();
        watcher = Thread.ofPlatform().daemon(true).name("wirekv-startup-watch").unstarted(() ->
        {
            try
            {
                for (long next = everyMs; ; next += everyMs)
                {
                    Thread.sleep(Math.max(1, next - (System.nanoTime() - startNs) / 1_000_000));
                    out.println("wirekv: start-up still running after " + (System.nanoTime() - startNs) / 1_000_000 +
                        " ms (load average " + loadAverage() + "); the starting thread is in " + where(starting));
                    out.flush();
                }
            }
            catch (final InterruptedException done)
            {
                // started (or failed): nothing more to say
            }
        });
        watcher.start();
    }

    /** Watches {@code starting} (the thread that starts the server) from now on. */
    static StartupWatch start(final Thread starting, final PrintStream out, final long everyMs)
    {
        return new StartupWatch(starting, out, everyMs);
    }

    private static String where(final Thread starting)
    {
        return Arrays.stream(starting.getStackTrace()).limit(FRAMES).map(StackTraceElement::toString)
            .collect(Collectors.joining(" <- "));
    }

    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }

    @Override
    public void close()
    {
        watcher.interrupt();
        try
        {
            watcher.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
