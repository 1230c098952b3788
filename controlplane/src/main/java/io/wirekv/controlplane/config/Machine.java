package io.wirekv.controlplane.config;

import java.lang.management.ManagementFactory;

/**
 * What the validator checks resources against; injected so tests do not depend on the machine
 * they run on.
 *
 * @param availableProcessors CPUs this JVM may run on; a cpu id must be below it.
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
        return new Machine(Runtime.getRuntime().availableProcessors(), total);
    }
}
