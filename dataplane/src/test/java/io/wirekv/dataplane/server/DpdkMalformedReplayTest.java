package io.wirekv.dataplane.server;

import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.testnet.MalformedFrames;
import io.wirekv.dataplane.testnet.TestDpdk;
import io.wirekv.dataplane.testnet.TestFrameLink;
import io.wirekv.dataplane.testnet.TestFrames;
import io.wirekv.nativebindings.dpdk.RingPortPair;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static io.wirekv.dataplane.testnet.TestFrames.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The malformed-frame replay on the real {@code dpdk} path (a ring-PMD pair, the appliance's lcore polling
 * side a): frames of every drop reason ({@link MalformedFrames}), round-robin, then the counters must add up
 * exactly (every frame received, one outcome each, the lcore's malformed-frame count), nothing may come
 * back, every mbuf the test sent must be back in its pool (the appliance freed each dropped frame), and a
 * real request must still be answered. 10^5 frames in the suite; {@code -Dwirekv.replay.frames=1000000}
 * for the long run (README, "Longer runs").
 */
class DpdkMalformedReplayTest
{
    private static final int FRAMES = Integer.getInteger("wirekv.replay.frames", 100_000);
    private static final int SERVER_IP = ipv4(10, 12, 0, 1);
    private static final int CLIENT_IP = ipv4(10, 12, 0, 2);
    private static final int OTHER_IP = ipv4(10, 12, 0, 3);
    private static final long CLIENT_MAC = 0x02_00_00_00_00_22L;

    private static WirekvServer server;
    private static TestFrameLink link;

    @BeforeAll
    static void start()
    {
        if (null != TestDpdk.skipReason())
        {
            return;
        }
        final RingPortPair pair = TestDpdk.newPair(1);
        final ServerConfig config = new ServerConfig(
            "dpdk-replay", "127.0.0.1", 0, ServerConfig.Backend.DPDK, 1, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withBackend(ServerConfig.Backend.DPDK,
                new BypassSettings(TestDpdk.EAL_ARGS, pair.nameA(), "10.12.0.1", "", "auto", true, false));
        server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(new ByteArrayOutputStream(), true));
        link = new TestFrameLink(pair.nameB());
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

    @Test
    void shouldCountEveryMalformedFrameExactlyAndLeakNoMbuf()
    {
        final String skip = TestDpdk.skipReason();
        assumeTrue(null == skip, skip);
        final BypassPort port = (BypassPort)server.udpPorts().getFirst();
        final long serverMac = port.localMac();
        final MalformedFrames malformed = new MalformedFrames(
            serverMac, CLIENT_MAC, SERVER_IP, CLIENT_IP, OTHER_IP, server.udpPort());
        assertEquals("END\r\n", request(serverMac, 1, "get warm-up\r\n"), "serving before the replay");

        final NetCounters net = port.netCounters();
        final PortCounters portCounters = port.counters();
        final long[] before = MalformedFrames.snapshot(net);
        final long rxBefore = portCounters.get(PortCounters.RX_PACKETS);
        final long deviceBefore = port.deviceStats().getOrDefault("ipackets", -1L);
        final long malformedBefore = server.malformedFrames();
        final int mbufsBefore = link.mbufsInUse();
        final long[] sent = new long[MalformedFrames.KINDS.length];

        for (int i = 0; i < FRAMES; i++)
        {
            final int kind = i % MalformedFrames.KINDS.length;
            link.sendWaiting(malformed.frame(kind));
            sent[kind]++;
        }
        MalformedFrames.awaitReceived(net, before[NetCounters.RX_FRAMES] + FRAMES);

        assertEquals(0, link.receive(0).size(), "nothing answered");
        assertEquals(FRAMES, port.deviceStats().getOrDefault("ipackets", -1L) - deviceBefore, "device rx packets");
        assertEquals(sent[MalformedFrames.MULTI_DATAGRAM], portCounters.get(PortCounters.RX_PACKETS) - rxBefore,
            "datagrams the stack handed to the lcore");
        final long[] after = MalformedFrames.snapshot(net);
        assertEquals(FRAMES, after[NetCounters.RX_FRAMES] - before[NetCounters.RX_FRAMES], "rx frames");
        long outcomes = 0;
        for (int id = 0; id < NetCounters.count(); id++)
        {
            outcomes += NetCounters.isOutcome(id) ? after[id] - before[id] : 0;
        }
        assertEquals(FRAMES, outcomes, "one outcome per frame: " + net);
        for (int kind = 0; kind < MalformedFrames.KINDS.length; kind++)
        {
            final int id = malformed.outcome(kind);
            assertEquals(sent[kind], after[id] - before[id], MalformedFrames.KINDS[kind] + " -> " + NetCounters.name(id));
        }
        assertEquals(sent[MalformedFrames.MULTI_DATAGRAM], server.malformedFrames() - malformedBefore,
            "malformed memcached frames counted by the lcore");
        assertEquals(mbufsBefore, link.mbufsInUse(), "every frame sent came back to the test's mbuf pool");

        assertEquals("END\r\n", request(serverMac, 2, "get after-replay\r\n"), "still serving");
        assertEquals(mbufsBefore, link.mbufsInUse(), "and the request's mbuf too");
    }

    private static String request(final long serverMac, final int id, final String text)
    {
        link.send(TestFrames.udp(serverMac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 40_000, server.udpPort(),
            TestFrames.memcachedDatagram(id, text)));
        final TestFrames.UdpFrame reply = TestFrames.UdpFrame.parse(link.receive(1).getFirst());
        assertEquals(id, reply.requestId());
        return reply.memcachedText();
    }
}
