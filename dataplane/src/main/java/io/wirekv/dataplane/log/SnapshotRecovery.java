package io.wirekv.dataplane.log;

import io.wirekv.dataplane.snapshot.SnapshotDirectory;
import io.wirekv.dataplane.snapshot.SnapshotFormatException;
import io.wirekv.dataplane.snapshot.SnapshotInfo;
import io.wirekv.dataplane.snapshot.SnapshotItemRestorer;
import io.wirekv.dataplane.snapshot.SnapshotReader;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recovery's {@link SnapshotLoader} over a snapshot directory: per partition, restores the newest snapshot that
 * verifies, reading it once ({@link SnapshotDirectory#loadNewestValid}; newer files refused are noted with their
 * reason, and what they delivered before the damage is unlinked again) and raises the
 * table's CAS past the largest restored CAS; the log then replays from the snapshot's sequence + 1. Without a valid
 * snapshot the whole log is replayed (and when its start was deleted, {@link LogRecovery} refuses to start, naming
 * the missing segment: never a wrong value).
 * <p>
 * Threading: {@link #load} on recovery's threads, one call per partition, partitions in parallel; the totals and
 * notes are read after {@link LogRecovery#recover} returned.
 */
public final class SnapshotRecovery implements SnapshotLoader
{
    private final Path directory;
    private final AtomicLong items = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    /** One reader (and its 1 MiB direct buffer) per recovery thread, not per partition. */
    private final ThreadLocal<SnapshotReader> readers = ThreadLocal.withInitial(SnapshotReader::new);

    public SnapshotRecovery(final Path directory)
    {
        this.directory = directory;
    }

    @Override
    public long load(final int partition, final Table table)
    {
        final SnapshotReader reader = readers.get();
        try
        {
            final SnapshotItemRestorer restorer = new SnapshotItemRestorer(table).reset(partition);
            final PartitionWriter writer = table.writer(partition);
            // one pass per file: items go into the table as they are read; a file found bad part-way is read again
            // to unlink what it delivered (the partition was empty before), then the next older one is tried
            final SnapshotDirectory.Selection selection = new SnapshotDirectory(directory).loadNewestValid(partition,
                reader, restorer, file ->
                {
                    try
                    {
                        reader.read(file, partition, (key, keyOffset, keyLength, flags, expires, cas, storedAt,
                            meta, value, valueOffset, valueLength) -> writer.unlink(key, keyOffset, keyLength));
                    }
                    catch (final SnapshotFormatException expected)
                    {
                        // the same damage as before: every item before it was unlinked
                    }
                    restorer.reset(partition);
                });
            selection.rejected().forEach(r -> notes.add("partition " + partition + ": snapshot refused: " + r +
                (null == selection.chosen() ? "" : "; using " + selection.chosen().file().getFileName() +
                    " and a longer log tail")));
            final SnapshotInfo chosen = selection.chosen();
            if (null == chosen)
            {
                if (!selection.rejected().isEmpty())
                {
                    notes.add("partition " + partition + ": no valid snapshot: the whole log is replayed");
                }
                return 1;
            }
            if (restorer.refused() > 0)
            {
                throw new IllegalStateException("partition " + partition + ": snapshot " + chosen.file() + ": " +
                    restorer.refused() + " items could not be restored (status " + restorer.firstRefusal() + ")" +
                    (restorer.firstRefusal() == Status.OUT_OF_MEMORY ? ": the table memory is too small for the " +
                        "snapshot's items; raise memory / --memory" : ""));
            }
            table.advanceCasPast(restorer.maxCas());
            items.addAndGet(restorer.loaded());
            bytes.addAndGet(chosen.fileBytes());
            return chosen.sequence() + 1;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("partition " + partition + ": cannot read the snapshots in " + directory, ex);
        }
    }

    /** Items restored from snapshots, all partitions. */
    public long items()
    {
        return items.get();
    }

    /** Bytes of the snapshot files restored. */
    public long bytes()
    {
        return bytes.get();
    }

    /** Refused snapshot files and fallbacks, for the start-up report. */
    public List<String> notes()
    {
        synchronized (notes)
        {
            return List.copyOf(notes);
        }
    }
}
