package io.wirekv.dataplane.record;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.record.WriteReplyDescriptor.*;

/** A view over one {@link WriteReplyDescriptor binary reply} on the reader's side. Re-wrapped per reply. */
public final class WriteReplyDecoder
{
    private MemorySegment buffer;
    private long offset;

    public WriteReplyDecoder wrap(final MemorySegment buffer, final long offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public long ticket()
    {
        return buffer.get(Le.LONG, offset + TICKET_OFFSET);
    }

    public byte status()
    {
        return buffer.get(Le.BYTE, offset + STATUS_OFFSET);
    }

    public boolean has(final int fact)
    {
        return (buffer.get(Le.SHORT, offset + FACTS_OFFSET) & fact) != 0;
    }

    public int metaBits()
    {
        return buffer.get(Le.BYTE, offset + META_BITS_OFFSET) & 0xFF;
    }

    public long cas()
    {
        return buffer.get(Le.LONG, offset + CAS_OFFSET);
    }

    public int clientFlags()
    {
        return buffer.get(Le.INT, offset + CLIENT_FLAGS_OFFSET);
    }

    public int itemValueLength()
    {
        return buffer.get(Le.INT, offset + ITEM_VALUE_LENGTH_OFFSET);
    }

    public long expiresAt()
    {
        return buffer.get(Le.LONG, offset + EXPIRES_AT_OFFSET);
    }

    public long expiryBefore()
    {
        return buffer.get(Le.LONG, offset + EXPIRY_BEFORE_OFFSET);
    }

    public long storedAt()
    {
        return buffer.get(Le.LONG, offset + STORED_AT_OFFSET);
    }

    public MemorySegment buffer()
    {
        return buffer;
    }

    public int valueLength()
    {
        return buffer.get(Le.INT, offset + VALUE_LENGTH_OFFSET);
    }

    public long valueOffset()
    {
        return offset + VALUE_OFFSET;
    }
}
