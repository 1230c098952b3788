package io.wirekv.dataplane.net;

import io.wirekv.dataplane.testnet.TestFrames;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.wirekv.dataplane.testnet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

class NetStackIpv4Test
{
    /*
     * Captured on this machine's loopback (AF_PACKET on lo) while a raw socket sent ICMP echo requests to
     * 127.0.0.1: each request as sent (IP checksum by Linux) and Linux's own echo reply to it. Loopback
     * frames carry zero MACs; the tests rewrite the MACs, which no checksum covers.
     */
    private static final String LINUX_REQUEST_56 =
        "0000000000000000000000000800450000545a7740004001e22f7f0000017f0000010800cfcc1c2b0038030a11181f262d343b4249" +
        "50575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61686f767d84";
    private static final String LINUX_REPLY_56 =
        "0000000000000000000000000800450000545a7800004001222f7f0000017f0000010000d7cc1c2b0038030a11181f262d343b4249" +
        "50575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c535a61686f767d84";
    private static final String LINUX_REQUEST_37 =
        "0000000000000000000000000800450000415a7940004001e2407f0000017f00000108003f941c2b0025030a11181f262d343b4249" +
        "50575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff";
    private static final String LINUX_REPLY_37 =
        "0000000000000000000000000800450000415a7a0000400122407f0000017f000001000047941c2b0025030a11181f262d343b4249" +
        "50575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff";
    private static final int LOOPBACK = 0x7F00_0001;

    private final NetCounters counters = new NetCounters();
    private final NetStack stack = stack(counters, true);

    @Test
    void shouldAnswerCapturedPingExactlyAsLinuxDid()
    {
        assertAnswersLikeLinux(LINUX_REQUEST_56, LINUX_REPLY_56);
    }

    @Test
    void shouldAnswerCapturedOddLengthPingExactlyAsLinuxDid()
    {
        assertAnswersLikeLinux(LINUX_REQUEST_37, LINUX_REPLY_37);
    }

    private static void assertAnswersLikeLinux(final String requestHex, final String replyHex)
    {
        final NetCounters counters = new NetCounters();
        final NetStack loopback = new NetStack(new NetAddress(OUR_MAC, LOOPBACK), PORT, counters, true);
        final byte[] frame = hex(requestHex);
        final byte[] linux = hex(replyHex);
        putMac(frame, 0, OUR_MAC);
        putMac(frame, 6, PEER_MAC);
        assertEquals(0, referenceChecksum(frame, 14, 20), "captured IP checksum is right");

        assertEquals(NetStack.REPLY_IN_PLACE, loopback.onFrame(segment(frame), 0, frame.length));
        assertEquals(linux.length, loopback.replyLength());
        assertEquals(PEER_MAC, mac(frame, 0));
        assertEquals(OUR_MAC, mac(frame, 6));
        assertArrayEquals(Arrays.copyOfRange(linux, 34, linux.length), Arrays.copyOfRange(frame, 34, frame.length),
            "ICMP message, checksum included, byte for byte as Linux answered");
        // IP header: Linux picks its own id and clears DF; the rest must agree
        assertEquals(0x45, frame[14]);
        assertEquals(u16(linux, 16), u16(frame, 16), "total length");
        assertEquals(64, frame[22] & 0xFF, "TTL");
        assertEquals(1, frame[23]);
        assertEquals(LOOPBACK, u32(frame, 26));
        assertEquals(LOOPBACK, u32(frame, 30));
        assertEquals(0, referenceChecksum(frame, 14, 20), "IP header checksum verifies");
        assertEquals(1, counters.get(NetCounters.ICMP_ECHO_ANSWERED));
    }

    @Test
    void shouldAnswerEchoRequestSwappingAddresses()
    {
        final byte[] frame = echoRequest(payload(100, 3));
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(frame.length, stack.replyLength());
        assertEchoReply(frame, 14, 20, 108);
        assertEquals(PeerLink.untagged(PEER_MAC), stack.arpTable().lookup(PEER_IP), "IPv4 source learned");
    }

    @Test
    void shouldAnswerOddLengthEchoWithCorrectChecksum()
    {
        for (int dataLength = 0; dataLength < 40; dataLength++)
        {
            final byte[] frame = echoRequest(payload(dataLength, dataLength));
            assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length), "data " + dataLength);
            assertEchoReply(frame, 14, 20, 8 + dataLength);
        }
    }

    @Test
    void shouldAnswerEchoOnVlanKeepingTheTag()
    {
        final byte[] frame = icmp(OUR_MAC, 42, PEER_IP, OUR_IP, 8, payload(9, 1), NO_OPTIONS, 0);
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(0x8100, u16(frame, 12));
        assertEquals(42, u16(frame, 14));
        assertEquals(0x0800, u16(frame, 16));
        assertEchoReply(frame, 18, 20, 17);
    }

    @Test
    void shouldAnswerEchoWithIpOptionsKeepingThem()
    {
        final byte[] options = {1, 1, 1, 0, (byte)0x94, 4, 0, 0}; // NOP NOP NOP EOL, router alert
        final byte[] frame = icmp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, 8, payload(21, 2), options, 0);
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length));
        assertArrayEquals(options, Arrays.copyOfRange(frame, 34, 42));
        assertEchoReply(frame, 14, 28, 29);
    }

    @Test
    void shouldIgnoreEthernetPaddingAndReplyWithoutIt()
    {
        final byte[] frame = icmp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, 8, payload(1, 2), NO_OPTIONS, 15);
        frame[frame.length - 1] = 0x55; // padding is not covered by any checksum
        assertEquals(NetStack.REPLY_IN_PLACE, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(14 + 20 + 9, stack.replyLength());
        assertEchoReply(frame, 14, 20, 9);
    }

    private static void assertEchoReply(final byte[] frame, final int ip, final int ipHeaderLength, final int icmpLength)
    {
        assertEquals(PEER_MAC, mac(frame, 0));
        assertEquals(OUR_MAC, mac(frame, 6));
        assertEquals(OUR_IP, u32(frame, ip + 12));
        assertEquals(PEER_IP, u32(frame, ip + 16));
        assertEquals(64, frame[ip + 8] & 0xFF);
        assertEquals(0, referenceChecksum(frame, ip, ipHeaderLength), "IP header checksum");
        final int icmp = ip + ipHeaderLength;
        assertEquals(0, frame[icmp], "type echo reply");
        assertEquals(0, frame[icmp + 1], "code");
        assertEquals(0, referenceChecksum(frame, icmp, icmpLength), "ICMP checksum");
        assertEquals(0x1c2b, u16(frame, icmp + 4), "identifier kept");
    }

    @Test
    void shouldDropIpv4WithBadHeaderChecksum()
    {
        final byte[] frame = echoRequest(payload(8, 1));
        frame[24] ^= 1;
        assertVerdict(frame, NetStack.DROP, NetCounters.DROP_BAD_IP_CHECKSUM);
    }

    @Test
    void shouldDropEchoWithBadIcmpChecksum()
    {
        final byte[] frame = echoRequest(payload(8, 1));
        frame[frame.length - 1] ^= 0x10;
        assertVerdict(frame, NetStack.DROP, NetCounters.DROP_BAD_ICMP_CHECKSUM);
    }

    @Test
    void shouldDropFragmentsWhenReassemblyIsOff()
    {
        for (final int flagsFragment : new int[]{0x2000, 0x0001, 0x2010, 0x1FFF})
        {
            final TestFrames.Builder b = new TestFrames.Builder().ethernet(OUR_MAC, PEER_MAC, NO_VLAN, 0x0800);
            ipv4(b, 17, PEER_IP, OUR_IP, NO_OPTIONS, 16, flagsFragment);
            b.u16(PEER_PORT).u16(PORT).u16(16).u16(0).zeros(8);
            final NetCounters fresh = new NetCounters();
            final byte[] frame = b.toArray();
            final ReassemblySettings off = ReassemblySettings.disabled();
            assertEquals(NetStack.DROP, stack(fresh, true, off, System::nanoTime).onFrame(segment(frame), 0, frame.length));
            assertEquals(1, fresh.get(NetCounters.DROP_FRAGMENT), "flags/offset 0x" + Integer.toHexString(flagsFragment));
            assertEquals(1, fresh.get(NetCounters.FRAGMENTS));
            assertEquals(NetStack.PASS, stack(fresh, false, off, System::nanoTime).onFrame(segment(frame), 0, frame.length));
        }
    }

    @Test
    void shouldDropFragmentsOfOtherProtocolsThanUdp()
    {
        final byte[] echo = new TestFrames.Builder().u8(8).u8(0).u16(0).u16(1).u16(1).zeros(16).toArray();
        final byte[] frame = ipv4Fragment(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, 1, 7, echo, 0, 16, 0, true);
        assertVerdict(frame, NetStack.DROP, NetCounters.DROP_FRAGMENT);
        final NetCounters passCounters = new NetCounters();
        assertEquals(NetStack.PASS, stack(passCounters, false).onFrame(segment(frame), 0, frame.length));
        assertEquals(1, passCounters.get(NetCounters.PASSED));
    }

    @Test
    void shouldCountIpv4ForAnotherAddressAsNotForUs()
    {
        for (final int dst : new int[]{OTHER_IP, 0xFFFF_FFFF, 0x0A00_00FF, 0xE000_0001})
        {
            final byte[] frame = icmp(OUR_MAC, NO_VLAN, PEER_IP, dst, 8, payload(4, 1), NO_OPTIONS, 0);
            assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        }
        assertEquals(4, counters.get(NetCounters.DROP_NOT_FOR_US));
    }

    @Test
    void shouldCountIpv4ToBroadcastOrOtherMacAsNotForUs()
    {
        for (final long dstMac : new long[]{BROADCAST, OTHER_MAC, 0x0100_5E00_0001L, 0x3333_0000_0001L})
        {
            final byte[] frame = icmp(dstMac, NO_VLAN, PEER_IP, OUR_IP, 8, payload(4, 1), NO_OPTIONS, 0);
            assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        }
        assertEquals(4, counters.get(NetCounters.DROP_NOT_FOR_US));
    }

    @Test
    void shouldPassNotForUsWhenNotDroppingUnhandled()
    {
        final NetCounters passCounters = new NetCounters();
        final byte[] frame = icmp(OTHER_MAC, NO_VLAN, PEER_IP, OUR_IP, 8, payload(4, 1), NO_OPTIONS, 0);
        assertEquals(NetStack.PASS, stack(passCounters, false).onFrame(segment(frame), 0, frame.length));
        assertEquals(1, passCounters.get(NetCounters.DROP_NOT_FOR_US));
        assertEquals(1, passCounters.get(NetCounters.PASSED));
    }

    @Test
    void shouldCountOtherEtherTypesProtocolsAndIcmpTypesAsUnsupported()
    {
        final byte[] ipv6 = new TestFrames.Builder().ethernet(OUR_MAC, PEER_MAC, NO_VLAN, 0x86DD).zeros(60).toArray();
        final byte[] llc = new TestFrames.Builder().ethernet(OUR_MAC, PEER_MAC, NO_VLAN, 0x0026).zeros(46).toArray();
        final byte[] qinq = new TestFrames.Builder().ethernet(OUR_MAC, PEER_MAC, 5, 0x8100).zeros(50).toArray();
        final TestFrames.Builder tcp = new TestFrames.Builder().ethernet(OUR_MAC, PEER_MAC, NO_VLAN, 0x0800);
        ipv4(tcp, 6, PEER_IP, OUR_IP, NO_OPTIONS, 20, 0x4000);
        final byte[] tcpFrame = tcp.zeros(20).toArray();
        final byte[] timestamp = icmp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, 13, payload(12, 0), NO_OPTIONS, 0);
        final byte[] echoReply = icmp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, 0, payload(12, 0), NO_OPTIONS, 0);
        for (final byte[] frame : new byte[][]{ipv6, llc, qinq, tcpFrame, timestamp, echoReply})
        {
            assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length));
        }
        assertEquals(6, counters.get(NetCounters.DROP_UNSUPPORTED));
        assertEquals(6, counters.get(NetCounters.RX_FRAMES));
    }

    @Test
    void shouldDropMalformedIpv4HeadersOfEveryKind()
    {
        final byte[] good = echoRequest(payload(8, 1));
        final int ip = 14;
        assertMalformed(withByte(good, ip, 0x65), "version 6");
        assertMalformed(withByte(good, ip, 0x44), "IHL 4");
        assertMalformed(withByte(good, ip, 0x4F), "IHL beyond total length");
        assertMalformed(withU16(good, ip + 2, 19), "total length below header");
        assertMalformed(withU16(good, ip + 2, good.length - ip + 1), "total length beyond frame");
        assertMalformed(withU32(good, ip + 12, 0), "source 0.0.0.0");
        assertMalformed(withU32(good, ip + 12, 0xFFFF_FFFF), "broadcast source");
        assertMalformed(withU32(good, ip + 12, 0xE000_00FB), "multicast source");
        assertMalformed(withMac(good, 6, 0x0300_0000_0001L), "group source MAC");
        assertMalformed(Arrays.copyOf(good, 13), "shorter than Ethernet");
        assertMalformed(Arrays.copyOf(good, 33), "shorter than IPv4 header");
        assertMalformed(Arrays.copyOf(good, good.length - 1), "truncated");
        final byte[] tagged = icmp(OUR_MAC, 1, PEER_IP, OUR_IP, 8, payload(8, 1), NO_OPTIONS, 0);
        assertMalformed(Arrays.copyOf(tagged, 17), "shorter than VLAN header");
        final byte[] shortIcmp = icmp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, 8, new byte[0], NO_OPTIONS, 0);
        assertMalformed(fixIpChecksum(withU16(shortIcmp, ip + 2, 27), ip), "ICMP shorter than its header");
        final byte[] badCode = echoRequest(payload(8, 1));
        badCode[35] = 1;
        assertMalformed(badCode, "echo code 1");
    }

    private void assertMalformed(final byte[] frame, final String what)
    {
        final long before = counters.get(NetCounters.DROP_MALFORMED);
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length), what);
        assertEquals(before + 1, counters.get(NetCounters.DROP_MALFORMED), what);
    }

    private void assertVerdict(final byte[] frame, final int verdict, final int counter)
    {
        assertEquals(verdict, stack.onFrame(segment(frame), 0, frame.length));
        assertEquals(1, counters.get(counter), NetCounters.name(counter));
    }

    static byte[] withByte(final byte[] frame, final int at, final int value)
    {
        final byte[] copy = frame.clone();
        copy[at] = (byte)value;
        return copy;
    }

    static byte[] withU16(final byte[] frame, final int at, final int value)
    {
        final byte[] copy = frame.clone();
        putU16(copy, at, value);
        return copy;
    }

    static byte[] withU32(final byte[] frame, final int at, final int value)
    {
        final byte[] copy = frame.clone();
        putU32(copy, at, value);
        return copy;
    }

    static byte[] withMac(final byte[] frame, final int at, final long mac)
    {
        final byte[] copy = frame.clone();
        putMac(copy, at, mac);
        return copy;
    }

    static byte[] fixIpChecksum(final byte[] frame, final int ip)
    {
        putU16(frame, ip + 10, 0);
        putU16(frame, ip + 10, referenceChecksum(frame, ip, (frame[ip] & 0xF) * 4));
        return frame;
    }
}
