package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * 64-bit key hash (8 bytes per round, murmur3-style mixing and finalizer). Bits are used as: top 16 =
 * index slot tag, bits 32.. = partition, low bits = index position.
 */
public final class KeyHash
{
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final long SEED = 0x9E3779B97F4A7C15L;

    private KeyHash()
    {
    }

    static long hash(final MemorySegment segment, final long offset, final int length)
    {
        long h = SEED ^ (length * C2);
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            final long k = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i);
            h ^= Long.rotateLeft(k * C1, 31) * C2;
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        if (i < length)
        {
            long k = 0;
            for (int shift = 0; i < length; i++, shift += 8)
            {
                k |= (segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFFL) << shift;
            }
            h ^= Long.rotateLeft(k * C1, 31) * C2;
        }
        return fmix64(h);
    }

    /** murmur3's 64-bit finalizer: every input bit reaches every output bit (the digest mixes with it too). */
    public static long fmix64(long k)
    {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** True when the key stored at {@code itemKeyAddress} equals the given key bytes (lengths already equal). */
    static boolean keyEquals(final long itemKeyAddress, final MemorySegment key, final long keyOffset, final int length)
    {
        final MemorySegment nat = ArenaMemory.NATIVE;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (nat.get(ValueLayout.JAVA_LONG_UNALIGNED, itemKeyAddress + i) !=
                key.get(ValueLayout.JAVA_LONG_UNALIGNED, keyOffset + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (nat.get(ValueLayout.JAVA_BYTE, itemKeyAddress + i) != key.get(ValueLayout.JAVA_BYTE, keyOffset + i))
            {
                return false;
            }
        }
        return true;
    }
}
