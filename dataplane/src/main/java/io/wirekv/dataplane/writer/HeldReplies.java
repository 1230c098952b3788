package io.wirekv.dataplane.writer;

import io.wirekv.dataplane.log.PartitionLog;
import io.wirekv.dataplane.record.WriteReplyDescriptor;
import io.wirekv.dataplane.replication.ReplicationState;
import io.wirekv.dataplane.ring.SpscMessageRing;
import io.wirekv.dataplane.ring.WriteRings;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A writer's replies that wait for the log (persistence {@code sync}) or for the backup (replication {@code sync}):
 * each is copied here, in order, tagged with the partition and sequence it needs, and released to its reader's
 * reply ring once the partition log's durable sequence and (replication sync on a primary) the backup's
 * acknowledgement reach it. A reply never waits for the backup longer than {@code replication.sync.timeout}: once it
 * has waited that long, or the stream has been down that long, it is answered {@code STATUS_SYNC_TIMEOUT} (the link
 * is up but the backup's ACK did not come: a stalled or starved backup) or {@code STATUS_NO_BACKUP} (the link is
 * down) instead: the write was applied here but is not acknowledged. A FIFO for the whole writer: a reply that needs
 * nothing (a write
 * that changed nothing, a refusal) still waits behind every earlier held one, so no reply of a session overtakes
 * an earlier write's. Off-heap (an {@link SpscMessageRing} used by one thread as a queue); allocation-free.
 * <pre>
 *   held message (type = reader + 1): sequence u64 (0: needs nothing) | partition u32 | pad u32 | held at (ns) u64 |
 *                                      reply bytes
 * </pre>
 * Threading: the writer thread only.
 */
final class HeldReplies implements AutoCloseable
{
    private static final int SEQUENCE_OFFSET = 0;
    private static final int PARTITION_OFFSET = 8;
    private static final int HELD_AT_OFFSET = 16;
    private static final int REPLY_OFFSET = 24;

    private final SpscMessageRing queue;
    private final int maxReplyBytes;
    private final PartitionLog[] logsByPartition;
    private final int writerIndex;
    private final Release release = new Release();
    /** Persistence sync: a reply waits for its record's local sync. */
    private final boolean waitsForLog;
    /** Replication (null without): in sync mode on a primary a reply also waits for the backup's acknowledgement. */
    private final ReplicationState replication;
    private WriteRings rings;
    private long nowNs;

    HeldReplies(final int maxReplyBytes, final PartitionLog[] logsByPartition, final int writerIndex,
        final boolean waitsForLog, final ReplicationState replication)
    {
        this.queue = SpscMessageRing.forMaxMessage(maxReplyBytes + REPLY_OFFSET);
        this.maxReplyBytes = maxReplyBytes;
        this.logsByPartition = logsByPartition;
        this.writerIndex = writerIndex;
        this.waitsForLog = waitsForLog;
        this.replication = replication;
    }

    /** True when a write's reply must wait (for the log, or for the backup) now. */
    boolean holdsWrites()
    {
        return waitsForLog || (null != replication && replication.holdsForBackup());
    }

    boolean isEmpty()
    {
        return queue.ring().size() == 0;
    }

    /** Room for one more reply of the largest size. */
    boolean hasRoom()
    {
        return queue.freeBytes() >= maxReplyBytes + REPLY_OFFSET + 64;
    }

    /**
     * Holds {@code reply[0, length)} for {@code reader} until {@code partition}'s log has {@code sequence} durable
     * (and, replication sync, the backup covers it); its wait for the backup counts from this duty cycle's time.
     */
    void hold(final int reader, final int partition, final long sequence, final MemorySegment reply, final int length)
    {
        final int at = queue.tryClaim(reader + 1, REPLY_OFFSET + length);
        // Cannot fail: hasRoom() was checked before the write was taken, and only this thread uses the queue.
        final MemorySegment memory = queue.memory();
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, at + SEQUENCE_OFFSET, sequence);
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, at + PARTITION_OFFSET, partition);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, at + HELD_AT_OFFSET, nowNs);
        MemorySegment.copy(reply, 0, memory, at + REPLY_OFFSET, length);
        queue.commit(at);
    }

    /**
     * Moves the replies whose records are durable, in order, to their reply rings; returns how many. {@code nowNs}
     * (System.nanoTime) is also the time {@link #hold} stamps on the replies held later in this duty cycle.
     */
    int release(final WriteRings rings, final long nowNs)
    {
        this.rings = rings;
        this.nowNs = nowNs;
        return queue.ring().controlledRead(release);
    }

    @Override
    public void close()
    {
        queue.close();
    }

    private final class Release implements ControlledMessageHandler
    {
        @Override
        public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            final MemorySegment memory = queue.memory();
            final long sequence = memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + SEQUENCE_OFFSET);
            if (sequence != 0)
            {
                final int partition = memory.get(ValueLayout.JAVA_INT_UNALIGNED, offset + PARTITION_OFFSET);
                if (waitsForLog && logsByPartition[partition].durableSequence() < sequence)
                {
                    return Action.ABORT; // not durable yet: it and everything after it waits
                }
                if (null != replication && replication.holdsForBackup() && replication.covered(partition) < sequence)
                {
                    final long heldAtNs = memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + HELD_AT_OFFSET);
                    final boolean waitedOut = nowNs - heldAtNs > replication.settings().syncTimeoutMs() * 1_000_000L;
                    if (!waitedOut && !replication.syncTimedOut(nowNs))
                    {
                        return Action.ABORT; // the backup does not have it yet: it and everything after it waits
                    }
                    // no ACK within replication.sync.timeout (a connected backup that stalls, or a link down that
                    // long): not acknowledged, so nothing acknowledged is lost
                    final long statusAt = offset + REPLY_OFFSET + WriteReplyDescriptor.STATUS_OFFSET;
                    final byte status = memory.get(ValueLayout.JAVA_BYTE, statusAt);
                    if (status != WriteReplyDescriptor.STATUS_SYNC_TIMEOUT &&
                        status != WriteReplyDescriptor.STATUS_NO_BACKUP)
                    {
                        // once: a full reply ring may bring this reply back next cycle
                        memory.set(ValueLayout.JAVA_BYTE, statusAt, replication.connected() ?
                            WriteReplyDescriptor.STATUS_SYNC_TIMEOUT : WriteReplyDescriptor.STATUS_NO_BACKUP);
                        replication.refusedAfterTimeout(partition);
                    }
                }
            }
            final SpscMessageRing reply = rings.reply(msgTypeId - 1, writerIndex);
            final int replyLength = length - REPLY_OFFSET;
            final int at = reply.tryClaim(WriteRings.MSG_WRITE, replyLength);
            if (at < 0)
            {
                return Action.ABORT; // the reader has not drained its replies: next cycle
            }
            MemorySegment.copy(memory, offset + REPLY_OFFSET, reply.memory(), at, replyLength);
            reply.commit(at);
            return Action.CONTINUE;
        }
    }
}
