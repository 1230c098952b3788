package io.wirekv.dataplane.table;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Loading ahead reads the index slot and the item a lookup of the key will compare, and nothing past its key. */
class IndexLookaheadTest
{
    private final Table table =
        new Table(new TableConfig(4, 16 << 20, MemoryMode.STORE, 1024 * 1024, false), new CachedEpochClock());

    @AfterEach
    void tearDown()
    {
        table.close();
    }

    @Test
    void shouldLoadTheItemTheProbeWillCompare()
    {
        final MemorySegment key = MemorySegment.ofArray("sixteen-byte-key".getBytes(StandardCharsets.ISO_8859_1));
        final long hash = Table.keyHash(key, 0, 16);
        final int partition = table.partitionOfHash(hash);
        assertEquals(0, IndexLookahead.loadItemKey(table.indexRef(partition).getAcquire(), hash, 16, null, 0),
            "no item yet");
        final MemorySegment value = MemorySegment.ofArray(new byte[32]);
        assertEquals(Status.STORED, table.writer(partition).publish(key, 0, 16, hash, value, 0, 32,
            MemorySegment.NULL, 0, 0, 0, 0, 0, 0, new ItemView()));
        final PartitionIndex index = table.indexRef(partition).getAcquire();
        assertEquals(16 + 'y', IndexLookahead.loadItemKey(index, hash, 16, null, 0),
            "the key's length and its last byte");
        assertEquals(16, IndexLookahead.loadItemKey(index, hash, 200, null, 0),
            "a longer key: nothing read past its own key");
        final long slot = IndexLookahead.loadHomeSlot(index, hash);
        assertNotEquals(0, slot);
        assertEquals(slot + 16 + 'y', table.loadAhead(new long[] {hash}, new int[] {16}, 1), "both steps, summed");
    }

    @Test
    void shouldLoadTheFoundItemsValueEndForReads()
    {
        final MemorySegment key = MemorySegment.ofArray("sixteen-byte-key".getBytes(StandardCharsets.ISO_8859_1));
        final long hash = Table.keyHash(key, 0, 16);
        final int partition = table.partitionOfHash(hash);
        final byte[] bytes = new byte[32];
        bytes[31] = 'z';
        assertEquals(Status.STORED, table.writer(partition).publish(key, 0, 16, hash, MemorySegment.ofArray(bytes), 0,
            32, MemorySegment.NULL, 0, 0, 0, 0, 0, 0, new ItemView()));
        final PartitionIndex index = table.indexRef(partition).getAcquire();
        final long[] items = {-1, -1};
        assertEquals(16 + 'y', IndexLookahead.loadItemKey(index, hash, 16, items, 0));
        assertNotEquals(0, items[0], "the found item's address is kept");
        assertEquals('z', IndexLookahead.loadValueEnd(items[0], 16), "the value's last byte");
        assertEquals(16, IndexLookahead.loadItemKey(index, hash, 200, items, 1), "another key's length");
        assertEquals(0, items[1], "no item kept for another key: nothing of it is read past its length");
        assertEquals(0, IndexLookahead.loadValueEnd(items[1], 200));
        final long slot = IndexLookahead.loadHomeSlot(index, hash);
        assertEquals(slot + 16 + 'y' + 'z', table.loadAheadForReads(new long[] {hash}, new int[] {16}, new long[1], 1),
            "the three steps, summed");
    }
}
