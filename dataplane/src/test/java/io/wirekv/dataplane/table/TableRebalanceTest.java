package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static io.wirekv.dataplane.proto.StoreSemantics.MODE_SET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Cache mode moves memory to the size class whose items are evicted youngest ({@link SlabRebalancer}): a table
 * filled with one size, whose writes then change to another, ends up holding the new size's working set, not
 * one slab of it.
 */
class TableRebalanceTest
{
    private static final long BUDGET = 2L << 20;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final ItemView view = new ItemView();

    @Test
    void shouldGiveAClassThatGrowsAfterTheFillTheMemoryOfOlderItems()
    {
        clock.update(1_700_000_000_000L);
        try (Table table = new Table(new TableConfig(1, BUDGET, MemoryMode.CACHE, 64 * 1024, false), clock, true))
        {
            final MemorySegment small = MemorySegment.ofArray(new byte[100]);
            for (int i = 0; i < 30_000; i++)
            {
                assertEquals(Status.STORED, set(table, "small-" + i, small));
            }
            assertTrue(table.counters().evictions() > 0, "memory is full of small items");

            // 200 large items (1 MB, half the budget), written over and over: the small ones are never touched again
            final MemorySegment large = MemorySegment.ofArray(new byte[5000]);
            final int keys = 200;
            for (int round = 0; round < 10; round++)
            {
                for (int i = 0; i < keys; i++)
                {
                    assertEquals(Status.STORED, set(table, "large-" + i, large));
                }
            }
            int present = 0;
            for (int i = 0; i < keys; i++)
            {
                final MemorySegment key = seg("large-" + i);
                if (table.get(key, 0, (int)key.byteSize(), view))
                {
                    present++;
                }
            }
            assertTrue(present >= keys * 9 / 10, "large items kept: " + present + " of " + keys +
                " (pages moved " + table.pagesMoved() + ")");
            assertTrue(table.allocatedBytes() <= BUDGET);
        }
    }

    @Test
    void shouldLeaveAClassWhoseItemsAreReadItsMemory()
    {
        clock.update(1_700_000_000_000L);
        try (Table table = new Table(new TableConfig(1, BUDGET, MemoryMode.CACHE, 64 * 1024, false), clock, true))
        {
            final MemorySegment small = MemorySegment.ofArray(new byte[100]);
            int smallKeys = 0;
            while (table.counters().evictions() == 0)
            {
                assertEquals(Status.STORED, set(table, "small-" + smallKeys++, small));
            }
            final int keptBefore = readSmall(table, 0, smallKeys);
            final long pagesMovedBefore = table.pagesMoved();
            final long evictionsBefore = table.counters().evictions();
            final MemorySegment large = MemorySegment.ofArray(new byte[5000]);
            for (int round = 0; round < 10; round++)
            {
                readSmall(table, 0, smallKeys);

                for (int i = 0; i < 200; i++)
                {
                    assertEquals(Status.STORED, set(table, "large-" + i, large));
                }
            }
            // the large class's first slab came from the small class (it had nothing to evict); after that it
            // evicts its own items: every small one still there was read since the small class's CLOCK last passed
            assertTrue(table.pagesMoved() - pagesMovedBefore <= 1, "no memory moved from read items");
            assertTrue(table.counters().evictions() - evictionsBefore >= 1_000, "the large class evicted its own");
            final int kept = readSmall(table, 0, smallKeys);
            assertTrue(kept >= keptBefore - 200, "read items kept: " + kept + " of " + keptBefore);
        }
    }

    private int readSmall(final Table table, final int from, final int to)
    {
        int present = 0;
        for (int i = from; i < to; i++)
        {
            final MemorySegment key = seg("small-" + i);
            if (table.get(key, 0, (int)key.byteSize(), view))
            {
                present++;
            }
        }
        return present;
    }

    private static MemorySegment seg(final String s)
    {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int set(final Table table, final String key, final MemorySegment value)
    {
        final MemorySegment k = seg(key);
        return new StoreSemantics().store(table.writer(0), MODE_SET, k, 0, (int)k.byteSize(), value, 0,
            (int)value.byteSize(), 0, 0, 0, new ItemView());
    }
}
