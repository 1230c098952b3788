package io.wirekv.dataplane.writer;

import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Table;
import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Loads, before a batch of write records is applied, the index slot and the item each record's probe will read:
 * first every record's slot, then every slot's item, so that the batch's cache misses overlap. Applied one by one,
 * a write's probe waits for two memory round trips in turn (slot, then item) behind a write's worth of other work
 * that the CPU cannot look past; at 1M keys that was half of a pipelined SET's time on the writer. Java has no
 * prefetch instruction, so these are plain loads whose results are summed into a field the JIT must keep.
 * <p>
 * It only reads: records stay on the ring for the writer to take as usual; records of other writers' partitions
 * and records without a key are skipped. The loads are {@link Table#loadAhead}'s.
 * Threading: the writer's own thread, the ring's consumer.
 */
final class RecordLookahead
{
    private final Table table;
    private final PartitionWriter[] writersByPartition;
    private final long[] hashes;
    private final int[] keyLengths;
    /** The loads' sum: a field, so that the JIT cannot drop loads nobody reads. */
    private long loaded;

    /** @param writersByPartition this writer's partitions' writers by partition id, null for other writers'. */
    RecordLookahead(final Table table, final PartitionWriter[] writersByPartition, final int maxRecords)
    {
        this.table = table;
        this.writersByPartition = writersByPartition;
        this.hashes = new long[maxRecords];
        this.keyLengths = new int[maxRecords];
    }

    /**
     * Loads ahead for up to {@code maxRecords} committed records at the head of {@code ring} (at most the capacity
     * given at construction).
     *
     * @return how many records it loaded for.
     */
    int loadAhead(final OneToOneRingBuffer ring, final int maxRecords)
    {
        final AtomicBuffer buffer = ring.buffer();
        final int mask = ring.capacity() - 1;
        final long limit = ring.producerPosition();
        long position = ring.consumerPosition();
        final int most = Math.min(maxRecords, hashes.length);
        int count = 0;
        while (position < limit && count < most)
        {
            final int at = (int)position & mask;
            final int recordLength = buffer.getIntVolatile(RecordDescriptor.lengthOffset(at)); // pairs with commit
            if (recordLength <= 0)
            {
                break;
            }
            position += BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
            if (buffer.getInt(RecordDescriptor.typeOffset(at)) != WriteRings.MSG_WRITE ||
                recordLength - RecordDescriptor.HEADER_LENGTH < WriteRecordDescriptor.HEADER_LENGTH)
            {
                continue; // padding before the wrap, or not a record
            }
            final int record = RecordDescriptor.encodedMsgOffset(at);
            final int partition = buffer.getInt(record + WriteRecordDescriptor.PARTITION_OFFSET, LITTLE_ENDIAN);
            final long hash = buffer.getLong(record + WriteRecordDescriptor.KEY_HASH_OFFSET, LITTLE_ENDIAN);
            if (hash != 0 && partition >= 0 && partition < writersByPartition.length &&
                null != writersByPartition[partition])
            {
                hashes[count] = hash;
                keyLengths[count] = buffer.getByte(record + WriteRecordDescriptor.KEY_LENGTH_OFFSET) & 0xFF;
                count++;
            }
        }
        loaded += table.loadAhead(hashes, keyLengths, count);
        return count;
    }
}
