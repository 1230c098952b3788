package io.wirekv.controlplane.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Samples the CPU time of a server process on this host, thread by thread, from
 * {@code /proc/PID/task/TID/schedstat} (nanoseconds on CPU; {@code stat}'s utime + stime at 100 Hz where
 * schedstat is absent), so {@code wirekv bench --server-pid} can say how much server CPU a trial's
 * requests cost: {@link #begin()} just before the measured window, {@link #end} just after.
 * A thread that starts inside the window counts from 0; one that ends inside it is missed.
 * <p>
 * Threading: one sampler per run, used by the thread that runs the trials.
 */
public final class ServerCpuSampler
{
    private static final long NS_PER_TICK = 10_000_000L;

    private final long pid;
    private final Path tasks;

    /** @throws IllegalArgumentException naming {@code --server-pid} when the process is not there. */
    public ServerCpuSampler(final long pid)
    {
        this.pid = pid;
        this.tasks = Path.of("/proc", Long.toString(pid), "task");
        if (pid < 1 || !Files.isDirectory(tasks))
        {
            throw new IllegalArgumentException("--server-pid " + pid + ": no such process on this host (" + tasks +
                " is missing); give the PID of the server's JVM or process");
        }
    }

    /** A thread's CPU time at one moment. */
    private record ThreadCpu(String name, long cpuNs)
    {
    }

    /** Every thread's CPU time at the start of a window. */
    public static final class Snapshot
    {
        private final Map<Long, ThreadCpu> threads;

        private Snapshot(final Map<Long, ThreadCpu> threads)
        {
            this.threads = threads;
        }
    }

    /** The CPU times of every thread now. */
    public Snapshot begin()
    {
        return new Snapshot(sample());
    }

    /**
     * What the server spent since {@code begin}.
     *
     * @param begin     from {@link #begin()}.
     * @param requests  requests answered in the window (for requests per server CPU-second).
     * @param windowNs  the window's length, for the share of a core.
     */
    public BenchServerCpu end(final Snapshot begin, final long requests, final long windowNs)
    {
        final Map<Long, ThreadCpu> now = sample();
        long totalNs = 0;
        String busiest = "";
        long busiestNs = -1;
        for (final Map.Entry<Long, ThreadCpu> e : now.entrySet())
        {
            final ThreadCpu before = begin.threads.get(e.getKey());
            final long ns = Math.max(0, e.getValue().cpuNs() - (before == null ? 0 : before.cpuNs()));
            totalNs += ns;
            if (ns > busiestNs)
            {
                busiestNs = ns;
                busiest = e.getValue().name() + " (tid " + e.getKey() + ")";
            }
        }
        return new BenchServerCpu(pid, totalNs, windowNs, requests, busiest, Math.max(0, busiestNs));
    }

    private Map<Long, ThreadCpu> sample()
    {
        final Map<Long, ThreadCpu> cpu = new HashMap<>();
        try (Stream<Path> list = Files.list(tasks))
        {
            for (final Path task : (Iterable<Path>)list::iterator)
            {
                try
                {
                    final long tid = Long.parseLong(task.getFileName().toString());
                    cpu.put(tid, new ThreadCpu(Files.readString(task.resolve("comm")).trim(), cpuNs(task)));
                }
                catch (final NoSuchFileException | NumberFormatException ex)
                {
                    // the thread ended while we looked: it is missed, as the class says
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("--server-pid " + pid + ": cannot read " + tasks + " (" + ex.getMessage() +
                "): did the server exit?", ex);
        }
        return cpu;
    }

    /** Nanoseconds on CPU: schedstat's first field, else stat's utime + stime in 100 Hz ticks. */
    static long cpuNs(final Path task) throws IOException
    {
        final Path schedstat = task.resolve("schedstat");
        if (Files.exists(schedstat))
        {
            final String s = Files.readString(schedstat).trim();
            final int space = s.indexOf(' ');
            return Long.parseLong(space < 0 ? s : s.substring(0, space));
        }
        // stat: "tid (comm) state ..." where comm may hold spaces; utime and stime are fields 14 and 15
        final String stat = Files.readString(task.resolve("stat"));
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NS_PER_TICK;
    }
}
