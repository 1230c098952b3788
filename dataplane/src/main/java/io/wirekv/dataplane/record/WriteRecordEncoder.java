package io.wirekv.dataplane.record;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;

/**
 * Writes a {@link WriteRecordDescriptor write record} in place (usually straight into a claimed ring
 * slot). {@link #wrap} and {@link #wrapEffect} clear the header, so a record holds only what its writer set. An
 * effect record's header is the short one: a request-only field (ticket, key hash...) set on it would land in its
 * key. Re-wrapped per record, never allocated per request. Single-threaded.
 */
public final class WriteRecordEncoder
{
    private MemorySegment buffer;
    private long offset;
    private long keyOffset;

    /**
     * Starts a request record (or a logged flush_all) of {@code length} bytes ({@link WriteRecordDescriptor#recordLength})
     * at {@code offset}; set its opcode next.
     */
    public WriteRecordEncoder wrap(final MemorySegment buffer, final long offset, final int length)
    {
        return start(buffer, offset, length, HEADER_LENGTH);
    }

    /**
     * Starts an effect record ({@link WriteRecordDescriptor#isEffect OP_RESTORE or OP_UNLINK}, the short header) of
     * {@code length} bytes ({@link WriteRecordDescriptor#effectLength}) at {@code offset}.
     */
    public WriteRecordEncoder wrapEffect(final MemorySegment buffer, final long offset, final int length, final byte opcode)
    {
        return start(buffer, offset, length, EFFECT_HEADER_LENGTH).opcode(opcode);
    }

    private WriteRecordEncoder start(final MemorySegment buffer, final long offset, final int length, final int headerLength)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.keyOffset = offset + headerLength;
        for (int i = 0; i < headerLength; i += Long.BYTES)
        {
            buffer.set(Le.LONG, offset + i, 0L); // no slice: a slice object per record would allocate
        }
        buffer.set(Le.INT, offset + LENGTH_OFFSET, length);
        buffer.set(Le.BYTE, offset + VERSION_OFFSET, VERSION);
        return this;
    }

    public WriteRecordEncoder opcode(final byte opcode)
    {
        buffer.set(Le.BYTE, offset + OPCODE_OFFSET, opcode);
        return this;
    }

    public WriteRecordEncoder options(final int options)
    {
        buffer.set(Le.SHORT, offset + OPTIONS_OFFSET, (short)options);
        return this;
    }

    public WriteRecordEncoder partition(final int partition)
    {
        buffer.set(Le.INT, offset + PARTITION_OFFSET, partition);
        return this;
    }

    public WriteRecordEncoder ticket(final long ticket)
    {
        buffer.set(Le.LONG, offset + TICKET_OFFSET, ticket);
        return this;
    }

    /** The table's hash of the key (see {@link WriteRecordDescriptor#KEY_HASH_OFFSET}); left 0 without a key. */
    public WriteRecordEncoder keyHash(final long keyHash)
    {
        buffer.set(Le.LONG, offset + KEY_HASH_OFFSET, keyHash);
        return this;
    }

    public WriteRecordEncoder clientFlags(final int clientFlags)
    {
        buffer.set(Le.INT, offset + CLIENT_FLAGS_OFFSET, clientFlags);
        return this;
    }

    public WriteRecordEncoder storeMode(final byte mode)
    {
        buffer.set(Le.BYTE, offset + STORE_MODE_OFFSET, mode);
        return this;
    }

    /** OP_RESTORE: the item's meta bits. */
    public WriteRecordEncoder metaBits(final int metaBits)
    {
        buffer.set(Le.SHORT, offset + META_BITS_OFFSET, (short)metaBits);
        return this;
    }

    /** OP_RESTORE: when the item was stored, unix seconds. */
    public WriteRecordEncoder storedAt(final long storedAtSeconds)
    {
        buffer.set(Le.INT, offset + STORED_AT_OFFSET, (int)storedAtSeconds);
        return this;
    }

    public WriteRecordEncoder exptime(final long absoluteSeconds)
    {
        buffer.set(Le.LONG, offset + EXPTIME_OFFSET, absoluteSeconds);
        return this;
    }

    public WriteRecordEncoder compareCas(final long cas)
    {
        buffer.set(Le.LONG, offset + COMPARE_CAS_OFFSET, cas);
        return this;
    }

    public WriteRecordEncoder newCas(final long cas)
    {
        buffer.set(Le.LONG, offset + NEW_CAS_OFFSET, cas);
        return this;
    }

    public WriteRecordEncoder number(final long number)
    {
        buffer.set(Le.LONG, offset + NUMBER_OFFSET, number);
        return this;
    }

    public WriteRecordEncoder initial(final long initial)
    {
        buffer.set(Le.LONG, offset + INITIAL_OFFSET, initial);
        return this;
    }

    public WriteRecordEncoder vivifyExptime(final long absoluteSeconds)
    {
        buffer.set(Le.LONG, offset + VIVIFY_EXPTIME_OFFSET, absoluteSeconds);
        return this;
    }

    /** Copies the key (at most {@link WriteRecordDescriptor#KEY_MAX_LENGTH} bytes); set it before the value. */
    public WriteRecordEncoder key(final MemorySegment src, final long srcOffset, final int keyLength)
    {
        buffer.set(Le.BYTE, offset + KEY_LENGTH_OFFSET, (byte)keyLength);
        MemorySegment.copy(src, srcOffset, buffer, keyOffset, keyLength);
        return this;
    }

    /** Copies the value after the key. */
    public WriteRecordEncoder value(final MemorySegment src, final long srcOffset, final int valueLength)
    {
        final int keyLength = buffer.get(Le.BYTE, offset + KEY_LENGTH_OFFSET) & 0xFF;
        buffer.set(Le.INT, offset + VALUE_LENGTH_OFFSET, valueLength);
        MemorySegment.copy(src, srcOffset, buffer, keyOffset + keyLength, valueLength);
        return this;
    }
}
