package io.wirekv.dataplane.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The snapshot files of a data directory ({@link SnapshotDescriptor}'s names): finds the newest valid snapshot of
 * a partition, skipping invalid ones with the reason, and deletes the ones a newer snapshot replaced.
 * Not on any hot path (start-up, and the snapshot thread after a snapshot); allocates freely.
 */
public final class SnapshotDirectory
{
    /** A snapshot file that was not used, and why (the reader's reason, with the offset). */
    public record Rejected(Path file, long offset, String reason)
    {
        @Override
        public String toString()
        {
            return file + ": " + reason + " (at offset " + offset + ")";
        }
    }

    /**
     * The outcome of {@link #newestValid}: the chosen snapshot (null if none is valid) and every newer candidate
     * refused on the way, newest first.
     */
    public record Selection(SnapshotInfo chosen, List<Rejected> rejected)
    {
    }

    private final Path directory;

    public SnapshotDirectory(final Path directory)
    {
        this.directory = directory;
    }

    public Path directory()
    {
        return directory;
    }

    /** The path of partition's snapshot at sequence. */
    public Path path(final int partition, final long sequence)
    {
        return directory.resolve(SnapshotDescriptor.fileName(partition, sequence));
    }

    /**
     * The newest snapshot of {@code partition} that {@link SnapshotReader#verify verifies} (whole file, every CRC) and
     * whose header agrees with its name (partition, sequence); newer files that fail are listed with their reason.
     * A missing directory has no snapshots.
     */
    public Selection newestValid(final int partition, final SnapshotReader reader) throws IOException
    {
        final List<Rejected> rejected = new ArrayList<>();
        for (final Path file : snapshots(partition, SnapshotDescriptor.SUFFIX))
        {
            final long named = sequenceOf(file, partition, SnapshotDescriptor.SUFFIX);
            try
            {
                final SnapshotInfo info = reader.verify(file, partition);
                if (info.sequence() != named)
                {
                    rejected.add(new Rejected(file, 16,
                        "the header's sequence " + info.sequence() + " differs from the name's " + named));
                    continue;
                }
                return new Selection(info, List.copyOf(rejected));
            }
            catch (final SnapshotFormatException ex)
            {
                rejected.add(new Rejected(file, ex.offset(), ex.reason()));
            }
        }
        return new Selection(null, List.copyOf(rejected));
    }

    /**
     * Loads the newest snapshot of {@code partition} that is whole and agrees with its name, reading each candidate
     * once: its items go to {@code sink} as they are read (no separate verifying pass), and when a file turns out bad
     * part-way (or its header's sequence differs from its name's), {@code undo} is handed the same file to take back
     * the prefix it delivered, and the next older file is tried. Newer files that fail are listed with their reason.
     *
     * @param undo called with a refused file after its prefix reached {@code sink}; it must remove those items
     *             (e.g. read the file again into a sink that unlinks each key: the same frames verify again).
     */
    public Selection loadNewestValid(final int partition, final SnapshotReader reader, final ItemSink sink,
        final Undo undo) throws IOException
    {
        final List<Rejected> rejected = new ArrayList<>();
        for (final Path file : snapshots(partition, SnapshotDescriptor.SUFFIX))
        {
            final long named = sequenceOf(file, partition, SnapshotDescriptor.SUFFIX);
            try
            {
                final SnapshotInfo info = reader.read(file, partition, sink);
                if (info.sequence() != named)
                {
                    rejected.add(new Rejected(file, 16,
                        "the header's sequence " + info.sequence() + " differs from the name's " + named));
                    undo.takeBack(file);
                    continue;
                }
                return new Selection(info, List.copyOf(rejected));
            }
            catch (final SnapshotFormatException ex)
            {
                rejected.add(new Rejected(file, ex.offset(), ex.reason()));
                undo.takeBack(file);
            }
        }
        return new Selection(null, List.copyOf(rejected));
    }

    /** Takes back what a refused snapshot file delivered to {@link #loadNewestValid}'s sink. */
    @FunctionalInterface
    public interface Undo
    {
        void takeBack(Path file) throws IOException;
    }

    /**
     * Deletes the snapshots of {@code partition} older than {@code keepSequence} (valid or not: the log they need
     * may be gone) and unfinished {@code .snap.tmp} files older than it, then fsyncs the directory.
     *
     * @return the files deleted.
     */
    public List<Path> deleteOlder(final int partition, final long keepSequence) throws IOException
    {
        final List<Path> deleted = new ArrayList<>();
        for (final String suffix : new String[]{SnapshotDescriptor.SUFFIX, SnapshotDescriptor.TEMPORARY_SUFFIX})
        {
            for (final Path file : snapshots(partition, suffix))
            {
                if (sequenceOf(file, partition, suffix) < keepSequence && Files.deleteIfExists(file))
                {
                    deleted.add(file);
                }
            }
        }
        if (!deleted.isEmpty())
        {
            SnapshotWriter.syncDirectory(directory);
        }
        return deleted;
    }

    /** The files of the partition with the suffix, newest (highest sequence) first. */
    private List<Path> snapshots(final int partition, final String suffix) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "p" + partition + "-*" + suffix))
        {
            for (final Path file : stream)
            {
                if (sequenceOf(file, partition, suffix) >= 0)
                {
                    files.add(file);
                }
            }
        }
        files.sort(Comparator.comparingLong((Path file) -> sequenceOf(file, partition, suffix)).reversed());
        return files;
    }

    /** The sequence in a file's name {@code p<partition>-<20 digits><suffix>}, or -1 if the name is not one. */
    static long sequenceOf(final Path file, final int partition, final String suffix)
    {
        final String name = file.getFileName().toString();
        final String prefix = "p" + partition + "-";
        if (!name.startsWith(prefix) || !name.endsWith(suffix) || name.length() != prefix.length() + 20 + suffix.length())
        {
            return -1;
        }
        final String digits = name.substring(prefix.length(), prefix.length() + 20);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            return -1;
        }
        try
        {
            return Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            return -1; // more than Long.MAX_VALUE: not a name this code wrote
        }
    }
}
