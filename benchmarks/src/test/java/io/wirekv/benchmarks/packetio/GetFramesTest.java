package io.wirekv.benchmarks.packetio;

import io.wirekv.dataplane.net.Checksums;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The frames the generator sends must be ones a real stack accepts: valid IPv4 header checksum, lengths
 * that agree, memcached's UDP frame header; and the forwarding loop's MAC swap must swap exactly 12 bytes.
 */
class GetFramesTest
{
    private static final long DST_MAC = 0x0200_0000_0001L;
    private static final long SRC_MAC = 0x0200_0000_0002L;

    @Test
    void shouldBuildGetFrameWithValidIpv4ChecksumAndConsistentLengths()
    {
        final byte[] request = GetFrames.getRequest(GetFrames.key(42, 16));
        final byte[] frame = GetFrames.udpFrame(DST_MAC, SRC_MAC, GetFrames.parseIpv4("10.77.0.2"),
            GetFrames.parseIpv4("10.77.0.1"), 40000, 11211, 7, request);
        final ByteBuffer b = ByteBuffer.wrap(frame);

        assertEquals(0x0800, Short.toUnsignedInt(b.getShort(12)));
        assertEquals(0, ipv4HeaderChecksum(frame), "a valid header sums to 0xFFFF, complement 0");
        final int ipLength = Short.toUnsignedInt(b.getShort(16));
        assertEquals(20 + 8 + 8 + request.length, ipLength);
        assertEquals(ipLength - 20, Short.toUnsignedInt(b.getShort(38)), "UDP length");
        assertEquals(11211, Short.toUnsignedInt(b.getShort(36)));
        assertEquals(7, Short.toUnsignedInt(b.getShort(42)), "memcached request id");
        assertEquals(1, Short.toUnsignedInt(b.getShort(46)), "memcached datagram count");
        assertEquals("get key:000000000042\r\n",
            new String(frame, GetFrames.PAYLOAD_OFFSET, request.length, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldPadShortFramesToTheEthernetMinimum()
    {
        final byte[] frame = GetFrames.udpFrame(DST_MAC, SRC_MAC, 1, 2, 3, 4, 5, "get k\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(GetFrames.MIN_FRAME, frame.length);
        assertEquals(0, ipv4HeaderChecksum(frame));
    }

    @Test
    void shouldNoticeACorruptedHeaderWithTheIndependentChecksum()
    {
        final byte[] frame = GetFrames.udpFrame(DST_MAC, SRC_MAC, 1, 2, 3, 4, 5, "get k\r\n".getBytes(StandardCharsets.US_ASCII));
        frame[14 + 8] ^= 1; // TTL
        assertNotEquals(0, ipv4HeaderChecksum(frame), "a header changed after its checksum no longer verifies");
    }

    /**
     * The header's checksum verification by the dataplane's {@link Checksums} (checked against a textbook RFC 1071
     * sum in ChecksumsTest), not by the generator's own {@code GetFrames.ipv4Checksum}: 0 when the header is valid.
     */
    private static int ipv4HeaderChecksum(final byte[] frame)
    {
        return Checksums.checksum(MemorySegment.ofArray(frame), 14, 20);
    }

    @Test
    void shouldAskForTheServerAddressInAnArpRequest()
    {
        final byte[] frame = GetFrames.arpRequest(SRC_MAC, GetFrames.parseIpv4("10.77.0.2"), GetFrames.parseIpv4("10.77.0.1"));
        final ByteBuffer b = ByteBuffer.wrap(frame);
        assertEquals(0x0806, Short.toUnsignedInt(b.getShort(12)));
        assertEquals(1, Short.toUnsignedInt(b.getShort(20)), "opcode request");
        assertEquals(GetFrames.parseIpv4("10.77.0.1"), b.getInt(38));
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1}, Arrays.copyOfRange(frame, 0, 6));
    }

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

    @Test
    void shouldParseAddresses()
    {
        assertEquals(0x0A4D_0001, GetFrames.parseIpv4("10.77.0.1"));
        assertEquals(0xFFFF_FFFF_FFFFL, GetFrames.parseMac("ff:ff:ff:ff:ff:ff"));
        assertEquals("10.77.0.1", MemifGetGenerator.ipv4(0x0A4D_0001));
    }
}
