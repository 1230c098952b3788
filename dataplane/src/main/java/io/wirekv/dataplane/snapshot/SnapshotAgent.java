package io.wirekv.dataplane.snapshot;

import io.wirekv.dataplane.table.PartitionScanner;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshots partitions on request, on a thread of its own (never an lcore's or a writer's: run it with an
 * {@link org.agrona.concurrent.AgentRunner} and a sleeping idle strategy). Independent of the log: the caller
 * passes the partition's log sequence at which the snapshot starts, and the returned future completes with the
 * {@link SnapshotInfo} once the file is durable (fsynced, renamed, directory fsynced), when older snapshots of the
 * partition and the log up to that sequence may go. Older snapshot files of the partition are deleted then.
 * <p>
 * The scan is lock-free ({@link PartitionScanner}): this thread registers as a QSBR reader, is online only while it
 * reads a chunk of slots, and offline between chunks (where the {@link SnapshotWriter} writes to the disk), while idle
 * and while it fsyncs, so the partition's writer never waits for the disk.
 * <p>
 * Threading: {@link #request} and {@link #progress} from any thread; everything else on the agent's thread.
 */
public final class SnapshotAgent implements Agent
{
    /** Requests that may wait; more are refused (the future fails at once). */
    public static final int QUEUE_CAPACITY = 256;

    private record Request(int partition, long sequence, CompletableFuture<SnapshotInfo> result)
    {
    }

    /**
     * Called on the agent's thread after a partition's scan and before its file is made durable (renamed into
     * place): the log's owner waits there until the log is durable through every write the scan may have seen, so
     * a snapshot never holds a write whose record a crash could still lose (recovery then gives a prefix of the
     * history, never a later write without an earlier one). Throwing fails the snapshot.
     */
    @FunctionalInterface
    public interface ScanEnd
    {
        ScanEnd NONE = partition -> { };

        void scanned(int partition) throws IOException;
    }

    private final Table table;
    private final SnapshotDirectory directory;
    private final SnapshotWriter writer;
    private final PartitionScanner scanner;
    private final ManyToOneConcurrentArrayQueue<Request> requests = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private QsbrReader reader;
    /** The request being written; written by the agent thread, read by {@link #progress}. */
    private volatile Request current;
    private volatile long currentStartMs;
    private volatile SnapshotInfo last;
    private final EpochClock clock;
    private volatile boolean closed;
    private ScanEnd scanEnd = ScanEnd.NONE;

    public SnapshotAgent(final Table table, final Path directory, final EpochClock clock)
    {
        this(table, directory, clock, PartitionScanner.DEFAULT_CHUNK_SLOTS, SnapshotWriter.DEFAULT_BUFFER_BYTES);
    }

    /**
     * @param chunkSlots  hash residues the scan reads per grace period ({@link PartitionScanner}).
     * @param bufferBytes the writer's direct buffer.
     */
    public SnapshotAgent(
        final Table table, final Path directory, final EpochClock clock, final int chunkSlots, final int bufferBytes)
    {
        this.table = table;
        this.directory = new SnapshotDirectory(directory);
        this.writer = new SnapshotWriter(directory, clock, bufferBytes);
        this.scanner = new PartitionScanner(table, chunkSlots);
        this.clock = clock;
    }

    /** Sets the {@link ScanEnd} hook (before the agent's thread starts). */
    public SnapshotAgent scanEnd(final ScanEnd hook)
    {
        this.scanEnd = hook;
        return this;
    }

    /**
     * Queues a snapshot of {@code partition} starting at log sequence {@code sequence} (any thread). The future
     * completes when the file is durable, or exceptionally with the I/O error, or at once if the queue is full, the
     * partition does not exist or the agent is closed.
     */
    public CompletableFuture<SnapshotInfo> request(final int partition, final long sequence)
    {
        final CompletableFuture<SnapshotInfo> result = new CompletableFuture<>();
        if (partition < 0 || partition >= table.partitionCount() || sequence < 0)
        {
            failed.incrementAndGet();
            result.completeExceptionally(new IllegalArgumentException("no snapshot of partition " + partition +
                " at sequence " + sequence + ": partitions are 0.." + (table.partitionCount() - 1) +
                " and sequences not negative"));
        }
        else if (closed || !requests.offer(new Request(partition, sequence, result)))
        {
            failed.incrementAndGet();
            result.completeExceptionally(new IllegalStateException(closed ? "snapshot agent closed" :
                "snapshot queue full (" + QUEUE_CAPACITY + " requests waiting); try again when they are done"));
        }
        return result;
    }

    /** What is running, with its items, bytes and time so far, and what was done (any thread). */
    public SnapshotProgress progress()
    {
        final Request running = current;
        if (running == null)
        {
            return new SnapshotProgress(false, -1, -1, 0, 0, 0, requests.size(), completed.get(), failed.get(), last);
        }
        return new SnapshotProgress(true, running.partition(), running.sequence(), writer.itemsOpaque(),
            writer.bytesOpaque(), Math.max(0, clock.time() - currentStartMs), requests.size(), completed.get(),
            failed.get(), last);
    }

    @Override
    public void onStart()
    {
        reader = table.registerReader(roleName());
        reader.offline(); // idle: holds back no grace period
    }

    @Override
    public int doWork()
    {
        final Request request = requests.poll();
        if (request == null)
        {
            return 0;
        }
        currentStartMs = clock.time();
        current = request;
        SnapshotInfo info = null;
        Exception failure = null;
        try
        {
            info = snapshot(request.partition(), request.sequence());
            last = info;
            completed.incrementAndGet();
        }
        catch (final IOException | RuntimeException ex)
        {
            failed.incrementAndGet();
            failure = ex;
        }
        finally
        {
            current = null; // before the future completes: whoever it wakes sees the agent idle
        }
        if (null == failure)
        {
            request.result().complete(info);
        }
        else
        {
            request.result().completeExceptionally(failure);
        }
        return 1;
    }

    private SnapshotInfo snapshot(final int partition, final long sequence) throws IOException
    {
        writer.begin(partition, sequence);
        reader.online();
        final long visited;
        try
        {
            visited = scanner.scan(partition, reader, writer);
        }
        catch (final RuntimeException ex)
        {
            writer.abort();
            throw ex;
        }
        finally
        {
            reader.offline(); // before the fsync: the disk's latency must not hold back the writer's reclamation
        }
        if (visited < 0 && writer.failure() == null)
        {
            writer.abort();
            throw new IllegalStateException("snapshot of partition " + partition + " stopped by its visitor");
        }
        try
        {
            scanEnd.scanned(partition);
        }
        catch (final IOException | RuntimeException ex)
        {
            writer.abort();
            throw ex;
        }
        final SnapshotInfo info = writer.finish(); // throws the scan's I/O error, if any, and deletes the file
        directory.deleteOlder(partition, sequence);
        return info;
    }

    @Override
    public void onClose()
    {
        closed = true;
        Request request;
        while ((request = requests.poll()) != null)
        {
            failed.incrementAndGet();
            request.result().completeExceptionally(new IllegalStateException("snapshot agent closed"));
        }
        writer.close();
        if (reader != null)
        {
            reader.close();
        }
    }

    @Override
    public String roleName()
    {
        return "snapshot";
    }
}
