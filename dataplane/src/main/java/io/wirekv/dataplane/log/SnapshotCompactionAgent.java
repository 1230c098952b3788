package io.wirekv.dataplane.log;

import io.wirekv.dataplane.snapshot.SnapshotAgent;
import io.wirekv.dataplane.snapshot.SnapshotInfo;
import io.wirekv.dataplane.table.Table;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Snapshots and log compaction, on the snapshot thread (its own, with a sleeping idle strategy: never an lcore or a
 * writer). Runs the {@link SnapshotAgent}'s duty cycle and around it:
 * <ul>
 * <li>a snapshot of partition p records the sequence S its {@link PartitionLog} published as appended when the
 *     snapshot was asked for (the writer applies a write before it appends its record, so every record up to S is
 *     in the table the scan reads); after the scan, the file becomes durable only once the log is durable through
 *     what was appended by then, so the snapshot holds no write a crash could take from the log;</li>
 * <li>once the file is durable, the segments of p whose records are all &lt;= S are deleted: a segment is covered
 *     when the NEXT segment's first sequence is &lt;= S + 1, so the newest segment (the one the writer appends to)
 *     is never deleted, and the writer, which only ever appends to its newest segment, never touches a deleted one;
 *     the syncer may still hold a deleted segment's mapping, which stays valid after the unlink;</li>
 * <li>once a second, a partition whose log bytes exceed {@code snapshot.log.factor} x its live bytes and are at
 *     least {@code snapshot.min.log.size} is snapshotted, so the disk holds about live data x the factor;</li>
 * <li>{@link #snapshotAll} (any thread: the admin command) snapshots every partition.</li>
 * </ul>
 * Threading: {@link #snapshotAll} from any thread; everything else on the snapshot thread.
 */
public final class SnapshotCompactionAgent implements Agent
{
    /** How often the automatic trigger is checked. */
    public static final long CHECK_INTERVAL_MS = 1000;
    /** Longest wait for the log to become durable after a scan (a failed log fails the snapshot then). */
    static final long DURABLE_TIMEOUT_NS = 120_000_000_000L;
    /**
     * The wait for the log polls from this, doubling to {@link #DURABLE_POLL_MAX_NS}: a sync round is done in well
     * under a millisecond, an async one comes up to {@code persistence.async.interval} later, and polling every
     * 200 us through that second made this thread switch in 2,500 times a second on average under a steady async
     * load, on the CPU the writers share (6-7% of it; 2.5-3% with the back-off, mostly the scans themselves).
     */
    static final long DURABLE_POLL_MIN_NS = 100_000L;
    static final long DURABLE_POLL_MAX_NS = 10_000_000L;

    /** One partition's forced or automatic snapshot, once durable and its covered segments deleted. */
    public record Outcome(SnapshotInfo snapshot, List<Path> deletedSegments, long deletedBytes)
    {
        /** One line for {@code wirekv snapshot}. */
        public String describe()
        {
            return String.format("partition %d: %d items, %d bytes, %d ms, sequence %d, %d segments deleted%s",
                snapshot.partition(), snapshot.items(), snapshot.fileBytes(), snapshot.durationMs(), snapshot.sequence(),
                deletedSegments.size(), deletedSegments.isEmpty() ? "" : " (" + names() + ")");
        }

        private String names()
        {
            final String first = deletedSegments.getFirst().getFileName().toString();
            return deletedSegments.size() == 1 ? first :
                first + (deletedSegments.size() == 2 ? ", " : " .. ") + deletedSegments.getLast().getFileName();
        }
    }

    private record Pending(int partition, long sequence, CompletableFuture<SnapshotInfo> info,
        CompletableFuture<Outcome> outcome, boolean automatic)
    {
    }

    private final Table table;
    private final DataDirectory directory;
    private final List<PartitionLog> logs;
    private final LogCounters counters;
    private final SnapshotAgent snapshots;
    private final PersistenceSettings settings;
    private final EpochClock clock;
    private final ErrorHandler errors;
    private final ManyToOneConcurrentArrayQueue<CompletableFuture<List<Outcome>>> forced =
        new ManyToOneConcurrentArrayQueue<>(64);
    private final List<Pending> pending = new ArrayList<>();
    private final boolean[] running;
    private long nextCheckMs;
    private long taken;
    private long segmentsDeleted;

    public SnapshotCompactionAgent(final Table table, final DataDirectory directory, final List<PartitionLog> logs,
        final LogCounters counters, final PersistenceSettings settings, final EpochClock clock,
        final ErrorHandler errors)
    {
        this.errors = errors;
        this.table = table;
        this.directory = directory;
        this.logs = logs;
        this.counters = counters;
        this.settings = settings;
        this.clock = clock;
        this.snapshots = new SnapshotAgent(table, directory.snapshotDir(), clock).scanEnd(this::awaitDurable);
        this.running = new boolean[logs.size()];
    }

    /**
     * Snapshots every partition (any thread). The future completes when all are durable and their covered segments
     * deleted, in partition order, or exceptionally with the first failure.
     */
    public CompletableFuture<List<Outcome>> snapshotAll()
    {
        final CompletableFuture<List<Outcome>> all = new CompletableFuture<>();
        if (!forced.offer(all))
        {
            all.completeExceptionally(new IllegalStateException("too many snapshot commands waiting; try again later"));
        }
        return all;
    }

    /** What the snapshot agent is doing (any thread). */
    public io.wirekv.dataplane.snapshot.SnapshotProgress progress()
    {
        return snapshots.progress();
    }

    @Override
    public void onStart()
    {
        snapshots.onStart();
        nextCheckMs = clock.time() + CHECK_INTERVAL_MS;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        CompletableFuture<List<Outcome>> all;
        while ((all = forced.poll()) != null)
        {
            final List<CompletableFuture<Outcome>> parts = new ArrayList<>();
            for (int p = 0; p < logs.size(); p++)
            {
                parts.add(request(p, false));
            }
            final CompletableFuture<List<Outcome>> result = all;
            CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) ->
            {
                if (null != failure)
                {
                    result.completeExceptionally(failure instanceof java.util.concurrent.CompletionException c &&
                        null != c.getCause() ? c.getCause() : failure);
                }
                else
                {
                    result.complete(parts.stream().map(CompletableFuture::join).toList());
                }
            });
            work++;
        }
        work += snapshots.doWork();
        work += finishDone();
        final long now = clock.time();
        if (now >= nextCheckMs)
        {
            nextCheckMs = now + CHECK_INTERVAL_MS;
            work += checkTrigger();
        }
        return work;
    }

    /** @param automatic the trigger's: a failure goes to the error log (a command's goes to its caller). */
    private CompletableFuture<Outcome> request(final int partition, final boolean automatic)
    {
        final long sequence = logs.get(partition).appendedSequence(); // acquire: every record <= it is applied
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        pending.add(new Pending(partition, sequence, snapshots.request(partition, sequence), outcome, automatic));
        running[partition] = true;
        return outcome;
    }

    /**
     * After a scan: waits until the partition's log is durable through everything appended by now, which covers every
     * write the scan saw (async: up to persistence.async.interval). A log that stays failed fails the snapshot.
     */
    private void awaitDurable(final int partition) throws IOException
    {
        final PartitionLog log = logs.get(partition);
        final long target = log.appendedSequence();
        final long deadlineNs = System.nanoTime() + DURABLE_TIMEOUT_NS;
        long parkNs = DURABLE_POLL_MIN_NS;
        while (log.durableSequence() < target)
        {
            if (Thread.currentThread().isInterrupted()) // the server is closing
            {
                throw new IOException("partition " + partition + "'s snapshot stopped: the server is closing");
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new IOException("partition " + partition + "'s log did not become durable through sequence " +
                    target + " within " + DURABLE_TIMEOUT_NS / 1_000_000_000L + " s" +
                    (null != log.failure() ? ": " + log.failure() : ""));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(parkNs);
            parkNs = Math.min(2 * parkNs, DURABLE_POLL_MAX_NS);
        }
    }

    private int checkTrigger()
    {
        int started = 0;
        for (int p = 0; p < logs.size(); p++)
        {
            final long logBytes = logs.get(p).logBytes();
            // at least two segments: a snapshot can only ever delete segments before the one being appended to
            if (!running[p] && logBytes >= settings.snapshotMinLogBytes() &&
                logBytes > settings.snapshotLogFactor() * table.partitionBytes(p) && directory.segments(p).size() >= 2)
            {
                request(p, true);
                started++;
            }
        }
        return started;
    }

    private int finishDone()
    {
        int done = 0;
        for (final Iterator<Pending> it = pending.iterator(); it.hasNext(); )
        {
            final Pending job = it.next();
            if (!job.info().isDone())
            {
                continue;
            }
            it.remove();
            running[job.partition()] = false;
            done++;
            try
            {
                final SnapshotInfo info = job.info().join();
                final Outcome outcome = deleteCovered(info);
                counters.gauge(LogCounters.SNAPSHOTS, ++taken);
                counters.gauge(LogCounters.SNAPSHOT_LAST_SEQUENCE, info.sequence());
                counters.gauge(LogCounters.SNAPSHOT_LAST_PARTITION, info.partition());
                counters.gauge(LogCounters.SNAPSHOT_LAST_MS, clock.time());
                job.outcome().complete(outcome);
            }
            catch (final RuntimeException | IOException ex)
            {
                final Throwable cause = ex instanceof java.util.concurrent.CompletionException c && null != c.getCause() ?
                    c.getCause() : ex;
                job.outcome().completeExceptionally(cause);
                if (job.automatic())
                {
                    errors.onError(new IllegalStateException("automatic snapshot of partition " + job.partition() +
                        " failed (the log keeps growing until one succeeds; retried each second): " + cause, cause));
                }
            }
        }
        return done;
    }

    /** Deletes the partition's segments whose records are all in the durable snapshot (this thread only). */
    private Outcome deleteCovered(final SnapshotInfo info) throws IOException
    {
        final int partition = info.partition();
        final PartitionLog log = logs.get(partition);
        final List<Path> files = directory.segments(partition);
        final List<Path> deleted = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i + 1 < files.size(); i++)
        {
            if (DataDirectory.firstSequenceOf(files.get(i + 1)) > info.sequence() + 1)
            {
                break;
            }
            final long recordBytes = recordBytes(files.get(i), partition);
            Files.delete(files.get(i));
            log.segmentDeleted(recordBytes);
            bytes += recordBytes;
            deleted.add(files.get(i));
        }
        if (!deleted.isEmpty())
        {
            DataDirectory.syncDirectory(directory.partitionLogDir(partition));
            segmentsDeleted += deleted.size();
            counters.gauge(LogCounters.SEGMENTS_DELETED, segmentsDeleted);
        }
        return new Outcome(info, List.copyOf(deleted), bytes);
    }

    /** The bytes of a sealed segment's records (for the log-bytes figure). */
    private static long recordBytes(final Path file, final int partition) throws IOException
    {
        final LogSegment segment = LogSegment.open(file, partition, DataDirectory.firstSequenceOf(file));
        try
        {
            long at = LogSegmentDescriptor.RECORDS_OFFSET;
            int frame;
            while ((frame = segment.frames().verify(at, segment.capacity())) > 0)
            {
                at += frame;
            }
            return at - LogSegmentDescriptor.RECORDS_OFFSET;
        }
        finally
        {
            segment.close();
        }
    }

    @Override
    public void onClose()
    {
        snapshots.onClose();
        for (final Pending job : pending)
        {
            job.outcome().completeExceptionally(new IllegalStateException("snapshot thread closed"));
        }
        CompletableFuture<List<Outcome>> all;
        while ((all = forced.poll()) != null)
        {
            all.completeExceptionally(new IllegalStateException("snapshot thread closed"));
        }
    }

    @Override
    public String roleName()
    {
        return "wirekv-snapshot";
    }
}
