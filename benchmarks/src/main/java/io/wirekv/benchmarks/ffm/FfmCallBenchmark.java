package io.wirekv.benchmarks.ffm;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What a downcall costs, on a function that does next to nothing ({@code labs}): linked
 * {@code critical(false)} (no thread-state transition: what wirekv uses for per-burst calls such as
 * rx/tx burst) against a plain downcall (what setup calls use). The difference is the overhead each
 * non-critical per-packet call would add. 0 B/op expected ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class FfmCallBenchmark
{
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor LABS = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PLAIN = LINKER.downcallHandle(
        LINKER.defaultLookup().find("labs").orElseThrow(), LABS);
    private static final MethodHandle CRITICAL = LINKER.downcallHandle(
        LINKER.defaultLookup().find("labs").orElseThrow(), LABS, Linker.Option.critical(false));

    private long argument = -12345;

    @Benchmark
    public long plainDowncall() throws Throwable
    {
        return (long)PLAIN.invokeExact(argument++);
    }

    @Benchmark
    public long criticalDowncall() throws Throwable
    {
        return (long)CRITICAL.invokeExact(argument++);
    }

    @Benchmark
    public long javaBaseline()
    {
        return Math.abs(argument++);
    }
}
