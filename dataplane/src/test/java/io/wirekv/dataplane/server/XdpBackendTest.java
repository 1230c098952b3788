package io.wirekv.dataplane.server;

import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.testnet.TestNetwork;
import io.wirekv.nativebindings.xdp.XdpLibraries;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The appliance on the {@code xdp} backend, for real: wirekv's XDP program and an AF_XDP socket on the
 * host end of a veth pair whose other end sits in a network namespace this test creates; clients in the
 * namespace use ordinary kernel sockets and tools.
 */
class XdpBackendTest
{
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final Pattern COUNTER = Pattern.compile("(?m)^\\s*(\\w+):\\s+(\\d+)\\s*$");

    private static String skipReason;
    private static TestNetwork network;
    private static WirekvServer server;

    @BeforeAll
    static void start()
    {
        skipReason = TestNetwork.skipReason();
        if (null == skipReason && !XdpLibraries.isAvailable())
        {
            skipReason = "libxdp/libbpf unavailable: " + XdpLibraries.unavailableReason();
        }
        if (null != skipReason)
        {
            return;
        }
        network = TestNetwork.create();
        final ServerConfig config = new ServerConfig(
            "xdp-test", network.hostAddress(), 0, ServerConfig.Backend.XDP, 1, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withBackend(ServerConfig.Backend.XDP,
                new BypassSettings(List.of(), "", "", network.hostInterface(), "auto", true, false))
                // large replies to a client that cannot validate over TCP (a frame link or a test's socket): no reply cap;
                // the default udp.allow (the serving /24) still applies
                .withExposure(ExposureSettings.defaults().withUnvalidatedReplyFactor(0));
        server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(LOG, true));
    }

    @AfterAll
    static void stop()
    {
        try
        {
            if (null != server)
            {
                server.close();
            }
        }
        finally
        {
            if (null != network)
            {
                network.close();
            }
        }
    }

    @BeforeEach
    void skipWithoutXdp()
    {
        assumeTrue(null == skipReason, skipReason);
    }

    @Test
    void shouldReportTheInterfaceAndProgramAtStart()
    {
        final String log = LOG.toString();
        assertTrue(log.contains("udp          xdp " + network.hostInterface()), log);
        assertTrue(log.contains("ipv4 " + network.hostAddress()), log);
        // udp.allow's default on xdp: loopback and the interface's own subnet (the namespace's /24)
        final String subnet = network.hostAddress().substring(0, network.hostAddress().lastIndexOf('.') + 1) + "0/24";
        assertTrue(log.contains("udp guard    udp.allow 127.0.0.0/8," + subnet + ", unvalidated replies uncapped"), log);
    }

    @Test
    void shouldServeAClientInTheNamespaceOverOrdinaryUdpSockets()
    {
        final String replies;
        try
        {
            replies = network.insideNamespace(() ->
            {
                try (DatagramSocket socket = new DatagramSocket())
                {
                    socket.setSoTimeout(3000);
                    socket.connect(new InetSocketAddress(network.hostAddress(), server.udpPort()));
                    return MemcachedTestClient.exchange(socket, 1, "set xdp:a 3 0 5\r\nhello\r\n") +
                        MemcachedTestClient.exchange(socket, 2, "get xdp:a\r\n") +
                        MemcachedTestClient.exchange(socket, 3, "mg xdp:a v f c\r\n").replaceAll("c\\d+", "c#");
                }
            });
        }
        catch (final IllegalStateException ex)
        {
            throw new AssertionError(ex.getMessage() + "; port " + diagnostics(), ex);
        }
        assertEquals("STORED\r\nVALUE xdp:a 3 5\r\nhello\r\nEND\r\nVA 5 f3 c#\r\nhello\r\n", replies);
        assertTrue(server.udpPorts().getFirst().counters().get(PortCounters.RX_PACKETS) >= 3);
    }

    @Test
    void shouldServeMemcaslapInTheNamespaceWithEveryValueVerified()
    {
        final String out = network.inNamespace("/usr/bin/memcaslap", "-s", network.hostAddress() + ":" + server.udpPort(),
            "-U", "-T", "1", "-c", "4", "-x", "5000", "--verify=1.0", "-X", "200");
        final Matcher m = COUNTER.matcher(out);
        final java.util.Map<String, Long> counters = new java.util.HashMap<>();
        while (m.find())
        {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertEquals(5000L, counters.getOrDefault("cmd_get", -1L) + counters.getOrDefault("cmd_set", -1L), out);
        for (final String name : new String[] {"get_misses", "verify_misses", "verify_failed", "packet_drop", "udp_timeout"})
        {
            assertEquals(0L, counters.get(name), name + " must be 0:\n" + out);
        }
    }

    @Test
    void shouldLeavePingToTheKernel()
    {
        final String out = network.inNamespace("ping", "-c", "2", "-W", "2", "-i", "0.2", network.hostAddress());
        assertTrue(out.contains("2 received"), out);
    }

    @Test
    void shouldLeaveTcpAndOtherUdpPortsToTheKernel() throws Exception
    {
        try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getByName(network.hostAddress()));
            DatagramSocket otherUdp = new DatagramSocket(new InetSocketAddress(network.hostAddress(), 0)))
        {
            otherUdp.setSoTimeout(3000);
            final int tcpPort = listener.getLocalPort();
            final int udpPort = otherUdp.getLocalPort();
            network.insideNamespace(() ->
            {
                try (Socket s = new Socket())
                {
                    s.connect(new InetSocketAddress(network.hostAddress(), tcpPort), 3000);
                }
                try (DatagramSocket d = new DatagramSocket())
                {
                    final byte[] hello = "to the kernel".getBytes(StandardCharsets.US_ASCII);
                    d.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(network.hostAddress(), udpPort)));
                }
                return null;
            });
            listener.setSoTimeout(3000);
            listener.accept().close();
            final DatagramPacket p = new DatagramPacket(new byte[64], 64);
            otherUdp.receive(p);
            assertEquals("to the kernel", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
        }
        // and wirekv's own TCP (the kernel's path) works from the namespace too
        final String reply = network.insideNamespace(() ->
        {
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress(network.hostAddress(), server.tcpPort()), 3000);
                s.setSoTimeout(3000);
                s.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
                final byte[] buf = new byte[64];
                final int n = s.getInputStream().read(buf);
                return new String(buf, 0, n, StandardCharsets.US_ASCII);
            }
        });
        assertTrue(reply.startsWith("VERSION "), reply);
    }

    @Test
    void shouldCountRequestsOnTheBypassPort()
    {
        final BypassPort port = (BypassPort)server.udpPorts().getFirst();
        assertTrue(port.counters().get(PortCounters.EMPTY_POLLS) > 0, "an idle lcore polls empty");
        assertTrue(port.deviceStats().containsKey("rx_dropped"), port.deviceStats().toString());
    }

    @Test
    void shouldAllocateNothingOnTheLcorePerPacketInSteadyState() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long lcoreThreadId = server.lcoreThreadIds()[0];
        try (DatagramSocket socket = network.insideNamespace(DatagramSocket::new)) // a socket of the namespace
        {
            socket.setSoTimeout(3000);
            socket.connect(new InetSocketAddress(network.hostAddress(), server.udpPort()));
            MemcachedTestClient.exchange(socket, 1, "set xdp:z 0 0 5\r\nhello\r\n");
            // Steady state is a round of requests in which the lcore allocates nothing (C2 must first compile
            // the downcalls and the ring code). Bounded: at most 60 s of rounds.
            long allocated = -1;
            final long deadlineNs = System.nanoTime() + 60_000_000_000L;
            while (0 != allocated && System.nanoTime() < deadlineNs)
            {
                final long before = threads.getThreadAllocatedBytes(lcoreThreadId);
                for (int i = 0; i < 2_000; i++)
                {
                    MemcachedTestClient.exchange(socket, i & 0xFFFF, 0 == (i & 7) ? "set xdp:z 0 0 5\r\nhello\r\n" : "get xdp:z\r\n");
                }
                allocated = threads.getThreadAllocatedBytes(lcoreThreadId) - before;
            }
            assertEquals(0, allocated, "bytes allocated by the lcore thread over 2000 requests");
        }
    }

    private static String diagnostics()
    {
        final BypassPort port = (BypassPort)server.udpPorts().getFirst();
        return port.counters() + ", stack " + port.netCounters() + ", device " + port.deviceStats();
    }
}
