package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.DataDirectory;
import io.wirekv.dataplane.log.PartitionLog;
import io.wirekv.dataplane.record.RecordFrames;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.ring.SpscMessageRing;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static io.wirekv.dataplane.replication.ReplicationFrameDescriptor.*;

/**
 * A backup's replication thread: accepts one primary's stream at a time on {@code replication.listen}, answers its
 * HELLO (or REFUSES it: wrong magic or version, another partition count, this node is primary or at a newer epoch),
 * then checks every frame (length, type, partition) and every record (length, CRC32C, partition, and, in RECORDS,
 * the next sequence of its partition without a gap) and hands the records to the partition's writer through its
 * {@link ReplicationRings ring}, so each writer stays the single writer of its partitions. Bad input drops the
 * connection with the reason in the error log (counted); nothing after the bad record is applied. It ACKs each
 * partition's applied (appended) and durable sequences as its logs publish them. A full sync (RESET) first unlinks
 * every local item of the partition; once the writer has applied SCAN_END, a snapshot is taken and, when durable,
 * the partition's incomplete-full-sync marker is removed. Allocation-free while streaming.
 */
public final class ReplicationReceiverAgent implements Agent
{
    private static final long HANDSHAKE_TIMEOUT_NS = 5_000_000_000L;
    private static final long SILENCE_TIMEOUT_NS = 5_000_000_000L;
    private static final long RING_WAIT_NS = BackupFullSyncs.RING_WAIT_NS;
    private static final long ACCEPT_CHECK_INTERVAL_NS = 100_000_000L;
    private static final long HEARTBEAT_INTERVAL_NS = 1_000_000_000L;

    private final Table table;
    private final ReplicationState state;
    private final ReplicationCounters counters;
    private final ReplicationRings rings;
    private final PartitionLog[] logs;
    private final DataDirectory directory;
    private final TcpReplicationListener listener;
    private final boolean syncsLog;
    private final ErrorHandler errors;
    private final int maxFrameBytes;
    private final ByteBuffer in;
    private final MemorySegment inMemory;
    private final RecordFrames frames;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private final long[] expected;
    private final long[] ackedApplied;
    private final long[] ackedDurable;
    private final BackupFullSyncs fullSyncs;
    private QsbrReader reader;
    private ReplicationChannel channel;
    private boolean streaming;
    private long deadlineNs;
    private long lastReceivedNs;
    private long nextAcceptCheckNs;
    private long nextHeartbeatNs;
    private int parseAt;
    private int recordAt = -1;
    private int outFill;

    /**
     * @param snapshotAll starts a snapshot of every partition (the durability's), completing once durable.
     */
    public ReplicationReceiverAgent(final Table table, final ReplicationState state, final ReplicationCounters counters,
        final ReplicationRings rings, final java.util.List<PartitionLog> logs, final DataDirectory directory,
        final TcpReplicationListener listener, final boolean syncsLog, final int maxRecordBytes,
        final Supplier<CompletableFuture<?>> snapshotAll, final ErrorHandler errors)
    {
        this.table = table;
        this.state = state;
        this.counters = counters;
        this.rings = rings;
        this.logs = logs.toArray(PartitionLog[]::new);
        this.directory = directory;
        this.listener = listener;
        this.syncsLog = syncsLog;
        this.errors = errors;
        this.maxFrameBytes = ReplicationSenderAgent.maxFrameBytes(maxRecordBytes);
        this.in = ByteBuffer.allocateDirect(2 * maxFrameBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.inMemory = MemorySegment.ofBuffer(in);
        this.frames = new RecordFrames().wrap(inMemory);
        final int partitions = this.logs.length;
        this.expected = new long[partitions];
        this.ackedApplied = new long[partitions];
        this.ackedDurable = new long[partitions];
        this.fullSyncs = new BackupFullSyncs(table, rings, directory, partitions, snapshotAll, errors);
    }

    @Override
    public void onStart()
    {
        reader = table.registerReader(roleName());
        reader.offline(); // only a RESET's unlink scan reads the table
        fullSyncs.reader(reader);
    }

    @Override
    public int doWork()
    {
        final int work = duty();
        state.receiverCycleDone(); // a promote waits for a whole cycle that saw it before it drains the rings
        return work;
    }

    private int duty()
    {
        int work = fullSyncs.finish();
        if (null == channel)
        {
            final ReplicationChannel accepted = listener.accept();
            if (null == accepted)
            {
                return work;
            }
            channel = accepted;
            streaming = false;
            deadlineNs = System.nanoTime() + HANDSHAKE_TIMEOUT_NS;
            in.clear();
            parseAt = 0;
            recordAt = -1;
            outFill = 0;
            return work + 1;
        }
        final long cycleNs = System.nanoTime();
        if (cycleNs - nextAcceptCheckNs >= 0)
        {
            // the JDK's accept allocates even when nothing waits: a second primary is looked for 10 times a second
            nextAcceptCheckNs = cycleNs + ACCEPT_CHECK_INTERVAL_NS;
            refuseAnotherStream();
        }
        try
        {
            if (state.role() != ReplicationSettings.Role.BACKUP || state.promoting())
            {
                if (streaming)
                {
                    drop("this node is now primary (promoted): the stream from " + channel.peer() + " is closed");
                    return work + 1;
                }
            }
            final int read = channel.read(in);
            final long nowNs = System.nanoTime();
            if (read < 0)
            {
                drop("the primary " + channel.peer() + " closed the connection");
                return work + 1;
            }
            if (read > 0)
            {
                counters.receiver(ReplicationCounters.RECEIVED_BYTES, read);
                lastReceivedNs = nowNs;
                work++;
            }
            if (!streaming)
            {
                return work + hello(nowNs);
            }
            if (nowNs - lastReceivedNs > SILENCE_TIMEOUT_NS)
            {
                drop("the primary " + channel.peer() + " sent nothing for " + SILENCE_TIMEOUT_NS / 1_000_000 + " ms");
                return work + 1;
            }
            final String failure = rings.takeFailure();
            if (null != failure)
            {
                drop(failure);
                return work + 1;
            }
            work += parse();
            if (null != channel)
            {
                work += acks();
            }
            return work;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != channel)
            {
                drop("the stream from " + channel.peer() + " failed: " + ex.getMessage());
            }
            return work + 1;
        }
    }

    @Override
    public void onClose()
    {
        if (null != channel)
        {
            channel.close();
        }
        listener.close();
        if (null != reader)
        {
            reader.close();
        }
    }

    @Override
    public String roleName()
    {
        return "wirekv-replication-receiver";
    }

    /** A second primary connecting while one streams is told so and closed (one stream at a time). */
    private void refuseAnotherStream()
    {
        final ReplicationChannel other = listener.accept();
        if (null != other)
        {
            out.clear();
            putRefused(out, state.epoch(), false, "this backup already takes a stream from " + channel.peer());
            out.flip();
            try
            {
                other.write(out);
            }
            catch (final IOException ignore)
            {
                // it learns from the close
            }
            other.close();
            out.clear();
        }
    }

    // ------------------------------------------------------------------------------------------ handshake

    private int hello(final long nowNs) throws IOException
    {
        final int length = frameLength(in, maxFrameBytes);
        if (length < 0)
        {
            drop(isRdmaSetup(in) ? "the primary " + channel.peer() + " sets up an RDMA link, which this node does " +
                "not use (replication.transport = tcp, or auto without an RDMA device): set the same " +
                "replication.transport on both nodes" :
                "not a replication frame from " + channel.peer() + " (length " + in.getInt(0) + ")");
            return 1;
        }
        if (length == 0 || in.position() < Math.max(length, HEADER_LENGTH))
        {
            if (nowNs - deadlineNs > 0)
            {
                drop("no HELLO from " + channel.peer() + " within " + HANDSHAKE_TIMEOUT_NS / 1_000_000 + " ms");
                return 1;
            }
            return 0;
        }
        final int type = in.getShort(TYPE_OFFSET);
        if (type != TYPE_HELLO || length < HELLO_NAME_OFFSET || in.getInt(HELLO_MAGIC_OFFSET) != MAGIC)
        {
            drop("not a wirekv replication stream from " + channel.peer() + " (first frame " + typeName(type) +
                ", magic 0x" + Integer.toHexString(length >= HELLO_NAME_OFFSET ? in.getInt(HELLO_MAGIC_OFFSET) : 0) + ")");
            return 1;
        }
        final int version = in.getInt(HELLO_VERSION_OFFSET);
        final long epoch = in.getLong(HELLO_EPOCH_OFFSET);
        final int partitions = in.getInt(HELLO_PARTITIONS_OFFSET);
        final String name = text(in, 0, HELLO_NAME_LENGTH_OFFSET, HELLO_NAME_OFFSET, length);
        if (version != VERSION)
        {
            return refuse(false, "protocol version " + version + " is not supported (this node speaks " + VERSION + ")");
        }
        if (partitions != logs.length)
        {
            return refuse(false, "the primary has " + partitions + " partitions, this backup " + logs.length +
                " (give both the same partitions)");
        }
        if (state.role() == ReplicationSettings.Role.PRIMARY)
        {
            if (epoch > state.epoch())
            {
                // this node is the stale primary: it stops acknowledging writes rather than the newer one
                state.fence("peer " + name + " (" + channel.peer() + ") is primary at epoch " + epoch + ", newer than " +
                    "this node's " + state.epoch());
                errors.onError(new ReplicationException("replication: fenced: " +
                    state.fencedReason() + "; run wirekv demote"));
                return refuse(false, "this node was primary at the older epoch " + state.epoch() + " and has fenced " +
                    "itself; run wirekv demote on it to make it your backup");
            }
            return refuse(true, "node at " + state.settings().listen() + " is primary at epoch " + state.epoch() +
                " (promoted); run wirekv demote on " + name);
        }
        if (state.role() != ReplicationSettings.Role.BACKUP || state.promoting())
        {
            return refuse(false, "this node is not a backup (or is being promoted)");
        }
        if (epoch < state.epoch())
        {
            return refuse(true, "this backup is at epoch " + state.epoch() + ", newer than the primary's " + epoch +
                ": a newer primary exists; run wirekv demote on " + name);
        }
        final boolean newer = epoch > state.epoch();
        state.adoptEpoch(epoch);
        if (!awaitRingsEmpty())
        {
            return refuse(false, "the writers have not applied the previous stream yet; try again");
        }
        final long[] last = new long[logs.length];
        for (int p = 0; p < logs.length; p++)
        {
            final boolean incomplete = Files.exists(ReplicationRings.marker(directory.partitionLogDir(p)));
            last[p] = newer || incomplete ? NEEDS_FULL_SYNC : logs[p].appendedSequence();
            expected[p] = last[p] + 1; // a full sync's RESET sets it
            ackedApplied[p] = -1;
            ackedDurable[p] = -1;
        }
        out.clear();
        putHelloReply(out, state.epoch(), syncsLog ? FLAG_SYNCS_LOG : 0, last);
        outFill = out.position();
        consume(length);
        streaming = true;
        state.connected(true);
        lastReceivedNs = nowNs;
        return 1 + writeOut();
    }

    private int refuse(final boolean fence, final String reason) throws IOException
    {
        out.clear();
        putRefused(out, state.epoch(), fence, reason);
        outFill = out.position();
        writeOut();
        drop("refused the stream from " + channel.peer() + ": " + reason);
        return 1;
    }

    private boolean awaitRingsEmpty()
    {
        final long deadline = System.nanoTime() + RING_WAIT_NS;
        for (int w = 0; w < rings.writers(); w++)
        {
            while (rings.ring(w).ring().size() > 0)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    return false;
                }
                LockSupport.parkNanos(100_000);
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ streaming

    private int parse()
    {
        int work = 0;
        while (null != channel)
        {
            final int available = in.position() - parseAt;
            if (available < HEADER_LENGTH)
            {
                break;
            }
            final int length = in.getInt(parseAt + LENGTH_OFFSET);
            if (length < HEADER_LENGTH || length > maxFrameBytes || (length & (ALIGNMENT - 1)) != 0)
            {
                drop("a frame from " + channel.peer() + " has a bad length " + length + " (at most " + maxFrameBytes +
                    ", a multiple of " + ALIGNMENT + ")");
                break;
            }
            if (available < length)
            {
                break;
            }
            final int type = in.getShort(parseAt + TYPE_OFFSET);
            final int p = in.getInt(parseAt + PARTITION_OFFSET);
            if (type != TYPE_HEARTBEAT && (p < 0 || p >= logs.length))
            {
                drop("a " + typeName(type) + " frame names partition " + p + " (there are " + logs.length + ")");
                break;
            }
            switch (type)
            {
                case TYPE_RECORDS, TYPE_SCAN ->
                {
                    if (!records(type, p, length))
                    {
                        return work; // a writer's ring is full, or the stream was dropped
                    }
                }
                case TYPE_RESET ->
                {
                    if (length != RESET_LENGTH)
                    {
                        drop("a RESET frame of " + length + " bytes");
                        break;
                    }
                    reset(p, in.getLong(parseAt + RESET_BASE_OFFSET));
                }
                case TYPE_SCAN_END ->
                {
                    final long base = in.getLong(parseAt + RESET_BASE_OFFSET);
                    if (length != RESET_LENGTH || base != expected[p] - 1)
                    {
                        drop("a SCAN_END of partition " + p + " at " + base + " without its RESET");
                        break;
                    }
                    final String failure = fullSyncs.scanEnd(p, base);
                    if (null != failure)
                    {
                        drop(failure);
                        break;
                    }
                }
                case TYPE_HEARTBEAT ->
                {
                }
                default -> drop("an unexpected " + typeName(type) + " frame from " + channel.peer());
            }
            if (null == channel)
            {
                break;
            }
            parseAt += length;
            work++;
        }
        if (null != channel && parseAt > 0 && (parseAt == in.position() || parseAt > in.capacity() / 2))
        {
            final int end = in.position();
            in.limit(end).position(parseAt);
            in.compact();
            parseAt = 0;
        }
        return work;
    }

    /** Hands a RECORDS or SCAN frame's records to the writer; false when its ring is full (resumed later) or dropped. */
    private boolean records(final int type, final int p, final int length)
    {
        final int end = parseAt + length;
        if (recordAt < 0)
        {
            recordAt = parseAt + HEADER_LENGTH;
        }
        final SpscMessageRing ring = rings.ring(p % rings.writers());
        final int msgType = type == TYPE_RECORDS ? ReplicationRings.MSG_RECORD : ReplicationRings.MSG_SCAN;
        while (recordAt < end)
        {
            final int frame = frames.verify(recordAt, end);
            if (frame <= 0)
            {
                drop("a record of partition " + p + " at frame offset " + (recordAt - parseAt) + " is " +
                    (frame == RecordFrames.BAD_CRC ? "corrupt (CRC32C mismatch)" : frame == RecordFrames.BAD_LENGTH ?
                        "of an impossible length" : "truncated or missing"));
                return false;
            }
            final int recordLength = in.getInt(recordAt + WriteRecordDescriptor.LENGTH_OFFSET);
            final long sequence = frames.sequence(recordAt);
            final int partition = in.getInt(recordAt + WriteRecordDescriptor.PARTITION_OFFSET);
            final int opcode = in.get(recordAt + WriteRecordDescriptor.OPCODE_OFFSET);
            if (partition != p || (opcode != WriteRecordDescriptor.OP_RESTORE &&
                opcode != WriteRecordDescriptor.OP_UNLINK && opcode != WriteRecordDescriptor.OP_FLUSH_ALL))
            {
                drop("a record in partition " + p + "'s frame is of partition " + partition + ", opcode " + opcode +
                    " (only effect records are replicated)");
                return false;
            }
            if (type == TYPE_RECORDS ? sequence != expected[p] : sequence != 0)
            {
                drop("partition " + p + ": sequence gap: expected " + (type == TYPE_RECORDS ? expected[p] : 0) +
                    ", got " + sequence);
                return false;
            }
            final int at = ring.tryClaim(msgType, recordLength);
            if (at < 0)
            {
                return false; // the writer is behind: resume this record next cycle
            }
            MemorySegment.copy(inMemory, recordAt, ring.memory(), at, recordLength);
            ring.commit(at);
            if (type == TYPE_RECORDS)
            {
                expected[p]++;
            }
            counters.receiver(ReplicationCounters.APPLIED_RECORDS, 1);
            recordAt += frame;
        }
        recordAt = -1;
        return true;
    }

    /** Full sync of {@code p} at {@code base}: every local item unlinked, then the writer restarts the log. */
    private void reset(final int p, final long base)
    {
        final String failure = fullSyncs.reset(p, base);
        if (null != failure)
        {
            drop(failure);
            return;
        }
        expected[p] = base + 1;
        ackedApplied[p] = -1;
    }

    private int acks() throws IOException
    {
        int work = 0;
        if (outFill == 0)
        {
            out.clear();
            for (int p = 0; p < logs.length; p++)
            {
                final long applied = logs[p].appendedSequence();
                final long durable = Math.min(applied, logs[p].durableSequence());
                if ((applied != ackedApplied[p] || durable != ackedDurable[p]) && applied >= expected[p] - 1)
                {
                    putAck(out, p, applied, durable);
                    ackedApplied[p] = applied;
                    ackedDurable[p] = durable;
                    work++;
                }
            }
            final long nowNs = System.nanoTime();
            if (out.position() == 0 && nowNs - nextHeartbeatNs >= 0)
            {
                // a cut link closes no socket: the primary drops a backup it has not heard from for a while
                nextHeartbeatNs = nowNs + HEARTBEAT_INTERVAL_NS;
                putLongFrame(out, TYPE_HEARTBEAT, 0, System.currentTimeMillis());
            }
            outFill = out.position();
        }
        return work + writeOut();
    }

    private int writeOut() throws IOException
    {
        if (outFill == 0)
        {
            return 0;
        }
        out.limit(outFill).position(0);
        final int written = channel.write(out);
        if (written == outFill)
        {
            outFill = 0;
            out.clear();
        }
        else if (written > 0)
        {
            out.compact();
            outFill -= written;
        }
        return written > 0 ? 1 : 0;
    }

    private void drop(final String reason)
    {
        counters.receiver(ReplicationCounters.RECEIVER_DROPS, 1);
        errors.onError(new ReplicationException("replication: " + reason +
            " (connection dropped; nothing after the last good record was applied)"));
        if (null != channel)
        {
            channel.close();
            channel = null;
        }
        if (streaming)
        {
            state.connected(false);
        }
        streaming = false;
        in.clear();
        parseAt = 0;
        recordAt = -1;
        outFill = 0;
    }

    private void consume(final int length)
    {
        final int end = in.position();
        in.limit(end).position(length);
        in.compact();
        parseAt = 0;
    }
}
