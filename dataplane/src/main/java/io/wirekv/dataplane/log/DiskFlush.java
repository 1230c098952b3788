package io.wirekv.dataplane.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The server's sync action: one flush of the disk's write cache per sync round covers every partition's records.
 * <p>
 * A {@link LogSegment#zeroFilled zero-filled} segment's records are written back ({@code sync_file_range}: data only,
 * no journal commit, since overwriting written blocks changes no metadata), and after all the round's partitions are
 * written back, one {@code fdatasync} of an empty file ({@code log/flush}) flushes the disk's write cache, which
 * makes every write completed before it durable. Four partitions then cost about one file's sync a round instead
 * of four (each with its own journal commit and flush): measured in {@code deploy/probe-sync-files.sh}.
 * <p>
 * That fdatasync flushes the device for all files only on filesystems that issue a cache flush on every
 * fdatasync and store overwrites in place: ext4 (not {@code data=journal}, which puts data through the journal)
 * and xfs. Anywhere else (btrfs, which copies on write, tmpfs, NFS...) and for segments not zero-filled (made by
 * older builds), each range is {@code msync}'d on its own, as durable by itself; then several threads sync at once.
 * Threading: the sync thread; {@link #flushesPerRound} makes it the only one.
 */
public final class DiskFlush implements LogSyncer.SyncAction, AutoCloseable
{
    /** The empty file whose fdatasync flushes the disk's write cache, in {@code data.dir/log}. */
    public static final String FLUSH_FILE = "flush";

    private final FileChannel flushFile;
    private final String description;
    private boolean wroteBack;

    private DiskFlush(final FileChannel flushFile, final String description)
    {
        this.flushFile = flushFile;
        this.description = description;
    }

    /**
     * The sync action for segments in {@code logDir}: one flush per round where its filesystem allows it (see the
     * class comment), else an msync per range.
     * @throws IOException when the flush file cannot be created.
     */
    public static DiskFlush open(final Path logDir) throws IOException
    {
        final Mount mount = Mount.of(logDir.toRealPath());
        if (!mount.overwritesInPlace())
        {
            return new DiskFlush(null, "an msync per partition's range (data.dir's filesystem is " + mount.type() +
                ("ext4".equals(mount.type()) ? " with data=journal" : "") + ")");
        }
        final FileChannel flushFile = FileChannel.open(logDir.resolve(FLUSH_FILE), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        DataDirectory.syncDirectory(logDir);
        return new DiskFlush(flushFile, "records written back, then one disk flush a round for all partitions (" +
            mount.type() + ")");
    }

    /**
     * The filesystem a path is on, from {@code /proc/self/mounts}.
     * @param type    its type ("ext4", "tmpfs"...; "unknown" when no mount point is above the path).
     * @param options its mount options.
     */
    record Mount(String type, List<String> options)
    {
        /** The mount holding {@code path}: the longest mount point above it. */
        static Mount of(final Path path) throws IOException
        {
            Mount best = new Mount("unknown", List.of());
            int bestLength = -1;
            for (final String line : Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8))
            {
                final String[] fields = line.split(" ");
                if (fields.length < 4)
                {
                    continue;
                }
                final String point = unescape(fields[1]);
                if (path.startsWith(point) && point.length() >= bestLength)
                {
                    best = new Mount(fields[2], List.of(fields[3].split(",")));
                    bestLength = point.length();
                }
            }
            return best;
        }

        /**
         * Whether an fdatasync of one file flushes the disk's cache for the others' written-back blocks too: ext4
         * (unless data=journal, which puts data through the journal) and xfs, which store overwrites in place.
         */
        boolean overwritesInPlace()
        {
            return "xfs".equals(type) || "ext4".equals(type) && !options.contains("data=journal");
        }
    }

    /** /proc/self/mounts writes space, tab, newline and backslash in a mount point as octal escapes. */
    private static String unescape(final String field)
    {
        final StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++)
        {
            final char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length())
            {
                sb.append((char)Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** How records are made durable (the start-up report). */
    public String describe()
    {
        return description;
    }

    /** Whether {@code segment}'s ranges are written back for the round's flush, not msync'd on their own. */
    private boolean writesBack(final LogSegment segment)
    {
        return null != flushFile && segment.zeroFilled();
    }

    @Override
    public void force(final LogSegment segment, final long from, final long to)
    {
        if (writesBack(segment))
        {
            segment.writeBack(from, to);
            wroteBack = true;
        }
        else
        {
            segment.force(from, to);
        }
    }

    @Override
    public void startWriteBack(final LogSegment segment, final long from, final long to)
    {
        if (writesBack(segment))
        {
            segment.startWriteBack(from, to);
        }
    }

    @Override
    public void flush()
    {
        if (wroteBack)
        {
            try
            {
                flushFile.force(false); // fdatasync: the disk's cache flush, covering every completed write
                wroteBack = false; // after a failure the next round flushes again before anything is published
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("flush of the disk's write cache (fdatasync of " +
                    FLUSH_FILE + ") failed", ex);
            }
        }
    }

    @Override
    public boolean flushesPerRound()
    {
        return null != flushFile;
    }

    @Override
    public void close()
    {
        if (null != flushFile)
        {
            try
            {
                flushFile.close();
            }
            catch (final IOException ignore)
            {
                // nothing left to flush through it
            }
        }
    }
}
