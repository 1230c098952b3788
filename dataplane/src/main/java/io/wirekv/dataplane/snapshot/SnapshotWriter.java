package io.wirekv.dataplane.snapshot;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.ItemVisitor;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.wirekv.dataplane.snapshot.SnapshotDescriptor.*;

/**
 * Writes one partition's snapshot file ({@link SnapshotDescriptor}): {@link #begin} creates
 * {@code p<partition>-<sequence>.snap.tmp} and writes the header, {@link #append} (or {@link #visit}, as the
 * {@link ItemVisitor} of a {@link io.wirekv.dataplane.table.PartitionScanner}) adds item frames, {@link #finish}
 * writes the trailer, fsyncs the file, renames it to {@code .snap} and fsyncs the directory, after which the
 * snapshot is durable. {@link #abort} deletes an unfinished file.
 * <p>
 * Frames are built in one reusable direct buffer and written with it, so a snapshot of millions of items allocates
 * nothing per item (the buffer grows once if an item's frame is larger than it). As a scan's visitor, it writes to the
 * disk between chunks ({@link #endChunk()}), inside one only if a chunk's items fill three quarters of the buffer.
 * <p>
 * Threading: one thread (the snapshot thread) uses an instance; {@link #itemsOpaque()} and {@link #bytesOpaque()}
 * may be read by any thread for progress.
 */
public final class SnapshotWriter implements ItemVisitor, AutoCloseable
{
    /** Default buffer: large enough that writes reach the disk in big sequential pieces. */
    public static final int DEFAULT_BUFFER_BYTES = 1 << 20;

    private static final VarHandle ITEMS;
    private static final VarHandle BYTES;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            ITEMS = lookup.findVarHandle(SnapshotWriter.class, "items", long.class);
            BYTES = lookup.findVarHandle(SnapshotWriter.class, "bytes", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Path directory;
    private final EpochClock clock;
    private final CRC32C frameCrc = new CRC32C();
    private final CRC32C bodyCrc = new CRC32C();
    private ByteBuffer buffer;
    /** A second view of {@link #buffer} whose position and limit select the bytes to checksum or write. */
    private ByteBuffer window;
    private MemorySegment segment;
    /** Bytes of {@link #buffer} filled and not yet written. */
    private int filled;
    /** Bytes of {@link #buffer} already added to the body CRC. */
    private int crcDone;

    private FileChannel channel;
    private Path temporary;
    private int partition;
    private long sequence;
    private long createdAtMs;
    private long startNs;
    /** Written by the snapshot thread (opaque), read by anyone for progress. */
    private long items;
    /** Bytes of the file so far (written or buffered); written by the snapshot thread (opaque). */
    private long bytes;
    private IOException failure;

    public SnapshotWriter(final Path directory, final EpochClock clock)
    {
        this(directory, clock, DEFAULT_BUFFER_BYTES);
    }

    public SnapshotWriter(final Path directory, final EpochClock clock, final int bufferBytes)
    {
        if (bufferBytes < HEADER_LENGTH + TRAILER_LENGTH)
        {
            throw new IllegalArgumentException("bufferBytes too small: " + bufferBytes);
        }
        this.directory = directory;
        this.clock = clock;
        allocate(bufferBytes);
    }

    private void allocate(final int capacity)
    {
        buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        window = buffer.duplicate();
        segment = MemorySegment.ofBuffer(buffer);
    }

    /** The final path of partition's snapshot at sequence in this writer's directory. */
    public Path path(final int partition, final long sequence)
    {
        return directory.resolve(SnapshotDescriptor.fileName(partition, sequence));
    }

    /**
     * Starts a snapshot: creates (or truncates a leftover) {@code .snap.tmp} and buffers the header.
     *
     * @param sequence the partition's log sequence when the scan starts, given by the caller.
     */
    public void begin(final int partition, final long sequence) throws IOException
    {
        if (channel != null)
        {
            throw new IllegalStateException("snapshot of partition " + this.partition + " still open");
        }
        if (partition < 0 || sequence < 0)
        {
            throw new IllegalArgumentException("partition and sequence must not be negative: " + partition + ", " + sequence);
        }
        Files.createDirectories(directory);
        final Path target = path(partition, sequence);
        temporary = target.resolveSibling(target.getFileName() + ".tmp");
        channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        this.partition = partition;
        this.sequence = sequence;
        this.createdAtMs = clock.time();
        this.startNs = System.nanoTime();
        this.failure = null;
        filled = 0;
        crcDone = 0;
        bodyCrc.reset();
        ITEMS.setOpaque(this, 0L); // opaque: progress; pairs with getOpaque in itemsOpaque
        BYTES.setOpaque(this, 0L); // opaque: progress; pairs with getOpaque in bytesOpaque

        segment.set(U64, MAGIC_OFFSET, MAGIC);
        segment.set(U32, VERSION_OFFSET, VERSION);
        segment.set(U32, PARTITION_OFFSET, partition);
        segment.set(U64, SEQUENCE_OFFSET, sequence);
        segment.set(U64, CREATED_AT_OFFSET, createdAtMs);
        segment.set(U32, HEADER_RESERVED_OFFSET, 0);
        segment.set(U32, HEADER_CRC_OFFSET, crc(frameCrc, 0, HEADER_CRC_OFFSET));
        advance(HEADER_LENGTH);
    }

    /**
     * Appends the item as a {@link ItemVisitor}: true to go on; false after an I/O error, which {@link #failure()}
     * keeps and {@link #finish()} throws.
     */
    @Override
    public boolean visit(final ItemView item)
    {
        try
        {
            append(item.segment(), item.keyOffset(), item.keyLength(), item.clientFlags(), item.expiresAtSeconds(),
                item.cas(), item.storedAtSeconds(), item.metaBits(), item.segment(), item.valueOffset(), item.valueLength());
            return true;
        }
        catch (final IOException ex)
        {
            failure = ex;
            return false;
        }
    }

    /**
     * Between a scan's chunks (the scanning thread offline): writes the buffer to the file once it is a quarter full,
     * so that disk writes happen here and not inside a chunk, where they would hold a grace period. False after an
     * I/O error, which {@link #finish()} throws.
     */
    @Override
    public boolean endChunk()
    {
        if (filled < buffer.capacity() / 4)
        {
            return true;
        }
        try
        {
            flush(true);
            return true;
        }
        catch (final IOException ex)
        {
            failure = ex;
            return false;
        }
    }

    /** Appends one item frame; the key and value are copied into the buffer. */
    public void append(
        final MemorySegment key, final long keyOffset, final int keyLength, final int clientFlags,
        final long expiresAtSeconds, final long cas, final long storedAtSeconds, final int metaBits,
        final MemorySegment value, final long valueOffset, final int valueLength) throws IOException
    {
        if (keyLength < 0 || keyLength > 255 || valueLength < 0)
        {
            throw new IllegalArgumentException("key length 0..255 and value length >= 0: " + keyLength + ", " + valueLength);
        }
        final long length = SnapshotDescriptor.frameLength(keyLength, valueLength);
        if (length > MAX_FRAME_LENGTH)
        {
            throw new IllegalArgumentException("item too large for a snapshot frame: " + length + " bytes");
        }
        reserve((int)length);
        final int at = filled;
        segment.set(U32, at + FRAME_LENGTH_OFFSET, (int)length);
        segment.set(ValueLayout.JAVA_BYTE, at + FRAME_TYPE_OFFSET, TYPE_ITEM);
        segment.set(ValueLayout.JAVA_BYTE, at + KEY_LENGTH_OFFSET, (byte)keyLength);
        segment.set(ValueLayout.JAVA_BYTE, at + META_BITS_OFFSET, (byte)metaBits);
        segment.set(ValueLayout.JAVA_BYTE, at + ITEM_RESERVED_OFFSET, (byte)0);
        segment.set(U32, at + CLIENT_FLAGS_OFFSET, clientFlags);
        segment.set(U64, at + CAS_OFFSET, cas);
        segment.set(U32, at + EXPIRES_AT_OFFSET, (int)expiresAtSeconds);
        segment.set(U32, at + STORED_AT_OFFSET, (int)storedAtSeconds);
        MemorySegment.copy(key, keyOffset, segment, at + KEY_OFFSET, keyLength);
        MemorySegment.copy(value, valueOffset, segment, at + KEY_OFFSET + keyLength, valueLength);
        segment.set(U32, at + FRAME_CRC_OFFSET, crc(frameCrc, at + FRAME_TYPE_OFFSET, at + (int)length));
        advance((int)length);
        ITEMS.setOpaque(this, items + 1); // opaque: single writer; pairs with getOpaque in itemsOpaque
    }

    /**
     * Writes the trailer, fsyncs the file, renames it to {@code .snap} and fsyncs the directory: when this returns,
     * the snapshot survives a crash. Throws the I/O error a {@link #visit} met, if any (the file is then deleted).
     */
    public SnapshotInfo finish() throws IOException
    {
        if (channel == null)
        {
            throw new IllegalStateException("no snapshot begun");
        }
        try
        {
            if (failure != null)
            {
                throw failure;
            }
            reserve(TRAILER_LENGTH);
            final long bodyBytes = bytes;
            final int crcOfBody = bodyCrcThrough(filled);
            final int at = filled;
            segment.set(U32, at + FRAME_LENGTH_OFFSET, TRAILER_LENGTH);
            segment.set(U32, at + FRAME_TYPE_OFFSET, TYPE_TRAILER & 0xFF); // type byte, then 3 reserved zero bytes
            segment.set(U32, at + TRAILER_RESERVED_OFFSET, 0);
            segment.set(U64, at + ITEM_COUNT_OFFSET, items);
            segment.set(U64, at + BODY_BYTES_OFFSET, bodyBytes);
            segment.set(U32, at + BODY_CRC_OFFSET, crcOfBody);
            segment.set(U32, at + TRAILER_END_RESERVED_OFFSET, 0);
            segment.set(U32, at + FRAME_CRC_OFFSET, crc(frameCrc, at + FRAME_TYPE_OFFSET, at + TRAILER_LENGTH));
            advance(TRAILER_LENGTH);
            flush(false);
            channel.force(true);
            channel.close();
            channel = null;
            final Path target = path(partition, sequence);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            temporary = null;
            syncDirectory(directory);
            return new SnapshotInfo(target, partition, sequence, createdAtMs, items, bytes,
                (System.nanoTime() - startNs) / 1_000_000);
        }
        catch (final IOException | RuntimeException ex)
        {
            abort();
            throw ex;
        }
    }

    /** Closes and deletes an unfinished snapshot file; does nothing if none is open. */
    public void abort()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // the file is deleted next; nothing in it matters
            }
            channel = null;
        }
        if (temporary != null)
        {
            try
            {
                Files.deleteIfExists(temporary);
            }
            catch (final IOException ignored)
            {
                // a leftover .snap.tmp is never read and SnapshotDirectory.deleteOlder removes it later
            }
            temporary = null;
        }
    }

    /** The I/O error that stopped {@link #visit}, or null. */
    public IOException failure()
    {
        return failure;
    }

    /** Items appended to the current (or last) snapshot; any thread. */
    public long itemsOpaque()
    {
        return (long)ITEMS.getOpaque(this); // opaque: progress; pairs with setOpaque in append
    }

    /** Bytes of the current (or last) snapshot so far; any thread. */
    public long bytesOpaque()
    {
        return (long)BYTES.getOpaque(this); // opaque: progress; pairs with setOpaque in advance
    }

    @Override
    public void close()
    {
        abort();
    }

    /** fsync of a directory, so that a rename (or a new file) in it survives a crash. */
    static void syncDirectory(final Path directory) throws IOException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }

    private void advance(final int length)
    {
        filled += length;
        BYTES.setOpaque(this, bytes + length); // opaque: single writer; pairs with getOpaque in bytesOpaque
    }

    /** Makes room for {@code length} contiguous bytes: writes the buffer out, and grows it if one frame needs more. */
    private void reserve(final int length) throws IOException
    {
        if (buffer.capacity() - filled >= length)
        {
            return;
        }
        flush(true);
        if (buffer.capacity() < length)
        {
            allocate(SnapshotDescriptor.bufferBytesFor(length)); // rare: a frame larger than every earlier one
        }
    }

    /** Writes the filled bytes to the file, adding them to the body CRC unless the trailer is among them. */
    private void flush(final boolean body) throws IOException
    {
        if (body)
        {
            bodyCrcThrough(filled);
        }
        window.limit(filled).position(0);
        while (window.hasRemaining())
        {
            channel.write(window);
        }
        filled = 0;
        crcDone = 0;
    }

    private int bodyCrcThrough(final int end)
    {
        if (end > crcDone)
        {
            window.limit(end).position(crcDone);
            bodyCrc.update(window);
            crcDone = end;
        }
        return (int)bodyCrc.getValue();
    }

    private int crc(final CRC32C crc, final int from, final int to)
    {
        crc.reset();
        window.limit(to).position(from);
        crc.update(window);
        return (int)crc.getValue();
    }
}
