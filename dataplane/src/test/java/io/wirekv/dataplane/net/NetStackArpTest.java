package io.wirekv.dataplane.net;

import org.junit.jupiter.api.Test;

import static io.wirekv.dataplane.testnet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

class NetStackArpTest
{
    private final NetCounters counters = new NetCounters();
    private final NetStack stack = stack(counters, true);

    @Test
    void shouldAnswerArpRequestForOurAddressInPlace()
    {
        final byte[] frame = arpRequest(OUR_IP);
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(42, stack.replyLength());
        assertEquals(PEER_MAC, mac(frame, 0), "Ethernet destination is the asker");
        assertEquals(OUR_MAC, mac(frame, 6), "Ethernet source is us");
        assertEquals(0x0806, u16(frame, 12));
        assertEquals(1, u16(frame, 14));
        assertEquals(0x0800, u16(frame, 16));
        assertEquals(6, frame[18]);
        assertEquals(4, frame[19]);
        assertEquals(2, u16(frame, 20), "opcode reply");
        assertEquals(OUR_MAC, mac(frame, 22), "sender hardware address");
        assertEquals(OUR_IP, u32(frame, 28), "sender protocol address");
        assertEquals(PEER_MAC, mac(frame, 32), "target hardware address");
        assertEquals(PEER_IP, u32(frame, 38), "target protocol address");
        assertEquals(1, counters.get(NetCounters.ARP_REQUESTS_ANSWERED));
        assertEquals(1, counters.get(NetCounters.RX_FRAMES));
        assertEquals(PeerLink.untagged(PEER_MAC), stack.arpTable().lookup(PEER_IP), "the asker is learned");
    }

    @Test
    void shouldAnswerUnicastArpRequestToOurMac()
    {
        final byte[] frame = arp(OUR_MAC, PEER_MAC, NO_VLAN, 1, PEER_MAC, PEER_IP, OUR_MAC, OUR_IP, 0);
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length));
    }

    @Test
    void shouldPadReplyToMinimumFrameWithZerosWhenRequestWasPadded()
    {
        final byte[] frame = arp(BROADCAST, PEER_MAC, NO_VLAN, 1, PEER_MAC, PEER_IP, 0, OUR_IP, 18);
        java.util.Arrays.fill(frame, 42, 60, (byte)0xAA); // a trailer the reply must not echo
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(60, stack.replyLength());
        for (int i = 42; i < 60; i++)
        {
            assertEquals(0, frame[i], "padding byte " + i);
        }
    }

    @Test
    void shouldKeepVlanTagInArpReply()
    {
        final byte[] frame = arp(BROADCAST, PEER_MAC, 0x2064, 1, PEER_MAC, PEER_IP, 0, OUR_IP, 0);
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(46, stack.replyLength());
        assertEquals(0x8100, u16(frame, 12));
        assertEquals(0x2064, u16(frame, 14), "TCI including priority kept");
        assertEquals(0x0806, u16(frame, 16));
        assertEquals(2, u16(frame, 18 + 6));
        assertEquals(PEER_IP, u32(frame, 18 + 24));
        assertEquals(PeerLink.tagged(PEER_MAC, 100), stack.arpTable().lookup(PEER_IP));
    }

    @Test
    void shouldCountButNotAnswerArpRequestForAnotherAddressAndLearnTheSender()
    {
        final byte[] frame = arpRequest(OTHER_IP);
        final byte[] before = frame.clone();
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        assertArrayEquals(before, frame, "frame untouched");
        assertEquals(1, counters.get(NetCounters.ARP_OTHER));
        assertEquals(0, counters.get(NetCounters.ARP_REQUESTS_ANSWERED));
        assertEquals(PeerLink.untagged(PEER_MAC), stack.arpTable().lookup(PEER_IP));
    }

    @Test
    void shouldPassArpNotForUsWhenNotDroppingUnhandled()
    {
        final NetCounters passCounters = new NetCounters();
        final NetStack passing = stack(passCounters, false);
        final byte[] frame = arpRequest(OTHER_IP);
        assertEquals(NetStack.PASS, passing.onFrame(segment(frame), 0, frame.length));
        assertEquals(1, passCounters.get(NetCounters.ARP_OTHER));
        assertEquals(1, passCounters.get(NetCounters.PASSED));
    }

    @Test
    void shouldLearnFromGratuitousArp()
    {
        final byte[] announcement = arp(BROADCAST, OTHER_MAC, NO_VLAN, 1, OTHER_MAC, OTHER_IP, 0, OTHER_IP, 18);
        assertEquals(NetStack.DROP, stack.onFrame(segment(announcement), 0, announcement.length));
        assertEquals(PeerLink.untagged(OTHER_MAC), stack.arpTable().lookup(OTHER_IP));
        final byte[] moved = arp(BROADCAST, PEER_MAC, NO_VLAN, 2, PEER_MAC, OTHER_IP, BROADCAST, OTHER_IP, 18);
        stack.onFrame(segment(moved), 0, moved.length);
        assertEquals(PeerLink.untagged(PEER_MAC), stack.arpTable().lookup(OTHER_IP), "gratuitous reply re-learns");
        assertEquals(2, counters.get(NetCounters.ARP_OTHER));
    }

    @Test
    void shouldLearnFromArpReply()
    {
        final byte[] frame = arp(OUR_MAC, OTHER_MAC, NO_VLAN, 2, OTHER_MAC, OTHER_IP, OUR_MAC, OUR_IP, 0);
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(PeerLink.untagged(OTHER_MAC), stack.arpTable().lookup(OTHER_IP));
    }

    @Test
    void shouldAnswerArpProbeButNotLearnTheZeroSender()
    {
        final byte[] probe = arp(BROADCAST, PEER_MAC, NO_VLAN, 1, PEER_MAC, 0, 0, OUR_IP, 0);
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(probe), 0, probe.length));
        assertEquals(0, stack.arpTable().size());
        assertEquals(0, u32(probe, 38), "reply targets the prober's zero address, to its MAC");
        assertEquals(PEER_MAC, mac(probe, 0));
    }

    @Test
    void shouldNotLearnSomeoneClaimingOurAddress()
    {
        final byte[] frame = arp(BROADCAST, OTHER_MAC, NO_VLAN, 2, OTHER_MAC, OUR_IP, 0, OUR_IP, 0);
        stack.onFrame(segment(frame), 0, frame.length);
        assertEquals(-1, stack.arpTable().lookup(OUR_IP));
    }

    @Test
    void shouldDropArpToAnotherUnicastMacAsNotForUs()
    {
        final byte[] frame = arp(OTHER_MAC, PEER_MAC, NO_VLAN, 1, PEER_MAC, PEER_IP, 0, OUR_IP, 0);
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(1, counters.get(NetCounters.DROP_NOT_FOR_US));
    }

    @Test
    void shouldDropArpWithWrongSizesOrTypesAsMalformed()
    {
        final byte[] request = arpRequest(OUR_IP);
        final int[][] corruptions = {{14, 6}, {16, 0x86}, {18, 8}, {19, 16}};
        for (final int[] corruption : corruptions)
        {
            final byte[] frame = request.clone();
            frame[corruption[0]] = (byte)corruption[1];
            assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length), "byte " + corruption[0]);
        }
        assertEquals(NetStack.DROP, stack.onFrame(segment(request), 0, 41), "truncated");
        assertEquals(5, counters.get(NetCounters.DROP_MALFORMED));
    }

    @Test
    void shouldDropUnknownArpOpcodeAsUnsupported()
    {
        final byte[] frame = arp(BROADCAST, PEER_MAC, NO_VLAN, 3, PEER_MAC, PEER_IP, 0, OUR_IP, 0);
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(1, counters.get(NetCounters.DROP_UNSUPPORTED));
    }
}
