package io.wirekv.controlplane.config;

import java.lang.management.ManagementFactory;

/**
 * What the validator checks resources against; injected so tests do not depend on the machine
 * they run on.
 *
 * @param availableProcessors CPUs the machine has online (highest id + 1); a cpu id must be below it. Not the
 *                            JVM's {@code availableProcessors()}, which under {@code taskset} or a cpuset counts
 *                            only the allowed CPUs (the server refuses CPUs outside that set itself, by name).
 * @param totalMemoryBytes    physical memory; the table budget must fit in it.
 */
public record Machine(int availableProcessors, long totalMemoryBytes)
{
    /** The machine this JVM runs on. */
    public static Machine current()
    {
        long total = Long.MAX_VALUE;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            total = os.getTotalMemorySize();
        }
        return new Machine(onlineCpuCount(), total);
    }

    /** Highest online CPU id + 1, from /sys/devices/system/cpu/online ("0-3,6"); the JVM's count when unreadable. */
    static int onlineCpuCount()
    {
        try (java.io.FileInputStream in = new java.io.FileInputStream("/sys/devices/system/cpu/online"))
        {
            return highestCpu(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)) + 1;
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** The highest CPU id in a kernel CPU list such as {@code "0-3,6"} or {@code "0"}. */
    static int highestCpu(final String list)
    {
        int highest = -1;
        for (final String part : list.trim().split(","))
        {
            final int dash = part.indexOf('-');
            highest = Math.max(highest, Integer.parseInt((dash < 0 ? part : part.substring(dash + 1)).trim()));
        }
        return highest;
    }
}
