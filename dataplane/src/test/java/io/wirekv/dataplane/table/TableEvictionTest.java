package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.wirekv.dataplane.proto.StoreSemantics.MODE_SET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Cache mode's eviction order: the CLOCK keeps the items that are read, as memcached's LRU does by bumping an item
 * on a hit, not only the ones written last; a look that is not a use ({@link Table#peek}) leaves the order alone.
 */
class TableEvictionTest
{
    private static final long MEMORY = 4L << 20;
    private static final int VALUE_LENGTH = 100;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final ItemView view = new ItemView();
    private final StoreSemantics store = new StoreSemantics();
    private final MemorySegment value = MemorySegment.ofArray(new byte[VALUE_LENGTH]);

    @Test
    void shouldKeepReadItemsWhileNewWritesEvictUnreadOnes()
    {
        clock.update(1_700_000_000_000L);
        final TableConfig config =
            new TableConfig(1, MEMORY, MemoryMode.CACHE, TableConfig.DEFAULT_ITEM_SIZE_MAX_BYTES, false);
        try (Table table = new Table(config, clock, true))
        {
            // fill until the first eviction: the CLOCK's hand went round once clearing every item's bit (each was
            // set by its write), then took a batch; every item held now has its bit clear
            int written = 0;
            while (table.counters().evictions() == 0)
            {
                set(table, "old" + written++);
            }
            final List<String> read = new ArrayList<>();
            final List<String> peeked = new ArrayList<>();
            final List<String> unread = new ArrayList<>();
            for (int i = 0; i < written; i++)
            {
                final String k = "old" + i;
                if (has(table, k))
                {
                    (i % 4 == 0 ? read : i % 4 == 1 ? peeked : unread).add(k);
                }
            }
            assertTrue(read.size() > 1000, "held " + (read.size() + peeked.size() + unread.size()));
            for (final String k : read)
            {
                assertTrue(table.get(key(k), 0, k.length(), view));
            }
            for (final String k : peeked)
            {
                assertTrue(table.peek(null, key(k), 0, k.length(), view)); // meta's u flag: not a use
            }

            // new writes until half the unread items are gone: the hand, on its second round, takes the unread
            // items it comes to and passes over the read ones (clearing their bits for the round after)
            int fresh = 0;
            long unreadKept = unread.size();
            while (unreadKept > unread.size() / 2)
            {
                for (int i = 0; i < 256; i++)
                {
                    set(table, "new" + fresh++);
                }
                unreadKept = unread.stream().filter(k -> has(table, k)).count();
                assertTrue(fresh < written, "unread items never evicted");
            }
            final long readKept = read.stream().filter(k -> has(table, k)).count();
            assertEquals(read.size(), readKept, "read items evicted while " + unreadKept + " of " + unread.size() +
                " unread ones were kept, after " + fresh + " new writes");
            final long peekedKept = peeked.stream().filter(k -> has(table, k)).count();
            assertTrue(peekedKept < peeked.size() * 3L / 4, "peeked items kept as read ones: " + peekedKept + " of " +
                peeked.size());
        }
    }

    private void set(final Table table, final String k)
    {
        final MemorySegment key = key(k);
        assertEquals(Status.STORED, store.store(table.writer(0), MODE_SET, key, 0, (int)key.byteSize(),
            value, 0, VALUE_LENGTH, 0, 0, 0, new ItemView()));
    }

    private boolean has(final Table table, final String k)
    {
        final MemorySegment key = key(k);
        // a probe that is not a read: the writer's find does not set the bit
        return table.writer(0).find(key, 0, (int)key.byteSize(), view);
    }

    private static MemorySegment key(final String k)
    {
        return MemorySegment.ofArray(k.getBytes(StandardCharsets.ISO_8859_1));
    }
}
