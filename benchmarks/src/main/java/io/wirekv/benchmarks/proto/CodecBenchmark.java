package io.wirekv.benchmarks.proto;

import io.wirekv.dataplane.proto.ProtocolSettings;
import io.wirekv.dataplane.proto.ReplyBuffer;
import io.wirekv.dataplane.proto.RequestProcessor;
import io.wirekv.dataplane.proto.RequestSession;
import io.wirekv.dataplane.proto.WriteForwarder;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.StoreSemantics;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The protocol engine on a reader thread, as an lcore runs it for one UDP datagram: parse the request,
 * read the table, build the reply datagram (memcached's UDP frame header included). {@code request}
 * picks a text GET hit, a meta {@code mg} hit with flags, and a GET miss. 0 B/op expected
 * ({@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports",
    "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class CodecBenchmark
{
    @Param({"get k:000000000001\r\n", "mg k:000000000001 v f t c\r\n", "get k:miss00000001\r\n"})
    public String request;

    private Table table;
    private QsbrReader reader;
    private RequestProcessor processor;
    private RequestSession session;
    private ReplyBuffer reply;
    private Arena arena;
    private MemorySegment input;
    private int inputLength;
    private int requestId;

    @Setup
    public void setUp()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_700_000_000_000L);
        table = new Table(new TableConfig(4, 32L << 20, MemoryMode.CACHE, 1 << 20, false), clock);
        arena = Arena.ofConfined();
        final MemorySegment key = arena.allocateFrom("k:000000000001", StandardCharsets.US_ASCII);
        final MemorySegment value = arena.allocate(32);
        value.fill((byte)'v');
        new StoreSemantics().store(table.writer(table.partitionOf(key, 0, 14)),
            StoreSemantics.MODE_SET, key, 0, 14, value, 0, 32, 7, 0, 0, new ItemView());
        final ProtocolSettings settings = new ProtocolSettings(1 << 20, 1400, "1.6.18");
        processor = new RequestProcessor(table, settings, new ServerStats(1),
            WriteForwarder.readOnly(), 0);
        reader = table.registerReader("codec-benchmark");
        reply = new ReplyBuffer(arena.allocate(64 * 1024));
        session = new RequestSession(1, reply);
        final byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        input = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, input, ValueLayout.JAVA_BYTE, 0, bytes.length);
        inputLength = bytes.length;
    }

    @TearDown
    public void tearDown()
    {
        reader.close();
        table.close();
        arena.close();
    }

    @Benchmark
    public int parseReadAndReply()
    {
        session.reset();
        reply.resetDatagrams(1400);
        session.wrapInput(input, 0, inputLength, true);
        final int status = processor.process(session);
        final int datagrams = reply.finishDatagrams(++requestId & 0xFFFF);
        reader.quiescent();
        return status + datagrams + reply.length();
    }
}
