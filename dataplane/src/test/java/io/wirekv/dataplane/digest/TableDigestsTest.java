package io.wirekv.dataplane.digest;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Digests of two real tables: equal for equal items written in any order, different after any visible change. */
class TableDigestsTest
{
    private static final long NOW_S = 1_700_000_000L;
    private static final int PARTITIONS = 4;
    private static final int ITEMS = 3000;
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    @Test
    void shouldGiveEqualDigestsForEqualItemsWrittenInAnyOrderAndDifferentOnesForAnyVisibleChange() throws Exception
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW_S * 1000);
        try (Table a = table(clock); Table b = table(clock); TableDigests da = new TableDigests(a);
            TableDigests db = new TableDigests(b))
        {
            for (int i = 0; i < ITEMS; i++)
            {
                put(a, i, "value-" + i, i, i % 2 == 0 ? 0 : NOW_S + 1000, 1000 + i);
            }
            // b: the other order, and with churn first, so its items sit in other slots and slabs
            for (int i = 0; i < ITEMS; i++)
            {
                put(b, ITEMS + i, "churn", 0, 0, 0);
            }
            for (int i = ITEMS - 1; i >= 0; i--)
            {
                put(b, i, "value-" + i, i, i % 2 == 0 ? 0 : NOW_S + 1000, 1000 + i);
            }
            for (int i = 0; i < ITEMS; i++)
            {
                final MemorySegment k = key(ITEMS + i);
                assertTrue(b.writer(b.partitionOf(k, 0, (int)k.byteSize())).unlink(k, 0, (int)k.byteSize()));
            }
            final List<PartitionDigest> equal = digest(da);
            assertEquals(equal, digest(db));
            assertEquals(ITEMS, PartitionDigest.total(equal).items());
            assertTrue(equal.stream().allMatch(p -> p.items() > 0 && p.digest() != 0), equal.toString());

            final int key = 17;
            final int changed = a.partitionOf(key(key), 0, (int)key(key).byteSize());
            assertOnlyPartitionDiffers(da, db, changed, () -> put(b, key, "value-x", key, NOW_S + 1000, 1000 + key));
            assertOnlyPartitionDiffers(da, db, changed, () -> put(b, key, "value-" + key, key + 1, NOW_S + 1000, 1000 + key));
            assertOnlyPartitionDiffers(da, db, changed, () -> put(b, key, "value-" + key, key, NOW_S + 1001, 1000 + key));
            assertOnlyPartitionDiffers(da, db, changed, () -> put(b, key, "value-" + key, key, NOW_S + 1000, 999_999));
            put(b, key, "value-" + key, key, NOW_S + 1000, 1000 + key);
            assertEquals(equal, digest(db), "the same item again: the same digest");

            // an item that expires counts while it lives, and not once it has expired
            int shortLived = ITEMS * 3;
            while (b.partitionOf(key(shortLived), 0, (int)key(shortLived).byteSize()) != changed)
            {
                shortLived++;
            }
            final int expiring = shortLived;
            assertOnlyPartitionDiffers(da, db, changed, () -> put(b, expiring, "short-lived", 0, NOW_S + 10, 7));
            clock.update((NOW_S + 11) * 1000);
            assertEquals(equal, digest(db), "expired items do not count");

            b.flush(NOW_S + 11, true);
            assertEquals(PartitionDigest.total(List.of()), PartitionDigest.total(digest(db)), "flushed items do not count");
        }
    }

    @Test
    void shouldDigestOnePartitionAndRefuseOneThatDoesNotExist() throws Exception
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW_S * 1000);
        try (Table a = table(clock); TableDigests digests = new TableDigests(a))
        {
            for (int i = 0; i < 100; i++)
            {
                put(a, i, "v" + i, 0, 0, 1 + i);
            }
            final List<PartitionDigest> all = digest(digests);
            assertEquals(List.of(all.get(2)), digests.digest(2).get(30, TimeUnit.SECONDS));
            assertEquals(all, PartitionDigest.parse(digests.digestText(TableDigests.ALL).get(30, TimeUnit.SECONDS)));
            final Exception ex = assertThrows(Exception.class, () -> digests.digest(PARTITIONS).get(30, TimeUnit.SECONDS));
            assertTrue(ex.getCause().getMessage().contains("there is no partition 4: this instance has 4 (0..3)"),
                ex.getCause().getMessage());
        }
    }

    @Test
    void shouldAnswerARunningDigestBeforeCloseReturnsAndRefuseNewOnes() throws Exception
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW_S * 1000);
        try (Table a = table(clock))
        {
            for (int i = 0; i < 50_000; i++)
            {
                put(a, i, "v", 0, 0, 1 + i);
            }
            final TableDigests digests = new TableDigests(a);
            final java.util.concurrent.CompletableFuture<List<PartitionDigest>> running = digests.digest(TableDigests.ALL);
            digests.close();
            // the scan stopped (or finished) and its thread let go of the table: the table may now be closed
            assertTrue(running.isDone(), "answered before close returned");
            final Exception ex = assertThrows(Exception.class, () -> digests.digest(0).get(30, TimeUnit.SECONDS));
            assertTrue(ex.getCause().getMessage().contains("closing"), ex.getCause().getMessage());
        }
    }

    private interface Change
    {
        void apply();
    }

    private static void assertOnlyPartitionDiffers(
        final TableDigests a, final TableDigests b, final int partition, final Change change) throws Exception
    {
        change.apply();
        final List<PartitionDigest> left = digest(a);
        final List<PartitionDigest> right = digest(b);
        for (int p = 0; p < PARTITIONS; p++)
        {
            if (p == partition)
            {
                assertNotEquals(left.get(p).digest(), right.get(p).digest(), "partition " + p + " changed");
            }
            else
            {
                assertEquals(left.get(p), right.get(p), "partition " + p + " untouched");
            }
        }
        assertNotEquals(PartitionDigest.total(left).digest(), PartitionDigest.total(right).digest());
    }

    private static List<PartitionDigest> digest(final TableDigests digests) throws Exception
    {
        return digests.digest(TableDigests.ALL).get(30, TimeUnit.SECONDS);
    }

    private static Table table(final CachedEpochClock clock)
    {
        return new Table(new TableConfig(PARTITIONS, 64L << 20, MemoryMode.STORE, 1 << 20, false), clock);
    }

    private static MemorySegment key(final int i)
    {
        return MemorySegment.ofArray(("key:" + i).getBytes(StandardCharsets.US_ASCII));
    }

    private static void put(
        final Table table, final int key, final String value, final int flags, final long expiresAt, final long cas)
    {
        final MemorySegment k = key(key);
        final MemorySegment v = MemorySegment.ofArray(value.getBytes(StandardCharsets.US_ASCII));
        assertEquals(Status.STORED, table.writer(table.partitionOf(k, 0, (int)k.byteSize())).publish(
            k, 0, (int)k.byteSize(), v, 0, (int)v.byteSize(), EMPTY, 0, 0, flags, expiresAt, cas, 0, new ItemView()));
    }
}
