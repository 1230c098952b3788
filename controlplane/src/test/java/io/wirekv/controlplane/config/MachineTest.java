package io.wirekv.controlplane.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineTest
{
    @Test
    void shouldReadTheHighestCpuOfAKernelCpuList()
    {
        assertEquals(0, Machine.highestCpu("0\n"));
        assertEquals(3, Machine.highestCpu("0-3"));
        assertEquals(6, Machine.highestCpu("0-3,6\n"));
        assertEquals(9, Machine.highestCpu("0,2-9"));
    }

    @Test
    void shouldCountOnlineCpusNotOnlyThoseThisProcessMayUse()
    {
        // Under taskset the JVM's availableProcessors() shrinks; the machine's CPU ids do not.
        assertTrue(Machine.current().availableProcessors() >= Runtime.getRuntime().availableProcessors());
    }
}
