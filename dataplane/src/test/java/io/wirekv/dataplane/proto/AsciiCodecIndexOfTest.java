package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The word-at-a-time {@link AsciiCodec#indexOf} against the plain byte loop, on every range of random buffers. */
class AsciiCodecIndexOfTest
{
    private static final int SIZE = 67; // not a multiple of 8, so segment ends fall inside a word

    @Test
    void shouldFindTheSameByteAsTheByteLoopForEveryRange()
    {
        final SplittableRandom random = new SplittableRandom(12);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment nativeSegment = arena.allocate(SIZE, 1);
            final MemorySegment heapSegment = MemorySegment.ofArray(new byte[SIZE]);
            final byte[] needles = {'\n', 0, (byte)0x80, (byte)0xFF, (byte)0x0B, (byte)0x09};
            long compared = 0;
            for (int round = 0; round < 60; round++)
            {
                final byte needle = needles[round % needles.length];
                // dense rounds put the needle (and its neighbours, which tempt a borrow) everywhere; sparse ones rarely
                final int density = round % 3 == 0 ? 2 : round % 3 == 1 ? 16 : 200;
                for (int i = 0; i < SIZE; i++)
                {
                    final int pick = random.nextInt(density);
                    final byte value = pick == 0 ? needle : pick == 1 ? (byte)(needle + 1) :
                        pick == 2 ? (byte)(needle - 1) : (byte)random.nextInt(256);
                    nativeSegment.set(ValueLayout.JAVA_BYTE, i, value);
                    heapSegment.set(ValueLayout.JAVA_BYTE, i, value);
                }
                for (long from = 0; from <= SIZE; from++)
                {
                    for (long to = from; to <= SIZE; to++)
                    {
                        final long expected = byteLoop(heapSegment, from, to, needle);
                        assertEquals(expected, AsciiCodec.indexOf(heapSegment, from, to, needle),
                            "heap, round " + round + " [" + from + ", " + to + ")");
                        assertEquals(expected, AsciiCodec.indexOf(nativeSegment, from, to, needle),
                            "native, round " + round + " [" + from + ", " + to + ")");
                        compared++;
                    }
                }
            }
            assertEquals(60L * (SIZE + 1) * (SIZE + 2) / 2, compared);
        }
    }

    @Test
    void shouldFindANewlineAtTheLastByteOfASegmentNotAMultipleOfEight()
    {
        for (int size = 1; size <= 33; size++)
        {
            final MemorySegment segment = MemorySegment.ofArray(new byte[size]);
            segment.fill((byte)'a');
            assertEquals(-1, AsciiCodec.indexOf(segment, 0, size, (byte)'\n'));
            segment.set(ValueLayout.JAVA_BYTE, size - 1, (byte)'\n');
            assertEquals(size - 1, AsciiCodec.indexOf(segment, 0, size, (byte)'\n'));
        }
    }

    private static long byteLoop(final MemorySegment segment, final long from, final long to, final byte b)
    {
        for (long i = from; i < to; i++)
        {
            if (segment.get(ValueLayout.JAVA_BYTE, i) == b)
            {
                return i;
            }
        }
        return -1;
    }
}
