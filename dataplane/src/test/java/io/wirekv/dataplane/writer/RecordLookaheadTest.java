package io.wirekv.dataplane.writer;

import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.ring.SpscMessageRing;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer's look-ahead walks exactly the committed write records of its own partitions at the head of a ring
 * (across the ring's wrap, stopping at a claimed but uncommitted record). What it loads: {@code IndexLookaheadTest}.
 */
class RecordLookaheadTest
{
    private static final int PARTITIONS = 4;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final Table table =
        new Table(new TableConfig(PARTITIONS, 16 << 20, MemoryMode.STORE, 1024 * 1024, false), clock);
    private final SpscMessageRing ring = SpscMessageRing.forMaxMessage(256);
    private final WriteRecordEncoder encoder = new WriteRecordEncoder();

    @AfterEach
    void tearDown()
    {
        ring.close();
        table.close();
    }

    /** Writer 0 of 2: partitions 0 and 2. */
    private RecordLookahead lookaheadOfWriterZero()
    {
        final PartitionWriter[] byPartition = new PartitionWriter[PARTITIONS];
        byPartition[0] = table.writer(0);
        byPartition[2] = table.writer(2);
        return new RecordLookahead(table, byPartition, 64);
    }

    private int offer(final int partition, final String key, final boolean commit)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.ISO_8859_1);
        final int length = WriteRecordDescriptor.recordLength(keyBytes.length, 8);
        final int at = ring.tryClaim(WriteRings.MSG_WRITE, length);
        assertTrue(at >= 0, "ring full");
        final MemorySegment k = MemorySegment.ofArray(keyBytes);
        encoder.wrap(ring.memory(), at, length).opcode(WriteRecordDescriptor.OP_STORE).partition(partition)
            .keyHash(key.isEmpty() ? 0 : Table.keyHash(k, 0, keyBytes.length))
            .key(k, 0, keyBytes.length).value(MemorySegment.ofArray(new byte[8]), 0, 8);
        if (commit)
        {
            ring.commit(at);
        }
        return at;
    }

    private int drain()
    {
        return ring.ring().read((type, buffer, offset, length) -> { }, Integer.MAX_VALUE);
    }

    @Test
    void shouldLoadAheadForTheCommittedRecordsOfItsOwnPartitionsOnly()
    {
        final RecordLookahead lookahead = lookaheadOfWriterZero();
        final OneToOneRingBuffer buffer = ring.ring();
        assertEquals(0, lookahead.loadAhead(buffer, 64), "empty ring");

        offer(0, "a", true);
        offer(1, "b", true); // another writer's partition
        offer(2, "c", true);
        offer(0, "", true); // no key (flush_all): nothing to load
        offer(2, "d", true);
        assertEquals(3, lookahead.loadAhead(buffer, 64));
        assertEquals(2, lookahead.loadAhead(buffer, 2), "at most maxRecords");

        final int claimed = offer(0, "e", false);
        offer(0, "f", true);
        assertEquals(3, lookahead.loadAhead(buffer, 64), "stops at a record claimed and not yet committed");
        ring.commit(claimed);
        assertEquals(5, lookahead.loadAhead(buffer, 64));
        assertEquals(7, drain(), "only read: every record is still there for the writer");
        assertEquals(0, lookahead.loadAhead(buffer, 64));
    }

    @Test
    void shouldWalkAcrossTheRingsWrap()
    {
        final RecordLookahead lookahead = lookaheadOfWriterZero();
        final OneToOneRingBuffer buffer = ring.ring();
        int records = 0;
        // Fill and drain until the next record no longer fits before the end: it goes after a padding record.
        while (buffer.capacity() - (int)(buffer.producerPosition() % buffer.capacity()) >
            WriteRecordDescriptor.recordLength(1, 8) + 16)
        {
            offer(0, "x", true);
            records++;
            if (records % 8 == 0)
            {
                drain();
            }
        }
        drain();
        offer(0, "y", true);
        offer(2, "z", true);
        assertTrue(buffer.producerPosition() / buffer.capacity() > buffer.consumerPosition() / buffer.capacity() ||
            buffer.producerPosition() % buffer.capacity() < buffer.consumerPosition() % buffer.capacity(),
            "the records wrapped");
        assertEquals(2, lookahead.loadAhead(buffer, 64));
    }
}
