package io.wirekv.dataplane.server;

import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.testnet.TestDpdk;
import io.wirekv.dataplane.testnet.TestFrameLink;
import io.wirekv.dataplane.testnet.TestFrames;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.nativebindings.dpdk.RingPortPair;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.wirekv.dataplane.testnet.TestFrames.ipv4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The appliance on the {@code dpdk} backend, for real: a ring-PMD port pair in this process, the
 * appliance's lcore polling side a, the test playing the network on side b with whole
 * Ethernet/IPv4/UDP frames it builds itself ({@link TestFrames}).
 */
class DpdkBackendTest
{
    private static final int SERVER_IP = ipv4(10, 11, 0, 1);
    private static final int CLIENT_IP = ipv4(10, 11, 0, 2);
    private static final long CLIENT_MAC = 0x02_00_00_00_00_02L;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    private static String skipReason;
    private static WirekvServer server;
    private static TestFrameLink link;
    private static long serverMac;
    private static int requestId;
    private static long hugepagesMappedBefore;

    @BeforeAll
    static void start()
    {
        skipReason = TestDpdk.skipReason();
        if (null != skipReason)
        {
            return;
        }
        hugepagesMappedBefore = TestDpdk.hugepageBytesMappedHere();
        final RingPortPair pair = TestDpdk.newPair(1);
        final ServerConfig config = new ServerConfig(
            "dpdk-test", "127.0.0.1", 0, ServerConfig.Backend.DPDK, 1, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withBackend(ServerConfig.Backend.DPDK,
                new BypassSettings(TestDpdk.EAL_ARGS, pair.nameA(), "10.11.0.1", "", "auto", true, false))
                // large replies to a client that cannot validate over TCP (a frame link or a test's socket): no reply cap;
                // the default udp.allow (the serving /24) still applies
                .withExposure(ExposureSettings.defaults().withUnvalidatedReplyFactor(0));
        server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(LOG, true));
        link = new TestFrameLink(pair.nameB());
        serverMac = ((BypassPort)server.udpPorts().getFirst()).localMac();
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
        if (null != link)
        {
            link.close();
        }
    }

    @BeforeEach
    void skipWithoutDpdk()
    {
        assumeTrue(null == skipReason, skipReason);
    }

    @Test
    void shouldTakeItsMemoryFromHugepagesExactlyInTheHugepagesRun()
    {
        // The build runs this class twice: with --no-huge, then in its own JVM with the EAL on hugepages.
        // Counted in this process's own mappings, so that other processes' hugepages do not matter.
        final long mapped = TestDpdk.hugepageBytesMappedHere() - hugepagesMappedBefore;
        if (TestDpdk.HUGEPAGES)
        {
            assertTrue(mapped > 0, "the device's mbuf pool came from hugepages: " + mapped + " bytes more mapped");
        }
        else
        {
            assertEquals(0, mapped, "with --no-huge the EAL maps no hugepages");
        }
    }

    @Test
    void shouldReportTheDeviceAtStart()
    {
        final String log = LOG.toString();
        assertTrue(log.contains("udp          dpdk net_ring_wkr"), log);
        assertTrue(log.contains("ipv4 10.11.0.1"), log);
    }

    @Test
    void shouldStoreAndReadBackThroughEthernetFrames()
    {
        assertEquals("STORED\r\n", request("set dp:a 7 0 5\r\nhello\r\n"));
        assertEquals("VALUE dp:a 7 5\r\nhello\r\nEND\r\n", request("get dp:a\r\n"));
        assertEquals("HD\r\n", request("ms dp:b 2\r\nhi\r\n"));
        assertEquals("VA 2 f0\r\nhi\r\n", request("mg dp:b v f\r\n"));
        assertEquals("END\r\n", request("get dp:missing\r\n"));
    }

    @Test
    void shouldAddressTheReplyToTheSenderWithValidChecksums()
    {
        link.send(TestFrames.udp(serverMac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 40_001, server.udpPort(),
            TestFrames.memcachedDatagram(77, "version\r\n")));
        final TestFrames.UdpFrame reply = TestFrames.UdpFrame.parse(link.receive(1).getFirst()); // parse checks checksums
        assertEquals(CLIENT_MAC, reply.dstMac());
        assertEquals(serverMac, reply.srcMac());
        assertEquals(SERVER_IP, reply.srcIp());
        assertEquals(CLIENT_IP, reply.dstIp());
        assertEquals(server.udpPort(), reply.srcPort());
        assertEquals(40_001, reply.dstPort());
        assertEquals(77, reply.requestId());
        assertTrue(reply.memcachedText().startsWith("VERSION "), reply.memcachedText());
    }

    @Test
    void shouldReassembleALargeRequestAndSplitALargeReplyOverSeveralFrames()
    {
        final String value = "v".repeat(5000);
        // A request larger than the MTU travels as IPv4 fragments, as a client's kernel sends it: four here.
        final NetCounters counters = ((BypassPort)server.udpPorts().getFirst()).netCounters();
        final long reassembledBefore = counters.get(NetCounters.REASSEMBLED);
        final List<byte[]> fragments = TestFrames.udpFragmented(serverMac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 40_002,
            server.udpPort(), TestFrames.memcachedDatagram(8, "set dp:large 0 0 5000\r\n" + value + "\r\n"), 1500, 0x5151);
        assertEquals(4, fragments.size());
        for (final byte[] fragment : fragments.reversed()) // any order will do
        {
            link.send(fragment);
        }
        assertEquals("STORED\r\n", TestFrames.UdpFrame.parse(link.receive(1).getFirst()).memcachedText());
        assertEquals(reassembledBefore + 1, counters.get(NetCounters.REASSEMBLED));

        link.send(TestFrames.udp(serverMac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 40_002, server.udpPort(),
            TestFrames.memcachedDatagram(9, "get dp:large\r\n")));
        final List<byte[]> frames = link.receive(4); // 5000 bytes + framing in 1400-byte datagrams
        final StringBuilder text = new StringBuilder();
        for (int seq = 0; seq < frames.size(); seq++)
        {
            final TestFrames.UdpFrame frame = TestFrames.UdpFrame.parse(frames.get(seq));
            assertTrue(frame.payload().length <= 1400, "datagram payload " + frame.payload().length);
            assertEquals(seq, TestFrames.u16(frame.payload(), 2), "sequence number");
            assertEquals(frames.size(), TestFrames.u16(frame.payload(), 4), "datagram count");
            text.append(frame.memcachedText());
        }
        assertEquals("VALUE dp:large 0 5000\r\n" + value + "\r\nEND\r\n", text.toString());
    }

    @Test
    void shouldAnswerArpForItsAddressAndNotForOthers()
    {
        link.send(TestFrames.arpRequest(CLIENT_MAC, CLIENT_IP, SERVER_IP));
        final byte[] reply = link.receive(1).getFirst();
        assertEquals(CLIENT_MAC, TestFrames.mac(reply, 0));
        assertEquals(TestFrames.ETHERTYPE_ARP, TestFrames.u16(reply, 12));
        assertEquals(2, TestFrames.u16(reply, 20), "ARP reply opcode");
        assertEquals(serverMac, TestFrames.mac(reply, 22), "sender hardware address: the appliance's MAC");
        assertEquals(SERVER_IP, TestFrames.u32(reply, 28));
        assertEquals(CLIENT_MAC, TestFrames.mac(reply, 32));
        assertEquals(CLIENT_IP, TestFrames.u32(reply, 38));

        link.send(TestFrames.arpRequest(CLIENT_MAC, CLIENT_IP, ipv4(10, 11, 0, 99)));
        assertEquals(0, link.receive(0).size(), "no answer for another address");
    }

    @Test
    void shouldAnswerPing()
    {
        final byte[] data = "wirekv-ping-payload!".getBytes(StandardCharsets.US_ASCII);
        link.send(TestFrames.icmpEcho(serverMac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 0x4242, 7, data));
        final byte[] reply = link.receive(1).getFirst();
        assertEquals(CLIENT_MAC, TestFrames.mac(reply, 0));
        assertEquals(0xFFFF, TestFrames.fold(TestFrames.sum(reply, 14, 20)), "IPv4 header checksum");
        assertEquals(SERVER_IP, TestFrames.u32(reply, 26));
        assertEquals(CLIENT_IP, TestFrames.u32(reply, 30));
        assertEquals(0, reply[34], "echo reply type");
        assertEquals(0xFFFF, TestFrames.fold(TestFrames.sum(reply, 34, 8 + data.length)), "ICMP checksum");
        assertEquals(0x4242, TestFrames.u16(reply, 38));
        assertEquals(7, TestFrames.u16(reply, 40));
        assertArrayEquals(data, java.util.Arrays.copyOfRange(reply, 42, 42 + data.length));
    }

    @Test
    void shouldCountAndDropMalformedFramesAndKeepServing()
    {
        final NetCounters counters = ((BypassPort)server.udpPorts().getFirst()).netCounters();
        final long badChecksumBefore = counters.get(NetCounters.DROP_BAD_IP_CHECKSUM);
        final long notForUsBefore = counters.get(NetCounters.DROP_NOT_FOR_US);
        final long malformedBefore = counters.get(NetCounters.DROP_MALFORMED);

        final byte[] badChecksum = TestFrames.udp(serverMac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 40_003, server.udpPort(),
            TestFrames.memcachedDatagram(1, "get dp:a\r\n"));
        badChecksum[24] ^= 0x5A; // IPv4 header checksum
        link.send(badChecksum);
        link.send(TestFrames.udp(serverMac, CLIENT_MAC, CLIENT_IP, ipv4(10, 11, 0, 50), 40_003, server.udpPort(),
            TestFrames.memcachedDatagram(2, "get dp:a\r\n")));
        link.send(java.util.Arrays.copyOf(badChecksum, 20)); // truncated inside the IPv4 header
        assertEquals(0, link.receive(0).size(), "nothing answered");

        assertEquals(badChecksumBefore + 1, counters.get(NetCounters.DROP_BAD_IP_CHECKSUM));
        assertEquals(notForUsBefore + 1, counters.get(NetCounters.DROP_NOT_FOR_US));
        assertEquals(malformedBefore + 1, counters.get(NetCounters.DROP_MALFORMED));
        assertEquals("END\r\n", request("get dp:nothing\r\n"), "still serving");
    }

    @Test
    void shouldDropAndCountDatagramsFromOutsideTheServingSubnetBeforeAnyTableAccess()
    {
        request("set dp:guarded 0 0 1\r\nv\r\n");
        final long droppedBefore = server.udpDroppedNotAllowed();
        final long lookupsBefore = server.table().counters().hits() + server.table().counters().misses();
        final int outsider = ipv4(10, 11, 7, 2); // outside udp.allow's default: loopback and 10.11.0.0/24
        link.send(TestFrames.udp(serverMac, CLIENT_MAC, outsider, SERVER_IP, 40_009, server.udpPort(),
            TestFrames.memcachedDatagram(9, "get dp:guarded\r\n")));
        assertEquals(0, link.receive(0).size(), "nothing answered to a source outside udp.allow");
        assertEquals(droppedBefore + 1, server.udpDroppedNotAllowed());
        assertEquals(lookupsBefore, server.table().counters().hits() + server.table().counters().misses(),
            "the table was not read");
        assertTrue(LOG.toString().contains("udp.allow 127.0.0.0/8,10.11.0.0/24"), LOG.toString());
        assertEquals("VALUE dp:guarded 0 1\r\nv\r\nEND\r\n", request("get dp:guarded\r\n"), "listed sources still served");
    }

    @Test
    void shouldCountPacketsOnThePort()
    {
        final PortCounters counters = server.udpPorts().getFirst().counters();
        final long rx = counters.get(PortCounters.RX_PACKETS);
        final long tx = counters.get(PortCounters.TX_PACKETS);
        request("get dp:count\r\n");
        assertTrue(counters.get(PortCounters.RX_PACKETS) > rx);
        assertTrue(counters.get(PortCounters.TX_PACKETS) > tx);
        assertTrue(counters.get(PortCounters.EMPTY_POLLS) > 0, "an idle lcore polls empty");
    }

    @Test
    void shouldAllocateNothingOnTheLcorePerPacketInSteadyState()
    {
        request("set dp:z 0 0 5\r\nhello\r\n");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long lcoreThreadId = server.lcoreThreadIds()[0];
        // As for the kernel backend: steady state is a round of requests in which the lcore allocates
        // nothing (C2 must first compile the downcalls). Bounded: at most 60 s of rounds.
        long allocated = -1;
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (0 != allocated && System.nanoTime() < deadlineNs)
        {
            final long before = threads.getThreadAllocatedBytes(lcoreThreadId);
            for (int i = 0; i < 2_000; i++)
            {
                request(0 == (i & 7) ? "set dp:z 0 0 5\r\nhello\r\n" : "get dp:z\r\n");
            }
            allocated = threads.getThreadAllocatedBytes(lcoreThreadId) - before;
        }
        assertEquals(0, allocated, "bytes allocated by the lcore thread over 2000 requests");
    }

    /** One request datagram in one frame, one reply frame back; returns the reply text. */
    private static String request(final String text)
    {
        final int id = ++requestId & 0xFFFF;
        link.send(TestFrames.udp(serverMac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 40_000, server.udpPort(),
            TestFrames.memcachedDatagram(id, text)));
        final TestFrames.UdpFrame reply = TestFrames.UdpFrame.parse(link.receive(1).getFirst());
        assertEquals(id, reply.requestId());
        return reply.memcachedText();
    }
}
