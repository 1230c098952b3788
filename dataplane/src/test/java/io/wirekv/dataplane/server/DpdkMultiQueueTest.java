package io.wirekv.dataplane.server;

import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.testnet.TestDpdk;
import io.wirekv.dataplane.testnet.TestFrameLink;
import io.wirekv.dataplane.testnet.TestFrames;
import io.wirekv.nativebindings.dpdk.RingPortPair;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static io.wirekv.dataplane.testnet.TestFrames.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two lcores over two queues of one DPDK device: each lcore owns its queue, its buffers and its counters;
 * a request that arrives on queue q is answered on queue q, and both see the same table.
 */
class DpdkMultiQueueTest
{
    private static final int SERVER_IP = ipv4(10, 11, 2, 1);
    private static final int CLIENT_IP = ipv4(10, 11, 2, 2);
    private static final long CLIENT_MAC = 0x02_00_00_00_02_02L;

    @Test
    void shouldServeEachQueueFromItsOwnLcore()
    {
        assumeTrue(null == TestDpdk.skipReason(), TestDpdk.skipReason());
        final RingPortPair pair = TestDpdk.newPair(2);
        final ServerConfig config = new ServerConfig(
            "dpdk-mq", "127.0.0.1", 0, ServerConfig.Backend.DPDK, 2, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withBackend(ServerConfig.Backend.DPDK,
                new BypassSettings(TestDpdk.EAL_ARGS, pair.nameA(), "10.11.2.1", "", "auto", true, false))
                // large replies to a client that cannot validate over TCP (a frame link or a test's socket): no reply cap;
                // the default udp.allow (the serving /24) still applies
                .withExposure(ExposureSettings.defaults().withUnvalidatedReplyFactor(0));
        try (WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE,
                new PrintStream(new ByteArrayOutputStream(), true));
            TestFrameLink link = new TestFrameLink(pair.nameB(), 2))
        {
            final long mac = ((BypassPort)server.udpPorts().getFirst()).localMac();
            assertNotSame(server.udpPorts().get(0).counters(), server.udpPorts().get(1).counters());

            link.send(TestFrames.udp(mac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 40_100, server.udpPort(),
                TestFrames.memcachedDatagram(1, "set mq:a 0 0 2\r\nq0\r\n")), 0);
            assertEquals("STORED\r\n", TestFrames.UdpFrame.parse(link.receive(1, 0).getFirst()).memcachedText());

            // written through queue 0's lcore, read through queue 1's
            link.send(TestFrames.udp(mac, CLIENT_MAC, CLIENT_IP, SERVER_IP, 40_101, server.udpPort(),
                TestFrames.memcachedDatagram(2, "get mq:a\r\n")), 1);
            assertEquals("VALUE mq:a 0 2\r\nq0\r\nEND\r\n",
                TestFrames.UdpFrame.parse(link.receive(1, 1).getFirst()).memcachedText());

            assertEquals(1, server.udpPorts().get(0).counters().get(PortCounters.RX_PACKETS), "lcore 0 took queue 0's");
            assertEquals(1, server.udpPorts().get(1).counters().get(PortCounters.RX_PACKETS), "lcore 1 took queue 1's");
            assertEquals(0, link.receive(0, 0).size(), "nothing crossed queues");
        }
    }
}
