package io.wirekv.dataplane.lcore;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.libc.LibC;
import io.wirekv.nativebindings.libc.Sched;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Pins threads to CPUs with {@code sched_setaffinity(0, ...)}, where thread id 0 means the calling
 * thread, so each call affects only the thread that makes it (an lcore pins itself as it starts).
 * Setup-time only: the methods allocate and may throw.
 */
public final class Affinity
{
    private Affinity()
    {
    }

    /**
     * Pins the calling thread to one CPU.
     *
     * @param cpu the CPU number, as in {@code /sys/devices/system/cpu/online}.
     * @throws IllegalArgumentException when the number is negative or beyond {@code CPU_SETSIZE}.
     * @throws NativeException          when the CPU does not exist, is offline, or is outside this
     *                                  process's allowed set (cgroup cpuset, taskset); the message lists both.
     */
    public static void pinCurrentThread(final int cpu)
    {
        if (cpu < 0 || cpu >= Sched.CPU_SETSIZE)
        {
            throw new IllegalArgumentException("CPU " + cpu + " is outside 0.." + (Sched.CPU_SETSIZE - 1) +
                "; online CPUs: " + onlineCpus());
        }
        final BitSet cpus = new BitSet();
        cpus.set(cpu);
        final int result = setAffinity(cpus);
        if (result < 0)
        {
            throw new NativeException("sched_setaffinity(0, CPU " + cpu + ")", -result,
                "CPU " + cpu + " does not exist, is offline, or is not allowed for this process; online CPUs: " +
                onlineCpus() + ", allowed for this process: " + format(processAllowedCpus()) +
                " (see taskset, the cgroup cpuset, or the lcore CPU list in the configuration)");
        }
    }

    /**
     * Restores a set of allowed CPUs for the calling thread, e.g. what {@link #allowedCpus()} returned.
     *
     * @param cpus the CPUs, not empty.
     * @throws NativeException when none of them is usable.
     */
    public static void setAllowedCpus(final BitSet cpus)
    {
        final int result = setAffinity(cpus);
        if (result < 0)
        {
            throw new NativeException("sched_setaffinity(0, " + format(cpus) + ")", -result,
                "use CPUs from the online set " + onlineCpus());
        }
    }

    /**
     * @return the CPUs the calling thread may run on.
     */
    public static BitSet allowedCpus()
    {
        return getAffinity(0);
    }

    /**
     * @return the CPU the calling thread is running on now.
     */
    public static int currentCpu()
    {
        return NativeException.check(Sched.sched_getcpu(Errno.threadState()), "sched_getcpu()", "");
    }

    /**
     * @return the kernel's list of online CPUs, e.g. {@code "0-3"}, or {@code "unknown"} when it cannot be read.
     */
    public static String onlineCpus()
    {
        try
        {
            return Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }

    /**
     * @param cpus a set of CPUs.
     * @return a compact list, e.g. {@code "0-3,6"}.
     */
    public static String format(final BitSet cpus)
    {
        final StringBuilder sb = new StringBuilder();
        int start = cpus.nextSetBit(0);
        while (start >= 0)
        {
            final int end = cpus.nextClearBit(start) - 1;
            sb.append(sb.isEmpty() ? "" : ",").append(start);
            if (end > start)
            {
                sb.append('-').append(end);
            }
            start = cpus.nextSetBit(end + 1);
        }
        return sb.isEmpty() ? "(none)" : sb.toString();
    }

    private static BitSet processAllowedCpus()
    {
        // The process's main thread keeps the mask the process was started with.
        return getAffinity(LibC.getpid());
    }

    private static int setAffinity(final BitSet cpus)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(Sched.CPU_SET_BYTES, 8);
            final long[] words = cpus.toLongArray();
            for (int i = 0; i < words.length && i < Sched.CPU_SET_BYTES / 8; i++)
            {
                mask.setAtIndex(ValueLayout.JAVA_LONG, i, words[i]);
            }
            return Sched.sched_setaffinity(Errno.threadState(), 0, mask);
        }
    }

    private static BitSet getAffinity(final int tid)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(Sched.CPU_SET_BYTES, 8);
            NativeException.check(Sched.sched_getaffinity(Errno.threadState(), tid, mask),
                "sched_getaffinity(" + tid + ")", "");
            return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
        }
    }
}
