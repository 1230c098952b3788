package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.wirekv.dataplane.proto.StoreSemantics.MODE_SET;
import static org.junit.jupiter.api.Assertions.*;

class TableMemoryTest
{
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final long BUDGET = 2L << 20;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final ItemView view = new ItemView();

    private static MemorySegment seg(final String s)
    {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private Table newTable(final MemoryMode mode)
    {
        clock.update(NOW_MS);
        return new Table(new TableConfig(1, BUDGET, mode, 64 * 1024, false), clock, true);
    }

    private static int set(final Table table, final String key, final MemorySegment value)
    {
        final MemorySegment k = seg(key);
        return new StoreSemantics().store(table.writer(0), MODE_SET, k, 0, (int)k.byteSize(), value, 0,
            (int)value.byteSize(), 0, 0, 0, new ItemView());
    }

    @Test
    void shouldRefuseWritesWhenFullInStoreModeButKeepReadsAndDeletes()
    {
        try (Table table = newTable(MemoryMode.STORE))
        {
            final MemorySegment value = MemorySegment.ofArray(new byte[200]);
            int stored = 0;
            int status = Status.STORED;
            while (status == Status.STORED && stored < 100_000)
            {
                status = set(table, "key-" + stored, value);
                if (status == Status.STORED)
                {
                    stored++;
                }
            }
            assertEquals(Status.OUT_OF_MEMORY, status);
            assertTrue(stored > 1000, "stored " + stored);
            assertTrue(table.allocatedBytes() <= BUDGET);
            assertTrue(table.counters().outOfMemory() > 0);
            assertEquals(0, table.counters().evictions());

            final MemorySegment first = seg("key-0");
            assertTrue(table.get(first, 0, (int)first.byteSize(), view), "reads keep working");
            assertEquals(Status.DELETED, new StoreSemantics().delete(table.writer(0), first, 0, (int)first.byteSize(), 0));
            assertEquals(Status.STORED, set(table, "fresh", value), "a delete frees room");
            assertEquals(stored, table.counters().items());
        }
    }

    @Test
    void shouldEvictWhenFullInCacheModeAndStayWithinBudget()
    {
        try (Table table = newTable(MemoryMode.CACHE))
        {
            final MemorySegment value = MemorySegment.ofArray(new byte[200]);
            for (int i = 0; i < 50_000; i++)
            {
                assertEquals(Status.STORED, set(table, "key-" + i, value), "cache mode never refuses, i=" + i);
            }
            assertTrue(table.counters().evictions() > 0);
            assertTrue(table.allocatedBytes() <= BUDGET);
            assertEquals(50_000, table.counters().items() + table.counters().evictions());
            final MemorySegment last = seg("key-49999");
            assertTrue(table.get(last, 0, (int)last.byteSize(), view), "the newest item is present");
        }
    }

    @Test
    void shouldMovePagesToANewSizeClassWhenFullInCacheMode()
    {
        try (Table table = newTable(MemoryMode.CACHE))
        {
            final MemorySegment small = MemorySegment.ofArray(new byte[100]);
            for (int i = 0; i < 30_000; i++)
            {
                assertEquals(Status.STORED, set(table, "small-" + i, small));
            }
            assertTrue(table.counters().evictions() > 0, "memory is full of small items");
            final MemorySegment large = MemorySegment.ofArray(new byte[5000]);
            int stored = 0;
            for (int i = 0; i < 2000; i++)
            {
                if (set(table, "large-" + i, large) == Status.STORED)
                {
                    stored++;
                }
            }
            assertTrue(stored >= 1990, "large items find room after pages move: " + stored);
            assertTrue(table.pagesMoved() > 0);
            assertTrue(table.allocatedBytes() <= BUDGET);
            final MemorySegment last = seg("large-1999");
            assertTrue(table.get(last, 0, (int)last.byteSize(), view));
            assertEquals(5000, view.valueLength());
            // and back: small items reclaim pages from the large class
            for (int i = 0; i < 30_000; i++)
            {
                final int status = set(table, "again-" + i, small);
                assertEquals(Status.STORED, status, "i=" + i + " items=" + table.counters().items() +
                    " alloc=" + table.allocatedBytes() + " moved=" + table.pagesMoved() + " retired=" +
                    table.counters().retiredNotFreedBytes() + " resizes=" + table.counters().resizes());
            }
        }
    }

    @Test
    void shouldEvictWithConcurrentReaderQuiescing() throws Exception
    {
        try (Table table = newTable(MemoryMode.CACHE))
        {
            final CountDownLatch registered = new CountDownLatch(1);
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread reader = new Thread(() ->
            {
                try (QsbrReader r = table.registerReader("reader"))
                {
                    registered.countDown();
                    final ItemView v = new ItemView();
                    final MemorySegment k = seg("key-1");
                    while (!stop.get())
                    {
                        table.get(k, 0, (int)k.byteSize(), v);
                        r.quiescent();
                    }
                }
            });
            reader.start();
            assertTrue(registered.await(10, TimeUnit.SECONDS));
            final MemorySegment value = MemorySegment.ofArray(new byte[200]);
            int oom = 0;
            for (int i = 0; i < 30_000; i++)
            {
                if (set(table, "key-" + i, value) != Status.STORED)
                {
                    oom++;
                }
            }
            stop.set(true);
            reader.join();
            assertEquals(0, oom, "cache mode with a live reader never refuses: it waits for the grace period");
            assertTrue(table.counters().evictions() > 0);
            assertTrue(table.allocatedBytes() <= BUDGET);
        }
    }

    @Test
    void shouldReportStalledReaderAndFreeAfterItQuiesces() throws Exception
    {
        try (Table table = newTable(MemoryMode.STORE))
        {
            final QsbrReader[] holder = new QsbrReader[1];
            final Thread t = new Thread(() -> holder[0] = table.registerReader("stalled"));
            t.start();
            t.join();
            final QsbrReader stalled = holder[0];
            final MemorySegment value = MemorySegment.ofArray(new byte[100]);
            for (int i = 0; i < 100; i++)
            {
                assertEquals(Status.STORED, set(table, "same", value));
            }
            table.writer(0).doHousekeeping(1000);
            assertTrue(table.counters().retiredNotFreedBytes() > 0, "held back by the stalled reader");
            assertEquals(0, table.counters().stalledReaders(), "not yet past the threshold");
            clock.advance(Table.STALL_THRESHOLD_MS + 500);
            assertTrue(table.counters().gracePeriodAgeMs() >= Table.STALL_THRESHOLD_MS + 500);
            assertEquals(1, table.counters().stalledReaders());

            stalled.quiescent();
            table.writer(0).doHousekeeping(1000);
            assertEquals(0, table.counters().retiredNotFreedBytes());
            assertEquals(0, table.counters().stalledReaders());
            assertEquals(0, table.counters().gracePeriodAgeMs());
            stalled.close();
        }
    }

    @Test
    void shouldBoundMemoryWhileAReaderStallsInStoreMode()
    {
        try (Table table = newTable(MemoryMode.STORE))
        {
            final QsbrReader stalled = table.registerReader("stalled");
            final MemorySegment value = MemorySegment.ofArray(new byte[500]);
            int status = Status.STORED;
            int writes = 0;
            while (status == Status.STORED && writes < 100_000)
            {
                status = set(table, "k" + (writes % 10), value);
                writes++;
            }
            assertEquals(Status.OUT_OF_MEMORY, status, "retired memory counts against the budget");
            assertTrue(table.allocatedBytes() <= BUDGET);
            stalled.close();
            table.writer(0).doHousekeeping(10);
            assertEquals(0, table.counters().retiredNotFreedBytes());
            assertEquals(Status.STORED, set(table, "k0", value));
        }
    }

    @Test
    void shouldIgnoreOfflineReaderForGracePeriods()
    {
        try (Table table = newTable(MemoryMode.STORE))
        {
            final QsbrReader reader = table.registerReader("idle");
            reader.offline();
            final MemorySegment value = MemorySegment.ofArray(new byte[100]);
            set(table, "k", value);
            set(table, "k", value);
            table.writer(0).doHousekeeping(10);
            assertEquals(0, table.counters().retiredNotFreedBytes());
            reader.online();
            set(table, "k", value);
            table.writer(0).doHousekeeping(10);
            assertTrue(table.counters().retiredNotFreedBytes() > 0);
            reader.quiescent();
            table.writer(0).doHousekeeping(10);
            assertEquals(0, table.counters().retiredNotFreedBytes());
            reader.close();
        }
    }

    @Test
    void shouldFreeEverythingOnCloseWithItemsAndRetiredMemoryOutstanding()
    {
        final Table table = newTable(MemoryMode.CACHE);
        final QsbrReader reader = table.registerReader("holder");
        final MemorySegment value = MemorySegment.ofArray(new byte[300]);
        for (int i = 0; i < 3000; i++)
        {
            set(table, "key-" + (i % 500), value);
        }
        assertTrue(table.counters().retiredNotFreedBytes() > 0);
        assertTrue(table.allocatedBytes() > 0);
        reader.close();
        table.close();
        assertEquals(0, table.allocatedBytes());
        assertEquals(0, table.counters().retiredNotFreedBytes());
        assertEquals(0, table.counters().items());
    }
}
