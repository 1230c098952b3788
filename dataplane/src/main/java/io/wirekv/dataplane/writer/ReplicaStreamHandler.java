package io.wirekv.dataplane.writer;

import io.wirekv.dataplane.log.DataDirectory;
import io.wirekv.dataplane.log.PartitionLog;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.replication.ReplicationRings;
import io.wirekv.dataplane.ring.SpscMessageRing;
import io.wirekv.dataplane.snapshot.SnapshotDirectory;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;

/**
 * A backup writer's side of the replication stream ({@link ReplicationRings}): applies each replicated effect record
 * with the recovery path ({@link WriteApplier#replay}) and appends it to the partition's own log with the primary's
 * sequence; applies a full sync's scan records without logging them; restarts a partition's log on RESET. A record
 * waits in the ring (the stream backs up) while its log refuses writes (a full disk), so none is skipped.
 * Threading: the writer thread only; allocation-free except on RESET.
 */
final class ReplicaStreamHandler implements ControlledMessageHandler
{
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final WriteApplier applier;
    private final PartitionLog[] logs;
    private final ReplicationRings rings;
    private final SpscMessageRing ring;
    private final DataDirectory directory;
    private final io.wirekv.dataplane.table.Table table;

    ReplicaStreamHandler(final WriteApplier applier, final PartitionLog[] logs, final ReplicationRings rings,
        final int writer, final DataDirectory directory, final io.wirekv.dataplane.table.Table table)
    {
        this.table = table;
        this.applier = applier;
        this.logs = logs;
        this.rings = rings;
        this.ring = rings.ring(writer);
        this.directory = directory;
    }

    int drain(final int limit)
    {
        return ring.ring().controlledRead(this, limit);
    }

    @Override
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final MemorySegment memory = ring.memory();
        final int partition = memory.get(LE_INT, offset + (msgTypeId == ReplicationRings.MSG_RECORD ||
            msgTypeId == ReplicationRings.MSG_SCAN ? WriteRecordDescriptor.PARTITION_OFFSET :
            ReplicationRings.CONTROL_PARTITION_OFFSET));
        final PartitionLog log = partition >= 0 && partition < logs.length ? logs[partition] : null;
        if (null == log)
        {
            rings.fail("a replicated message names partition " + partition + ", not one of this writer's");
            return Action.CONTINUE;
        }
        switch (msgTypeId)
        {
            case ReplicationRings.MSG_RECORD ->
            {
                if (log.admit() != PartitionLog.ADMITTED)
                {
                    return Action.ABORT; // the log refuses (disk full): the record waits, the stream backs up
                }
                replay(memory, offset, length, partition);
                if (log.appendSealed(memory, offset, length) < 0)
                {
                    rings.fail("partition " + partition + ": record " + memory.get(LE_LONG,
                        offset + WriteRecordDescriptor.SEQUENCE_OFFSET) + " is not the log's next (" +
                        (log.appendedSequence() + 1) + ")");
                }
            }
            case ReplicationRings.MSG_SCAN -> replay(memory, offset, length, partition);
            case ReplicationRings.MSG_RESET -> reset(partition, log, memory.get(LE_LONG,
                offset + ReplicationRings.CONTROL_BASE_OFFSET));
            case ReplicationRings.MSG_SCAN_END -> rings.scanEnded(partition, memory.get(LE_LONG,
                offset + ReplicationRings.CONTROL_BASE_OFFSET));
            default -> rings.fail("unknown replication ring message " + msgTypeId);
        }
        return Action.CONTINUE;
    }

    /** Applies an effect record; the table's CAS counter passes its CAS, so a promoted backup never reuses one. */
    private void replay(final MemorySegment memory, final int offset, final int length, final int partition)
    {
        applier.replay(memory, offset, length, partition);
        if (memory.get(ValueLayout.JAVA_BYTE, offset + WriteRecordDescriptor.OPCODE_OFFSET) ==
            WriteRecordDescriptor.OP_RESTORE)
        {
            table.advanceCasPast(memory.get(LE_LONG, offset + WriteRecordDescriptor.NEW_CAS_OFFSET));
        }
    }

    /** Full sync: marker first (a restart then knows), the partition's snapshots go, its log restarts after base. */
    private void reset(final int partition, final PartitionLog log, final long base)
    {
        try
        {
            final java.nio.file.Path marker = ReplicationRings.marker(directory.partitionLogDir(partition));
            if (!Files.exists(marker))
            {
                Files.createFile(marker);
            }
            new SnapshotDirectory(directory.snapshotDir()).deleteOlder(partition, Long.MAX_VALUE);
            log.restartAt(base);
        }
        catch (final IOException | RuntimeException ex)
        {
            rings.fail("partition " + partition + ": the full sync's reset failed: " + ex);
        }
    }
}
