package io.wirekv.controlplane.load;

import io.wirekv.e2e.MemcachedProcess;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workers' duty cycle (UDP, TCP, TCP with {@code --noreply}) allocates nothing per request: a
 * worker run five times longer (so with about five times the requests) allocates about the same bytes
 * as a short one, which is only its set-up (socket, batches) and tear-down.
 */
class BenchAllocationTest
{
    @Test
    void shouldNotAllocatePerRequestInTheUdpAndTcpWorkers() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            // UDP, TCP, and TCP with SETs without replies (--noreply: sync points, batch counting)
            for (int kind = 0; kind < 3; kind++)
            {
                final BenchSpec.Transport transport = kind == 0 ? BenchSpec.Transport.UDP : BenchSpec.Transport.TCP;
                final String what = transport + (kind == 2 ? " noreply" : "");
                final BenchSpec base = new BenchSpec(memcached.address(), transport, BenchSpec.Protocol.META, 1000, 16, 16,
                    64, 0.9, kind == 2 ? 0.5 : 0.9, 2, 1, null, 0, 8, Duration.ofMillis(200), 10_000_000, 1_000_000_000L,
                    0.1, 11, BenchSpec.Idle.SPIN, kind == 2);
                BenchWarmUp.storeKeys(base, null);
                final KeyChooser chooser = new KeyChooser(base.keySpace(), base.zipfTheta());
                warmUpUntilTheJitIsQuiet(base, chooser);
                // The runs are timed, so a busy machine (or a JIT compilation landing in one run) can spoil a
                // comparison; a worker that allocates per request fails every attempt. Bounded: at most 8 attempts,
                // each after another warm-up.
                String failure = null;
                for (int attempt = 0; attempt < 8; attempt++)
                {
                    if (attempt > 0)
                    {
                        warmUpUntilTheJitIsQuiet(base, chooser);
                    }
                    final long[] shortRun = runOnThisThread(base, chooser, 200);
                    final long[] longRun = runOnThisThread(base, chooser, 1000);
                    final long extraBytes = longRun[0] - shortRun[0];
                    final long extraRequests = longRun[1] - shortRun[1];
                    if (!(longRun[1] > 3 * shortRun[1] && shortRun[1] > 1000))
                    {
                        failure = what + ": the long run sent more: " + shortRun[1] + " vs " + longRun[1];
                    }
                    else if (extraBytes >= extraRequests)
                    {
                        failure = what + ": less than one byte per extra request (short run " + shortRun[0] +
                            " B for " + shortRun[1] + " requests, long run " + longRun[0] + " B for " + longRun[1] + ")";
                    }
                    else
                    {
                        failure = null;
                        break;
                    }
                }
                assertNull(failure, failure);
            }
        }
    }

    /**
     * Runs the worker until the JIT has compiled nothing for a whole run (bounded: 20 s): the worker's duty cycle
     * relies on C2's escape analysis, and code still interpreted or in C1 allocates what C2 scalar-replaces. On a
     * loaded machine C2's queue can lag the first seconds (seen: every attempt of a fixed warm-up at ~370 B/request).
     */
    private static void warmUpUntilTheJitIsQuiet(final BenchSpec base, final KeyChooser chooser)
    {
        final java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long compiledMs = -1;
        while (System.nanoTime() < deadline)
        {
            runOnThisThread(base, chooser, 300);
            final long now = jit.getTotalCompilationTime();
            if (now == compiledMs)
            {
                return;
            }
            compiledMs = now;
        }
    }

    /** {bytes allocated by this thread, requests sent}. */
    private static long[] runOnThisThread(final BenchSpec base, final KeyChooser chooser, final long millis)
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final BenchSpec spec = base.withRate(0, Duration.ofMillis(millis));
        final BenchStats stats = new BenchStats();
        final long start = System.nanoTime();
        final BenchWorker worker = spec.transport() == BenchSpec.Transport.UDP ?
            new BenchUdpWorker(spec, stats, chooser, 0, start, start + spec.duration().toNanos(), 0x7f000001,
                new KernelBenchPorts(), false, false) :
            new BenchTcpWorker(spec, stats, chooser, 0, start, start + spec.duration().toNanos());
        final long before = threads.getCurrentThreadAllocatedBytes();
        worker.run();
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(null, worker.failure());
        assertEquals(stats.sent.sum(), stats.received.sum() + stats.lost.sum());
        return new long[] {allocated, stats.sent.sum()};
    }
}
