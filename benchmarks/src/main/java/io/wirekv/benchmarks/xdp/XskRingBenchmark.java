package io.wirekv.benchmarks.xdp;

import io.wirekv.nativebindings.xdp.XskConsumerRing;
import io.wirekv.nativebindings.xdp.XskDescriptor;
import io.wirekv.nativebindings.xdp.XskProducerRing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The AF_XDP ring operations as the lcore drives them, in Java over shared words (here plain memory,
 * with one ring's producer feeding the other's consumer, as the kernel would): a burst of 32 descriptors
 * reserved, written and submitted on a producer ring (TX, fill), then peeked, read and released on a
 * consumer ring (RX, completion). Per descriptor. 0 B/op expected ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class XskRingBenchmark
{
    private static final int SIZE = 2048;
    private static final int BURST = 32;

    private Arena arena;
    private XskProducerRing producer;
    private XskConsumerRing consumer;

    @Setup
    public void setUp()
    {
        arena = Arena.ofConfined();
        final MemorySegment producerWord = arena.allocate(64, 64);
        final MemorySegment consumerWord = arena.allocate(64, 64);
        final MemorySegment flagsWord = arena.allocate(64, 64);
        final MemorySegment entries = arena.allocate((long)SIZE * XskDescriptor.DESC_SIZE, 64);
        // One ring seen from both ends: our producer is the "kernel's" consumer and the other way round.
        producer = new XskProducerRing(producerWord, consumerWord, flagsWord, entries, SIZE, 0, SIZE);
        consumer = new XskConsumerRing(producerWord, consumerWord, flagsWord, entries, SIZE, 0, 0);
    }

    @TearDown
    public void tearDown()
    {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long burstThroughRing()
    {
        final int reserved = producer.reserve(BURST);
        final int first = producer.index();
        for (int i = 0; i < reserved; i++)
        {
            producer.setDescriptor(first + i, (long)(first + i) << 11, 60);
        }
        producer.submit(reserved);
        final int peeked = consumer.peek(BURST);
        final int from = consumer.index();
        long sum = 0;
        for (int i = 0; i < peeked; i++)
        {
            sum += consumer.descriptorAddress(from + i) + consumer.descriptorLength(from + i);
        }
        consumer.release(peeked);
        return sum;
    }
}
