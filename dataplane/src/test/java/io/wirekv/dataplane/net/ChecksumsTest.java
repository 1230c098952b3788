package io.wirekv.dataplane.net;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static io.wirekv.dataplane.testnet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

class ChecksumsTest
{
    @Test
    void shouldMatchReferenceForEveryLengthAndOffset()
    {
        final byte[] data = randomBytes(42, 2100);
        final MemorySegment memory = MemorySegment.ofArray(data);
        for (int from = 0; from < 9; from++)
        {
            for (int length = 0; length <= 2000; length++)
            {
                assertEquals(referenceChecksum(data, from, length), Checksums.checksum(memory, from, length),
                    "from " + from + " length " + length);
            }
        }
    }

    @Test
    void shouldCopyEveryByteAndSumAsTheReferenceDoesForEveryLengthAndOffset()
    {
        final byte[] data = randomBytes(7, 1600);
        final MemorySegment source = MemorySegment.ofArray(data);
        for (int from = 0; from < 9; from++)
        {
            for (int length = 0; length <= 1500; length++)
            {
                final byte[] copy = new byte[length + 16];
                final long sum = Checksums.copyAndSum(source, from, MemorySegment.ofArray(copy), 3, length);
                assertEquals(referenceChecksum(data, from, length), Checksums.finish(sum),
                    "from " + from + " length " + length);
                assertArrayEquals(java.util.Arrays.copyOfRange(data, from, from + length),
                    java.util.Arrays.copyOfRange(copy, 3, 3 + length), "from " + from + " length " + length);
                assertEquals(0, copy[2]);
                assertEquals(0, copy[3 + length]);
            }
        }
    }

    @Test
    void shouldMatchReferenceOnAllOnesDataWhereCarriesPileUp()
    {
        final byte[] data = new byte[65535];
        java.util.Arrays.fill(data, (byte)0xFF);
        final MemorySegment memory = MemorySegment.ofArray(data);
        for (final int length : new int[]{1, 2, 3, 7, 8, 15, 16, 17, 1400, 9000, 65535})
        {
            assertEquals(referenceChecksum(data, 0, length), Checksums.checksum(memory, 0, length), "length " + length);
        }
    }

    @Test
    void shouldComputeTheWellKnownIpv4HeaderChecksum()
    {
        // The IPv4 header of the worked example in Wikipedia's "Internet checksum" / "IPv4 header checksum"
        // article: 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7.
        final byte[] header = hex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xB861, Checksums.checksum(MemorySegment.ofArray(header), 0, header.length));
        putU16(header, 10, 0xB861);
        assertEquals(0xFFFF, Checksums.fold(Checksums.sum(MemorySegment.ofArray(header), 0, header.length)));
    }

    @Test
    void shouldAddPartialSumsOfEvenLengthPieces()
    {
        final byte[] data = payload(1001, 5);
        final MemorySegment memory = MemorySegment.ofArray(data);
        for (int split = 0; split <= 1000; split += 2)
        {
            final long sum = Checksums.sum(memory, 0, split) + Checksums.sum(memory, split, data.length - split);
            assertEquals(referenceChecksum(data, 0, data.length), Checksums.finish(sum), "split " + split);
        }
    }

    @Test
    void shouldComputePseudoHeaderSumAsTheReferenceDoesOverItsBytes()
    {
        final byte[] pseudo = new byte[12];
        putU32(pseudo, 0, 0xC0A8_0001);
        putU32(pseudo, 4, 0xFFFF_FFFE);
        pseudo[9] = 17;
        putU16(pseudo, 10, 0xFFF7);
        assertEquals(referenceChecksum(pseudo, 0, 12),
            Checksums.finish(Checksums.pseudoHeaderSum(0xC0A8_0001, 0xFFFF_FFFE, 17, 0xFFF7)));
    }

    @Test
    void shouldSumNativeMemoryAddressedThroughTheWholeAddressSpace()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final byte[] data = payload(777, 9);
            final MemorySegment native0 = arena.allocate(1024);
            MemorySegment.copy(data, 0, native0, ValueLayout.JAVA_BYTE, 3, data.length);
            final MemorySegment everything = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
            assertEquals(referenceChecksum(data, 0, data.length),
                Checksums.checksum(everything, native0.address() + 3, data.length));
        }
    }

    @Test
    void shouldFoldToFfffOnlyWhenChecksumIsRight()
    {
        final byte[] data = payload(64, 1);
        putU16(data, 10, 0);
        putU16(data, 10, referenceChecksum(data, 0, data.length));
        assertEquals(0xFFFF, Checksums.fold(Checksums.sum(MemorySegment.ofArray(data), 0, data.length)));
        data[33] ^= 4;
        assertNotEquals(0xFFFF, Checksums.fold(Checksums.sum(MemorySegment.ofArray(data), 0, data.length)));
    }

    private static byte[] randomBytes(final long seed, final int length)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)random.nextInt();
        }
        return data;
    }
}
