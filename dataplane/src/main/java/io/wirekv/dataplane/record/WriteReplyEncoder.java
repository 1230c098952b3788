package io.wirekv.dataplane.record;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.record.WriteReplyDescriptor.*;

/**
 * Writes the writer's {@link WriteReplyDescriptor binary reply} into a buffer the writer owns; the
 * reply is then copied whole onto the reader's reply ring. Single-threaded, reused per record.
 */
public final class WriteReplyEncoder
{
    private final MemorySegment buffer;

    /** @param buffer room for {@link WriteReplyDescriptor#HEADER_LENGTH} plus the largest value. */
    public WriteReplyEncoder(final MemorySegment buffer)
    {
        this.buffer = buffer;
    }

    public MemorySegment buffer()
    {
        return buffer;
    }

    /** Starts a reply: header cleared, status set, no value. */
    public WriteReplyEncoder reset(final long ticket, final byte status)
    {
        for (int i = 0; i < HEADER_LENGTH; i += Long.BYTES)
        {
            buffer.set(Le.LONG, i, 0L); // no slice: a slice object per reply would allocate
        }
        buffer.set(Le.LONG, TICKET_OFFSET, ticket);
        buffer.set(Le.BYTE, STATUS_OFFSET, status);
        return this;
    }

    public WriteReplyEncoder status(final byte status)
    {
        buffer.set(Le.BYTE, STATUS_OFFSET, status);
        return this;
    }

    public WriteReplyEncoder addFacts(final int facts)
    {
        buffer.set(Le.SHORT, FACTS_OFFSET, (short)(buffer.get(Le.SHORT, FACTS_OFFSET) | facts));
        return this;
    }

    /** The facts of the item after the write ({@link WriteReplyDescriptor#FACT_ITEM}). */
    public WriteReplyEncoder item(
        final long cas, final int clientFlags, final int valueLength, final long expiresAt, final long storedAt,
        final int metaBits)
    {
        buffer.set(Le.LONG, CAS_OFFSET, cas);
        buffer.set(Le.INT, CLIENT_FLAGS_OFFSET, clientFlags);
        buffer.set(Le.INT, ITEM_VALUE_LENGTH_OFFSET, valueLength);
        buffer.set(Le.LONG, EXPIRES_AT_OFFSET, expiresAt);
        buffer.set(Le.LONG, EXPIRY_BEFORE_OFFSET, expiresAt);
        buffer.set(Le.LONG, STORED_AT_OFFSET, storedAt);
        buffer.set(Le.BYTE, META_BITS_OFFSET, (byte)metaBits);
        return addFacts(FACT_ITEM);
    }

    public WriteReplyEncoder expiryBefore(final long expiresAt)
    {
        buffer.set(Le.LONG, EXPIRY_BEFORE_OFFSET, expiresAt);
        return this;
    }

    public WriteReplyEncoder value(final MemorySegment src, final long srcOffset, final int length)
    {
        buffer.set(Le.INT, VALUE_LENGTH_OFFSET, length);
        MemorySegment.copy(src, srcOffset, buffer, VALUE_OFFSET, length);
        return this;
    }

    /** Bytes of the reply as written so far. */
    public int length()
    {
        return HEADER_LENGTH + buffer.get(Le.INT, VALUE_LENGTH_OFFSET);
    }
}
