package io.wirekv.benchmarks.table;

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
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Table GET/SET at 1M items (16-byte keys, 32-byte values), uniform and Zipf(0.99) key choice, against
 * {@code ConcurrentHashMap<ByteArrayKey, byte[]>} in the same run. {@code mixed} measures a reader while
 * one writer thread overwrites uniformly chosen keys (compare with {@code tableGet}).
 * <p>
 * Both sides do what a server does with a request: the key bytes come from a request buffer and the value is
 * copied into a reply buffer. Requests arrive in order, as packets do: {@link #requestBytes} holds the keys of
 * the whole key sequence back to back (request {@code n} at {@code n * KEY_BYTES}), so reading a key is a
 * sequential, prefetched access like reading a just-received packet, and the misses measured are the lookup's own
 * (with the keys stored once at {@code index * KEY_BYTES} instead, every request paid a random miss on a 16 MiB
 * key array before the lookup began, on both sides).
 * The table reads the key in place; {@code chmGet} copies it into a new {@code byte[]} and wraps and hashes
 * it, as a server using a map must (the buffer is reused, the map needs a key object with content equality).
 * {@code chmGetPrebuilt} looks up with equal, already hashed key objects built in setup: the map's best case,
 * not something a server can do.
 * <p>
 * Both sides copy the value into the same {@code byte[]}: the map with {@code System.arraycopy}, the table with
 * {@code MemorySegment.copy}'s array overload. The segment-to-segment overload into a heap segment made from that
 * array copies the same bytes, but measured 3.2 against 5.5 GETs/us at 1M items: with it the CPU stopped
 * overlapping one GET's cache misses with the next GET's (a loop of GETs without the copy ran at 6.3). The
 * appliance copies values into off-heap reply buffers, which measured fast (5.2).
 * <p>
 * Run: {@code java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * -jar benchmarks/target/benchmarks.jar TableBenchmark -f 1 -wi 2 -i 3 -prof gc}. On a shared machine, where
 * wall-clock iterations vary several-fold, compare with {@link TableCpuTimeComparison} (interleaved rounds,
 * thread CPU time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx3g"})
public class TableBenchmark
{
    static final int KEY_BYTES = 16;
    static final int VALUE_BYTES = 32;
    static final int SEQUENCE = 1 << 22;

    @Param({"uniform", "zipf"})
    public String distribution;

    /**
     * Items stored and looked up, a power of two. The figure is at 1M; a small table
     * ({@code -p items=4096}) fits in the caches and shows the compute cost alone, without cache misses.
     */
    @Param({"1048576"})
    public int items;

    /**
     * Table memory on 2 MiB hugepages, as the appliance runs it (reserve about 300 pages first:
     * {@code echo 300 > /proc/sys/vm/nr_hugepages}; without them the table falls back to ordinary
     * pages with a warning). {@code -p hugepages=false} measures ordinary pages.
     */
    @Param({"true"})
    public boolean hugepages;

    Table table;
    /** The keys of {@link #sequence} in order, request n at {@code n * KEY_BYTES}: the stand-in for received packets. */
    byte[] requestBytes;
    MemorySegment request;
    /** The same for {@link #uniformSequence}: the concurrent writer's requests. */
    byte[] uniformRequestBytes;
    MemorySegment uniformRequest;
    ByteArrayKey[] mapKeys;
    /** Equal but distinct key objects for lookups, as a server holds the request's bytes, not the stored key. */
    ByteArrayKey[] lookupKeys;
    ConcurrentHashMap<ByteArrayKey, byte[]> map;
    int[] sequence;
    int[] uniformSequence;
    final MemorySegment value = MemorySegment.ofArray(new byte[VALUE_BYTES]);
    final byte[] mapValue = new byte[VALUE_BYTES];

    /** A byte[] key with content equality, as a server would build for ConcurrentHashMap. */
    public static final class ByteArrayKey
    {
        final byte[] bytes;
        final int hash;

        ByteArrayKey(final byte[] bytes)
        {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof ByteArrayKey other && Arrays.equals(bytes, other.bytes);
        }
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(System.currentTimeMillis());
        table = new Table(new TableConfig(4, 512L << 20, MemoryMode.CACHE, 1024 * 1024, hugepages), clock);
        final byte[] keyBytes = new byte[items * KEY_BYTES]; // key i at i * KEY_BYTES
        final MemorySegment keys = MemorySegment.ofArray(keyBytes);
        mapKeys = new ByteArrayKey[items];
        lookupKeys = new ByteArrayKey[items];
        map = new ConcurrentHashMap<>(items * 2);
        final ItemView view = new ItemView();
        final StoreSemantics semantics = new StoreSemantics();
        for (int i = 0; i < items; i++)
        {
            final byte[] key = String.format("k%015d", i).getBytes();
            System.arraycopy(key, 0, keyBytes, i * KEY_BYTES, KEY_BYTES);
            mapKeys[i] = new ByteArrayKey(key);
            lookupKeys[i] = new ByteArrayKey(key.clone());
            map.put(mapKeys[i], new byte[VALUE_BYTES]);
            final int p = table.partitionOf(keys, (long)i * KEY_BYTES, KEY_BYTES);
            semantics.store(table.writer(p),
                StoreSemantics.MODE_SET, keys, (long)i * KEY_BYTES, KEY_BYTES, value, 0, VALUE_BYTES, 0, 0, 0, view);
        }
        uniformSequence = uniform(new SplittableRandom(42), items);
        sequence = "zipf".equals(distribution) ? zipf(new SplittableRandom(43), 0.99, items) : uniformSequence;
        requestBytes = inOrder(keyBytes, sequence);
        request = MemorySegment.ofArray(requestBytes);
        uniformRequestBytes = sequence == uniformSequence ? requestBytes : inOrder(keyBytes, uniformSequence);
        uniformRequest = MemorySegment.ofArray(uniformRequestBytes);
    }

    /** The keys a sequence names, in its order: request n at {@code n * KEY_BYTES}. */
    static byte[] inOrder(final byte[] keyBytes, final int[] sequence)
    {
        final byte[] requests = new byte[sequence.length * KEY_BYTES];
        for (int n = 0; n < sequence.length; n++)
        {
            System.arraycopy(keyBytes, sequence[n] * KEY_BYTES, requests, n * KEY_BYTES, KEY_BYTES);
        }
        return requests;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        table.close();
    }

    static int[] uniform(final SplittableRandom random, final int items)
    {
        final int[] s = new int[SEQUENCE];
        for (int i = 0; i < SEQUENCE; i++)
        {
            s[i] = random.nextInt(items);
        }
        return s;
    }

    /** Zipf by inverse CDF; ranks scattered over the key space so hot keys are not neighbours. */
    static int[] zipf(final SplittableRandom random, final double exponent, final int items)
    {
        final double[] cdf = new double[items];
        double sum = 0;
        for (int i = 0; i < items; i++)
        {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cdf[i] = sum;
        }
        final int[] s = new int[SEQUENCE];
        for (int i = 0; i < SEQUENCE; i++)
        {
            int rank = Arrays.binarySearch(cdf, random.nextDouble() * sum);
            rank = rank < 0 ? -rank - 1 : rank;
            s[i] = (int)((rank * 0x9E3779B1L) & (items - 1)); // odd multiplier: a permutation of [0, items)
        }
        return s;
    }

    @State(Scope.Thread)
    public static class ReaderState
    {
        QsbrReader reader;
        final ItemView view = new ItemView();
        /** Where both sides copy the value, as a server copies it into its reply. */
        final byte[] reply = new byte[VALUE_BYTES];
        int cursor;

        @Setup(Level.Trial)
        public void setUp(final TableBenchmark benchmark)
        {
            reader = benchmark.table.registerReader(Thread.currentThread().getName());
            cursor = (int)(Thread.currentThread().threadId() * 7919);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            reader.close();
        }
    }

    @State(Scope.Thread)
    public static class WriterState
    {
        final ItemView view = new ItemView();
        final StoreSemantics semantics = new StoreSemantics();
        int cursor;
    }

    private int nextKey(final int[] s, final int cursor)
    {
        return s[cursor & (SEQUENCE - 1)];
    }

    /** Where request {@code cursor}'s key starts in {@link #requestBytes} (or {@link #uniformRequestBytes}). */
    static int requestOffset(final int cursor)
    {
        return (cursor & (SEQUENCE - 1)) * KEY_BYTES;
    }

    @Benchmark
    public int tableGet(final ReaderState state)
    {
        final int cursor = state.cursor++;
        final long keyOffset = requestOffset(cursor);
        final ItemView view = state.view;
        int result = -1;
        if (table.get(state.reader, request, keyOffset, KEY_BYTES, view))
        {
            result = view.valueLength();
            MemorySegment.copy(view.segment(), ValueLayout.JAVA_BYTE, view.valueOffset(), state.reply, 0, result);
        }
        if ((cursor & 63) == 0)
        {
            state.reader.quiescent();
        }
        return result;
    }

    /** The thread-local signature the protocol engine used before it held its reader handle. */
    @Benchmark
    public int tableGetThreadLocal(final ReaderState state)
    {
        final int cursor = state.cursor++;
        final long keyOffset = requestOffset(cursor);
        final ItemView view = state.view;
        int result = -1;
        if (table.get(request, keyOffset, KEY_BYTES, view))
        {
            result = view.valueLength();
            MemorySegment.copy(view.segment(), ValueLayout.JAVA_BYTE, view.valueOffset(), state.reply, 0, result);
        }
        if ((cursor & 63) == 0)
        {
            state.reader.quiescent();
        }
        return result;
    }

    @Benchmark
    public int tableSet(final WriterState state)
    {
        final long keyOffset = requestOffset(state.cursor++);
        return state.semantics.store(table.writer(table.partitionOf(request, keyOffset, KEY_BYTES)),
            StoreSemantics.MODE_SET, request, keyOffset, KEY_BYTES, value, 0, VALUE_BYTES, 0, 0, 0, state.view);
    }

    @Benchmark
    public int chmGet(final ReaderState state)
    {
        final int keyOffset = requestOffset(state.cursor++);
        final byte[] v = map.get(new ByteArrayKey(Arrays.copyOfRange(requestBytes, keyOffset, keyOffset + KEY_BYTES)));
        if (v == null)
        {
            return -1;
        }
        System.arraycopy(v, 0, state.reply, 0, v.length);
        return v.length;
    }

    @Benchmark
    public int chmGetPrebuilt(final ReaderState state)
    {
        final byte[] v = map.get(lookupKeys[nextKey(sequence, state.cursor++)]);
        if (v == null)
        {
            return -1;
        }
        System.arraycopy(v, 0, state.reply, 0, v.length);
        return v.length;
    }

    @Benchmark
    public byte[] chmSet(final WriterState state)
    {
        final int keyOffset = requestOffset(state.cursor++);
        return map.put(new ByteArrayKey(Arrays.copyOfRange(requestBytes, keyOffset, keyOffset + KEY_BYTES)), mapValue);
    }

    @Benchmark
    @Group("mixed")
    @GroupThreads(1)
    public int mixedTableGet(final ReaderState state)
    {
        return tableGet(state);
    }

    @Benchmark
    @Group("mixed")
    @GroupThreads(1)
    public int mixedTableSet(final WriterState state)
    {
        final long keyOffset = requestOffset(state.cursor++);
        return state.semantics.store(table.writer(table.partitionOf(uniformRequest, keyOffset, KEY_BYTES)),
            StoreSemantics.MODE_SET, uniformRequest, keyOffset, KEY_BYTES, value, 0, VALUE_BYTES, 0, 0, 0, state.view);
    }
}
