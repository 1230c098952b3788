package io.wirekv.dataplane.log;

import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.RecordFrames;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.wirekv.dataplane.log.LogSegmentDescriptor.RECORDS_OFFSET;

/**
 * Start-up: rebuilds the table from each partition's log (after its snapshot, through {@link SnapshotLoader}),
 * partitions in parallel, before any socket opens. Each segment is scanned in sequence order; every record's
 * CRC32C and sequence (1, 2, 3, ... across segments) is checked and the record applied through
 * {@link WriteApplier#replay}.
 * <ul>
 * <li>A torn tail (a partial last record or a bad CRC with nothing valid after it) is cut: the rest of the
 *     segment is zeroed and the cut reported (file, byte offset, records dropped).</li>
 * <li>Corruption in the middle (a bad record followed by valid ones, a sequence gap, a missing or unreadable
 *     segment) stops start-up with a {@link LogCorruptionException} naming the file, offset and
 *     {@code --recover-truncate}, which keeps everything before the damage and drops the rest of that
 *     partition's log (later segments are renamed {@code *.log.dropped}).</li>
 * </ul>
 */
public final class LogRecovery
{
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What recovery found in one partition and where its log continues. */
    public record PartitionResult(int partition, long records, long bytes, LogSegment segment, long appendOffset,
        long nextSequence, List<String> notes, long replayed, long replayedBytes)
    {
        PartitionResult(final int partition, final long records, final long bytes, final LogSegment segment,
            final long appendOffset, final long nextSequence, final List<String> notes)
        {
            this(partition, records, bytes, segment, appendOffset, nextSequence, notes, records, bytes);
        }
    }

    /**
     * The whole recovery, for the start-up report: {@code records}/{@code bytes} are the logs' (what is on disk),
     * {@code replayed}/{@code replayedBytes} the records applied after the snapshots, {@code snapshotItems} and
     * {@code snapshotBytes} what the snapshots restored.
     */
    public record Report(long records, long bytes, int partitions, long millis, List<String> notes, long replayed,
        long replayedBytes, long snapshotItems, long snapshotBytes)
    {
        public String describe()
        {
            final double seconds = Math.max(1, millis) / 1000.0;
            final StringBuilder sb = new StringBuilder(String.format(
                "recovered %d items (%d bytes) from %d partitions in %d ms: %d items from snapshots (%d bytes), " +
                "%d records from the log (%d bytes), %.0f items/s, %.1f MB/s; log tail: %s",
                snapshotItems + replayed, snapshotBytes + replayedBytes, partitions, millis, snapshotItems,
                snapshotBytes, replayed, replayedBytes, (snapshotItems + replayed) / seconds,
                (snapshotBytes + replayedBytes) / seconds / 1e6, notes.isEmpty() ? "clean" : notes.size() + " note(s)"));
            notes.forEach(note -> sb.append(System.lineSeparator()).append("    ").append(note));
            return sb.toString();
        }
    }

    /** Start-up refused: the log is damaged in the middle. */
    public static final class LogCorruptionException extends IllegalStateException
    {
        public LogCorruptionException(final String message)
        {
            super(message);
        }
    }

    private LogRecovery()
    {
    }

    /**
     * Recovers every partition into {@code table} in parallel (one thread per partition up to the CPU count).
     * @throws LogCorruptionException when a log is damaged in the middle and {@code recoverTruncate} is false.
     */
    public static List<PartitionResult> recover(final DataDirectory directory, final Table table,
        final PersistenceSettings settings, final SnapshotLoader snapshots)
    {
        final int partitions = table.partitionCount();
        final int threads = Math.max(1, Math.min(partitions, Runtime.getRuntime().availableProcessors()));
        final List<PartitionResult> results = new ArrayList<>();
        final long[] casMax = new long[partitions];
        try (ExecutorService pool = Executors.newFixedThreadPool(threads,
            r -> Thread.ofPlatform().name("wirekv-recovery").daemon(true).unstarted(r)))
        {
            final List<Future<PartitionResult>> futures = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                final int partition = p;
                futures.add(pool.submit(() ->
                {
                    final WriteApplier applier = new WriteApplier(table, new ServerStats(1), 0);
                    final long fromSequence = snapshots.load(partition, table);
                    final PartitionResult result = continueAfterSnapshot(directory,
                        recoverPartition(directory, table, applier, partition, settings, fromSequence), fromSequence,
                        settings);
                    casMax[partition] = applier.replayedCasMax();
                    return result;
                }));
            }
            RuntimeException failure = null;
            for (final Future<PartitionResult> f : futures)
            {
                try
                {
                    results.add(f.get());
                }
                catch (final ExecutionException ex)
                {
                    final RuntimeException cause = ex.getCause() instanceof RuntimeException r ? r :
                        new IllegalStateException(ex.getCause());
                    if (null == failure)
                    {
                        failure = cause;
                    }
                    else
                    {
                        failure.addSuppressed(cause);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("recovery interrupted", ex);
                }
            }
            if (null != failure)
            {
                results.forEach(r -> r.segment().close());
                throw failure;
            }
        }
        for (final long cas : casMax)
        {
            table.advanceCasPast(cas);
        }
        return results;
    }

    /** The report of {@link #recover}'s results. */
    public static Report report(final List<PartitionResult> results, final long millis)
    {
        return report(results, millis, 0, 0, List.of());
    }

    /** The report, with what the snapshots restored and their notes (refused files) first. */
    public static Report report(final List<PartitionResult> results, final long millis, final long snapshotItems,
        final long snapshotBytes, final List<String> snapshotNotes)
    {
        final List<String> notes = new ArrayList<>(snapshotNotes);
        long records = 0;
        long bytes = 0;
        long replayed = 0;
        long replayedBytes = 0;
        for (final PartitionResult r : results)
        {
            records += r.records();
            bytes += r.bytes();
            replayed += r.replayed();
            replayedBytes += r.replayedBytes();
            notes.addAll(r.notes());
        }
        return new Report(records, bytes, results.size(), millis, notes, replayed, replayedBytes, snapshotItems,
            snapshotBytes);
    }

    static PartitionResult recoverPartition(final DataDirectory directory, final Table table,
        final WriteApplier applier, final int partition, final PersistenceSettings settings, final long fromSequence)
        throws IOException
    {
        removeSpares(directory.partitionLogDir(partition));
        final List<Path> files = directory.segments(partition);
        final List<String> notes = new ArrayList<>();
        if (files.isEmpty())
        {
            return fresh(directory, partition, fromSequence, settings, 0, 0, notes, 0, 0);
        }
        long expected = DataDirectory.firstSequenceOf(files.getFirst());
        if (expected > fromSequence)
        {
            throw corruption(partition, files.getFirst(), 0, "the log starts at sequence " + expected +
                " but the snapshot ends before " + fromSequence + " (a missing segment)", 0, settings);
        }
        long records = 0;
        long bytes = 0;
        final long[] replayed = new long[2]; // records, bytes applied (at or after fromSequence)
        final Scan scan = new Scan();
        LogSegment segment = null;
        for (int i = 0; i < files.size(); i++)
        {
            final Path file = files.get(i);
            final LogSegment previous = segment;
            segment = LogSegment.open(file, partition, DataDirectory.firstSequenceOf(file));
            String problem = segment.headerProblem();
            if (null == problem && segment.firstSequence() != expected)
            {
                problem = "starts at sequence " + segment.firstSequence() + " where " + expected +
                    " was expected (a missing segment)";
            }
            if (null != problem)
            {
                if (i == files.size() - 1 && segment.isAllZero())
                {
                    if (null == previous)
                    {
                        segment.close();
                        Files.delete(file);
                        notes.add("partition " + partition + ": removed empty segment " + file);
                        return fresh(directory, partition, expected, settings, records, bytes, notes, replayed[0], replayed[1]);
                    }
                    // created, never written (a crash right after the roll): nothing in it was ever acknowledged
                    segment.close();
                    Files.delete(file);
                    notes.add("partition " + partition + ": removed empty segment " + file);
                    return new PartitionResult(partition, records, bytes, previous, endOf(previous), expected, notes, replayed[0], replayed[1]);
                }
                if (segment.isOtherFormat())
                {
                    segment.close();
                    closeQuietly(previous);
                    throw otherFormat(partition, file, problem, settings); // whatever --recover-truncate says
                }
                final long dropped = countValidFrames(segment, RECORDS_OFFSET) + laterRecords(files, i, partition);
                segment.close();
                if (!settings.recoverTruncate())
                {
                    closeQuietly(previous);
                    throw corruption(partition, file, 0, problem, records, settings);
                }
                dropSegmentsAfter(files, i - 1, notes, partition);
                notes.add(String.format("partition %d: --recover-truncate: %s at byte offset 0: %s; kept %d records, " +
                    "dropped %d", partition, file, problem, records, dropped));
                if (null == previous)
                {
                    return fresh(directory, partition, expected, settings, records, bytes, notes, replayed[0], replayed[1]);
                }
                return new PartitionResult(partition, records, bytes, previous, endOf(previous), expected, notes, replayed[0], replayed[1]);
            }
            closeQuietly(previous);
            final RecordFrames frames = segment.frames();
            scan.start(RECORDS_OFFSET, expected, records, bytes, replayed);
            final int frame = replaySegment(segment, file, applier, partition, fromSequence, scan);
            final long at = scan.at;
            expected = scan.expected;
            records = scan.records;
            bytes = scan.bytes;
            replayed[0] = scan.replayed;
            replayed[1] = scan.replayedBytes;
            if (frame != 0)
            {
                final String what = frame < 0 ? verdict(frame) :
                    "sequence " + frames.sequence(at) + " where " + expected + " was expected";
                final long droppedHere = countValidFrames(segment, at);
                final long droppedLater = laterRecords(files, i, partition);
                if (frame < 0 && droppedHere == 0 && droppedLater == 0)
                {
                    // a torn tail: nothing valid follows, so nothing after it was ever acknowledged
                    final long dirty = nonZeroBytes(segment, at);
                    segment.zeroFrom(at);
                    dropSegmentsAfter(files, i, notes, partition);
                    notes.add(String.format("partition %d: torn tail cut in %s at byte offset %d (%s; %d record " +
                        "dropped, %d bytes)", partition, file, at, what, dirty > 0 ? 1 : 0, dirty));
                    return new PartitionResult(partition, records, bytes, segment, at, expected, notes, replayed[0], replayed[1]);
                }
                if (!settings.recoverTruncate())
                {
                    segment.close();
                    throw corruption(partition, file, at, what + ", with " + (droppedHere + droppedLater) +
                        " valid records after it", records, settings);
                }
                segment.zeroFrom(at);
                dropSegmentsAfter(files, i, notes, partition);
                notes.add(String.format("partition %d: --recover-truncate: %s at byte offset %d: %s; kept %d " +
                    "records, dropped %d", partition, file, at, what, records, droppedHere + droppedLater));
                return new PartitionResult(partition, records, bytes, segment, at, expected, notes, replayed[0], replayed[1]);
            }
            if (i == files.size() - 1)
            {
                return new PartitionResult(partition, records, bytes, segment, at, expected, notes, replayed[0], replayed[1]);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Where a partition's scan stands: the next record's offset and sequence, and the counts so far. */
    private static final class Scan
    {
        long at;
        long expected;
        long records;
        long bytes;
        long replayed;
        long replayedBytes;

        void start(final long at, final long expected, final long records, final long bytes, final long[] replayed)
        {
            this.at = at;
            this.expected = expected;
            this.records = records;
            this.bytes = bytes;
            this.replayed = replayed[0];
            this.replayedBytes = replayed[1];
        }
    }

    /**
     * Verifies the records of {@code segment} from {@code scan.at} in order and applies those at or after
     * {@code fromSequence}, until the end of its records or the first record that is bad or out of sequence;
     * {@code scan} is left there. A loop of its own, small: at start-up it runs interpreted and in C1 code before
     * the JIT replaces it, which it does sooner for a small method than for the whole of {@link #recoverPartition}.
     *
     * @return 0 at the end of the records; else the verdict at {@code scan.at}: a negative {@link RecordFrames}
     *         code, or the frame length of a valid record whose sequence is not {@code scan.expected}.
     */
    private static int replaySegment(final LogSegment segment, final Path file, final WriteApplier applier,
        final int partition, final long fromSequence, final Scan scan)
    {
        final RecordFrames frames = segment.frames();
        final MemorySegment memory = segment.memory();
        final long limit = segment.capacity();
        long at = scan.at;
        long expected = scan.expected;
        long applied = 0;
        long appliedBytes = 0;
        int frame;
        while ((frame = frames.verify(at, limit)) > 0 && frames.sequence(at) == expected)
        {
            if (expected >= fromSequence)
            {
                final int status = applier.replay(memory, at, frames.length(at), partition);
                if (status != Status.STORED)
                {
                    segment.close();
                    throw notApplied(partition, file, at, expected, status);
                }
                applied++;
                appliedBytes += frame;
            }
            scan.records++;
            scan.bytes += frame;
            expected++;
            at += frame;
        }
        scan.at = at;
        scan.expected = expected;
        scan.replayed += applied;
        scan.replayedBytes += appliedBytes;
        return frame;
    }

    private static IllegalStateException notApplied(final int partition, final Path file, final long at,
        final long sequence, final int status)
    {
        return new IllegalStateException("partition " + partition + " log: " + file + " at byte offset " + at +
            ": record " + sequence + " could not be applied (status " + status + "): " +
            (status == Status.OUT_OF_MEMORY ? "the table memory is too small for the logged items; raise memory / " +
                "--memory" : "not an effect record of this partition"));
    }

    /** Spare segments a previous run made ahead of a roll and never used (no header, nothing in them). */
    private static void removeSpares(final Path dir) throws IOException
    {
        try (var spares = Files.newDirectoryStream(dir, "spare-*.tmp"))
        {
            for (final Path spare : spares)
            {
                Files.deleteIfExists(spare);
            }
        }
    }

    private static PartitionResult fresh(final DataDirectory directory, final int partition, final long sequence,
        final PersistenceSettings settings, final long records, final long bytes, final List<String> notes,
        final long replayed, final long replayedBytes)
        throws IOException
    {
        final LogSegment segment = LogSegment.create(directory.segmentPath(partition, sequence), partition, sequence,
            settings.segmentSizeBytes(), settings.zeroFillsSegments());
        return new PartitionResult(partition, records, bytes, segment, RECORDS_OFFSET, sequence, notes, replayed,
            replayedBytes);
    }

    /**
     * The log must go on after the snapshot: when it ends before {@code fromSequence} (the snapshot was taken at an
     * appended sequence whose records were not yet durable when the process died), every segment is covered by the
     * durable snapshot, so they are deleted and a fresh segment starts at {@code fromSequence}; otherwise new records
     * would get sequences the next recovery skips.
     */
    static PartitionResult continueAfterSnapshot(final DataDirectory directory, final PartitionResult result,
        final long fromSequence, final PersistenceSettings settings) throws IOException
    {
        if (result.nextSequence() >= fromSequence)
        {
            return result;
        }
        final int partition = result.partition();
        result.segment().close();
        final List<String> notes = new ArrayList<>(result.notes());
        for (final Path file : directory.segments(partition))
        {
            Files.delete(file);
        }
        DataDirectory.syncDirectory(directory.partitionLogDir(partition));
        notes.add("partition " + partition + ": the log ended at sequence " + (result.nextSequence() - 1) +
            ", before its snapshot's " + (fromSequence - 1) + " (records not yet synced when it stopped): its " +
            "segments, all covered by the snapshot, were deleted; the log continues at " + fromSequence);
        return fresh(directory, partition, fromSequence, settings, 0, 0, notes, 0, 0);
    }

    /** The end of a segment's valid records (a segment recovery already checked). */
    private static long endOf(final LogSegment segment)
    {
        long at = RECORDS_OFFSET;
        int frame;
        while ((frame = segment.frames().verify(at, segment.capacity())) > 0)
        {
            at += frame;
        }
        return at;
    }

    private static void closeQuietly(final LogSegment segment)
    {
        if (null != segment)
        {
            segment.close();
        }
    }

    private static LogCorruptionException corruption(final int partition, final Path file, final long at,
        final String what, final long recordsBefore, final PersistenceSettings settings)
    {
        return new LogCorruptionException("partition " + partition + " log is damaged in the middle: " + file +
            " at byte offset " + at + ": " + what + ". Start with --recover-truncate to keep the " + recordsBefore +
            " records before it and drop the rest of this partition's log (data.dir " + settings.dataDir() + ")");
    }

    private static LogCorruptionException otherFormat(final int partition, final Path file, final String what,
        final PersistenceSettings settings)
    {
        return new LogCorruptionException("partition " + partition + "'s log was written by another wirekv build: " +
            file + ": " + what + ". Start the build that wrote data.dir " + settings.dataDir() + ", or move that " +
            "directory aside to start this build with an empty one (--recover-truncate does not drop a log of " +
            "another format)");
    }

    private static String verdict(final int frame)
    {
        return switch (frame)
        {
            case RecordFrames.TRUNCATED -> "a record cut short";
            case RecordFrames.BAD_LENGTH -> "a bad record length";
            case RecordFrames.BAD_CRC -> "a bad CRC32C";
            default -> "bad frame " + frame;
        };
    }

    /** Valid frames found at aligned offsets at or after {@code from} (a torn tail has none). */
    private static long countValidFrames(final LogSegment segment, final long from)
    {
        final RecordFrames frames = segment.frames();
        long found = 0;
        long at = from + Long.BYTES;
        while (at + Long.BYTES <= segment.capacity())
        {
            final int frame = segment.memory().get(LE_LONG, at) != 0 ? frames.verify(at, segment.capacity()) : 0;
            if (frame > 0)
            {
                found++;
                at += frame;
            }
            else
            {
                at += Long.BYTES;
            }
        }
        return found;
    }

    /** Valid records in the segments after {@code files[index]}. */
    private static long laterRecords(final List<Path> files, final int index, final int partition) throws IOException
    {
        long found = 0;
        for (int j = index + 1; j < files.size(); j++)
        {
            final LogSegment later = LogSegment.open(files.get(j), partition, DataDirectory.firstSequenceOf(files.get(j)));
            try
            {
                if (later.capacity() > RECORDS_OFFSET)
                {
                    found += countValidFrames(later, RECORDS_OFFSET - Long.BYTES);
                }
            }
            finally
            {
                later.close();
            }
        }
        return found;
    }

    private static long nonZeroBytes(final LogSegment segment, final long from)
    {
        long last = from;
        for (long at = from; at < segment.capacity(); at++)
        {
            if (segment.memory().get(ValueLayout.JAVA_BYTE, at) != 0)
            {
                last = at + 1;
            }
        }
        return last - from;
    }

    /** Renames the segments after {@code files[index]} to {@code *.log.dropped} (kept for the operator to inspect). */
    static void dropSegmentsAfter(final List<Path> files, final int index, final List<String> notes, final int partition)
        throws IOException
    {
        for (int j = index + 1; j < files.size(); j++)
        {
            final Path file = files.get(j);
            Files.move(file, file.resolveSibling(file.getFileName() + ".dropped"), StandardCopyOption.ATOMIC_MOVE);
            notes.add("partition " + partition + ": dropped segment " + file + " (renamed .dropped)");
        }
        if (index + 1 < files.size())
        {
            DataDirectory.syncDirectory(files.get(index).getParent());
        }
    }

}
