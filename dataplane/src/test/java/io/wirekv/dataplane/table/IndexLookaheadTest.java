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
        assertEquals(0, IndexLookahead.loadItemKey(table.indexRef(partition).getAcquire(), hash, 16), "no item yet");
        final MemorySegment value = MemorySegment.ofArray(new byte[32]);
        assertEquals(Status.STORED, table.writer(partition).publish(key, 0, 16, hash, value, 0, 32,
            MemorySegment.NULL, 0, 0, 0, 0, 0, 0, new ItemView()));
        final PartitionIndex index = table.indexRef(partition).getAcquire();
        assertEquals(16 + 'y', IndexLookahead.loadItemKey(index, hash, 16), "the key's length and its last byte");
        assertEquals(16, IndexLookahead.loadItemKey(index, hash, 200), "a longer key: nothing read past its own key");
        final long slot = IndexLookahead.loadHomeSlot(index, hash);
        assertNotEquals(0, slot);
        assertEquals(slot + 16 + 'y', table.loadAhead(new long[] {hash}, new int[] {16}, 1), "both steps, summed");
    }
}
