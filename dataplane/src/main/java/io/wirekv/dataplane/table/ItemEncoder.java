package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;

/**
 * Writes an item's bytes into a chunk as {@link ItemDescriptor} lays them out, in two steps: {@link #encode}
 * the fields readers see (everything but the CAS) while the chunk is still unreachable, then {@link #seal} it
 * with its CAS and the writer's slab state just before the index slot is published. The value is the
 * concatenation of a head, a tail and a run of spaces (any of them empty), so that append, prepend and incr
 * build their new value in place with no scratch buffer.
 * <p>
 * Threading: the partition's writer thread, on a chunk no reader can reach yet: plain stores; the index slot's
 * release store publishes them ({@link PartitionIndexWriter#publish}).
 */
final class ItemEncoder
{
    private static final byte SPACE = ' ';

    private ItemEncoder()
    {
    }

    /** Header (but the CAS), key and value; times are unix seconds (expiry 0 = never; negative = already past). */
    static void encode(
        final long address, final MemorySegment key, final long keyOffset, final int keyLength,
        final MemorySegment head, final long headOffset, final int headLength,
        final MemorySegment tail, final long tailOffset, final int tailLength, final int padLength,
        final int clientFlags, final long expiresAtSeconds, final long storedAtSeconds, final int metaBits)
    {
        final int valueLength = headLength + tailLength + padLength;
        NATIVE.set(ValueLayout.JAVA_INT, address + EXPIRES_AT_OFFSET, (int)clampSeconds(expiresAtSeconds));
        NATIVE.set(ValueLayout.JAVA_INT, address + STORED_AT_OFFSET, (int)clampSeconds(storedAtSeconds));
        NATIVE.set(ValueLayout.JAVA_INT, address + VALUE_LENGTH_OFFSET, valueLength);
        NATIVE.set(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET, (byte)keyLength);
        NATIVE.set(ValueLayout.JAVA_BYTE, address + META_BITS_OFFSET,
            (byte)((metaBits & ~META_HAS_FLAGS) | (clientFlags != 0 ? META_HAS_FLAGS : 0)));
        final long keyAddress = address + KEY_OFFSET;
        MemorySegment.copy(key, keyOffset, NATIVE, keyAddress, keyLength);
        final long valueAddress = keyAddress + keyLength;
        if (headLength > 0)
        {
            MemorySegment.copy(head, headOffset, NATIVE, valueAddress, headLength);
        }
        if (tailLength > 0)
        {
            MemorySegment.copy(tail, tailOffset, NATIVE, valueAddress + headLength, tailLength);
        }
        for (long p = valueAddress + headLength + tailLength, end = p + padLength; p < end; p++)
        {
            NATIVE.set(ValueLayout.JAVA_BYTE, p, SPACE);
        }
        if (clientFlags != 0)
        {
            NATIVE.set(ValueLayout.JAVA_INT_UNALIGNED, valueAddress + valueLength, clientFlags);
        }
    }

    /** The CAS, the writer-private state (live) and the CLOCK reference bit (set: recently written). */
    static void seal(final long address, final long cas)
    {
        NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, address + CAS_OFFSET, cas); // 4-byte aligned chunk
        NATIVE.set(ValueLayout.JAVA_BYTE, address + STATE_OFFSET, STATE_LIVE);
        NATIVE.set(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET, CLOCK_WRITTEN);
    }

    private static long clampSeconds(final long seconds)
    {
        if (seconds < 0)
        {
            return 1; // already in the past
        }
        return Math.min(seconds, 0xFFFF_FFFFL);
    }
}
