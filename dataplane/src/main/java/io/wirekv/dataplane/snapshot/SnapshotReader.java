package io.wirekv.dataplane.snapshot;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.wirekv.dataplane.snapshot.SnapshotDescriptor.*;

/**
 * Validates a snapshot file ({@link SnapshotDescriptor}) and streams its items to an {@link ItemSink}: header
 * (magic, version, header CRC, partition), every frame's length and CRC32C, and the trailer (item count, body length,
 * CRC of the whole body, nothing after it). Anything else is a {@link SnapshotFormatException} naming the file, the
 * offset and the reason.
 * <p>
 * Items reach the sink as they are read, before the trailer is checked: a file that fails part-way has delivered a
 * prefix the caller must discard. Verify first ({@link #verify}, or take the file {@link SnapshotDirectory} chose,
 * which verified it) to load only a file known to be whole.
 * <p>
 * Reads through one reusable direct buffer (grown once for a frame larger than it): nothing is allocated per item,
 * and the body CRC is taken over each buffer's worth of frames at once.
 * Threading: one thread per instance.
 */
public final class SnapshotReader
{
    public static final int DEFAULT_BUFFER_BYTES = 1 << 20;

    private final CRC32C frameCrc = new CRC32C();
    private final CRC32C bodyCrc = new CRC32C();
    /** The trailer, read ahead for {@link ItemSink#expect}'s count. */
    private final ByteBuffer trailer = ByteBuffer.allocateDirect(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer buffer;
    private ByteBuffer window;
    private MemorySegment segment;
    /** Valid bytes of the buffer are [position, limit); position is at file offset {@link #offset}. */
    private int position;
    private int limit;
    /** The body CRC covers the file up to the buffer's byte {@code crcFrom} (at most {@link #position}). */
    private int crcFrom;
    private long offset;
    private FileChannel channel;
    private Path file;

    public SnapshotReader()
    {
        this(DEFAULT_BUFFER_BYTES);
    }

    public SnapshotReader(final int bufferBytes)
    {
        allocate(Math.max(bufferBytes, HEADER_LENGTH + TRAILER_LENGTH));
    }

    private void allocate(final int capacity)
    {
        buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        window = buffer.duplicate();
        segment = MemorySegment.ofBuffer(buffer);
    }

    /** Checks the whole file without delivering items; see {@link #read}. */
    public SnapshotInfo verify(final Path file, final int expectedPartition) throws IOException
    {
        return read(file, expectedPartition, null);
    }

    /**
     * Validates {@code file} and passes each item to {@code sink} (null: validate only).
     *
     * @param expectedPartition the partition the file must hold (its name's), or -1 for any.
     * @throws SnapshotFormatException if the file is not a complete valid snapshot of that partition.
     * @throws IOException             if it cannot be read.
     */
    public SnapshotInfo read(final Path file, final int expectedPartition, final ItemSink sink) throws IOException
    {
        final long startNs = System.nanoTime();
        this.file = file;
        position = 0;
        limit = 0;
        crcFrom = 0;
        offset = 0;
        bodyCrc.reset();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            channel = ch;
            final long size = ch.size();
            if (size == 0)
            {
                throw refuse(0, "empty file");
            }
            fill(Math.min(size, HEADER_LENGTH));
            if (available() < Long.BYTES)
            {
                throw refuse(size, "truncated: " + size + " bytes, shorter than the " + HEADER_LENGTH + "-byte header");
            }
            if (segment.get(U64, position + MAGIC_OFFSET) != MAGIC)
            {
                throw refuse(0, "not a wirekv snapshot (bad magic)");
            }
            if (available() < HEADER_LENGTH)
            {
                throw refuse(size, "truncated: " + size + " bytes, shorter than the " + HEADER_LENGTH + "-byte header");
            }
            final int version = segment.get(U32, position + VERSION_OFFSET);
            if (version != VERSION)
            {
                throw refuse(VERSION_OFFSET, "unsupported version " + version + " (this build reads " + VERSION + ")");
            }
            if (segment.get(U32, position + HEADER_CRC_OFFSET) != crc(frameCrc, position, position + HEADER_CRC_OFFSET))
            {
                throw refuse(0, "header CRC mismatch");
            }
            final int partition = segment.get(U32, position + PARTITION_OFFSET);
            if (expectedPartition >= 0 && partition != expectedPartition)
            {
                throw refuse(PARTITION_OFFSET,
                    "wrong partition: the file holds partition " + partition + ", expected " + expectedPartition);
            }
            final long sequence = segment.get(U64, position + SEQUENCE_OFFSET);
            final long createdAtMs = segment.get(U64, position + CREATED_AT_OFFSET);
            consume(HEADER_LENGTH);
            if (sink != null)
            {
                final long expected = trailerItemCount(size);
                if (expected > 0)
                {
                    sink.expect(expected);
                }
            }

            return readItems(partition, sequence, createdAtMs, size, sink, startNs);
        }
        finally
        {
            channel = null;
        }
    }

    /**
     * The frames after the header, up to and with the trailer. The per-item path is kept short (fields read from the
     * little-endian buffer, the body CRC taken per buffer fill, refusals built in methods of their own) because at
     * start-up it runs before the JIT has compiled it: interpreted and C1 code pay for every call and check.
     */
    private SnapshotInfo readItems(final int partition, final long sequence, final long createdAtMs, final long size,
        final ItemSink sink, final long startNs) throws IOException
    {
        long items = 0;
        while (true)
        {
            final long frameOffset = offset;
            if (size - frameOffset < 2 * Integer.BYTES)
            {
                throw refuseShortFrame(frameOffset, size, items);
            }
            ensure(2 * Integer.BYTES);
            final long length = buffer.getInt(position + FRAME_LENGTH_OFFSET) & 0xFFFF_FFFFL;
            if (length < ITEM_HEADER_LENGTH || length > MAX_FRAME_LENGTH || length > size - frameOffset)
            {
                throw refuseLength(frameOffset, length, size);
            }
            ensure(length);
            final int at = position;
            if (buffer.getInt(at + FRAME_CRC_OFFSET) != crc(frameCrc, at + FRAME_TYPE_OFFSET, at + (int)length))
            {
                throw refuse(frameOffset, "frame CRC mismatch (frame of " + length + " bytes)");
            }
            final byte type = buffer.get(at + FRAME_TYPE_OFFSET);
            if (type != TYPE_ITEM)
            {
                if (type == TYPE_TRAILER)
                {
                    checkTrailer(at, length, frameOffset, size, items, bodyCrcUpTo(at));
                    return new SnapshotInfo(file, partition, sequence, createdAtMs, items, size,
                        (System.nanoTime() - startNs) / 1_000_000);
                }
                throw refuse(frameOffset, "unknown frame type " + type);
            }
            final int keyLength = buffer.get(at + KEY_LENGTH_OFFSET) & 0xFF;
            final int valueLength = (int)(length - ITEM_HEADER_LENGTH - keyLength);
            if (valueLength < 0)
            {
                throw refuse(frameOffset, "key of " + keyLength + " bytes longer than its frame of " + length);
            }
            if (sink != null)
            {
                sink.item(segment, at + KEY_OFFSET, keyLength,
                    buffer.getInt(at + CLIENT_FLAGS_OFFSET),
                    buffer.getInt(at + EXPIRES_AT_OFFSET) & 0xFFFF_FFFFL,
                    buffer.getLong(at + CAS_OFFSET),
                    buffer.getInt(at + STORED_AT_OFFSET) & 0xFFFF_FFFFL,
                    buffer.get(at + META_BITS_OFFSET) & 0xFF,
                    segment, at + KEY_OFFSET + keyLength, valueLength);
            }
            items++;
            position = at + (int)length;
            offset = frameOffset + length;
        }
    }

    private SnapshotFormatException refuseShortFrame(final long frameOffset, final long size, final long items)
    {
        return frameOffset == size ?
            refuse(frameOffset, "truncated: the file ends after " + items + " items without a trailer") :
            refuse(frameOffset, "truncated: " + (size - frameOffset) + " bytes left, less than a frame header");
    }

    private SnapshotFormatException refuseLength(final long frameOffset, final long length, final long size)
    {
        return length < ITEM_HEADER_LENGTH || length > MAX_FRAME_LENGTH ?
            refuse(frameOffset, "bad frame length " + length) :
            refuse(frameOffset, "truncated: a frame of " + length + " bytes, the file ends at " + size);
    }

    /**
     * The item count of the trailer at the end of the file if that frame checks out on its own (length, type, CRC)
     * and the count fits the file's size; else -1. Only a hint: the body is verified as it is read.
     */
    private long trailerItemCount(final long size) throws IOException
    {
        if (size < HEADER_LENGTH + TRAILER_LENGTH)
        {
            return -1;
        }
        trailer.clear();
        while (trailer.hasRemaining())
        {
            if (channel.read(trailer, size - TRAILER_LENGTH + trailer.position()) < 0)
            {
                return -1;
            }
        }
        trailer.flip();
        if (trailer.getInt(FRAME_LENGTH_OFFSET) != TRAILER_LENGTH || trailer.get(FRAME_TYPE_OFFSET) != TYPE_TRAILER)
        {
            return -1;
        }
        frameCrc.reset();
        frameCrc.update(trailer.position(FRAME_TYPE_OFFSET));
        if (trailer.getInt(FRAME_CRC_OFFSET) != (int)frameCrc.getValue())
        {
            return -1;
        }
        final long count = trailer.getLong(ITEM_COUNT_OFFSET);
        return count >= 0 && count <= (size - HEADER_LENGTH - TRAILER_LENGTH) / ITEM_HEADER_LENGTH ? count : -1;
    }

    private void checkTrailer(
        final int at, final long length, final long frameOffset, final long size, final long items, final int crcOfBody)
        throws SnapshotFormatException
    {
        if (length != TRAILER_LENGTH)
        {
            throw refuse(frameOffset, "bad trailer length " + length);
        }
        final long count = segment.get(U64, at + ITEM_COUNT_OFFSET);
        if (count != items)
        {
            throw refuse(frameOffset, "the trailer counts " + count + " items, the file holds " + items);
        }
        final long bodyBytes = segment.get(U64, at + BODY_BYTES_OFFSET);
        if (bodyBytes != frameOffset)
        {
            throw refuse(frameOffset, "the trailer says the body is " + bodyBytes + " bytes, it is " + frameOffset);
        }
        if (segment.get(U32, at + BODY_CRC_OFFSET) != crcOfBody)
        {
            throw refuse(frameOffset, "body CRC mismatch");
        }
        if (frameOffset + TRAILER_LENGTH != size)
        {
            throw refuse(frameOffset + TRAILER_LENGTH,
                (size - frameOffset - TRAILER_LENGTH) + " bytes after the trailer");
        }
    }

    private SnapshotFormatException refuse(final long at, final String reason)
    {
        return new SnapshotFormatException(file, at, reason);
    }

    private int available()
    {
        return limit - position;
    }

    /** Makes {@code length} bytes available from {@link #position} (the caller checked the file holds them). */
    private void ensure(final long length) throws IOException
    {
        if (limit - position < length)
        {
            fill(length);
        }
    }

    private void fill(final long length) throws IOException
    {
        if (available() >= length)
        {
            return;
        }
        bodyCrcUpTo(position); // the consumed bytes are about to move or go
        if (buffer.capacity() < length)
        {
            final MemorySegment old = segment;
            final int kept = available();
            allocate(SnapshotDescriptor.bufferBytesFor(length)); // rare: a frame larger than every earlier one
            MemorySegment.copy(old, position, segment, 0, kept);
            position = 0;
            limit = kept;
        }
        else if (position > 0)
        {
            MemorySegment.copy(segment, position, segment, 0, available());
            limit -= position;
            position = 0;
        }
        crcFrom = position;
        while (limit < length)
        {
            window.limit(window.capacity()).position(limit);
            final int read = channel.read(window);
            if (read < 0)
            {
                throw refuse(offset + limit, "truncated: the file ended while reading");
            }
            limit += read;
        }
    }

    /** Moves past {@code length} bytes (the body CRC takes them later, with the rest of the buffer). */
    private void consume(final int length)
    {
        position += length;
        offset += length;
    }

    /**
     * Adds the buffer's bytes from {@link #crcFrom} to {@code end} to the body CRC (one call per buffer fill, not
     * per frame) and returns the CRC so far.
     */
    private int bodyCrcUpTo(final int end)
    {
        if (end > crcFrom)
        {
            window.limit(end).position(crcFrom);
            bodyCrc.update(window);
            crcFrom = end;
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
