package io.wirekv.dataplane.net;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static io.wirekv.dataplane.net.NetStackIpv4Test.fixIpChecksum;
import static io.wirekv.dataplane.net.NetStackIpv4Test.withU16;
import static io.wirekv.dataplane.testnet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

class NetStackUdpTest
{
    private final NetCounters counters = new NetCounters();
    private final NetStack stack = stack(counters, true);

    @Test
    void shouldAcceptUdpRequestAndExposeItsPayloadAndPeer()
    {
        final byte[] payload = payload(37, 4);
        final byte[] frame = udpRequest(payload);
        assertEquals(NetStack.UDP_REQUEST, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(42, stack.payloadOffset());
        assertEquals(37, stack.payloadLength());
        assertEquals(PEER_IP, stack.peerIpv4());
        assertEquals(PEER_PORT, stack.peerPort());
        assertEquals(PeerLink.untagged(PEER_MAC), stack.peerLink());
        assertEquals(1, counters.get(NetCounters.UDP_REQUESTS));
        assertEquals(PeerLink.untagged(PEER_MAC), stack.arpTable().lookup(PEER_IP));
    }

    @Test
    void shouldAcceptUdpWithoutChecksum()
    {
        final byte[] frame = udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, PORT, payload(10, 1), NO_OPTIONS, 0, false);
        assertEquals(0, u16(frame, 40));
        assertEquals(NetStack.UDP_REQUEST, stack.onFrame(segment(frame), 0, frame.length));
    }

    @Test
    void shouldDropUdpWithBadChecksum()
    {
        final byte[] frame = udpRequest(payload(10, 1));
        frame[frame.length - 3] ^= 0x40;
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(1, counters.get(NetCounters.DROP_BAD_UDP_CHECKSUM));
    }

    @Test
    void shouldDetectPseudoHeaderMismatchInChecksum()
    {
        // a checksum computed for another destination address: only the pseudo-header can tell
        final byte[] frame = udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, PORT, payload(10, 1), NO_OPTIONS, 0, false);
        putU16(frame, 40, referenceUdpChecksum(frame, 34, PEER_IP, OTHER_IP));
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(1, counters.get(NetCounters.DROP_BAD_UDP_CHECKSUM));
    }

    @Test
    void shouldAcceptOddLengthPayloadsWithChecksums()
    {
        for (int length = 0; length < 64; length++)
        {
            final byte[] frame = udpRequest(payload(length, length));
            assertEquals(NetStack.UDP_REQUEST, stack.onFrame(segment(frame), 0, frame.length), "payload " + length);
            assertEquals(length, stack.payloadLength());
        }
    }

    @Test
    void shouldCountUdpToAnotherPortAsNotForUs()
    {
        final byte[] frame = udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, 53, payload(10, 1), NO_OPTIONS, 0, true);
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(1, counters.get(NetCounters.DROP_NOT_FOR_US));
        final NetCounters passCounters = new NetCounters();
        assertEquals(NetStack.PASS, stack(passCounters, false).onFrame(segment(frame), 0, frame.length));
        assertEquals(1, passCounters.get(NetCounters.PASSED));
    }

    @Test
    void shouldDropUdpWhoseLengthDisagreesWithIp()
    {
        final byte[] frame = udpRequest(payload(10, 1));
        for (final int udpLength : new int[]{7, 17, 19, 0xFFFF})
        {
            assertEquals(NetStack.DROP, stack.onFrame(segment(withU16(frame, 38, udpLength)), 0, frame.length));
        }
        final byte[] tiny = udpRequest(new byte[0]);
        assertEquals(NetStack.DROP, stack.onFrame(segment(fixIpChecksum(withU16(tiny, 16, 27), 14)), 0, tiny.length),
            "IP payload shorter than a UDP header");
        assertEquals(NetStack.DROP, stack.onFrame(segment(withU16(frame, 34, 0)), 0, frame.length), "source port 0");
        assertEquals(6, counters.get(NetCounters.DROP_MALFORMED));
    }

    @Test
    void shouldFindPayloadAfterIpOptionsAndIgnorePadding()
    {
        final byte[] payload = payload(3, 8);
        final byte[] options = {(byte)0x94, 4, 0, 0};
        final byte[] frame = udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, PORT, payload, options, 13, true);
        frame[frame.length - 2] = 0x7F; // padding garbage
        assertEquals(NetStack.UDP_REQUEST, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(46, stack.payloadOffset());
        assertEquals(3, stack.payloadLength());
        assertArrayEquals(payload, Arrays.copyOfRange(frame, 46, 49));
    }

    @Test
    void shouldReportVlanInPeerLink()
    {
        final byte[] frame = udp(OUR_MAC, 0x6123, PEER_IP, OUR_IP, PEER_PORT, PORT, payload(5, 1), NO_OPTIONS, 0, true);
        assertEquals(NetStack.UDP_REQUEST, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(46, stack.payloadOffset());
        assertEquals(PeerLink.tagged(PEER_MAC, 0x123), stack.peerLink());
        assertEquals(46, FrameWriter.headerLength(stack.peerLink()));
    }

    @Test
    void shouldParseFramesAddressedByAbsoluteAddressInNativeMemory()
    {
        final byte[] payload = payload(100, 6);
        final byte[] frame = udpRequest(payload);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(4096);
            MemorySegment.copy(frame, 0, buffer, ValueLayout.JAVA_BYTE, 1001, frame.length);
            final MemorySegment everything = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
            final long address = buffer.address() + 1001;
            assertEquals(NetStack.UDP_REQUEST, stack.onFrame(everything, address, frame.length));
            assertEquals(address + 42, stack.payloadOffset());
            final byte[] seen = new byte[100];
            MemorySegment.copy(everything, ValueLayout.JAVA_BYTE, stack.payloadOffset(), seen, 0, 100);
            assertArrayEquals(payload, seen);

            // answer in the same buffer through the same absolute addressing
            final int replyLength = writeHeaders(everything, address, stack.peerLink(), stack.peerIpv4(),
                stack.peerPort(), 100);
            assertEquals(frame.length, replyLength);
            final byte[] reply = new byte[replyLength];
            MemorySegment.copy(everything, ValueLayout.JAVA_BYTE, address, reply, 0, replyLength);
            assertUdpReply(reply, NO_VLAN, PEER_PORT, payload);
        }
    }

    @Test
    void shouldWriteUdpHeadersThatAnIndependentChecksumAndThePeerAccept()
    {
        for (int length = 0; length < 80; length++)
        {
            final byte[] payload = payload(length, 99 + length);
            final byte[] frame = new byte[42 + length];
            System.arraycopy(payload, 0, frame, 42, length);
            assertEquals(frame.length, writeHeaders(segment(frame), 0, PeerLink.untagged(PEER_MAC), PEER_IP,
                PEER_PORT, length));
            assertUdpReply(frame, NO_VLAN, PEER_PORT, payload);
        }
    }

    @Test
    void shouldChecksumTheIpHeaderOfEveryIdThroughItsWrap()
    {
        // the header checksum is summed from the values written, not read back: every id, 0 and 0xFFFF included
        final byte[] payload = payload(21, 7);
        final byte[] frame = new byte[42 + 21];
        for (int i = 0; i < 0x10000 + 3; i++)
        {
            System.arraycopy(payload, 0, frame, 42, 21);
            writeHeaders(segment(frame), 0, PeerLink.untagged(PEER_MAC), PEER_IP, PEER_PORT, 21);
            if (i % 4099 == 0 || i >= 0xFFFE)
            {
                assertUdpReply(frame, NO_VLAN, PEER_PORT, payload);
            }
        }
    }

    @Test
    void shouldWriteVlanTaggedUdpHeaders()
    {
        final byte[] payload = payload(33, 1);
        final byte[] frame = new byte[46 + 33];
        System.arraycopy(payload, 0, frame, 46, 33);
        final long link = PeerLink.tagged(PEER_MAC, 3000);
        assertEquals(frame.length, writeHeaders(segment(frame), 0, link, PEER_IP, 1234, 33));
        assertUdpReply(frame, 3000, 1234, payload);
    }

    @Test
    void shouldSendComputedZeroUdpChecksumAsAllOnes()
    {
        // make the payload's last word the checksum of everything else: the total then sums to 0xFFFF,
        // whose checksum is 0, which UDP must send as 0xFFFF
        final byte[] frame = new byte[42 + 10];
        System.arraycopy(payload(8, 5), 0, frame, 42, 8);
        writeHeaders(segment(frame), 0, PeerLink.untagged(PEER_MAC), PEER_IP, PEER_PORT, 10);
        final int checksum = u16(frame, 40);
        putU16(frame, 50, checksum);
        writeHeaders(segment(frame), 0, PeerLink.untagged(PEER_MAC), PEER_IP, PEER_PORT, 10);
        assertEquals(0xFFFF, u16(frame, 40));
        final NetStack peer = new NetStack(new NetAddress(PEER_MAC, PEER_IP), PEER_PORT, new NetCounters(), true);
        assertEquals(NetStack.UDP_REQUEST, peer.onFrame(segment(frame), 0, frame.length));
    }

    @Test
    void shouldRefuseOutOfRangePayloadLengthOrUnknownPeerWithoutWriting()
    {
        final byte[] frame = new byte[64];
        assertEquals(-1, writeHeaders(segment(frame), 0, PEER_MAC, PEER_IP, PEER_PORT, -1));
        assertEquals(-1, writeHeaders(segment(frame), 0, PEER_MAC, PEER_IP, PEER_PORT, 65508));
        assertEquals(-1, writeHeaders(segment(frame), 0, stack.arpTable().lookup(OTHER_IP), PEER_IP, PEER_PORT, 0));
        assertArrayEquals(new byte[64], frame);
    }

    @Test
    void shouldIncrementIpIdPerDatagram()
    {
        final byte[] frame = new byte[42];
        writeHeaders(segment(frame), 0, PEER_MAC, PEER_IP, PEER_PORT, 0);
        final int first = u16(frame, 18);
        writeHeaders(segment(frame), 0, PEER_MAC, PEER_IP, PEER_PORT, 0);
        assertEquals((first + 1) & 0xFFFF, u16(frame, 18));
    }

    /** Checks a frame written by writeUdpHeaders field by field, with the reference checksums, then as the peer would. */
    private static void assertUdpReply(final byte[] frame, final int vlan, final int peerPort, final byte[] payload)
    {
        final int l2 = l2(vlan);
        assertEquals(PEER_MAC, mac(frame, 0));
        assertEquals(OUR_MAC, mac(frame, 6));
        if (vlan != NO_VLAN)
        {
            assertEquals(0x8100, u16(frame, 12));
            assertEquals(vlan, u16(frame, 14));
        }
        assertEquals(0x0800, u16(frame, l2 - 2));
        final int ip = l2;
        assertEquals(0x45, frame[ip]);
        assertEquals(28 + payload.length, u16(frame, ip + 2));
        assertEquals(0x4000, u16(frame, ip + 6), "DF, no fragment");
        assertEquals(64, frame[ip + 8]);
        assertEquals(17, frame[ip + 9]);
        assertEquals(OUR_IP, u32(frame, ip + 12));
        assertEquals(PEER_IP, u32(frame, ip + 16));
        assertEquals(0, referenceChecksum(frame, ip, 20), "IP header checksum");
        final int udp = ip + 20;
        assertEquals(PORT, u16(frame, udp));
        assertEquals(peerPort, u16(frame, udp + 2));
        assertEquals(8 + payload.length, u16(frame, udp + 4));
        assertNotEquals(0, u16(frame, udp + 6), "checksum present");
        assertEquals(0, referenceUdpChecksum(frame, udp, OUR_IP, PEER_IP), "UDP checksum");
        assertArrayEquals(payload, Arrays.copyOfRange(frame, udp + 8, udp + 8 + payload.length));

        final NetCounters peerCounters = new NetCounters();
        final NetStack peer = new NetStack(new NetAddress(PEER_MAC, PEER_IP), peerPort, peerCounters, true);
        assertEquals(NetStack.UDP_REQUEST, peer.onFrame(segment(frame), 0, frame.length), peerCounters.toString());
        assertEquals(payload.length, peer.payloadLength());
        assertEquals(OUR_IP, peer.peerIpv4());
        assertEquals(PORT, peer.peerPort());
    }

    /** The headers of a datagram whose payload the writer sums itself. */
    private int writeHeaders(
        final MemorySegment memory, final long offset, final long link, final int ipv4, final int port, final int length)
    {
        return stack.frameWriter().writeUdpHeaders(
            memory, offset, link, ipv4, port, length, FrameWriter.SUM_THE_PAYLOAD);
    }
}
