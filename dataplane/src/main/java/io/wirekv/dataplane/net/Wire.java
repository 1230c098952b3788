package io.wirekv.dataplane.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Network-order (big-endian) accessors for header fields, declared once. Offsets are absolute
 * within the segment ({@code long}: on DPDK the segment is the whole address space and an offset is
 * an address). Callers check that every byte read or written lies inside the frame first; these
 * helpers do no checking of their own beyond the segment's.
 */
final class Wire
{
    static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    private Wire()
    {
    }

    static int u8(final MemorySegment memory, final long offset)
    {
        return memory.get(BYTE, offset) & 0xFF;
    }

    static int u16(final MemorySegment memory, final long offset)
    {
        return memory.get(BE_SHORT, offset) & 0xFFFF;
    }

    static int i32(final MemorySegment memory, final long offset)
    {
        return memory.get(BE_INT, offset);
    }

    static long mac(final MemorySegment memory, final long offset)
    {
        return ((long)u16(memory, offset) << 32) | (memory.get(BE_INT, offset + 2) & 0xFFFF_FFFFL);
    }

    static void putU8(final MemorySegment memory, final long offset, final int value)
    {
        memory.set(BYTE, offset, (byte)value);
    }

    static void putU16(final MemorySegment memory, final long offset, final int value)
    {
        memory.set(BE_SHORT, offset, (short)value);
    }

    static void putI32(final MemorySegment memory, final long offset, final int value)
    {
        memory.set(BE_INT, offset, value);
    }

    static void putMac(final MemorySegment memory, final long offset, final long mac)
    {
        memory.set(BE_SHORT, offset, (short)(mac >>> 32));
        memory.set(BE_INT, offset + 2, (int)mac);
    }
}
