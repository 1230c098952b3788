package io.wirekv.dataplane.record;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;

/**
 * A view over one {@link WriteRecordDescriptor write record}: the writer reads a write through it
 * without any parsing. {@link #wrap} checks the framing (version, length, opcode, key and value lengths)
 * so the getters never read past the record. Re-wrapped per record; single-threaded.
 */
public final class WriteRecordDecoder
{
    private MemorySegment buffer;
    private long offset;
    private int wrappedLength;
    /** Where the key starts: after the header the opcode says (taken once, in {@link #wrap}). */
    private long keyOffset;

    /**
     * Points at a record of {@code length} bytes.
     * @return false when the bytes are not a well-formed record of this version (nothing may be applied).
     */
    public boolean wrap(final MemorySegment buffer, final long offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.wrappedLength = length;
        this.keyOffset = offset + HEADER_LENGTH;
        if (length < MIN_LENGTH || offset + length > buffer.byteSize())
        {
            return false;
        }
        final int recordLength = buffer.get(Le.INT, offset + LENGTH_OFFSET);
        final byte op = opcode();
        final int headerLength = headerLength(op);
        keyOffset = offset + headerLength;
        return recordLength == length
            && buffer.get(Le.BYTE, offset + VERSION_OFFSET) == VERSION
            && op >= OP_STORE && op <= OP_MAX
            && (storeMode() & 0xFF) <= MODE_MAX
            && keyLength() <= KEY_MAX_LENGTH
            && valueLength() >= 0
            && (long)headerLength + keyLength() + valueLength() == length;
    }

    /** The ticket of bytes that may not be a record (to answer them), or 0 when they are too short to hold one. */
    public long ticketIfPresent()
    {
        return wrappedLength >= TICKET_OFFSET + Long.BYTES && offset + wrappedLength <= buffer.byteSize() ? ticket() : 0;
    }

    public MemorySegment buffer()
    {
        return buffer;
    }

    public int length()
    {
        return buffer.get(Le.INT, offset + LENGTH_OFFSET);
    }

    public long sequence()
    {
        return buffer.get(Le.LONG, offset + SEQUENCE_OFFSET);
    }

    public byte opcode()
    {
        return buffer.get(Le.BYTE, offset + OPCODE_OFFSET);
    }

    public int options()
    {
        return buffer.get(Le.SHORT, offset + OPTIONS_OFFSET) & 0xFFFF;
    }

    public boolean has(final int option)
    {
        return (options() & option) != 0;
    }

    public int partition()
    {
        return buffer.get(Le.INT, offset + PARTITION_OFFSET);
    }

    public long ticket()
    {
        return buffer.get(Le.LONG, offset + TICKET_OFFSET);
    }

    /** The key's hash as the producer computed it (see {@link WriteRecordDescriptor#KEY_HASH_OFFSET}). */
    public long keyHash()
    {
        return buffer.get(Le.LONG, offset + KEY_HASH_OFFSET);
    }

    public int clientFlags()
    {
        return buffer.get(Le.INT, offset + CLIENT_FLAGS_OFFSET);
    }

    public byte storeMode()
    {
        return buffer.get(Le.BYTE, offset + STORE_MODE_OFFSET);
    }

    /** OP_RESTORE: the item's meta bits. */
    public int metaBits()
    {
        return buffer.get(Le.SHORT, offset + META_BITS_OFFSET) & 0xFFFF;
    }

    /** OP_RESTORE: when the item was stored, unix seconds. */
    public long storedAt()
    {
        return buffer.get(Le.INT, offset + STORED_AT_OFFSET) & 0xFFFF_FFFFL;
    }

    public long exptime()
    {
        return buffer.get(Le.LONG, offset + EXPTIME_OFFSET);
    }

    public long compareCas()
    {
        return buffer.get(Le.LONG, offset + COMPARE_CAS_OFFSET);
    }

    public long newCas()
    {
        return buffer.get(Le.LONG, offset + NEW_CAS_OFFSET);
    }

    public long number()
    {
        return buffer.get(Le.LONG, offset + NUMBER_OFFSET);
    }

    public long initial()
    {
        return buffer.get(Le.LONG, offset + INITIAL_OFFSET);
    }

    public long vivifyExptime()
    {
        return buffer.get(Le.LONG, offset + VIVIFY_EXPTIME_OFFSET);
    }

    public int keyLength()
    {
        return buffer.get(Le.BYTE, offset + KEY_LENGTH_OFFSET) & 0xFF;
    }

    /** Offset of the key in {@link #buffer()}. */
    public long keyOffset()
    {
        return keyOffset;
    }

    public int valueLength()
    {
        return buffer.get(Le.INT, offset + VALUE_LENGTH_OFFSET);
    }

    /** Offset of the value in {@link #buffer()}. */
    public long valueOffset()
    {
        return keyOffset + keyLength();
    }
}
