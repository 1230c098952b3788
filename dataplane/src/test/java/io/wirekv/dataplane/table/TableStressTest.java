package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Readers and one writer per partition hammer a small key space. Every value carries its key index, a
 * per-key sequence number and a CRC32 of the rest, so a torn, freed (poisoned) or foreign value is
 * detected; per reader, the sequence seen for a key never goes backwards (stale beyond linearizable).
 * Total operations: {@code -Dwirekv.stress.ops} (default 10,000,000, the figure the table issue asks for).
 */
class TableStressTest
{
    private static final long OPS = Long.getLong("wirekv.stress.ops", 10_000_000L);
    private static final int PARTITIONS = 2;
    private static final int READERS = 2;
    private static final int KEYS = 64;
    private static final int COUNTER_KEYS = 8;

    @Test
    void shouldNeverReturnTornFreedOrStaleValues() throws Exception
    {
        run(MemoryMode.STORE, 32L << 20, 400, OPS);
    }

    /** Cache mode in a budget far below the working set: eviction and page moves race the readers. */
    @Test
    void shouldNeverReturnTornFreedOrStaleValuesWhileEvicting() throws Exception
    {
        run(MemoryMode.CACHE, 2L << 20, 20_000, OPS / 2);
    }

    /**
     * Cache mode with the default 1 MiB item limit : small values in 64 KiB slab units, large
     * ones in 1 MiB pages (twice the least memory), so units, pages and pages reassembled from units move between
     * classes under the readers.
     */
    @Test
    void shouldNeverReturnTornFreedOrStaleValuesWhileSlabUnitsMove() throws Exception
    {
        run(MemoryMode.CACHE, 2 * TableConfig.minimumMemoryBytes(PARTITIONS, TableConfig.DEFAULT_ITEM_SIZE_MAX_BYTES), 30_000,
            OPS / 5, TableConfig.DEFAULT_ITEM_SIZE_MAX_BYTES);
    }

    private static void run(final MemoryMode mode, final long memoryBytes, final int maxPayload, final long ops)
        throws Exception
    {
        run(mode, memoryBytes, maxPayload, ops, 64 * 1024);
    }

    private static void run(
        final MemoryMode mode, final long memoryBytes, final int maxPayload, final long ops, final int itemSizeMaxBytes)
        throws Exception
    {
        final long OPS = ops;
        try (Table table = new Table(new TableConfig(PARTITIONS, memoryBytes, mode, itemSizeMaxBytes, false),
            SystemEpochClock.INSTANCE, true))
        {
            final MemorySegment[] keys = new MemorySegment[KEYS];
            final MemorySegment[] counters = new MemorySegment[COUNTER_KEYS];
            final List<List<Integer>> keysOf = new ArrayList<>();
            final List<List<Integer>> countersOf = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                keysOf.add(new ArrayList<>());
                countersOf.add(new ArrayList<>());
            }
            for (int i = 0; i < KEYS; i++)
            {
                keys[i] = MemorySegment.ofArray(("stress-key-" + i).getBytes());
                keysOf.get(table.partitionOf(keys[i], 0, (int)keys[i].byteSize())).add(i);
            }
            for (int i = 0; i < COUNTER_KEYS; i++)
            {
                counters[i] = MemorySegment.ofArray(("counter-" + i).getBytes());
                countersOf.get(table.partitionOf(counters[i], 0, (int)counters[i].byteSize())).add(i);
            }

            final AtomicReference<String> failure = new AtomicReference<>();
            final AtomicLong readOps = new AtomicLong();
            final AtomicLong readHits = new AtomicLong();
            final AtomicLong writeOps = new AtomicLong();
            final CyclicBarrier start = new CyclicBarrier(READERS + PARTITIONS);
            final long readQuota = OPS * 7 / 10 / READERS;
            final long writeQuota = OPS * 3 / 10 / PARTITIONS;
            final List<Thread> threads = new ArrayList<>();

            for (int r = 0; r < READERS; r++)
            {
                final int seed = r;
                threads.add(new Thread(() ->
                {
                    try (QsbrReader reader = table.registerReader("reader-" + seed))
                    {
                        start.await();
                        final ItemView view = new ItemView();
                        final long[] lastSeq = new long[KEYS];
                        final long[] lastCounter = new long[COUNTER_KEYS];
                        final byte[] buffer = new byte[128 * 1024];
                        final SplittableRandom random = new SplittableRandom(seed);
                        long hits = 0;
                        for (long op = 0; op < readQuota && failure.get() == null; op++)
                        {
                            if ((op & 7) == 7)
                            {
                                final int c = random.nextInt(COUNTER_KEYS);
                                final MemorySegment key = counters[c];
                                if (table.get(key, 0, (int)key.byteSize(), view))
                                {
                                    hits++;
                                    final long value = parseCounter(view, buffer);
                                    if (value < 0 || value < lastCounter[c])
                                    {
                                        failure.compareAndSet(null, "counter " + c + " read " + value + " after " + lastCounter[c]);
                                    }
                                    lastCounter[c] = value;
                                }
                            }
                            else
                            {
                                final int k = random.nextInt(KEYS);
                                final MemorySegment key = keys[k];
                                if (table.get(key, 0, (int)key.byteSize(), view))
                                {
                                    hits++;
                                    final String error = check(view, k, lastSeq, buffer);
                                    if (error != null)
                                    {
                                        failure.compareAndSet(null, error);
                                    }
                                }
                            }
                            if ((op & 15) == 15)
                            {
                                reader.quiescent();
                            }
                        }
                        readOps.addAndGet(readQuota);
                        readHits.addAndGet(hits);
                    }
                    catch (final Throwable t)
                    {
                        failure.compareAndSet(null, "reader: " + t);
                    }
                }));
            }
            for (int p = 0; p < PARTITIONS; p++)
            {
                final int partition = p;
                threads.add(new Thread(() ->
                {
                    try
                    {
                        start.await();
                        runWriter(table, partition, keys, keysOf.get(partition), counters, countersOf.get(partition),
                            writeQuota, maxPayload, mode == MemoryMode.CACHE, failure);
                        writeOps.addAndGet(writeQuota);
                    }
                    catch (final Throwable t)
                    {
                        failure.compareAndSet(null, "writer: " + t);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (final Thread t : threads)
            {
                t.join();
            }
            assertNull(failure.get());
            final long total = readOps.get() + writeOps.get();
            System.out.printf("stress %s: %,d operations (%,d reads, %,d hits, %,d writes), resizes=%d, evictions=%d, " +
                "pages moved=%d, refused=%d%n", mode, total, readOps.get(), readHits.get(), writeOps.get(),
                table.counters().resizes(), table.counters().evictions(), table.pagesMoved(), table.counters().outOfMemory());
            assertTrue(total >= OPS * 99 / 100);
            assertTrue(readHits.get() > readOps.get() / 10, "readers hit");
            if (mode == MemoryMode.CACHE)
            {
                assertTrue(table.counters().evictions() > 0);
                assertTrue(table.allocatedBytes() <= memoryBytes);
            }

            // readers have quiesced and deregistered: every retired byte is freed by housekeeping
            for (int p = 0; p < PARTITIONS; p++)
            {
                table.writer(p).doHousekeeping(1000);
            }
            assertEquals(0, table.counters().retiredNotFreedBytes());
        }
    }

    private static void runWriter(
        final Table table, final int partition, final MemorySegment[] keys, final List<Integer> own,
        final MemorySegment[] counters, final List<Integer> ownCounters, final long quota, final int maxPayload,
        final boolean cache, final AtomicReference<String> failure)
    {
        final PartitionWriter writer = table.writer(partition);
        final StoreSemantics semantics = new StoreSemantics(); // this writer thread's own
        final SplittableRandom random = new SplittableRandom(1000 + partition);
        final long[] seq = new long[keys.length];
        final ItemView view = new ItemView();
        final byte[] value = new byte[maxPayload + 64];
        final MemorySegment valueSegment = MemorySegment.ofArray(value);
        final MemorySegment zero = MemorySegment.ofArray("0".getBytes());
        for (final int c : ownCounters)
        {
            semantics.store(writer, StoreSemantics.MODE_SET, counters[c], 0, (int)counters[c].byteSize(), zero, 0, 1, 0, 0, 0,
                view);
        }
        for (long op = 0; op < quota && failure.get() == null; op++)
        {
            final int action = random.nextInt(100);
            if (action < 10 && !ownCounters.isEmpty())
            {
                final MemorySegment key = counters[ownCounters.get(random.nextInt(ownCounters.size()))];
                final int status =
                    semantics.arithmetic(writer, key, 0, (int)key.byteSize(), true, 1 + random.nextInt(3), view);
                if (status != Status.STORED && !(cache && (status == Status.NOT_FOUND || status == Status.OUT_OF_MEMORY)))
                {
                    failure.compareAndSet(null, "incr status " + status);
                }
                continue;
            }
            final int k = own.get(random.nextInt(own.size()));
            final MemorySegment key = keys[k];
            final int keyLength = (int)key.byteSize();
            if (action < 20)
            {
                semantics.delete(writer, key, 0, keyLength, 0);
                continue;
            }
            final int length = encode(value, k, ++seq[k], random.nextInt(maxPayload));
            if (action < 35 && writer.find(key, 0, keyLength, view))
            {
                final int status = semantics.store(writer, StoreSemantics.MODE_CAS, key, 0, keyLength,
                    valueSegment, 0, length, 0, 0, view.cas(), view);
                if (status != Status.STORED && !(cache && status == Status.OUT_OF_MEMORY))
                {
                    failure.compareAndSet(null, "cas status " + status);
                }
            }
            else
            {
                final int status = semantics.store(writer, StoreSemantics.MODE_SET, key, 0, keyLength,
                    valueSegment, 0, length, 0, 0, 0, view);
                if (status != Status.STORED && !(cache && status == Status.OUT_OF_MEMORY))
                {
                    failure.compareAndSet(null, "set status " + status);
                }
            }
            if ((op & 1023) == 0)
            {
                writer.doHousekeeping(64);
            }
        }
    }

    /** [key index u32][seq u64][payload][crc32 u32 of everything before]. */
    static int encode(final byte[] value, final int keyIndex, final long seq, final int payload)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(keyIndex);
        buffer.putLong(seq);
        for (int i = 0; i < payload; i++)
        {
            buffer.put((byte)(seq * 31 + i));
        }
        final CRC32 crc = new CRC32();
        crc.update(value, 0, buffer.position());
        buffer.putInt((int)crc.getValue());
        return buffer.position();
    }

    static String check(final ItemView view, final int keyIndex, final long[] lastSeq, final byte[] buffer)
    {
        final int length = view.valueLength();
        if (length < 16 || length > buffer.length)
        {
            return "bad length " + length + " for key " + keyIndex;
        }
        MemorySegment.copy(view.segment(), ValueLayout.JAVA_BYTE, view.valueOffset(), buffer, 0, length);
        final CRC32 crc = new CRC32();
        crc.update(buffer, 0, length - 4);
        final ByteBuffer b = ByteBuffer.wrap(buffer, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        if ((int)crc.getValue() != b.getInt(length - 4))
        {
            return "checksum mismatch (torn or freed) for key " + keyIndex;
        }
        if (b.getInt(0) != keyIndex)
        {
            return "value of key " + b.getInt(0) + " under key " + keyIndex;
        }
        final long seq = b.getLong(4);
        if (seq < lastSeq[keyIndex])
        {
            return "stale read: key " + keyIndex + " seq " + seq + " after " + lastSeq[keyIndex];
        }
        lastSeq[keyIndex] = seq;
        return null;
    }

    static long parseCounter(final ItemView view, final byte[] buffer)
    {
        final int length = view.valueLength();
        if (length < 1 || length > 20)
        {
            return -1;
        }
        MemorySegment.copy(view.segment(), ValueLayout.JAVA_BYTE, view.valueOffset(), buffer, 0, length);
        long value = 0;
        int i = 0;
        for (; i < length && buffer[i] >= '0' && buffer[i] <= '9'; i++)
        {
            value = value * 10 + buffer[i] - '0';
        }
        for (; i < length; i++)
        {
            if (buffer[i] != ' ')
            {
                return -1;
            }
        }
        return value;
    }

    @Test
    void shouldGrowIndexUnderConcurrentReads() throws Exception
    {
        final int keys = 40_000;
        try (Table table = new Table(new TableConfig(1, 64L << 20, MemoryMode.STORE, 64 * 1024, false),
            SystemEpochClock.INSTANCE, true))
        {
            final MemorySegment[] keySegments = new MemorySegment[keys];
            for (int i = 0; i < keys; i++)
            {
                keySegments[i] = MemorySegment.ofArray(String.format("grow-%011d", i).getBytes());
            }
            final AtomicLong inserted = new AtomicLong();
            final AtomicReference<String> failure = new AtomicReference<>();
            final Thread reader = new Thread(() ->
            {
                try (QsbrReader r = table.registerReader("grow-reader"))
                {
                    final ItemView view = new ItemView();
                    final SplittableRandom random = new SplittableRandom(7);
                    final long[] lastSeq = new long[keys];
                    final byte[] buffer = new byte[1024];
                    while (inserted.get() < keys && failure.get() == null)
                    {
                        final long n = inserted.get();
                        if (n == 0)
                        {
                            r.quiescent();
                            continue;
                        }
                        final int k = random.nextInt((int)n);
                        if (!table.get(keySegments[k], 0, 16, view))
                        {
                            failure.compareAndSet(null, "published key " + k + " missing during resize");
                        }
                        else
                        {
                            final String error = check(view, k, lastSeq, buffer);
                            if (error != null)
                            {
                                failure.compareAndSet(null, error);
                            }
                        }
                        r.quiescent();
                    }
                }
            });
            reader.start();
            final PartitionWriter writer = table.writer(0);
            final StoreSemantics semantics = new StoreSemantics();
            final byte[] value = new byte[256];
            final ItemView view = new ItemView();
            for (int i = 0; i < keys && failure.get() == null; i++)
            {
                final int length = encode(value, i, 1, 8);
                assertEquals(Status.STORED, semantics.store(writer, StoreSemantics.MODE_SET, keySegments[i], 0, 16,
                    MemorySegment.ofArray(value), 0, length, 0, 0, 0, view));
                inserted.lazySet(i + 1);
                if ((i & 255) == 0)
                {
                    writer.doHousekeeping(16);
                }
            }
            inserted.set(keys);
            reader.join();
            assertNull(failure.get());
            assertTrue(table.counters().resizes() >= 5, "resizes " + table.counters().resizes());
            writer.doHousekeeping(16);
            assertEquals(0, table.counters().retiredNotFreedBytes(), "old index arrays freed");
        }
    }
}
