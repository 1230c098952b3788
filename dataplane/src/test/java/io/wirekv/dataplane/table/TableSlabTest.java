package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.wirekv.dataplane.proto.StoreSemantics.MODE_SET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Slab units: many size classes in little memory per partition, rebalancing between unit and page classes,
 * and the out-of-memory rules of the two modes.
 */
class TableSlabTest
{
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final int ITEM_MAX = TableConfig.DEFAULT_ITEM_SIZE_MAX_BYTES;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final ItemView view = new ItemView();

    private Table newTable(final int partitions, final long memoryBytes, final MemoryMode mode)
    {
        clock.update(NOW_MS);
        return new Table(new TableConfig(partitions, memoryBytes, mode, ITEM_MAX, false), clock, true);
    }

    private static MemorySegment key(final String prefix, final int i)
    {
        return MemorySegment.ofArray((prefix + i).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A value whose bytes depend on its key number, so a reader can tell a wrong or torn value. */
    private static byte[] value(final int i, final int length)
    {
        final byte[] value = new byte[length];
        for (int j = 0; j < length; j++)
        {
            value[j] = (byte)('a' + (i + j) % 26);
        }
        return value;
    }

    private static int set(final Table table, final MemorySegment key, final byte[] value)
    {
        final MemorySegment v = MemorySegment.ofArray(value);
        final int keyLength = (int)key.byteSize();
        return new StoreSemantics().store(table.writer(table.partitionOf(key, 0, keyLength)), MODE_SET, key, 0, keyLength,
            v, 0, value.length, 0, 0, 0, new ItemView());
    }

    private int delete(final Table table, final MemorySegment key)
    {
        final int keyLength = (int)key.byteSize();
        return new StoreSemantics().delete(table.writer(table.partitionOf(key, 0, keyLength)), key, 0, keyLength, 0);
    }

    private boolean readsBack(final Table table, final MemorySegment key, final byte[] expected)
    {
        return table.get(key, 0, (int)key.byteSize(), view) && java.util.Arrays.equals(expected, view.valueBytes());
    }

    private static void assertSlabsConsistent(final Table table)
    {
        for (int p = 0; p < table.partitionCount(); p++)
        {
            assertNull(table.writer(p).slabInvariantViolation(), "partition " + p);
        }
    }

    @Test
    void shouldKeepEveryItemOfMixedSizesInManyPartitionsWithLittleMemory()
    {
        // 16 partitions at the least memory they accept (two 1 MiB pages each): ~14 size classes per partition.
        final long memory = TableConfig.minimumMemoryBytes(16, ITEM_MAX);
        try (Table table = newTable(16, memory, MemoryMode.CACHE))
        {
            final int keys = 4000;
            final SplittableRandom random = new SplittableRandom(42);
            final byte[][] values = new byte[keys][];
            long dataBytes = 0;
            for (int i = 0; i < keys; i++)
            {
                values[i] = value(i, 16 + random.nextInt(985));
                dataBytes += values[i].length;
                assertEquals(Status.STORED, set(table, key("mixed-", i), values[i]), "key " + i);
            }
            assertTrue(dataBytes < memory / 8, "data well under the memory: " + dataBytes);
            assertEquals(0, table.counters().evictions(), "no live item evicted while memory is mostly free");
            assertEquals(0, table.counters().outOfMemory());
            assertEquals(keys, table.counters().items());
            for (int i = 0; i < keys; i++)
            {
                assertTrue(readsBack(table, key("mixed-", i), values[i]), "key " + i + " reads back");
            }
            assertTrue(table.allocatedBytes() <= memory);
            assertSlabsConsistent(table);
        }
    }

    @Test
    void shouldNeverRefuseInCacheModeWhileTheSizeMixChangesUnderAReader() throws Exception
    {
        final long memory = 16L << 20;
        try (Table table = newTable(4, memory, MemoryMode.CACHE))
        {
            final CountDownLatch registered = new CountDownLatch(1);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<String> failure = new AtomicReference<>();
            final AtomicInteger latest = new AtomicInteger();
            final Thread reader = new Thread(() ->
            {
                try (QsbrReader r = table.registerReader("reader"))
                {
                    registered.countDown();
                    final ItemView v = new ItemView();
                    final SplittableRandom random = new SplittableRandom(7);
                    while (!stop.get())
                    {
                        final MemorySegment k = key("k-", Math.max(0, latest.getAcquire() - 1 - random.nextInt(2000)));
                        if (table.get(k, 0, (int)k.byteSize(), v) && v.valueLength() > 0 &&
                            v.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, v.valueOffset()) == SlabAllocator.POISON)
                        {
                            failure.compareAndSet(null, "read freed memory");
                        }
                        r.quiescent();
                    }
                }
            });
            reader.start();
            try
            {
                assertTrue(registered.await(10, TimeUnit.SECONDS));
                fillInPhases(table, memory, latest);
            }
            finally
            {
                stop.set(true); // the reader must be gone before the table closes, also when an assertion failed
                reader.join();
            }
            assertNull(failure.get());
            assertEquals(0, table.counters().outOfMemory());
            assertTrue(table.counters().evictions() > 0);
            assertTrue(table.pagesMoved() > 0, "memory moved between classes");
            assertTrue(table.allocatedBytes() <= memory);
        }
    }

    @Test
    void shouldNeverRefuseInCacheModeWhenTheWriterRunsOnItsReadersThread()
    {
        final long memory = 16L << 20;
        try (Table table = newTable(4, memory, MemoryMode.CACHE))
        {
            for (int p = 0; p < table.partitionCount(); p++)
            {
                table.writer(p).sharesThreadWithReaders(); // what a colocated server declares
            }
            try (QsbrReader lcore = table.registerReader("colocated-lcore"))
            {
                final int written = fillOnReaderThread(table, memory, lcore, false);
                assertEquals(0, table.counters().outOfMemory());
                assertTrue(table.counters().evictions() > 0);
                assertEquals(written, table.counters().items() + table.counters().evictions());
                assertNotEquals(ReaderSlot.OFFLINE, ((ReaderSlot)lcore).epochAcquire(), "the reader is back online");
                assertSlabsConsistent(table);
            }
        }
    }

    /** The same without the declaration: the writer's waits cannot end (its own reader is online), so it refuses. */
    @Test
    void shouldRefuseInCacheModeWhenAWriterOnItsReadersThreadWaitsForThem()
    {
        final long memory = 16L << 20;
        try (Table table = newTable(4, memory, MemoryMode.CACHE);
            QsbrReader lcore = table.registerReader("colocated-lcore"))
        {
            fillOnReaderThread(table, memory, lcore, true);
            assertTrue(table.counters().outOfMemory() > 0, "a write was refused");
        }
    }

    /**
     * One thread as a colocated server runs it: a write (writer agent), then the end of the lcore's duty cycle
     * (quiescent). Sizes change from unit classes to page classes and back, so memory must move between classes.
     *
     * @return writes made; with {@code stopAtRefusal} it stops at the first refused write, otherwise asserts none.
     */
    private int fillOnReaderThread(final Table table, final long memory, final QsbrReader reader, final boolean stopAtRefusal)
    {
        final int[][] phases = {{16, 200}, {20_000, 300_000}, {16, 1000}};
        final SplittableRandom random = new SplittableRandom(5);
        int written = 0;
        for (final int[] phase : phases)
        {
            long phaseBytes = 0;
            while (phaseBytes < 2 * memory)
            {
                final int length = phase[0] + random.nextInt(phase[1] - phase[0] + 1);
                final MemorySegment k = key("c-", written);
                final byte[] value = value(written, length);
                final int status = set(table, k, value);
                if (stopAtRefusal && status != Status.STORED)
                {
                    return written;
                }
                assertEquals(Status.STORED, status, "write " + written + " of " + length + " bytes");
                assertTrue(readsBack(table, k, value), "write " + written + " reads back");
                reader.quiescent(); // the end of the lcore's duty cycle
                phaseBytes += length;
                written++;
            }
        }
        return written;
    }

    private void fillInPhases(final Table table, final long memory, final AtomicInteger latest)
    {
        // phases of value sizes: unit classes, page classes, back, and a mix; each writes ~2x the memory
        final int[][] phases = {{16, 200}, {20_000, 300_000}, {16, 1000}, {2000, 9000}, {100_000, 600_000}, {16, 4000}};
        final SplittableRandom random = new SplittableRandom(3);
        int written = 0;
        for (final int[] phase : phases)
        {
            long phaseBytes = 0;
            while (phaseBytes < 2 * memory)
            {
                final int length = phase[0] + random.nextInt(phase[1] - phase[0] + 1);
                final MemorySegment k = key("k-", written);
                final byte[] value = value(written, length);
                final int status = set(table, k, value);
                assertEquals(Status.STORED, status, "write " + written + " of " + length + " bytes, phase " +
                    phase[0] + ".." + phase[1] + ": moved=" + table.pagesMoved() + " evictions=" +
                    table.counters().evictions());
                assertTrue(readsBack(table, k, value), "write " + written + " reads back");
                phaseBytes += length;
                written++;
                latest.setRelease(written);
            }
            assertSlabsConsistent(table);
        }
        assertEquals(written, table.counters().items() + table.counters().evictions(),
            "every write is an item or counted as evicted (keys are unique, nothing expires)");
        long readable = 0;
        for (int i = 0; i < written; i++)
        {
            final MemorySegment k = key("k-", i);
            if (table.get(k, 0, (int)k.byteSize(), view))
            {
                readable++;
            }
        }
        assertEquals(table.counters().items(), readable);
    }

    @Test
    void shouldRefuseInStoreModeOnlyWhenFullAndStoreAgainAfterDeletes()
    {
        final long memory = 16L << 20;
        try (Table table = newTable(4, memory, MemoryMode.STORE))
        {
            final SplittableRandom random = new SplittableRandom(11);
            int stored = 0;
            int status = Status.STORED;
            while (status == Status.STORED && stored < 200_000)
            {
                status = set(table, key("s-", stored), value(stored, 16 + random.nextInt(985)));
                if (status == Status.STORED)
                {
                    stored++;
                }
            }
            assertEquals(Status.OUT_OF_MEMORY, status);
            assertTrue(table.counters().bytes() > memory / 2,
                "refused only when full: " + table.counters().bytes() + " bytes of items in " + memory);
            assertEquals(0, table.counters().evictions());
            assertTrue(table.allocatedBytes() <= memory);
            assertTrue(table.get(key("s-", 0), 0, (int)key("s-", 0).byteSize(), view), "reads keep working");
            assertSlabsConsistent(table);

            for (int i = 0; i < stored; i++)
            {
                assertEquals(Status.DELETED, delete(table, key("s-", i)));
            }
            table.writer(0).doHousekeeping(10); // with no reader, retired memory is freed at once
            assertEquals(0, table.counters().items());
            // other sizes than before (a few page-class items among them): the emptied slabs move to the
            // classes that need them
            long bytes = 0;
            int large = 0;
            while (bytes < memory / 4)
            {
                final int length = large % 50 == 49 ? 200_000 : 1500 + random.nextInt(5500);
                final byte[] value = value(large, length);
                assertEquals(Status.STORED, set(table, key("large-", large), value), "large " + large);
                bytes += value.length;
                large++;
            }
            for (int i = 0; i < large; i++)
            {
                assertTrue(readsBack(table, key("large-", i), value(i, table.get(key("large-", i), 0,
                    (int)key("large-", i).byteSize(), view) ? view.valueLength() : 0)));
            }
            assertTrue(table.pagesMoved() > 0);
            assertEquals(0, table.counters().evictions());
            assertSlabsConsistent(table);
        }
    }

    @Test
    void shouldReturnAllArenaMemoryOnCloseAfterSlabsMoved()
    {
        final long memory = TableConfig.minimumMemoryBytes(4, ITEM_MAX);
        final Table table = newTable(4, memory, MemoryMode.CACHE);
        final SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++)
        {
            final int length = (i / 2000) % 2 == 0 ? 16 + random.nextInt(500) : 30_000 + random.nextInt(100_000);
            assertEquals(Status.STORED, set(table, key("c-", i), value(i, length)));
        }
        assertTrue(table.pagesMoved() > 0);
        assertTrue(table.allocatedBytes() > 0 && table.allocatedBytes() <= memory);
        assertSlabsConsistent(table);
        table.close();
        assertEquals(0, table.allocatedBytes());
        assertEquals(0, table.counters().items());
        assertEquals(0, table.counters().retiredNotFreedBytes());
    }

    @Test
    void shouldKeepSlabBookkeepingAndValuesRightUnderRandomMixedOperationsInCacheMode()
    {
        randomOperations(MemoryMode.CACHE);
    }

    @Test
    void shouldKeepSlabBookkeepingAndValuesRightUnderRandomMixedOperationsInStoreMode()
    {
        randomOperations(MemoryMode.STORE);
    }

    /**
     * Sets, appends and deletes over a key space whose value sizes drift between unit and page classes, in
     * the least memory 2 partitions accept; checks every item read against a model and the slab bookkeeping
     * every few hundred operations. Cache mode may lose an item only by a counted eviction and never refuses a
     * set; store mode never loses one.
     */
    private void randomOperations(final MemoryMode mode)
    {
        final long memory = TableConfig.minimumMemoryBytes(2, ITEM_MAX);
        try (Table table = newTable(2, memory, mode))
        {
            final int keys = 3000;
            final byte[][] model = new byte[keys][];
            final SplittableRandom random = new SplittableRandom(mode.ordinal() + 17);
            final ItemView out = new ItemView();
            final StoreSemantics semantics = new StoreSemantics();
            long refused = 0;
            long appendsRefused = 0;
            for (int op = 0; op < 60_000; op++)
            {
                final int k = random.nextInt(keys);
                final MemorySegment key = key("r-", k);
                final int keyLength = (int)key.byteSize();
                final PartitionWriter writer = table.writer(table.partitionOf(key, 0, keyLength));
                final int drift = op / 10_000; // 0..5: small, mixed, large, small, ...
                final int choice = random.nextInt(10);
                if (choice < 6)
                {
                    final int length = drift % 3 == 0 ? 1 + random.nextInt(300) :
                        drift % 3 == 1 ? 1 + random.nextInt(12_000) : 8_000 + random.nextInt(120_000);
                    final byte[] value = value(op, length);
                    final int status = set(table, key, value);
                    if (status == Status.STORED)
                    {
                        model[k] = value;
                    }
                    else
                    {
                        assertEquals(MemoryMode.STORE, mode, "cache mode refused op " + op);
                        assertEquals(Status.OUT_OF_MEMORY, status);
                        refused++;
                    }
                }
                else if (choice < 8)
                {
                    final byte[] tail = value(op, 1 + random.nextInt(2000));
                    final int status = semantics.store(writer, StoreSemantics.MODE_APPEND, key, 0, keyLength,
                        MemorySegment.ofArray(tail), 0, tail.length, 0, 0, 0, out);
                    if (status == Status.STORED)
                    {
                        assertNotNull(model[k], "append stored on a key the model lacks, op " + op);
                        final byte[] joined = java.util.Arrays.copyOf(model[k], model[k].length + tail.length);
                        System.arraycopy(tail, 0, joined, model[k].length, tail.length);
                        model[k] = joined;
                    }
                    else if (status == Status.NOT_STORED)
                    {
                        model[k] = null; // absent: deleted, or evicted in cache mode
                    }
                    else if (status == Status.OUT_OF_MEMORY)
                    {
                        // Cache mode too, in one corner: the old item an append copies from is pinned, and when it
                        // sits in the partition's only page while the new item's class needs a whole page, no
                        // memory can be freed for the copy (memcached refuses such an append the same way).
                        refused++;
                        appendsRefused++;
                    }
                    else
                    {
                        assertEquals(Status.TOO_LARGE, status, "append op " + op);
                    }
                }
                else
                {
                    final int status = delete(table, key);
                    if (mode == MemoryMode.STORE)
                    {
                        assertEquals(model[k] != null ? Status.DELETED : Status.NOT_FOUND, status, "op " + op);
                    }
                    model[k] = null;
                }
                final boolean present = table.get(key, 0, keyLength, view);
                if (present)
                {
                    assertArrayEquals(model[k], view.valueBytes(), "key " + k + " op " + op);
                }
                else if (mode == MemoryMode.STORE)
                {
                    assertNull(model[k], "store mode lost key " + k + " at op " + op);
                }
                if (op % 500 == 499)
                {
                    assertSlabsConsistent(table);
                }
            }
            for (int k = 0; k < keys; k++)
            {
                final MemorySegment key = key("r-", k);
                if (table.get(key, 0, (int)key.byteSize(), view))
                {
                    assertArrayEquals(model[k], view.valueBytes(), "key " + k);
                }
                else if (mode == MemoryMode.STORE)
                {
                    assertNull(model[k], "store mode lost key " + k);
                }
            }
            assertSlabsConsistent(table);
            assertTrue(table.allocatedBytes() <= memory);
            if (mode == MemoryMode.CACHE)
            {
                assertEquals(appendsRefused, table.counters().outOfMemory(), "cache mode refuses no set");
                assertTrue(appendsRefused < 20, "appends refused " + appendsRefused);
                assertTrue(table.counters().evictions() > 0, "the large phases overflow the memory");
            }
            else
            {
                assertEquals(0, table.counters().evictions());
                assertEquals(refused, table.counters().outOfMemory());
            }
        }
    }
}
