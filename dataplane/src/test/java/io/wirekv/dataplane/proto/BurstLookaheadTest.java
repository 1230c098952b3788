package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A burst's look-ahead takes the first key of exactly the text get/gets and meta mg requests, and nothing else. */
class BurstLookaheadTest
{
    private final Table table =
        new Table(new TableConfig(4, 16 << 20, MemoryMode.CACHE, 1024 * 1024, false), new CachedEpochClock());
    private final KeyLookahead keys = new KeyLookahead(table);
    private final BurstLookahead burst = new BurstLookahead(keys);

    @AfterEach
    void tearDown()
    {
        table.close();
    }

    /** The keys {@code request} (after an 8-byte frame header) adds, as their hashes. */
    private void assertAdds(final String request, final String... expected)
    {
        keys.clear();
        final byte[] bytes = ("12345678" + request).getBytes(StandardCharsets.ISO_8859_1);
        burst.addRequest(MemorySegment.ofArray(bytes), 8, bytes.length - 8);
        assertEquals(expected.length, keys.count(), request);
        for (int i = 0; i < expected.length; i++)
        {
            final MemorySegment key = MemorySegment.ofArray(expected[i].getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(Table.keyHash(key, 0, (int)key.byteSize()), keys.hash(i), request);
        }
    }

    @Test
    void shouldTakeTheFirstKeyOfGetsOnly()
    {
        assertAdds("get foo\r\n", "foo");
        assertAdds("get foo bar\r\n", "foo");
        assertAdds("gets  bar baz\r\n", "bar");
        assertAdds("mg k v t\r\n", "k");
        assertAdds("get ab", "ab"); // no line end in the datagram: still a key to look at
        assertAdds("get foo\n", "foo");
        assertAdds("set x 0 0 1\r\na\r\n");
        assertAdds("get\r\n");
        assertAdds("get \r\n");
        assertAdds("getx y\r\n");
        assertAdds("gat 0 k\r\n");
        assertAdds("g");
        assertAdds("");
        assertAdds("get " + "k".repeat(250) + "\r\n", "k".repeat(250));
        assertAdds("get " + "k".repeat(251) + "\r\n"); // longer than memcached allows: not a key
    }

    @Test
    void shouldLoadAheadForABurstAndAMultiGetWithoutAllocating()
    {
        try (Table big = new Table(new TableConfig(4, 256 << 20, MemoryMode.CACHE, 1024 * 1024, false),
            new CachedEpochClock()))
        {
            final ItemView view = new ItemView();
            final MemorySegment value = MemorySegment.ofArray(new byte[48]);
            final int keys = 500_000; // about 50 MiB of items: past KeyLookahead.MIN_TABLE_BYTES
            for (int i = 0; i < keys; i++)
            {
                final MemorySegment key = key(i);
                assertEquals(Status.STORED, big.writer(big.partitionOf(key, 0, 16))
                    .publish(key, 0, 16, value, 0, 48, MemorySegment.NULL, 0, 0, 0, 0, 0, 0, view));
            }
            final TableReads reads = new TableReads(big);
            final BurstLookahead bigBurst = new BurstLookahead(reads.lookahead());
            final MemorySegment[] burstRequests = new MemorySegment[32];
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < burstRequests.length; i++)
            {
                burstRequests[i] = MemorySegment.ofArray(("12345678get " + keyString(i * 7919) + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
                line.append(' ').append(keyString(i * 104_729 % keys));
            }
            final MemorySegment multiGet = MemorySegment.ofArray(line.toString().getBytes(StandardCharsets.ISO_8859_1));
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            long allocated = -1;
            int hits = 0;
            int lookups = 0;
            for (int round = 0; round < 20 && allocated != 0; round++) // until compiled: then a round allocates 0
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 2_000; i++)
                {
                    assertTrue(bigBurst.begin());
                    for (final MemorySegment request : burstRequests)
                    {
                        bigBurst.addRequest(request, 8, (int)request.byteSize() - 8);
                    }
                    bigBurst.load();
                    final int loaded = reads.loadAhead(multiGet, 1, multiGet.byteSize());
                    for (int k = 0; k < loaded; k++)
                    {
                        hits += reads.getLoadedAhead(multiGet, 1 + 17L * k, 16, k) ? 1 : 0;
                        lookups++;
                    }
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, allocated, "bytes allocated by 2,000 bursts of 32 gets and 16-key windows loaded ahead");
            assertTrue(lookups > 0);
            assertEquals(lookups, hits, "every key looked up with the hash kept from loading ahead is found");
        }
    }

    private static String keyString(final int i)
    {
        return String.format("key-%012d", i);
    }

    private static MemorySegment key(final int i)
    {
        return MemorySegment.ofArray(keyString(i).getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void shouldNotPayForATableThatFitsTheCache()
    {
        assertFalse(burst.begin(), "an empty 16 MiB table");
        assertEquals(0, keys.count());
    }
}
