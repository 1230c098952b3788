package io.wirekv.dataplane.lcore;

import io.wirekv.nativebindings.NativeException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AffinityTest
{
    @Test
    void shouldPinToCpuZeroAndOneAndReportTheCurrentCpu() throws InterruptedException
    {
        final BitSet allowed = Affinity.allowedCpus();
        Assumptions.assumeTrue(allowed.get(0) && allowed.get(1),
            "skipped: this thread may not run on CPUs 0 and 1 (allowed: " + Affinity.format(allowed) + ")");
        // Pin a fresh thread so the test runner's own thread keeps its mask whatever happens.
        final int[] seen = {-1, -1};
        final BitSet[] masks = new BitSet[2];
        final Throwable[] failure = new Throwable[1];
        final Thread thread = new Thread(() ->
        {
            try
            {
                for (int cpu = 0; cpu < 2; cpu++)
                {
                    Affinity.pinCurrentThread(cpu);
                    masks[cpu] = Affinity.allowedCpus();
                    seen[cpu] = Affinity.currentCpu();
                }
                Affinity.setAllowedCpus(allowed);
            }
            catch (final Throwable ex)
            {
                failure[0] = ex;
            }
        }, "affinity-test");
        thread.start();
        thread.join(10_000);
        assertEquals(null, failure[0]);
        assertEquals(0, seen[0]);
        assertEquals(1, seen[1]);
        assertEquals("0", Affinity.format(masks[0]));
        assertEquals("1", Affinity.format(masks[1]));
    }

    @Test
    void shouldExplainWhenTheCpuDoesNotExist()
    {
        final BitSet before = Affinity.allowedCpus();
        final NativeException ex = assertThrows(NativeException.class, () -> Affinity.pinCurrentThread(1000));
        assertTrue(ex.getMessage().contains("CPU 1000"), ex.getMessage());
        assertTrue(ex.getMessage().contains("online CPUs: " + Affinity.onlineCpus()), ex.getMessage());
        assertEquals(before, Affinity.allowedCpus(), "a failed pin must leave the thread's mask alone");
        assertThrows(IllegalArgumentException.class, () -> Affinity.pinCurrentThread(-1));
        assertThrows(IllegalArgumentException.class, () -> Affinity.pinCurrentThread(4096));
    }

    @Test
    void shouldFormatCpuLists()
    {
        final BitSet cpus = new BitSet();
        cpus.set(0, 4);
        cpus.set(6);
        assertEquals("0-3,6", Affinity.format(cpus));
        assertEquals("(none)", Affinity.format(new BitSet()));
    }
}
