package io.wirekv.dataplane.record;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;

/**
 * The framing of {@link WriteRecordDescriptor write records} stored one after another (a log segment, later a
 * replication stream): each record starts 8-byte aligned, carries its {@code sequence} and a CRC32C of bytes
 * {@code [8, length)}, and a zero length word marks the end. {@link #seal} fills a record's frame,
 * {@link #verify} checks one. Bound to one memory region by {@link #wrap} (the only call that allocates: a
 * {@link ByteBuffer} view the JDK's {@link CRC32C} reads without copying); sealing and verifying allocate nothing.
 * Single-threaded.
 */
public final class RecordFrames
{
    /** {@link #verify}: the length word or the record runs past the end of the region (a torn write). */
    public static final int TRUNCATED = -1;
    /** {@link #verify}: a length that cannot be a record's (shorter than a header, misaligned or too long). */
    public static final int BAD_LENGTH = -2;
    /** {@link #verify}: the CRC32C does not match the bytes. */
    public static final int BAD_CRC = -3;

    private final CRC32C crc = new CRC32C();
    private MemorySegment memory;
    private ByteBuffer view;
    /**
     * Little-endian reads for {@link #verify}: a plain buffer read costs far less than a segment var handle until
     * the JIT has compiled the caller, and recovery verifies a whole log before that.
     */
    private ByteBuffer fields;

    /** Binds to {@code memory} (at most 2 GiB: a ByteBuffer's reach). Allocates a view; not for the hot path. */
    public RecordFrames wrap(final MemorySegment memory)
    {
        this.memory = memory;
        this.view = memory.asByteBuffer();
        this.fields = memory.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return this;
    }

    public MemorySegment memory()
    {
        return memory;
    }

    /** Bytes a record of {@code length} takes in a stream: the next record starts this far after it. */
    public static int frameLength(final int length)
    {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * Sets the sequence and the CRC32C of the record at {@code offset} (its length already set).
     * @return its {@link #frameLength}.
     */
    public int seal(final long offset, final long sequence)
    {
        final int length = memory.get(Le.INT, offset + LENGTH_OFFSET);
        memory.set(Le.LONG, offset + SEQUENCE_OFFSET, sequence);
        memory.set(Le.INT, offset + CRC32C_OFFSET, crc32c(offset, length));
        return frameLength(length);
    }

    /**
     * Checks the frame at {@code offset}, which must lie before {@code limit} (the region's end of data).
     * @return the record's {@link #frameLength} when its length and CRC32C hold; 0 at a zero length word (the
     *         end of the stream); else {@link #TRUNCATED}, {@link #BAD_LENGTH} or {@link #BAD_CRC}.
     */
    public int verify(final long offset, final long limit)
    {
        if (offset + Integer.BYTES > limit)
        {
            for (long at = offset; at < limit; at++)
            {
                if (memory.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at) != 0)
                {
                    return TRUNCATED; // part of a length word
                }
            }
            return 0; // the region ends here (or in zeros)
        }
        final int length = fields.getInt((int)(offset + LENGTH_OFFSET));
        if (length == 0)
        {
            return 0;
        }
        if (length < MIN_LENGTH || length > HEADER_LENGTH + KEY_MAX_LENGTH + (Integer.MAX_VALUE >> 1))
        {
            return BAD_LENGTH;
        }
        if (offset + length > limit)
        {
            return TRUNCATED;
        }
        return fields.getInt((int)(offset + CRC32C_OFFSET)) == crc32c(offset, length) ? frameLength(length) : BAD_CRC;
    }

    /** The sequence of a record {@link #verify} accepted. */
    public long sequence(final long offset)
    {
        return fields.getLong((int)(offset + SEQUENCE_OFFSET));
    }

    /** The length of a record {@link #verify} accepted (its frame is {@link #frameLength} of it). */
    public int length(final long offset)
    {
        return fields.getInt((int)(offset + LENGTH_OFFSET));
    }

    private int crc32c(final long offset, final int length)
    {
        crc.reset();
        view.limit((int)(offset + length)).position((int)(offset + CRC_COVERAGE_OFFSET));
        crc.update(view);
        return (int)crc.getValue();
    }
}
