package io.wirekv.dataplane.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The layout of {@code data.dir}, held by one running instance:
 * <pre>
 *   data.dir/LOCK                                   FileChannel.tryLock, holds the holder's pid
 *   data.dir/log/p&lt;partition&gt;/&lt;firstSequence %020d&gt;.log   {@link LogSegmentDescriptor log segments}
 *   data.dir/log/flush                              empty; its fdatasync flushes the disk ({@link DiskFlush})
 *   data.dir/snapshot/                              snapshots (not written yet)
 * </pre>
 * {@link #open} refuses a directory another process holds, naming its pid. Closing releases the lock.
 */
public final class DataDirectory implements AutoCloseable
{
    public static final String LOCK_FILE = "LOCK";
    public static final String LOG_DIR = "log";
    public static final String SNAPSHOT_DIR = "snapshot";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(final Path root, final FileChannel lockChannel, final FileLock lock)
    {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the layout under {@code root} if missing and locks it.
     * @throws IllegalStateException naming the directory (and the holder's pid) when it is not a writable
     *         directory or another instance holds it.
     */
    public static DataDirectory open(final Path root)
    {
        try
        {
            Files.createDirectories(root.resolve(LOG_DIR));
            Files.createDirectories(root.resolve(SNAPSHOT_DIR));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("data.dir " + root + " cannot be created: " + ex +
                " (set data.dir / --data-dir to a writable directory)", ex);
        }
        if (!Files.isDirectory(root) || !Files.isWritable(root))
        {
            throw new IllegalStateException("data.dir " + root + " is not a writable directory " +
                "(set data.dir / --data-dir to a writable directory)");
        }
        final Path lockPath = root.resolve(LOCK_FILE);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (null == lock)
            {
                final String holder = new String(Files.readAllBytes(lockPath), StandardCharsets.US_ASCII).trim();
                channel.close();
                throw new IllegalStateException("data.dir " + root + " is in use by another wirekv instance" +
                    (holder.isEmpty() ? "" : " (pid " + holder + ")") +
                    ": stop it first, or give this instance another data.dir / --data-dir");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
            return new DataDirectory(root, channel, lock);
        }
        catch (final java.nio.channels.OverlappingFileLockException ex)
        {
            closeQuietly(channel);
            throw new IllegalStateException("data.dir " + root + " is in use by another wirekv instance in this " +
                "process (pid " + ProcessHandle.current().pid() + "): give this instance another data.dir", ex);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new IllegalStateException("data.dir " + root + ": cannot lock " + lockPath + ": " + ex, ex);
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            if (null != channel)
            {
                channel.close();
            }
        }
        catch (final IOException ignore)
        {
            // already failing
        }
    }

    public Path root()
    {
        return root;
    }

    /** Where snapshots go (the snapshot writer's). */
    public Path snapshotDir()
    {
        return root.resolve(SNAPSHOT_DIR);
    }

    /** {@code data.dir/log}. */
    public Path logDir()
    {
        return root.resolve(LOG_DIR);
    }

    /** {@code data.dir/log/p<partition>}, created if missing. */
    public Path partitionLogDir(final int partition)
    {
        final Path dir = root.resolve(LOG_DIR).resolve("p" + partition);
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + dir, ex);
        }
        return dir;
    }

    public Path segmentPath(final int partition, final long firstSequence)
    {
        return partitionLogDir(partition).resolve(LogSegmentDescriptor.fileName(firstSequence));
    }

    /** The partition's segment files in sequence order (their names sort as their first sequences). */
    public List<Path> segments(final int partition)
    {
        try (Stream<Path> files = Files.list(partitionLogDir(partition)))
        {
            final List<Path> list = new ArrayList<>(files
                .filter(p -> p.getFileName().toString().matches("\\d{20}\\" + LogSegmentDescriptor.SUFFIX))
                .sorted().toList());
            return list;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + partitionLogDir(partition), ex);
        }
    }

    /** The first sequence a segment's file name says. */
    public static long firstSequenceOf(final Path segment)
    {
        final String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - LogSegmentDescriptor.SUFFIX.length()));
    }

    /** Makes a new or removed entry in {@code dir} durable (fsync of the directory). */
    static void syncDirectory(final Path dir) throws IOException
    {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ))
        {
            d.force(true);
        }
    }

    /** Releases the lock (another instance may then open the directory). */
    @Override
    public void close()
    {
        try
        {
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot release " + root.resolve(LOCK_FILE), ex);
        }
    }
}
