package io.wirekv.dataplane.snapshot;

import com.sun.management.ThreadMXBean;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.PartitionScanner;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A snapshot of one million small items of a real table: written from a lock-free scan, fsynced, read back and
 * compared item by item with the table; throughput printed, and neither side allocating per item.
 */
class SnapshotRoundTripTest
{
    private static final int ITEMS = Integer.getInteger("wirekv.snapshot.items", 1_000_000);
    private static final long NOW_S = 1_700_000_000L;

    private final CachedEpochClock clock = new CachedEpochClock();
    private Path directory;

    @BeforeEach
    void setUp() throws IOException
    {
        directory = SnapshotTestFiles.newDirectory("round-trip");
        clock.update(NOW_S * 1000);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        SnapshotTestFiles.delete(directory);
    }

    private static long allocatedBytes()
    {
        return ((ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldRoundTripAMillionItemsWithoutAllocatingPerItem() throws IOException
    {
        try (Table table = new Table(new TableConfig(1, 320L << 20, MemoryMode.STORE, 1 << 20, false), clock))
        {
            final PartitionWriter writer = table.writer(0);
            final ItemView out = new ItemView();
            final MemorySegment key = MemorySegment.ofArray(new byte[16]);
            final MemorySegment value = MemorySegment.ofArray(new byte[32]);
            final MemorySegment empty = MemorySegment.ofArray(new byte[0]);
            for (int i = 0; i < ITEMS; i++)
            {
                fill(key, value, i);
                assertEquals(Status.STORED, writer.publish(key, 0, 16, value, 0, 32, empty, 0, 0,
                    i, i % 3 == 0 ? NOW_S + 100_000 + i : 0, 0, i & 1, out));
            }
            final long valueBytes = (long)ITEMS * (16 + 32);

            final SnapshotInfo written;
            final long writeAllocated;
            try (QsbrReader reader = table.registerReader("snapshot-test");
                SnapshotWriter snapshot = new SnapshotWriter(directory, clock))
            {
                final PartitionScanner scanner = new PartitionScanner(table);
                snapshot.begin(0, 12345);
                scanner.scan(0, reader, snapshot); // warm-up pass, not written: begin again below
                snapshot.abort();
                final long startNs = System.nanoTime();
                snapshot.begin(0, 12345);
                final long before = allocatedBytes();
                final long visited = scanner.scan(0, reader, snapshot);
                writeAllocated = allocatedBytes() - before;
                written = snapshot.finish();
                final long ns = System.nanoTime() - startNs;
                assertEquals(ITEMS, visited);
                System.out.printf("snapshot write of %,d items (%,d bytes of keys and values, %,d file bytes): %d ms, " +
                        "%,.0f items/s, %.0f MB/s, fsync and rename included%n", ITEMS, valueBytes, written.fileBytes(),
                    ns / 1_000_000, ITEMS * 1e9 / ns, written.fileBytes() * 1e3 / ns);
            }
            assertEquals(ITEMS, written.items());
            assertEquals(12345, written.sequence());
            assertTrue(writeAllocated < 64 * 1024,
                "the scan and the writer allocated " + writeAllocated + " bytes for " + ITEMS + " items");

            final SnapshotReader reader = new SnapshotReader();
            reader.verify(written.file(), 0); // warm-up
            final long startNs = System.nanoTime();
            final long before = allocatedBytes();
            final SnapshotInfo verified = reader.verify(written.file(), 0);
            final long readAllocated = allocatedBytes() - before;
            final long ns = System.nanoTime() - startNs;
            System.out.printf("snapshot read (verify every CRC) of %,d items: %d ms, %,.0f items/s, %.0f MB/s%n",
                ITEMS, ns / 1_000_000, ITEMS * 1e9 / ns, verified.fileBytes() * 1e3 / ns);
            assertEquals(ITEMS, verified.items());
            assertTrue(readAllocated < 64 * 1024, "the reader allocated " + readAllocated + " bytes for " + ITEMS + " items");

            // every item back, equal to the table's, once
            final BitSet seen = new BitSet(ITEMS);
            final ItemView found = new ItemView();
            final long loadStartNs = System.nanoTime();
            reader.read(written.file(), 0, (k, keyOffset, keyLength, flags, exp, cas, storedAt, meta, v, valueOffset,
                valueLength) ->
            {
                assertEquals(16, keyLength);
                final int i = (int)k.get(ValueLayout.JAVA_LONG_UNALIGNED, keyOffset);
                assertFalse(seen.get(i), "once: " + i);
                seen.set(i);
                assertTrue(table.peek(null, k, keyOffset, keyLength, found), "in the table: " + i); // a look: no bump
                assertEquals(found.clientFlags(), flags);
                assertEquals(found.expiresAtSeconds(), exp);
                assertEquals(found.cas(), cas);
                assertEquals(found.storedAtSeconds(), storedAt);
                assertEquals(found.metaBits(), meta);
                assertEquals(found.valueLength(), valueLength);
                assertEquals(-1, MemorySegment.mismatch(found.segment(), found.valueOffset(),
                    found.valueOffset() + valueLength, v, valueOffset, valueOffset + valueLength), "value of " + i);
                assertEquals(-1, MemorySegment.mismatch(found.segment(), found.keyOffset(),
                    found.keyOffset() + keyLength, k, keyOffset, keyOffset + keyLength), "key of " + i);
            });
            System.out.printf("snapshot read and compared with the table: %d ms%n",
                (System.nanoTime() - loadStartNs) / 1_000_000);
            assertEquals(ITEMS, seen.cardinality());

            // recovery: the snapshot loaded into a fresh table equals the first, field by field
            clock.update((NOW_S + 100_000 + ITEMS / 2) * 1000L); // half of the expiring third has expired
            try (Table restored = new Table(new TableConfig(1, 320L << 20, MemoryMode.STORE, 1 << 20, false), clock))
            {
                final SnapshotItemRestorer loader = new SnapshotItemRestorer(restored).reset(0);
                final long loadNs = System.nanoTime();
                reader.read(written.file(), 0, loader);
                final long loadedNs = System.nanoTime() - loadNs;
                System.out.printf("snapshot loaded into a table: %,d items (%,d expired skipped) in %d ms, %,.0f items/s%n",
                    loader.loaded(), loader.expired(), loadedNs / 1_000_000, ITEMS * 1e9 / loadedNs);
                assertEquals(0, loader.refused());
                assertEquals(ITEMS, loader.loaded() + loader.expired());
                assertTrue(loader.expired() > ITEMS / 10, "expired items were skipped: " + loader.expired());
                assertEquals(loader.loaded(), restored.counters().items());
                final long[] compared = new long[1];
                final long[] maxCas = new long[1];
                try (QsbrReader scanReader = restored.registerReader("compare"))
                {
                    restored.forEachItem(0, scanReader, item ->
                    {
                        assertTrue(table.peek(null, item.segment(), item.keyOffset(), item.keyLength(), found));
                        assertEquals(found.cas(), item.cas());
                        assertEquals(found.clientFlags(), item.clientFlags());
                        assertEquals(found.expiresAtSeconds(), item.expiresAtSeconds());
                        assertEquals(found.storedAtSeconds(), item.storedAtSeconds());
                        assertEquals(found.metaBits(), item.metaBits());
                        assertEquals(-1, MemorySegment.mismatch(found.segment(), found.valueOffset(),
                            found.valueOffset() + found.valueLength(), item.segment(), item.valueOffset(),
                            item.valueOffset() + item.valueLength()));
                        maxCas[0] = Math.max(maxCas[0], found.cas());
                        compared[0]++;
                        return true;
                    });
                }
                assertEquals(loader.loaded(), compared[0]);
                assertTrue(loader.maxCas() >= maxCas[0]);
            }
        }
    }

    private static void fill(final MemorySegment key, final MemorySegment value, final int i)
    {
        key.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
        key.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0x6b65792d6b65792dL); // "-yek-yek"
        for (int j = 0; j < 32; j += 8)
        {
            value.set(ValueLayout.JAVA_LONG_UNALIGNED, j, i * 0x9E3779B97F4A7C15L + j);
        }
    }
}
