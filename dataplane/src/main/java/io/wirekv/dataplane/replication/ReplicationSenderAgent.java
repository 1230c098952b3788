package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.DataDirectory;
import io.wirekv.dataplane.log.PartitionLog;
import io.wirekv.dataplane.record.RecordFrames;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.ItemVisitor;
import io.wirekv.dataplane.table.PartitionScanner;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.wirekv.dataplane.replication.ReplicationFrameDescriptor.*;

/**
 * A primary's replication thread ({@code wirekv-replication}, sleeping when idle; never an lcore or a writer): connects
 * to the backup ({@code replication.peer}), says HELLO with its epoch, and from the backup's HELLO_REPLY decides per
 * partition between a partial resume (the backup is at our epoch and our log still holds its last sequence + 1) and a
 * full sync (RESET with S = the partition's appended sequence, the OP_RESTORE records of a lock-free fuzzy scan, SCAN_END,
 * then the log from S + 1: replaying absolute effect records after a fuzzy scan is exact, as for snapshots). Then it
 * tails every partition's log ({@link LogTail}) up to the published appended sequence, many records per RECORDS frame
 * and many frames per write call, and reads the backup's ACKs into {@link ReplicationState#cover} for sync mode.
 * <p>
 * A REFUSED from a node that is primary or at a newer epoch fences this node ({@link ReplicationState#fence}): every
 * client write is refused until {@code wirekv demote}. Any other failure drops the connection with its reason in the
 * error log (counted) and reconnects with back-off. Allocation-free while streaming.
 */
public final class ReplicationSenderAgent implements Agent
{
    /** Bytes of records per RECORDS frame, at most (a larger single record gets a frame of its own). */
    static final int BATCH_BYTES = 256 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 1000;
    private static final long HANDSHAKE_TIMEOUT_NS = 5_000_000_000L;
    private static final long FLUSH_TIMEOUT_NS = 10_000_000_000L;
    private static final long HEARTBEAT_INTERVAL_NS = 1_000_000_000L;
    private static final long SILENCE_TIMEOUT_NS = 5_000_000_000L; // the backup sends an ACK or HEARTBEAT every second
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2000;

    private final Table table;
    private final ReplicationState state;
    private final ReplicationCounters counters;
    private final PartitionLog[] logs;
    private final LogTail[] tails;
    private final String nodeName;
    private final ErrorHandler errors;
    private final int maxFrameBytes;
    private final ByteBuffer out;
    private final MemorySegment outMemory;
    private final RecordFrames outFrames;
    private final ByteBuffer in;
    private final long[] acked;
    private final ReplicationLag lag;
    private final boolean[] fullSync;
    private final WriteRecordEncoder encoder = new WriteRecordEncoder();
    private final ScanVisitor scanVisitor = new ScanVisitor();
    private final PartitionScanner scanner;
    private final ReplicationConnector connector;
    private QsbrReader reader;
    private ReplicationChannel channel;
    private boolean backupSyncsLog;
    private int fill;
    private long nextAttemptMs;
    private long backoffMs = MIN_BACKOFF_MS;
    private long nextHeartbeatNs;
    private long lastHeardNs;
    private volatile boolean stopped;

    public ReplicationSenderAgent(final Table table, final ReplicationState state, final ReplicationCounters counters,
        final java.util.List<PartitionLog> logs, final DataDirectory directory, final ReplicationConnector connector,
        final String nodeName, final int maxRecordBytes, final ErrorHandler errors)
    {
        this.table = table;
        this.connector = connector;
        this.state = state;
        this.counters = counters;
        this.logs = logs.toArray(PartitionLog[]::new);
        this.tails = new LogTail[this.logs.length];
        for (int p = 0; p < tails.length; p++)
        {
            tails[p] = new LogTail(directory, p);
        }
        this.nodeName = nodeName;
        this.errors = errors;
        this.maxFrameBytes = maxFrameBytes(maxRecordBytes);
        this.out = ByteBuffer.allocateDirect(maxFrameBytes + 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        this.outMemory = MemorySegment.ofBuffer(out);
        this.outFrames = new RecordFrames().wrap(outMemory);
        this.in = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        this.acked = new long[this.logs.length];
        this.lag = new ReplicationLag(counters, this.logs.length);
        this.fullSync = new boolean[this.logs.length];
        this.scanner = new PartitionScanner(table, 256);
    }

    /** The largest frame either side accepts for records of up to {@code maxRecordBytes}. */
    public static int maxFrameBytes(final int maxRecordBytes)
    {
        return HEADER_LENGTH + Math.max(BATCH_BYTES, RecordFrames.frameLength(maxRecordBytes));
    }

    @Override
    public void onStart()
    {
        reader = table.registerReader(roleName());
        reader.offline(); // only a full sync's scan reads the table
    }

    @Override
    public int doWork()
    {
        if (stopped || state.role() != ReplicationSettings.Role.PRIMARY || null != state.fencedReason() ||
            null == state.peer())
        {
            if (null != channel)
            {
                drop(null);
            }
            return 0;
        }
        if (null == channel)
        {
            return connect();
        }
        try
        {
            int work = readAcks();
            if (fill > 0)
            {
                work += flush();
                if (fill > 0)
                {
                    return work; // the socket is full: the backup reads at its pace
                }
            }
            for (int p = 0; p < logs.length; p++)
            {
                if (fullSync[p])
                {
                    fullSync(p);
                    work++;
                }
            }
            work += fillRecords();
            final long nowNs = System.nanoTime();
            if (nowNs - nextHeartbeatNs >= 0)
            {
                nextHeartbeatNs = nowNs + HEARTBEAT_INTERVAL_NS;
                out.position(fill);
                putLongFrame(out, TYPE_HEARTBEAT, 0, System.currentTimeMillis());
                fill = out.position();
            }
            lag.publish(logs, acked, nowNs);
            if (fill > 0)
            {
                work += flush();
            }
            return work;
        }
        catch (final IOException | RuntimeException ex)
        {
            drop("connection to " + channel.peer() + " failed: " + ex.getMessage());
            return 1;
        }
    }

    /** Stops sending (demote, shutdown): the connection is closed by the next duty cycle. */
    public void stop()
    {
        stopped = true;
    }

    /** Starts again after {@link #stop} (promote). */
    public void resume()
    {
        stopped = false;
        nextAttemptMs = 0;
    }

    @Override
    public void onClose()
    {
        if (null != channel)
        {
            channel.close();
            channel = null;
        }
        for (final LogTail tail : tails)
        {
            tail.close();
        }
        if (null != reader)
        {
            reader.close();
        }
    }

    @Override
    public String roleName()
    {
        return "wirekv-replication";
    }

    // ------------------------------------------------------------------------------------------ connection

    private int connect()
    {
        final long nowMs = System.currentTimeMillis();
        if (nowMs < nextAttemptMs)
        {
            return 0;
        }
        nextAttemptMs = nowMs + backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        final ReplicationSettings.HostPort peer = state.peer();
        try
        {
            channel = connector.connect(peer, CONNECT_TIMEOUT_MS, errors);
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.sender(ReplicationCounters.SENDER_DROPS, 1);
            errors.onError(new ReplicationException("replication: cannot connect to the backup at " + peer + ": " +
                ex.getMessage() + " (retrying with back-off)"));
            return 1;
        }
        try
        {
            handshake();
        }
        catch (final IOException | RuntimeException ex)
        {
            drop("handshake with " + peer + " failed: " + ex.getMessage());
        }
        return 1;
    }

    private void handshake() throws IOException
    {
        out.clear();
        putHello(out, VERSION, state.epoch(), logs.length, nodeName);
        fill = out.position();
        final long deadline = System.nanoTime() + HANDSHAKE_TIMEOUT_NS;
        while (fill > 0)
        {
            flush();
            ChannelDeadline.pauseBefore(deadline, "sending HELLO (" + HANDSHAKE_TIMEOUT_NS / 1_000_000 + " ms)");
        }
        in.clear();
        int length;
        while ((length = frameLength(in, in.capacity())) <= 0 || in.position() < length)
        {
            if (length < 0)
            {
                throw new IOException("the backup's reply is not a replication frame (length " + in.getInt(0) + ")");
            }
            if (channel.read(in) < 0)
            {
                throw new IOException("the backup closed the connection during the handshake");
            }
            ChannelDeadline.pauseBefore(deadline, "waiting for the backup's reply to HELLO (" +
                HANDSHAKE_TIMEOUT_NS / 1_000_000 + " ms)");
        }
        final int type = in.getShort(TYPE_OFFSET);
        if (type == TYPE_REFUSED)
        {
            final String reason = text(in, 0, REFUSED_REASON_LENGTH_OFFSET, REFUSED_REASON_OFFSET, length);
            if (in.getInt(REFUSED_FENCE_OFFSET) != 0)
            {
                state.fence("peer " + state.peer() + " refused this primary: " + reason);
                errors.onError(new ReplicationException("replication: fenced: peer " + state.peer() + " refused " +
                    "this primary (epoch " + state.epoch() + "): " + reason + "; run wirekv demote"));
                closeChannel();
                return;
            }
            throw new IOException("refused: " + reason);
        }
        if (type != TYPE_HELLO_REPLY || length < REPLY_SEQUENCES_OFFSET ||
            in.getInt(REPLY_PARTITIONS_OFFSET) != logs.length ||
            length < REPLY_SEQUENCES_OFFSET + logs.length * Long.BYTES)
        {
            throw new IOException("expected HELLO_REPLY for " + logs.length + " partitions, got " + typeName(type) +
                " of " + length + " bytes");
        }
        backupSyncsLog = (in.getInt(REPLY_FLAGS_OFFSET) & FLAG_SYNCS_LOG) != 0;
        final long nowNs = System.nanoTime();
        lastHeardNs = nowNs;
        for (int p = 0; p < logs.length; p++)
        {
            final long last = in.getLong(REPLY_SEQUENCES_OFFSET + p * Long.BYTES);
            final long appended = logs[p].appendedSequence();
            final boolean resume = last >= 0 && last <= appended && tails[p].seek(last + 1);
            fullSync[p] = !resume;
            acked[p] = resume ? last : 0;
            state.cover(p, resume ? last : 0);
            lag.reset(p);
            counters.sender(resume ? ReplicationCounters.PARTIAL_RESUMES : ReplicationCounters.FULL_SYNCS, 1);
        }
        final int end = in.position();
        in.limit(end).position(length);
        in.compact(); // anything after the reply (an early ACK) stays for readAcks
        backoffMs = MIN_BACKOFF_MS;
        state.connected(true);
    }

    private void drop(final String reason)
    {
        if (null != reason)
        {
            counters.sender(ReplicationCounters.SENDER_DROPS, 1);
            errors.onError(new ReplicationException("replication: " + reason + " (reconnecting with back-off)"));
        }
        closeChannel();
    }

    private void closeChannel()
    {
        if (null != channel)
        {
            channel.close();
            channel = null;
        }
        fill = 0;
        state.connected(false);
        for (final LogTail tail : tails)
        {
            tail.close();
        }
    }

    // ------------------------------------------------------------------------------------------ streaming

    private int flush() throws IOException
    {
        out.limit(fill).position(0);
        final int written = channel.write(out);
        if (written > 0)
        {
            counters.sender(ReplicationCounters.SENT_BYTES, written);
            counters.sender(ReplicationCounters.STREAM_WRITES, 1);
            if (written == fill)
            {
                fill = 0;
            }
            else
            {
                out.compact(); // rare: the socket took part; keep the rest at the front
                fill -= written;
            }
        }
        out.clear();
        return written > 0 ? 1 : 0;
    }

    private void flushAll() throws IOException
    {
        final long deadline = System.nanoTime() + FLUSH_TIMEOUT_NS;
        while (fill > 0)
        {
            if (flush() == 0)
            {
                ChannelDeadline.pauseBefore(deadline, "with the backup taking no data (" +
                    FLUSH_TIMEOUT_NS / 1_000_000 + " ms)");
            }
        }
    }

    /** One RECORDS frame per partition with records not yet sent, while the buffer has room. */
    private int fillRecords() throws IOException
    {
        int frames = 0;
        for (int p = 0; p < logs.length; p++)
        {
            final LogTail tail = tails[p];
            final long appended = logs[p].appendedSequence();
            if (fullSync[p] || tail.nextSequence() > appended)
            {
                continue;
            }
            final int frameAt = fill;
            if (frameAt + HEADER_LENGTH + WriteRecordDescriptor.MIN_LENGTH > out.capacity())
            {
                break;
            }
            final int copied = tail.copyTo(outMemory, frameAt + HEADER_LENGTH, out.capacity(),
                maxFrameBytes - HEADER_LENGTH, appended);
            if (copied < 0)
            {
                // the log lost the next record (a snapshot deleted its segment): this partition starts over
                fullSync[p] = true;
                continue;
            }
            if (copied == 0)
            {
                break; // no room for the next record: after the flush
            }
            header(out, frameAt, HEADER_LENGTH + copied, TYPE_RECORDS, p);
            fill = frameAt + HEADER_LENGTH + copied;
            counters.sender(ReplicationCounters.SENT_RECORDS, tail.copiedRecords());
            frames++;
        }
        return frames;
    }

    /**
     * Full sync of partition {@code p}: RESET at S, the scan's records in SCAN frames (the buffer flushed whenever it
     * fills, blocking this thread only), SCAN_END, and the log cursor at S + 1 (positioned first: a mapped segment
     * stays readable if a snapshot deletes it meanwhile).
     */
    private void fullSync(final int p) throws IOException
    {
        final long base = logs[p].appendedSequence();
        if (!tails[p].seek(base + 1))
        {
            throw new IOException("partition " + p + ": the log does not hold sequence " + (base + 1));
        }
        flushAll();
        out.clear();
        putLongFrame(out, TYPE_RESET, p, base);
        fill = out.position();
        scanVisitor.begin(p);
        reader.online();
        try
        {
            scanner.scan(p, reader, scanVisitor);
        }
        finally
        {
            reader.offline();
        }
        if (null != scanVisitor.failure)
        {
            throw scanVisitor.failure;
        }
        scanVisitor.closeFrame();
        out.position(fill);
        putLongFrame(out, TYPE_SCAN_END, p, base);
        fill = out.position();
        fullSync[p] = false;
        flushAll();
    }

    private int readAcks() throws IOException
    {
        final int read = channel.read(in);
        if (read > 0)
        {
            lastHeardNs = System.nanoTime();
        }
        else if (read < 0 || System.nanoTime() - lastHeardNs > SILENCE_TIMEOUT_NS) // a cut link closes no socket
        {
            throw new IOException(read < 0 ? "the backup closed the connection" : "the backup sent nothing for 5 s");
        }
        int frames = 0;
        int at = 0;
        final int end = in.position();
        while (end - at >= HEADER_LENGTH)
        {
            final int length = in.getInt(at + LENGTH_OFFSET);
            if (length < HEADER_LENGTH || length > in.capacity() || (length & (ALIGNMENT - 1)) != 0)
            {
                throw new IOException("a frame from the backup has a bad length " + length);
            }
            if (end - at < length)
            {
                break;
            }
            final int type = in.getShort(at + TYPE_OFFSET);
            final int p = in.getInt(at + PARTITION_OFFSET);
            if (type == TYPE_ACK && length == ACK_LENGTH && p >= 0 && p < logs.length)
            {
                final long applied = in.getLong(at + ACK_APPLIED_OFFSET);
                final long durable = in.getLong(at + ACK_DURABLE_OFFSET);
                acked[p] = applied;
                state.cover(p, backupSyncsLog ? durable : applied);
            }
            else if (type != TYPE_HEARTBEAT)
            {
                throw new IOException("unexpected " + typeName(type) + " frame from the backup");
            }
            at += length;
            frames++;
        }
        if (at > 0)
        {
            in.limit(end).position(at);
            in.compact();
        }
        return frames;
    }

    /** Encodes the scanned items as OP_RESTORE records (sequence 0) into SCAN frames, flushing when full. */
    private final class ScanVisitor implements ItemVisitor
    {
        int partition;
        int frameAt = -1;
        IOException failure;

        void begin(final int p)
        {
            partition = p;
            frameAt = -1;
            failure = null;
        }

        @Override
        public boolean visit(final ItemView item)
        {
            final int length = WriteRecordDescriptor.effectLength(item.keyLength(), item.valueLength());
            final int frame = RecordFrames.frameLength(length);
            try
            {
                if (frameAt >= 0 && fill + frame - frameAt > maxFrameBytes)
                {
                    closeFrame();
                }
                if (fill + HEADER_LENGTH + frame > out.capacity())
                {
                    closeFrame();
                    flushAll(); // holds this scan's grace period while the backup reads: memory, never correctness
                }
            }
            catch (final IOException ex)
            {
                failure = ex;
                return false;
            }
            if (frameAt < 0)
            {
                frameAt = fill;
                fill += HEADER_LENGTH;
            }
            final MemorySegment seg = item.segment();
            encoder.wrapEffect(outMemory, fill, length, WriteRecordDescriptor.OP_RESTORE).partition(partition)
                .clientFlags(item.clientFlags())
                .exptime(item.expiresAtSeconds()).newCas(item.cas()).storedAt(item.storedAtSeconds())
                .metaBits(item.metaBits()).key(seg, item.keyOffset(), item.keyLength())
                .value(seg, item.valueOffset(), item.valueLength());
            outFrames.seal(fill, 0);
            fill += frame;
            return true;
        }

        void closeFrame()
        {
            if (frameAt >= 0)
            {
                header(out, frameAt, fill - frameAt, TYPE_SCAN, partition);
                frameAt = -1;
            }
        }
    }
}
