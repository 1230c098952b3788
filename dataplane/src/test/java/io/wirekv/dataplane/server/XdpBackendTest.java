package io.wirekv.dataplane.server;

import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.port.VethNamespace;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.nativebindings.xdp.XdpLibraries;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The appliance on the {@code xdp} backend, for real: wirekv's XDP program and an AF_XDP socket on the host
 * end of a veth pair, a memcached client (python, UDP frame header and all) inside a network namespace on
 * the other end. ARP and ping are the kernel's, through the program's XDP_PASS.
 */
class XdpBackendTest
{
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    /** Sends each argument as one memcached UDP request (frame header: id, seq 0, count 1) and prints each reply as hex. */
    private static final String CLIENT_SCRIPT = """
        import socket, struct, sys
        dst, port = sys.argv[1], int(sys.argv[2])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        for i, request in enumerate(sys.argv[3:]):
            s.sendto(struct.pack('!HHHH', i + 1, 0, 1, 0) + request.encode(), (dst, port))
            data, addr = s.recvfrom(65535)
            rid, seq, count, _ = struct.unpack('!HHHH', data[:8])
            if rid != i + 1 or seq != 0 or count != 1 or addr != (dst, port):
                sys.exit('bad reply %r from %r' % (data[:8], addr))
            print(data[8:].hex(), flush=True)
        """;

    private static final String PING_SCRIPT = """
        import socket, struct, sys, time
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        s.settimeout(2)
        body = struct.pack('!BBHHH', 8, 0, 0, 7, 1) + b'wirekv'
        t = sum(struct.unpack('!%dH' % (len(body) // 2), body))
        t = (t >> 16) + (t & 0xffff)
        t += t >> 16
        s.sendto(struct.pack('!BBHHH', 8, 0, ~t & 0xffff, 7, 1) + b'wirekv', (sys.argv[1], 0))
        end = time.time() + 2
        while time.time() < end:
            data, addr = s.recvfrom(1500)
            if addr[0] == sys.argv[1] and data[(data[0] & 15) * 4] == 0:
                sys.exit(0)
        sys.exit(1)
        """;

    private static VethNamespace net;
    private static WirekvServer server;

    @BeforeAll
    static void start() throws IOException, InterruptedException
    {
        Assumptions.assumeTrue(VethNamespace.isRoot(), "skipped: the xdp backend on a veth pair needs root");
        Assumptions.assumeTrue(XdpLibraries.isAvailable(), () -> "skipped: " + XdpLibraries.unavailableReason());
        Assumptions.assumeTrue(XdpBackendTest.class.getClassLoader().getResource("native/bpf/wirekv_xdp.o") != null,
            "skipped: the build did not produce wirekv_xdp.o (install clang and libbpf-dev, rebuild native-bindings)");

        net = VethNamespace.create();
        final ServerConfig config = new ServerConfig(
            "xdp-test", "127.0.0.1", 0, ServerConfig.Backend.XDP, 1, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withBackend(ServerConfig.Backend.XDP,
                new BypassSettings(List.of(), "", "", net.hostInterface, "auto", true, false));
        server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(LOG, true));
    }

    @AfterAll
    static void stop()
    {
        try
        {
            if (server != null)
            {
                server.close();
            }
        }
        finally
        {
            if (net != null)
            {
                net.close();
            }
        }
    }

    @Test
    void shouldReportTheInterfaceItsAddressAndTheProgramAtStart()
    {
        final String log = LOG.toString(StandardCharsets.UTF_8);
        System.out.println("[xdp backend test] start-up report:\n" + log);
        assertTrue(log.contains("xdp " + net.hostInterface), log);
        assertTrue(log.contains("ipv4 " + net.hostAddress), log);
        assertTrue(log.contains("mode native"), log);
        assertTrue(((BypassPort)server.udpPorts().getFirst()).localMac() != 0);
    }

    @Test
    void shouldStoreAndReadBackOverUdpFromTheNamespace() throws IOException, InterruptedException
    {
        assertEquals(List.of(
                "STORED\r\n",
                "VALUE xdp:a 7 5\r\nhello\r\nEND\r\n",
                "HD\r\n",
                "VA 2 f0\r\nhi\r\n",
                "END\r\n"),
            requests("set xdp:a 7 0 5\r\nhello\r\n", "get xdp:a\r\n", "ms xdp:b 2\r\nhi\r\n", "mg xdp:b v f\r\n",
                "get xdp:missing\r\n"));
    }

    @Test
    void shouldLeavePingToTheKernel() throws IOException, InterruptedException
    {
        assertEquals(0, net.exitStatusInNamespace(10, "python3", "-c", PING_SCRIPT, net.hostAddress));
    }

    private static List<String> requests(final String... requests) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            "python3", "-c", CLIENT_SCRIPT, net.hostAddress, Integer.toString(server.udpPort())));
        command.addAll(List.of(requests));
        final String output = net.inNamespace(20, command.toArray(String[]::new));
        final List<String> replies = new ArrayList<>();
        for (final String line : output.strip().split("\n"))
        {
            replies.add(new String(HexFormat.of().parseHex(line.strip()), StandardCharsets.US_ASCII));
        }
        return replies;
    }
}
