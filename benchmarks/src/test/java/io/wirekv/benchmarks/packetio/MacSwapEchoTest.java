package io.wirekv.benchmarks.packetio;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The forwarding loop's MAC swap must swap exactly 12 bytes, at any alignment. */
class MacSwapEchoTest
{
    @Test
    void shouldSwapDestinationAndSourceMacAndNothingElse()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final byte[] frame = new byte[64];
            for (int i = 0; i < frame.length; i++)
            {
                frame[i] = (byte)(i + 1);
            }
            final MemorySegment segment = arena.allocate(frame.length + 1);
            // Odd address: the swap must not assume alignment.
            MemorySegment.copy(frame, 0, segment, JAVA_BYTE, 1, frame.length);

            MacSwapEcho.swapMacs(segment.address() + 1);

            final byte[] swapped = segment.asSlice(1, frame.length).toArray(JAVA_BYTE);
            assertArrayEquals(Arrays.copyOfRange(frame, 6, 12), Arrays.copyOfRange(swapped, 0, 6));
            assertArrayEquals(Arrays.copyOfRange(frame, 0, 6), Arrays.copyOfRange(swapped, 6, 12));
            assertArrayEquals(Arrays.copyOfRange(frame, 12, 64), Arrays.copyOfRange(swapped, 12, 64));
        }
    }
}
