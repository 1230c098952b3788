package io.wirekv.dataplane.log;

import io.wirekv.dataplane.record.RecordFrames;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.libc.LibC;
import io.wirekv.nativebindings.libc.Mman;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.wirekv.dataplane.log.LogSegmentDescriptor.*;

/**
 * One log segment file, mapped read-write: the writer appends records into {@link #memory()} and publishes the
 * end of what it appended ({@link #publishAppendedEnd}); the {@link LogSyncer} makes ranges of the mapping durable
 * and, once the writer has moved on to the {@link #next()} segment, unmaps it.
 * <p>
 * Zero-filled (persistence sync): a segment is created with every block written (zeros) and synced, so making
 * records durable later changes no metadata: writing the range back ({@link #writeBack}, {@code sync_file_range})
 * and one flush of the disk's write cache ({@link DiskFlush}) suffice, and that one flush covers every partition's
 * segments. A file whose blocks were only allocated (fallocate: unwritten extents, as async mode and older builds
 * make them) needs each sync to commit their conversion in the journal: one journal commit and flush per file per
 * round, three to four times the cost of one with four partitions. The zeros are written 4 KiB at a time: a large
 * write fills the page cache with large folios, and a write fault through the mapping dirties a whole folio, so
 * every sync then wrote a megabyte.
 * <p>
 * Threading: created and appended to by the partition's writer (or recovery, before any writer runs); forced
 * and closed by the syncer. {@code appendedEnd} and {@code next} are the only fields both read.
 */
public final class LogSegment
{
    private static final VarHandle APPENDED_END;
    private static final VarHandle NEXT;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Zero-filling writes one page at a time, so the page cache holds small folios (see the class comment). */
    private static final int ZERO_CHUNK = 4096;
    /** Linux's EOPNOTSUPP: the filesystem cannot fallocate. */
    private static final int EOPNOTSUPP = 95;
    /** Linux's EINVAL: madvise does not know the advice. */
    private static final int EINVAL = 22;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            APPENDED_END = lookup.findVarHandle(LogSegment.class, "appendedEnd", long.class);
            NEXT = lookup.findVarHandle(LogSegment.class, "next", LogSegment.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Set once more by {@link #becomeSegment} (a spare's), before the syncer can see the segment. */
    private Path path;
    private final int partition;
    private long firstSequence;
    private final FileChannel channel;
    /** The file's descriptor for {@code sync_file_range} (FileChannel does not expose its own). */
    private final int fd;
    /** Every block written at creation ({@link LogSegmentDescriptor#FLAG_ZERO_FILLED}): syncs need no metadata. */
    private final boolean zeroFilled;
    private final Arena arena;
    /** The mapping as the JDK made it: only {@link #force} needs this class (msync). */
    private final MemorySegment mapped;
    /**
     * The same bytes as a plain native segment, for every other access: the writer's record encoder then sees the
     * segment class of the rings and packet buffers only, and the CRC32C of a record reads a buffer view that has no
     * arena to take and release (through the shared arena's view: 14-15 ns for an 84-byte record here, 7 ns
     * without). It has no lifetime checks: nothing may use it after {@link #close} (the writer moves on to its next
     * segment before the syncer closes this one).
     */
    private final MemorySegment memory;
    private final RecordFrames frames;
    @SuppressWarnings("unused") // through APPENDED_END
    private long appendedEnd;
    @SuppressWarnings("unused") // through NEXT
    private LogSegment next;

    private LogSegment(final Path path, final int partition, final long firstSequence, final FileChannel channel,
        final long size, final boolean zeroFilled) throws IOException
    {
        this.path = path;
        this.partition = partition;
        this.firstSequence = firstSequence;
        this.channel = channel;
        final int descriptor = LibC.open(Errno.threadState(), path.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (descriptor < 0)
        {
            throw new IOException(path + ": cannot open the log segment: " + LibC.strerror(-descriptor));
        }
        this.fd = descriptor;
        this.arena = Arena.ofShared(); // mapped by the writer, unmapped by the syncer
        try
        {
            this.mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close();
            LibC.close(Errno.threadState(), descriptor);
            throw ex;
        }
        this.memory = MemorySegment.ofAddress(mapped.address()).reinterpret(size);
        this.frames = new RecordFrames().wrap(memory);
        this.appendedEnd = RECORDS_OFFSET;
        this.zeroFilled = zeroFilled;
    }

    /**
     * Creates the segment file with its {@code sizeBytes} allocated ({@code fallocate}, where the filesystem has it:
     * contiguous blocks) and, when {@code zeroFill} (persistence {@code sync}, or no fallocate here), written with
     * zeros now and synced: a full disk fails here, with nothing half-written, writing through the mapping can never
     * fault for want of a block, and with zeros no later sync needs metadata (see the class comment). Writes the
     * header and makes the directory entry durable. Zero-filling takes about 0.25 s for 64 MiB here, so spares are
     * made ahead of the writer's rolls on a thread of their own ({@link PartitionLog#makeSpare}); persistence
     * {@code async} skips it (one sync a second gains nothing from it, and the zeros' writes and sync competed with
     * the server for a shared CPU and disk for seconds at each roll).
     * @throws IOException when the file cannot be created or written (ENOSPC: "No space left on device"); no
     *         file is left behind.
     */
    public static LogSegment create(final Path path, final int partition, final long firstSequence,
        final long sizeBytes, final boolean zeroFill) throws IOException
    {
        final boolean allocated = allocate(path, sizeBytes);
        final boolean zeros = zeroFill || !allocated;
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(path);
            throw ex;
        }
        try
        {
            if (zeros)
            {
                writeZeros(channel, sizeBytes);
            }
            channel.force(true); // the blocks written and their extents (written, no longer unwritten) committed
            DataDirectory.syncDirectory(path.getParent());
            final LogSegment segment = new LogSegment(path, partition, firstSequence, channel, sizeBytes, zeros);
            if (firstSequence > 0)
            {
                segment.writeHeader(sizeBytes);
            }
            return segment;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            Files.deleteIfExists(path);
            throw ex;
        }
    }

    private static void writeZeros(final FileChannel channel, final long sizeBytes) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_CHUNK, sizeBytes));
        for (long at = 0; at < sizeBytes; )
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), sizeBytes - at));
            at += channel.write(zeros, at);
        }
    }

    /**
     * Creates the file (it must not exist) and allocates its blocks where the filesystem can.
     * @return true when allocated; false when the filesystem has no fallocate.
     */
    private static boolean allocate(final Path path, final long sizeBytes) throws IOException
    {
        final MemorySegment errno = Errno.threadState();
        final int fd = LibC.open(errno, path.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0644);
        if (fd < 0)
        {
            throw new IOException(path + ": cannot create the log segment: " + LibC.strerror(-fd));
        }
        final int result = LibC.fallocate(errno, fd, 0, sizeBytes);
        LibC.close(errno, fd);
        if (result == 0)
        {
            return true;
        }
        if (result == -EOPNOTSUPP)
        {
            return false;
        }
        Files.deleteIfExists(path);
        throw new IOException(path + ": cannot allocate " + sizeBytes + " bytes for the log segment: " +
            LibC.strerror(-result));
    }

    /**
     * A spare: an allocated (and, {@code zeroFill}, zero-filled) mapped file with no header yet ({@code spare-*.tmp}
     * in the partition's directory), made by the spare thread ahead of time so that the writer's roll to the next
     * segment is a rename, not 64 MiB of writes on the writer thread. Recovery removes leftover spares.
     */
    public static LogSegment createSpare(final Path directory, final int partition, final long sizeBytes,
        final boolean zeroFill) throws IOException
    {
        return create(directory.resolve("spare-" + System.nanoTime() + ".tmp"), partition, -1, sizeBytes, zeroFill);
    }

    /** Writer: turns this spare into the segment starting at {@code sequence} (rename, directory sync, header). */
    void becomeSegment(final Path segmentPath, final long sequence) throws IOException
    {
        Files.move(path, segmentPath, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        DataDirectory.syncDirectory(segmentPath.getParent());
        path = segmentPath;
        firstSequence = sequence;
        writeHeader(memory.byteSize());
    }

    /** Maps an existing segment file as it is (recovery). */
    public static LogSegment open(final Path path, final int partition, final long firstSequence) throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try
        {
            final boolean zeroFilled = headerSaysZeroFilled(channel);
            return new LogSegment(path, partition, firstSequence, channel, channel.size(), zeroFilled);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /** An existing file's {@link LogSegmentDescriptor#FLAG_ZERO_FILLED} (recovery checks the header's CRC). */
    private static boolean headerSaysZeroFilled(final FileChannel channel) throws IOException
    {
        final ByteBuffer flags = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (flags.hasRemaining() && channel.read(flags, FLAGS_OFFSET + flags.position()) > 0)
        {
            // a short file ends the loop with the flags incomplete: not zero-filled
        }
        return !flags.hasRemaining() && (flags.getInt(0) & FLAG_ZERO_FILLED) != 0;
    }

    private void writeHeader(final long sizeBytes)
    {
        memory.set(INT, MAGIC_OFFSET, MAGIC);
        memory.set(INT, VERSION_OFFSET, LogSegmentDescriptor.VERSION);
        memory.set(INT, PARTITION_OFFSET, partition);
        memory.set(INT, FLAGS_OFFSET, zeroFilled ? FLAG_ZERO_FILLED : 0);
        memory.set(LONG, FIRST_SEQUENCE_OFFSET, firstSequence);
        memory.set(LONG, SEGMENT_SIZE_OFFSET, sizeBytes);
        memory.set(INT, HEADER_CRC_OFFSET, headerCrc());
    }

    private int headerCrc()
    {
        final CRC32C crc = new CRC32C();
        crc.update(memory.asSlice(0, HEADER_CRC_OFFSET).toArray(ValueLayout.JAVA_BYTE));
        return (int)crc.getValue();
    }

    /** A whole, valid header of another log format version: written by another wirekv build, not damaged. */
    public boolean isOtherFormat()
    {
        return isWirekvSegment() && memory.get(INT, VERSION_OFFSET) != LogSegmentDescriptor.VERSION;
    }

    /** A whole header with wirekv's magic and a matching CRC, of whatever version. */
    private boolean isWirekvSegment()
    {
        return memory.byteSize() >= RECORDS_OFFSET && memory.get(INT, MAGIC_OFFSET) == MAGIC &&
            memory.get(INT, HEADER_CRC_OFFSET) == headerCrc();
    }

    /**
     * What is wrong with the header (for recovery's message), or null when it is this partition's segment starting
     * at {@link #firstSequence()}.
     */
    public String headerProblem()
    {
        if (memory.byteSize() < RECORDS_OFFSET)
        {
            return "shorter (" + memory.byteSize() + " bytes) than a segment header";
        }
        if (!isWirekvSegment())
        {
            return "not a wirekv log segment (bad magic or header CRC)";
        }
        if (memory.get(INT, VERSION_OFFSET) != LogSegmentDescriptor.VERSION)
        {
            return "log segment version " + memory.get(INT, VERSION_OFFSET) + ", this build reads " +
                LogSegmentDescriptor.VERSION;
        }
        if (memory.get(INT, PARTITION_OFFSET) != partition)
        {
            return "header says partition " + memory.get(INT, PARTITION_OFFSET) + ", its directory " + partition;
        }
        if (memory.get(LONG, FIRST_SEQUENCE_OFFSET) != firstSequence)
        {
            return "header says first sequence " + memory.get(LONG, FIRST_SEQUENCE_OFFSET) + ", its name " +
                firstSequence;
        }
        return null;
    }

    /** Whether every byte of the file is zero (a segment created but never written: no header yet). */
    public boolean isAllZero()
    {
        for (long at = 0; at + Long.BYTES <= memory.byteSize(); at += Long.BYTES)
        {
            if (memory.get(LONG, at) != 0)
            {
                return false;
            }
        }
        return true;
    }

    public Path path()
    {
        return path;
    }

    public int partition()
    {
        return partition;
    }

    public long firstSequence()
    {
        return firstSequence;
    }

    public MemorySegment memory()
    {
        return memory;
    }

    /** Framing bound to this segment's memory (the writer's, or recovery's). */
    public RecordFrames frames()
    {
        return frames;
    }

    public long capacity()
    {
        return memory.byteSize();
    }

    /** Writer: records up to {@code end} are appended (their bytes written). */
    void publishAppendedEnd(final long end)
    {
        APPENDED_END.setRelease(this, end); // release: the record bytes; pairs with getAcquire in appendedEnd
    }

    /** Syncer: the end of what the writer has appended so far. */
    long appendedEnd()
    {
        return (long)APPENDED_END.getAcquire(this); // acquire: pairs with setRelease in publishAppendedEnd
    }

    /** Writer: it appends to {@code segment} from now on; this one is complete. */
    void publishNext(final LogSegment segment)
    {
        NEXT.setRelease(this, segment); // release: this segment's final appendedEnd; pairs with getAcquire in next
    }

    /** Syncer: the segment the writer moved on to, or null. Once non-null, {@link #appendedEnd} is final. */
    LogSegment next()
    {
        return (LogSegment)NEXT.getAcquire(this); // acquire: pairs with setRelease in publishNext
    }

    /** Forces {@code [from, to)} of the mapping to the disk (msync: the range's data and the metadata to read it). */
    public void force(final long from, final long to)
    {
        if (to > from)
        {
            mapped.asSlice(from, to - from).force();
        }
    }

    /** Whether every block was written at creation, so {@link #writeBack} and a flush make a range durable. */
    public boolean zeroFilled()
    {
        return zeroFilled;
    }

    /**
     * Syncer: writes {@code [from, to)} back to the disk and waits for it ({@code sync_file_range}): data only, and
     * durable once the disk's write cache is flushed after it ({@link DiskFlush}). Only for a {@link #zeroFilled}
     * segment, on a filesystem where overwriting written blocks changes no metadata.
     * @throws java.io.UncheckedIOException when the write-back failed (EIO).
     */
    public void writeBack(final long from, final long to)
    {
        if (to > from)
        {
            final int result = LibC.syncFileRange(Errno.threadState(), fd, from, to - from,
                LibC.SYNC_FILE_RANGE_WAIT_BEFORE | LibC.SYNC_FILE_RANGE_WRITE | LibC.SYNC_FILE_RANGE_WAIT_AFTER);
            if (result < 0)
            {
                throw new java.io.UncheckedIOException(new IOException(path + ": write-back of [" + from + ", " + to +
                    ") failed: " + LibC.strerror(-result)));
            }
        }
    }

    /** Syncer: starts writing {@code [from, to)} back without waiting (so the partitions' writes overlap). */
    public void startWriteBack(final long from, final long to)
    {
        if (to > from)
        {
            LibC.syncFileRange(Errno.threadState(), fd, from, to - from, LibC.SYNC_FILE_RANGE_WRITE); // errors: writeBack
        }
    }

    /**
     * Syncer: faults {@code [from, to)} (page-aligned {@code from}) of the mapping in writable without changing a byte
     * ({@code MADV_POPULATE_WRITE}), so the writer's appends there take no page fault: a write fault on a file
     * mapping runs the filesystem's page_mkwrite (ext4: a journal handle), about 10 us here, which was half of what
     * appending a record cost the writer. Best effort.
     * @return false when the kernel cannot (before Linux 5.14): the caller stops asking.
     */
    boolean populateForWrite(final long from, final long to)
    {
        return to <= from || advise(from, to, Mman.MADV_POPULATE_WRITE) != -EINVAL;
    }

    /**
     * Syncer: removes the mapping's page-table entries for {@code [from, to)} (page-aligned), which the writer has
     * filled and will not write again ({@code MADV_DONTNEED}: on a shared file mapping the bytes stay in the page
     * cache and the file, and a later read faults them back in), so their write-back has none to write-protect (see
     * {@link WriterPages}: 9,000-19,000 TLB-flush interrupts a second on the writer's core in the per-core ceiling's
     * async SETs without it; 1.17x with it). Best effort.
     */
    void unmapWritten(final long from, final long to)
    {
        if (to > from)
        {
            advise(from, to, Mman.MADV_DONTNEED);
        }
    }

    /** {@code madvise} of {@code [from, to)} of the mapping; returns 0 or -errno. */
    private int advise(final long from, final long to, final int advice)
    {
        return Mman.madvise(Errno.threadState(), memory.asSlice(from, to - from), to - from, advice);
    }

    /** Recovery: zeroes {@code [from, capacity)} (a cut tail) and forces it, so the cut survives a crash. */
    void zeroFrom(final long from)
    {
        if (from < memory.byteSize())
        {
            memory.asSlice(from).fill((byte)0);
            force(from, memory.byteSize());
        }
    }

    /** Unmaps and closes the file. */
    public void close()
    {
        try
        {
            arena.close();
        }
        finally
        {
            LibC.close(Errno.threadState(), fd);
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to do for a closing segment
            }
        }
    }
}
