package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import io.wirekv.hugepages.PageSize;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The table's slab pages come from hugepages when they are reserved and asked for. */
class TableHugepagesTest
{
    private static final long MEMORY_BYTES = 16L * 1024 * 1024;

    @Test
    void shouldBackSlabPagesWithHugepagesWhenReserved()
    {
        assumeTrue(PageSize.HUGE_2M.freePages() * PageSize.HUGE_2M.bytes() >= 2 * MEMORY_BYTES,
            "needs free 2 MiB hugepages: reserve them with deploy/install-deps.sh (as root)");
        try (Table table = new Table(new TableConfig(4, MEMORY_BYTES, MemoryMode.STORE, 1024 * 1024, true), new CachedEpochClock()))
        {
            assertTrue(table.isHugepageBacked(), table.describeMemory());
            assertTrue(table.describeMemory().contains("hugetlb"), table.describeMemory());
            shouldStoreAndRead(table);
        }
    }

    @Test
    void shouldUseOrdinaryPagesWhenHugepagesAreNotWanted()
    {
        try (Table table = new Table(new TableConfig(4, MEMORY_BYTES, MemoryMode.STORE, 1024 * 1024, false), new CachedEpochClock()))
        {
            assertFalse(table.isHugepageBacked(), table.describeMemory());
            shouldStoreAndRead(table);
        }
    }

    private static void shouldStoreAndRead(final Table table)
    {
        try (Arena arena = Arena.ofConfined(); QsbrReader reader = table.registerReader("test"))
        {
            final MemorySegment key = arena.allocateFrom("hp:key", StandardCharsets.US_ASCII);
            final MemorySegment value = arena.allocateFrom("value", StandardCharsets.US_ASCII);
            final int keyLength = 6;
            final int partition = table.partitionOf(key, 0, keyLength);
            final ItemView view = new ItemView();
            assertEquals(Status.STORED, new StoreSemantics().store(table.writer(partition),
                StoreSemantics.MODE_SET, key, 0, keyLength, value, 0, 5, 0, 0, 0, view));
            assertTrue(table.get(key, 0, keyLength, view));
            assertEquals(5, view.valueLength());
            reader.quiescent();
        }
    }
}
