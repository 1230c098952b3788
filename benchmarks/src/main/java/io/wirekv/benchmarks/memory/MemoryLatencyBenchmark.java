package io.wirekv.benchmarks.memory;

import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.hugepages.PageSize;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What a cache miss costs on this machine, and how many the CPU keeps in flight: the two facts that bound
 * {@code TableBenchmark}'s figures, measured because virtual machines here expose no hardware counters to
 * {@code perf stat}. Each 64-byte line of a hugepage region holds the offset of the next line of one random
 * cycle through all of them, so every load depends on the one before and misses wherever the region exceeds
 * the caches.
 * <ul>
 *   <li>{@code oneChain}: one load at a time, the latency of a miss (a table GET that misses is two of these
 *   in a row: index slot, then item).</li>
 *   <li>{@code eightChains}: eight independent chains interleaved, as consecutive GETs can be when nothing
 *   between them stops the CPU from running ahead; the time per load shows how much of the latency overlaps.</li>
 * </ul>
 * Run: {@code java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * -jar benchmarks/target/benchmarks.jar MemoryLatencyBenchmark} (reserve about 70 hugepages for 128 MiB; the
 * region falls back to ordinary pages, with a warning, without them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class MemoryLatencyBenchmark
{
    static final int LINE = 64;
    static final int STEPS = 1024;
    static final int CHAINS = 8;

    /** Region size in MiB: 2 fits the L2 caches, 128 is larger than TableBenchmark's 1M items. */
    @Param({"2", "16", "128"})
    public int megabytes;

    MemoryRegion region;
    MemorySegment memory;
    final long[] positions = new long[CHAINS];

    @Setup(Level.Trial)
    public void setUp()
    {
        region = HugepageMemory.global().map("memory-latency-probe", (long)megabytes << 20, PageSize.HUGE_2M);
        memory = region.segment();
        final int lines = (int)(((long)megabytes << 20) / LINE);
        final int[] order = new int[lines];
        for (int i = 0; i < lines; i++)
        {
            order[i] = i;
        }
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = lines - 1; i > 0; i--) // Fisher-Yates: one random cycle through every line
        {
            final int j = random.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        for (int i = 0; i < lines; i++)
        {
            memory.set(ValueLayout.JAVA_LONG, (long)order[i] * LINE, (long)order[(i + 1) % lines] * LINE);
        }
        for (int c = 0; c < CHAINS; c++)
        {
            positions[c] = (long)order[c * (lines / CHAINS)] * LINE; // far apart on the cycle: chains never meet
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        region.close();
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public long oneChain()
    {
        final MemorySegment m = memory;
        long p = positions[0];
        for (int i = 0; i < STEPS; i++)
        {
            p = m.get(ValueLayout.JAVA_LONG, p);
        }
        positions[0] = p;
        return p;
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public long eightChains()
    {
        final MemorySegment m = memory;
        long p0 = positions[0], p1 = positions[1], p2 = positions[2], p3 = positions[3];
        long p4 = positions[4], p5 = positions[5], p6 = positions[6], p7 = positions[7];
        for (int i = 0; i < STEPS / CHAINS; i++)
        {
            p0 = m.get(ValueLayout.JAVA_LONG, p0);
            p1 = m.get(ValueLayout.JAVA_LONG, p1);
            p2 = m.get(ValueLayout.JAVA_LONG, p2);
            p3 = m.get(ValueLayout.JAVA_LONG, p3);
            p4 = m.get(ValueLayout.JAVA_LONG, p4);
            p5 = m.get(ValueLayout.JAVA_LONG, p5);
            p6 = m.get(ValueLayout.JAVA_LONG, p6);
            p7 = m.get(ValueLayout.JAVA_LONG, p7);
        }
        positions[0] = p0;
        positions[1] = p1;
        positions[2] = p2;
        positions[3] = p3;
        positions[4] = p4;
        positions[5] = p5;
        positions[6] = p6;
        positions[7] = p7;
        return p0 ^ p1 ^ p2 ^ p3 ^ p4 ^ p5 ^ p6 ^ p7;
    }
}
