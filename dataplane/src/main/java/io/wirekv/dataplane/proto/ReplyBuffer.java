package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Off-heap reply accumulator over caller-owned memory. Stream mode (TCP, writer replies) is a
 * plain append buffer. Datagram mode (UDP) leaves an 8-byte frame-header gap at the start of
 * every datagram, so the finished buffer already is the datagram train;
 * {@link #finishDatagrams(int)} fills in the headers once the counts are known.
 * <p>
 * Datagram framing follows memcached 1.6 exactly (checked against 1.6.18): every response object
 * ({@link #beginResponse()}: one per command, one per key of a multi-key get) is its own datagram
 * sequence, numbered 0..n-1 with count n, where a datagram holds at most {@code maxPayloadBytes}
 * bytes <em>including</em> its 8-byte header (1400 → 1392 bytes of reply). A response with no bytes
 * (a missed key of a multi-get) still becomes one header-only datagram with count 0, as memcached
 * sends it. Datagrams are laid out back to back in {@link #memory()}:
 * <pre>
 *  | hdr | payload ≤ max-8 | hdr | payload | hdr | ... |
 * </pre>
 * Single-threaded: owned by the thread that builds the reply.
 */
public final class ReplyBuffer
{
    /** Up to this many bytes from an array are stored one by one rather than copied in bulk. */
    private static final int SMALL_PUT_BYTES = 24;
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(
        java.nio.ByteOrder.BIG_ENDIAN);

    private final MemorySegment memory;
    private final int capacity;
    /** Where each datagram starts and its response group; sized on first datagram use (TCP never uses them). */
    private int[] datagramStart;
    private int[] datagramGroupFirst;

    private final byte[] digits = new byte[21];

    private boolean datagramMode;
    private int maxPayloadBytes;
    private int position;
    private int datagramCount;

    private int markPosition;
    private int markDatagramCount;

    public ReplyBuffer(final MemorySegment memory)
    {
        this.memory = memory;
        this.capacity = (int)Math.min(Integer.MAX_VALUE - 8, memory.byteSize());
        resetStream();
    }

    public MemorySegment memory()
    {
        return memory;
    }

    /** Total bytes the buffer can hold, frame headers included. */
    public int capacity()
    {
        return capacity;
    }

    public void resetStream()
    {
        datagramMode = false;
        maxPayloadBytes = 0;
        position = 0;
        datagramCount = 0;
    }

    public void resetDatagrams(final int maxPayloadBytes)
    {
        if (null == datagramStart)
        {
            // Once per buffer, at its first datagram: at most one header-only datagram per 8 bytes.
            final int maxDatagrams = capacity / UdpFrame.HEADER_LENGTH + 1;
            datagramStart = new int[maxDatagrams];
            datagramGroupFirst = new int[maxDatagrams];
        }
        datagramMode = true;
        this.maxPayloadBytes = Math.max(UdpFrame.HEADER_LENGTH + 1, maxPayloadBytes);
        position = 0;
        datagramCount = 0;
    }

    public boolean isDatagramMode()
    {
        return datagramMode;
    }

    /** Bytes written so far, frame-header gaps included. */
    public int length()
    {
        return position;
    }

    /**
     * Starts a new response object: in datagram mode a new datagram sequence (memcached sends every
     * response as its own sequence); a no-op in stream mode. False if not even a header fits.
     */
    public boolean beginResponse()
    {
        if (!datagramMode)
        {
            return true;
        }
        if (position + UdpFrame.HEADER_LENGTH > capacity)
        {
            return false;
        }
        datagramStart[datagramCount] = position;
        datagramGroupFirst[datagramCount] = datagramCount;
        datagramCount++;
        position += UdpFrame.HEADER_LENGTH;
        return true;
    }

    /** Remembers the current end so that a reply that turns out not to fit can be taken back. */
    public void mark()
    {
        markPosition = position;
        markDatagramCount = datagramCount;
    }

    /** Drops everything written since {@link #mark()}. */
    public void rollbackToMark()
    {
        position = markPosition;
        datagramCount = markDatagramCount;
    }

    /** Stream mode: drops every byte after the first {@code length} (a reply that must not leave after all). */
    public void truncateStream(final int length)
    {
        if (!datagramMode && length < position)
        {
            position = Math.max(0, length);
        }
    }

    /** Bytes of {@link #memory()} that {@code length} more reply bytes would take, frame headers included. */
    public long physicalBytesFor(final int length)
    {
        if (!datagramMode)
        {
            return length;
        }
        final int payloadMax = maxPayloadBytes - UdpFrame.HEADER_LENGTH;
        int room = 0;
        if (datagramCount > 0)
        {
            room = payloadMax - (position - datagramStart[datagramCount - 1] - UdpFrame.HEADER_LENGTH);
        }
        if (length <= room)
        {
            return length;
        }
        final long extra = length - room;
        final long newDatagrams = (extra + payloadMax - 1) / payloadMax;
        return length + newDatagrams * UdpFrame.HEADER_LENGTH;
    }

    /** True if {@code length} more reply bytes fit. */
    public boolean fits(final int length)
    {
        return position + physicalBytesFor(length) <= capacity;
    }

    /** Appends raw bytes; false (and nothing written) if they do not fit. */
    public boolean put(final MemorySegment src, final long offset, final int length)
    {
        if (!fits(length))
        {
            return false;
        }
        if (!datagramMode)
        {
            MemorySegment.copy(src, offset, memory, position, length);
            position += length;
            return true;
        }
        long from = offset;
        int remaining = length;
        while (remaining > 0)
        {
            final int room = roomInDatagram();
            final int n = Math.min(room, remaining);
            MemorySegment.copy(src, from, memory, position, n);
            position += n;
            from += n;
            remaining -= n;
        }
        return true;
    }

    /** Appends bytes of a constant; false (and nothing written) if they do not fit. */
    public boolean put(final byte[] src)
    {
        return put(src, 0, src.length);
    }

    public boolean put(final byte[] src, final int offset, final int length)
    {
        if (!fits(length))
        {
            return false;
        }
        if (length <= SMALL_PUT_BYTES && (!datagramMode || 0 == length || roomInDatagram() >= length))
        {
            // the constants and numbers of a reply (VALUE, CRLF, END, digits) are a few bytes each: a store per
            // byte costs less than the checks MemorySegment.copy makes before it copies (a sixth of a GET's
            // time went to those calls, per the per-core ceiling profile)
            for (int i = 0; i < length; i++)
            {
                memory.set(ValueLayout.JAVA_BYTE, position + i, src[offset + i]);
            }
            position += length;
            return true;
        }
        // the array overload of MemorySegment.copy: no heap segment is made (MemorySegment.ofArray would
        // make one that only C2's escape analysis removes)
        if (!datagramMode)
        {
            MemorySegment.copy(src, offset, memory, ValueLayout.JAVA_BYTE, position, length);
            position += length;
            return true;
        }
        int from = offset;
        int remaining = length;
        while (remaining > 0)
        {
            final int n = Math.min(roomInDatagram(), remaining);
            MemorySegment.copy(src, from, memory, ValueLayout.JAVA_BYTE, position, n);
            position += n;
            from += n;
            remaining -= n;
        }
        return true;
    }

    /** Appends an unsigned 64-bit decimal; false (nothing written) if it does not fit. */
    public boolean putUnsigned(final long value)
    {
        int i = digits.length;
        long v = value;
        if (v < 0)
        {
            final long q = (v >>> 1) / 5;
            digits[--i] = (byte)('0' + (v - q * 10));
            v = q;
        }
        do
        {
            digits[--i] = (byte)('0' + v % 10);
            v /= 10;
        }
        while (v != 0);
        return put(digits, i, digits.length - i);
    }

    /** Appends a signed decimal; false (nothing written) if it does not fit. */
    public boolean putSigned(final long value)
    {
        if (value >= 0)
        {
            return putUnsigned(value);
        }
        if (!fits(21))
        {
            return false;
        }
        putByteUnchecked((byte)'-');
        return putUnsigned(-value);
    }

    /** Appends one byte without a capacity check of the whole reply; the caller checked {@link #fits}. */
    public void putByteUnchecked(final byte b)
    {
        if (datagramMode)
        {
            roomInDatagram();
        }
        memory.set(ValueLayout.JAVA_BYTE, position++, b);
    }

    /**
     * Room left in the current datagram, opening a continuation datagram (same response) when the
     * current one is full; the caller has checked capacity.
     */
    private int roomInDatagram()
    {
        final int payloadMax = maxPayloadBytes - UdpFrame.HEADER_LENGTH;
        if (datagramCount == 0)
        {
            openDatagram(0);
            return payloadMax;
        }
        final int used = position - datagramStart[datagramCount - 1] - UdpFrame.HEADER_LENGTH;
        if (used >= payloadMax)
        {
            openDatagram(datagramGroupFirst[datagramCount - 1]);
            return payloadMax;
        }
        return payloadMax - used;
    }

    private void openDatagram(final int groupFirst)
    {
        final int index = datagramCount;
        datagramStart[index] = position;
        datagramGroupFirst[index] = index == 0 && groupFirst == 0 ? 0 : groupFirst;
        datagramCount++;
        position += UdpFrame.HEADER_LENGTH;
    }

    /**
     * Writes every frame header (request id, sequence within its response, that response's datagram
     * count, 0); returns the datagram count. In stream mode the whole buffer is one "datagram" without
     * a header.
     */
    public int finishDatagrams(final int requestId)
    {
        if (!datagramMode)
        {
            return position > 0 ? 1 : 0;
        }
        int i = 0;
        while (i < datagramCount)
        {
            final int first = i;
            int end = i + 1;
            while (end < datagramCount && datagramGroupFirst[end] == first)
            {
                end++;
            }
            int count = end - first;
            if (count == 1 && datagramLength(first) == UdpFrame.HEADER_LENGTH)
            {
                count = 0; // memcached: an empty response announces 0 datagrams
            }
            for (int d = first; d < end; d++)
            {
                final long at = datagramStart[d];
                memory.set(SHORT_BE, at, (short)requestId);
                memory.set(SHORT_BE, at + 2, (short)(d - first));
                memory.set(SHORT_BE, at + 4, (short)count);
                memory.set(SHORT_BE, at + 6, (short)0);
            }
            i = end;
        }
        return datagramCount;
    }

    /** Offset of datagram {@code index} within {@link #memory()} after {@link #finishDatagrams}. */
    public long datagramOffset(final int index)
    {
        return datagramMode ? datagramStart[index] : 0;
    }

    public int datagramLength(final int index)
    {
        if (!datagramMode)
        {
            return position;
        }
        final int end = index + 1 < datagramCount ? datagramStart[index + 1] : position;
        return end - datagramStart[index];
    }
}
