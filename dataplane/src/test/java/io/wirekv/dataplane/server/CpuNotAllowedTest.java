package io.wirekv.dataplane.server;

import io.wirekv.dataplane.lcore.Affinity;
import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** An lcore CPU outside the allowed set is refused before any thread starts, not on the lcore's thread. */
class CpuNotAllowedTest
{
    @Test
    void shouldRefuseAnLcoreCpuOutsideTheAllowedSet()
    {
        final BitSet before = Affinity.allowedCpus();
        assumeTrue(before.get(0) && before.get(1), "needs CPUs 0 and 1 allowed");
        final BitSet onlyCpu0 = new BitSet();
        onlyCpu0.set(0);
        Affinity.setAllowedCpus(onlyCpu0); // as `taskset -c 0` would, for this thread
        try
        {
            final ServerConfig config = new ServerConfig(
                "cpus", "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(1), 1, 1, 4,
                16L * 1024 * 1024, MemoryMode.CACHE, 64 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false);
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(new ByteArrayOutputStream())));
            assertTrue(refused.getMessage().contains("CPU 1 is not allowed"), refused.getMessage());
        }
        finally
        {
            Affinity.setAllowedCpus(before);
        }
    }
}
