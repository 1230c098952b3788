package io.wirekv.dataplane.server;

import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.testnet.TestNetwork;
import io.wirekv.nativebindings.xdp.XdpLibraries;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two lcores over the two queues of a two-queue veth: one AF_XDP socket per queue, each lcore with its own
 * port and counters. Clients in the namespace on many UDP source ports are spread over the queues by the
 * sender's flow hash; every one of them gets right answers, and both lcores serve some.
 */
class XdpMultiQueueTest
{
    private static final int QUEUES = 2;
    private static final int CLIENTS = 32;

    @Test
    void shouldServeClientsSpreadOverTwoQueuesFromTwoLcores() throws Exception
    {
        String skipReason = TestNetwork.skipReason();
        if (null == skipReason && !XdpLibraries.isAvailable())
        {
            skipReason = "libxdp/libbpf unavailable: " + XdpLibraries.unavailableReason();
        }
        assumeTrue(null == skipReason, skipReason);
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (TestNetwork network = TestNetwork.create(QUEUES))
        {
            final ServerConfig config = new ServerConfig(
                "xdp-mq-test", network.hostAddress(), 0, ServerConfig.Backend.XDP, QUEUES, List.of(), 1, 1, 16,
                32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
                .withBackend(ServerConfig.Backend.XDP,
                    new BypassSettings(List.of(), "", "", network.hostInterface(), "auto", true, false))
                    // large replies to a client that cannot validate over TCP (a frame link or a test's socket): no reply cap;
                    // the default udp.allow (the serving /24) still applies
                    .withExposure(ExposureSettings.defaults().withUnvalidatedReplyFactor(0));
            try (WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(log, true)))
            {
                final List<String> wrong = network.insideNamespace(() -> exchangeFromManyPorts(network, server.udpPort()));
                assertEquals(List.of(), wrong, "every client's set and get answered right");

                final List<PacketPort> ports = server.udpPorts();
                assertEquals(QUEUES, ports.size());
                long total = 0;
                for (int i = 0; i < QUEUES; i++)
                {
                    final long rx = ports.get(i).counters().get(PortCounters.RX_PACKETS);
                    assertTrue(rx > 0, "lcore " + i + " (queue " + i + ") received requests: " + ports.get(i).describe());
                    assertEquals(rx, ports.get(i).counters().get(PortCounters.TX_PACKETS), "lcore " + i + " answered each");
                    total += rx;
                }
                assertEquals(2L * CLIENTS, total, "each request reached exactly one lcore");
            }
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError(ex.getMessage() + "\nserver log:\n" + log, ex);
        }
    }

    /** From inside the namespace: one socket per client, a set and a get each; returns what went wrong. */
    private static List<String> exchangeFromManyPorts(final TestNetwork network, final int port) throws Exception
    {
        final List<String> wrong = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++)
        {
            try (DatagramSocket socket = new DatagramSocket())
            {
                socket.setSoTimeout(3000);
                socket.connect(new InetSocketAddress(network.hostAddress(), port));
                final String key = "mq:" + c;
                final String value = "value-" + c;
                final String stored =
                    MemcachedTestClient.exchange(socket, 2 * c, "set " + key + " 0 0 " + value.length() + "\r\n" + value + "\r\n");
                final String got = MemcachedTestClient.exchange(socket, 2 * c + 1, "get " + key + "\r\n");
                final String expected = "VALUE " + key + " 0 " + value.length() + "\r\n" + value + "\r\nEND\r\n";
                if (!"STORED\r\n".equals(stored) || !expected.equals(got))
                {
                    wrong.add("client " + c + " (port " + socket.getLocalPort() + "): " + stored.strip() + " / " + got.strip());
                }
            }
        }
        return wrong;
    }
}
