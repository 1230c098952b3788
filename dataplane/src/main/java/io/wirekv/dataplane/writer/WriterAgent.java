package io.wirekv.dataplane.writer;

import io.wirekv.dataplane.log.PartitionLog;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteReplyDescriptor;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.replication.Replication;
import io.wirekv.dataplane.replication.ReplicationCounters;
import io.wirekv.dataplane.replication.ReplicationSettings;
import io.wirekv.dataplane.replication.ReplicationState;
import io.wirekv.dataplane.ring.SpscMessageRing;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.ClockTicker;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Table;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;


/**
 * The single writer of the partitions {@code p} with {@code p % writers == index}. Each duty
 * cycle it drains the request ring from every reader, applies each write record through
 * {@link WriteApplier} and puts the binary reply on that reader's reply ring; once a millisecond it
 * runs the table's housekeeping (expired items from the expiry wheel, eviction, reclamation of
 * retired memory), so that it neither steals a shared core in every idle cycle nor starves under
 * constant writes.
 * <p>
 * A command is taken off its ring only when the reply ring back to its reader has room for the
 * largest possible reply, so a write is never applied without its reply being deliverable.
 * <p>
 * With a log (persistence async or sync), a write is first admitted by its partition's {@link PartitionLog}
 * (refused with {@code SERVER_ERROR} before it changes the table when the log has failed), and a write that
 * changed the table appends its effect record. In sync mode the reply waits in {@link HeldReplies} until the
 * syncer has made its record durable; every later reply of this writer waits behind it, so none overtakes.
 * <p>
 * With replication, a client write is refused before it touches the table when this node is a backup, a fenced
 * primary, or a sync-mode primary with no backup connected; in sync mode a primary's reply also waits for the
 * backup's acknowledgement. On a backup the writer also drains the receiver's ring ({@link ReplicaStreamHandler}).
 */
public final class WriterAgent implements Agent
{
    private static final int COMMANDS_PER_READER_PER_CYCLE = 64;
    private static final java.lang.foreign.ValueLayout.OfInt LE_INT =
        java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfLong LE_LONG =
        java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final int HOUSEKEEPING_BUDGET = 256;
    /** Expiry-wheel reclaims, eviction and reclamation run this often whether or not writes keep coming. */
    private static final long HOUSEKEEPING_INTERVAL_NS = 1_000_000;

    private final int index;
    private final WriteRings rings;
    private final WriteApplier applier;
    private final PartitionWriter[] writersByPartition;
    private final int[] ownedPartitions;
    private final WriteReplyEncoder scratch;
    private final Arena scratchArena = Arena.ofShared();
    private final int maxReplyBytes;
    private final CommandHandler handler = new CommandHandler();
    private final RecordLookahead lookahead;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final ClockTicker clockTicker;
    /** By partition, null for partitions of other writers or without persistence. */
    private final PartitionLog[] logs;
    /** Sync mode: replies wait for their record's sync; null otherwise. */
    private final HeldReplies held;
    /** Replication: refuses client writes by role; null without replication. */
    private final ReplicationState replication;
    private final ReplicationCounters replicationCounters;
    /** A backup's stream from the receiver (any role may become a backup at run time); null without replication. */
    private final ReplicaStreamHandler replica;
    private long nextHousekeepingNs;

    public WriterAgent(
        final int index, final Table table, final WriteRings rings, final WriteApplier applier, final int maxReplyBytes)
    {
        this(index, table, rings, applier, maxReplyBytes, null);
    }

    /** @param clockTicker ticked once per duty cycle (it reads the system clock at most every 100 us), or null when another writer ticks the table's clock. */
    public WriterAgent(
        final int index, final Table table, final WriteRings rings, final WriteApplier applier, final int maxReplyBytes,
        final ClockTicker clockTicker)
    {
        this(index, table, rings, applier, maxReplyBytes, clockTicker, null, false);
    }

    /**
     * @param logs         the partition logs by partition (this writer's own are used), or null without persistence.
     * @param holdReplies  sync mode: a write's reply leaves only once its record is durable.
     */
    public WriterAgent(
        final int index, final Table table, final WriteRings rings, final WriteApplier applier, final int maxReplyBytes,
        final ClockTicker clockTicker, final PartitionLog[] logs, final boolean holdReplies)
    {
        this(index, table, rings, applier, maxReplyBytes, clockTicker, logs, holdReplies, null);
    }

    /**
     * @param replication the node's replication (role, the backup's stream, sync mode), or null without; needs logs.
     */
    public WriterAgent(
        final int index, final Table table, final WriteRings rings, final WriteApplier applier, final int maxReplyBytes,
        final ClockTicker clockTicker, final PartitionLog[] logs, final boolean holdReplies, final Replication replication)
    {
        this.logs = logs;
        final boolean replicatedSync = null != replication &&
            replication.state().settings().mode() == ReplicationSettings.Mode.SYNC;
        this.held = null != logs && (holdReplies || replicatedSync) ?
            new HeldReplies(maxReplyBytes, logs, index, holdReplies, null != replication ? replication.state() : null) :
            null;
        this.replication = null != replication ? replication.state() : null;
        this.replicationCounters = null != replication ? replication.counters() : null;
        this.replica = null != replication && null != logs ? new ReplicaStreamHandler(applier, logs,
            replication.rings(), index, replication.directory(), table) : null;
        this.index = index;
        this.clockTicker = clockTicker;
        this.rings = rings;
        this.applier = applier;
        this.maxReplyBytes = maxReplyBytes;
        final int partitions = table.partitionCount();
        final int writers = rings.writers();
        this.writersByPartition = new PartitionWriter[partitions];
        this.ownedPartitions = new int[(partitions - index + writers - 1) / writers];
        for (int p = index, i = 0; p < partitions; p += writers, i++)
        {
            writersByPartition[p] = table.writer(p);
            ownedPartitions[i] = p;
        }
        this.lookahead = new RecordLookahead(table, writersByPartition, COMMANDS_PER_READER_PER_CYCLE);
        this.scratch = new WriteReplyEncoder(scratchArena.allocate(maxReplyBytes, 64));
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime(); // once per cycle: the table clock's tick and housekeeping
        if (null != clockTicker)
        {
            clockTicker.tick(nowNs);
        }
        int work = 0;
        if (null != held)
        {
            work += held.release(rings, nowNs);
        }
        if (null != replica)
        {
            work += replica.drain(COMMANDS_PER_READER_PER_CYCLE);
        }
        for (int r = 0, readers = rings.readers(); r < readers; r++)
        {
            final SpscMessageRing request = rings.request(r, index);
            handler.request = request;
            handler.reply = rings.reply(r, index);
            handler.reader = r;
            lookahead.loadAhead(request.ring(), COMMANDS_PER_READER_PER_CYCLE);
            work += request.ring().controlledRead(handler, COMMANDS_PER_READER_PER_CYCLE);
        }
        for (final int p : ownedPartitions)
        {
            writersByPartition[p].sealRetired(); // one epoch advance per partition per cycle, not per write
        }
        if (nowNs - nextHousekeepingNs >= 0)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            for (final int p : ownedPartitions)
            {
                work += writersByPartition[p].doHousekeeping(HOUSEKEEPING_BUDGET);
            }
        }
        return work;
    }

    @Override
    public void onClose()
    {
        if (null != held)
        {
            held.close();
        }
        scratchArena.close();
    }

    @Override
    public String roleName()
    {
        return "wirekv-writer-" + index;
    }

    private final class CommandHandler implements ControlledMessageHandler
    {
        SpscMessageRing request;
        SpscMessageRing reply;
        int reader;

        @Override
        public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            if (reply.freeBytes() < maxReplyBytes + 64 || (null != held && !held.hasRoom()))
            {
                return Action.ABORT; // the reader has not drained its replies yet: retry next cycle
            }
            final MemorySegment memory = request.memory(); // the ring's buffer wraps exactly this memory
            final PartitionLog log = null != logs ? logOf(memory, offset, length) : null;
            long sequence = 0;
            final int refusal = null != replication ? replication.clientWriteRefusal() : -1;
            if (refusal >= 0)
            {
                refuseByReplication(memory, offset, refusal, null != log ? log.partition() : 0);
            }
            else if (null != log)
            {
                final int admitted = log.admit();
                if (admitted != PartitionLog.ADMITTED)
                {
                    refuse(memory, offset, length, admitted);
                }
                else
                {
                    applier.apply(memory, offset, length, scratch);
                    if (applier.lastEffect() != WriteApplier.EFFECT_NONE)
                    {
                        sequence = log.append(applier);
                    }
                }
            }
            else
            {
                applier.apply(memory, offset, length, scratch);
            }
            if (null != held && ((sequence != 0 && held.holdsWrites()) || !held.isEmpty()))
            {
                held.hold(reader, null != log ? log.partition() : 0, sequence, scratch.buffer(), scratch.length());
                return Action.CONTINUE;
            }
            final int replyLength = scratch.length();
            final int at = reply.tryClaim(WriteRings.MSG_WRITE, replyLength);
            // Cannot fail: free space was checked above and only this thread produces on the ring.
            MemorySegment.copy(scratch.buffer(), 0, reply.memory(), at, replyLength);
            reply.commit(at);
            return Action.CONTINUE;
        }

        /** The log of the record's partition, or null when the bytes do not name one of this writer's partitions. */
        private PartitionLog logOf(final MemorySegment memory, final int offset, final int length)
        {
            if (length < WriteRecordDescriptor.HEADER_LENGTH)
            {
                return null;
            }
            final int partition = memory.get(LE_INT,
                offset + WriteRecordDescriptor.PARTITION_OFFSET);
            return partition >= 0 && partition < logs.length ? logs[partition] : null;
        }

        /** The write's reply when replication refuses it (backup, fenced, no backup in sync mode): nothing applied. */
        private void refuseByReplication(final MemorySegment memory, final int offset, final int status,
            final int partition)
        {
            scratch.reset(memory.get(LE_LONG, offset + WriteRecordDescriptor.TICKET_OFFSET), (byte)status);
            replicationCounters.refused(partition);
        }

        /** The write's reply when its log refuses it: nothing was applied. */
        private void refuse(final MemorySegment memory, final int offset, final int length, final int why)
        {
            final long ticket = memory.get(LE_LONG,
                offset + WriteRecordDescriptor.TICKET_OFFSET);
            scratch.reset(ticket, why == PartitionLog.REFUSED_OUT_OF_DISK ?
                WriteReplyDescriptor.STATUS_OUT_OF_DISK : WriteReplyDescriptor.STATUS_LOG_FAILED);
        }
    }
}
