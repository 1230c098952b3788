package io.wirekv.benchmarks.log;

import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.RecordFrames;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.CachedEpochClock;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What a log append costs the writer's CPU beyond the write itself, with the memory in cache: the effect record of a
 * {@code set} of a 16-byte key and a 32-byte value ({@link WriteApplier#encodeEffect}, which finds the item again and
 * copies it) and its frame ({@link RecordFrames#seal}: sequence and CRC32C), into one native buffer, as
 * {@code PartitionLog.append} does into a mapped segment. 0 B/op expected ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports",
    "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class EffectRecordBenchmark
{
    private Arena arena;
    private Table table;
    private WriteApplier applier;
    private MemorySegment log;
    private final RecordFrames frames = new RecordFrames();
    private long sequence;

    @Setup
    public void setUp()
    {
        arena = Arena.ofShared();
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_700_000_000_000L);
        table = new Table(new TableConfig(1, 16L << 20, MemoryMode.STORE, 128 * 1024, false), clock);
        applier = new WriteApplier(table, new ServerStats(1), 0);
        final byte[] key = "key:000000000042".getBytes(StandardCharsets.US_ASCII);
        final byte[] value = "value-of-thirty-two-bytes-000042".getBytes(StandardCharsets.US_ASCII);
        final MemorySegment record = arena.allocate(1024, 8);
        final int length = WriteRecordDescriptor.recordLength(key.length, value.length);
        final long hash = Table.keyHash(MemorySegment.ofArray(key), 0, key.length);
        new WriteRecordEncoder().wrap(record, 0, length).opcode(WriteRecordDescriptor.OP_STORE)
            .storeMode(WriteRecordDescriptor.MODE_SET).partition(table.partitionOfHash(hash)).keyHash(hash)
            .key(MemorySegment.ofArray(key), 0, key.length).value(MemorySegment.ofArray(value), 0, value.length);
        applier.apply(record, 0, length, new WriteReplyEncoder(arena.allocate(1024, 8)));
        if (applier.lastEffect() == WriteApplier.EFFECT_NONE)
        {
            throw new IllegalStateException("the set changed nothing");
        }
        log = arena.allocate(64 * 1024, 8);
        frames.wrap(log);
    }

    @TearDown
    public void tearDown()
    {
        table.close();
        arena.close();
    }

    /** The effect record alone. */
    @Benchmark
    public int encodeEffect()
    {
        return applier.encodeEffect(log, 0);
    }

    /** The effect record and its frame: what an append writes. */
    @Benchmark
    public int encodeAndSeal()
    {
        applier.encodeEffect(log, 0);
        return frames.seal(0, ++sequence);
    }
}
