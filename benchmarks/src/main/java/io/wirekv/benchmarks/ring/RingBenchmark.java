package io.wirekv.benchmarks.ring;

import io.wirekv.dataplane.ring.SpscMessageRing;
import org.agrona.concurrent.MessageHandler;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The single-producer single-consumer rings as wirekv uses them, one message through on one thread
 * (the cost of the operations themselves, without cross-core cache traffic): the write ring (an Agrona
 * OneToOneRingBuffer in off-heap memory carrying a 64-byte command, claimed in place and committed,
 * then read by the writer's handler), and a JCTools SpscArrayQueue of preallocated tokens for
 * comparison. 0 B/op expected ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports",
    "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class RingBenchmark
{
    private static final int COMMAND_BYTES = 64;

    private SpscMessageRing ring;
    private final SpscArrayQueue<Integer> queue = new SpscArrayQueue<>(1024);
    private final Integer token = 42;
    private long consumed;
    private final MessageHandler handler = (msgTypeId, buffer, index, length) -> consumed += buffer.getLong(index);

    @Setup
    public void setUp()
    {
        ring = SpscMessageRing.forMaxMessage(1024);
    }

    @TearDown
    public void tearDown()
    {
        ring.close();
    }

    @Benchmark
    public long agronaClaimCommitRead()
    {
        final int offset = ring.tryClaim(1, COMMAND_BYTES);
        ring.ring().buffer().putLong(offset, offset);
        ring.commit(offset);
        ring.ring().read(handler, 1);
        return consumed;
    }

    @Benchmark
    public Integer jctoolsOfferPoll()
    {
        queue.offer(token);
        return queue.poll();
    }
}
