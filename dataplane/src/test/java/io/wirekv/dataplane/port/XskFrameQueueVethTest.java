package io.wirekv.dataplane.port;

import io.wirekv.dataplane.testnet.TestNetwork;

import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.xdp.XdpAttachMode;
import io.wirekv.nativebindings.xdp.XdpLibraries;
import io.wirekv.nativebindings.xdp.XdpProgramAttachment;
import io.wirekv.nativebindings.xdp.XskBindMode;
import io.wirekv.nativebindings.xdp.XskDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AF_XDP queue and wirekv's XDP program for real, on a veth pair whose peer sits in a network namespace
 * this test creates: the service port's UDP datagrams arrive through {@link XskFrameQueue#receive}, frames
 * sent with {@link XskFrameQueue#transmit} reach a socket in the namespace, and ping, TCP and other UDP
 * ports still reach the kernel.
 * <p>
 * Skips (with the reason) when not root, when libxdp/libbpf are missing, or when the build did not produce
 * the XDP program (no clang).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XskFrameQueueVethTest
{
    private static final int SERVICE_PORT = 11411;
    private static final int OTHER_PORT = SERVICE_PORT + 1;
    private static final int CLIENT_PORT = 40123;
    private static final int ECHO_PORT = 40999;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private static final String SEND_SCRIPT = """
        import socket, sys
        src, sport, dst, dport, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, sport))
        for i in range(count):
            s.sendto(('%s-%d' % (prefix, i)).encode(), (dst, dport))
        """;

    private static final String REQUEST_REPLY_SCRIPT = """
        import socket, sys
        src, sport, dst, dport, replies = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, sport))
        s.settimeout(5)
        s.sendto(b'request', (dst, dport))
        for i in range(replies):
            data, addr = s.recvfrom(4096)
            print('%s %d %s' % (addr[0], addr[1], data.decode()), flush=True)
        """;

    private static final String TCP_SCRIPT = """
        import socket, sys
        c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
        c.sendall(b'tcp-hello')
        c.close()
        """;

    /** ICMP echo over a raw socket (iputils' ping is not installed everywhere): exit 0 when both replies came. */
    private static final String PING_SCRIPT = """
        import socket, sys, struct, os, time
        dst = sys.argv[1]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        s.settimeout(2)
        def csum(b):
            if len(b) % 2:
                b += b'\\0'
            t = sum(struct.unpack('!%dH' % (len(b) // 2), b))
            t = (t >> 16) + (t & 0xffff)
            t += t >> 16
            return ~t & 0xffff
        ident = os.getpid() & 0xffff
        ok = 0
        for seq in range(2):
            payload = b'wirekv-ping'
            header = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
            s.sendto(struct.pack('!BBHHH', 8, 0, csum(header + payload), ident, seq) + payload, (dst, 0))
            end = time.time() + 2
            while time.time() < end:
                try:
                    data, addr = s.recvfrom(1500)
                except socket.timeout:
                    break
                ihl = (data[0] & 15) * 4
                kind, code, _, i, sq = struct.unpack('!BBHHH', data[ihl:ihl + 8])
                if kind == 0 and i == ident and sq == seq and addr[0] == dst:
                    ok += 1
                    break
        print(ok)
        sys.exit(0 if ok == 2 else 1)
        """;

    /** Sends raw Ethernet frames (hex arguments) out of an interface with an AF_PACKET socket. */
    private static final String RAW_SEND_SCRIPT = """
        import socket, sys
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((sys.argv[1], 0))
        for frame in sys.argv[2:]:
            s.send(bytes.fromhex(frame))
        """;

    private static final String ECHO_SCRIPT = """
        import socket, sys, time
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('0.0.0.0', int(sys.argv[1])))
        s.settimeout(0.2)
        end = time.time() + float(sys.argv[2])
        print('ready', flush=True)
        while time.time() < end:
            try:
                data, addr = s.recvfrom(4096)
            except socket.timeout:
                continue
            s.sendto(data, addr)
        """;

    private static TestNetwork net;
    private static XdpProgramAttachment attachment;
    private static XskFrameQueue queue;
    private static int hostIp;
    private static int peerIp;

    @BeforeAll
    static void setUp() throws IOException, InterruptedException
    {
        Assumptions.assumeTrue(TestNetwork.skipReason() == null, "skipped: " + TestNetwork.skipReason());
        Assumptions.assumeTrue(XdpLibraries.isAvailable(), () -> "skipped: " + XdpLibraries.unavailableReason());
        Assumptions.assumeTrue(
            XskFrameQueueVethTest.class.getClassLoader().getResource("native/bpf/wirekv_xdp.o") != null,
            "skipped: the build did not produce wirekv_xdp.o (install clang and libbpf-dev, rebuild native-bindings)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
            "skipped: iproute2 (ip) not installed");

        net = TestNetwork.create();
        hostIp = UdpFrames.ipv4(net.hostAddress());
        peerIp = UdpFrames.ipv4(net.peerAddress());
        attachment = XdpProgramAttachment.attach(net.hostInterface(), SERVICE_PORT, 0, XdpAttachMode.AUTO);
        queue = openQueue(attachment);
        System.out.println("[xdp veth test] " + queue.describe());
    }

    private static XskFrameQueue openQueue(final XdpProgramAttachment program)
    {
        return XskFrameQueue.open(new XskFrameQueueConfig(net.hostInterface(), 0)
            .frames(1024, 2048)
            .rings(512, 512, 512, 512)
            .attachment(program));
    }

    @AfterAll
    static void tearDown()
    {
        try
        {
            if (queue != null)
            {
                queue.close();
            }
        }
        finally
        {
            try
            {
                if (attachment != null)
                {
                    attachment.close();
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
    }

    @Test
    @Order(1)
    void shouldAttachNativelyOnVethAndBindTheSocket() throws IOException
    {
        assertEquals(XdpAttachMode.NATIVE, attachment.mode(), () -> "veth supports native XDP: " + attachment.describe());
        assertTrue(queue.describe().contains(queue.isZeroCopy() ? "zero-copy" : "copy"), queue.describe());
        final Map<String, Long> stats = queue.deviceStats();
        assertEquals(List.of(XskDescriptor.STATISTICS_NAMES), List.copyOf(stats.keySet()));
        assertEquals(1024 - 512, queue.freeFrames(), "the fill ring holds half the frames, the rest are free");
        assertEquals(2048 - XskDescriptor.XDP_PACKET_HEADROOM, queue.frameCapacity());
        if (!Files.readString(Path.of("/proc/mounts")).contains(" /sys/fs/bpf bpf "))
        {
            assertTrue(attachment.describe().contains("dispatcher"),
                () -> "libxdp's note that it attached without its dispatcher reaches the report: " + attachment.describe());
        }
    }

    @Test
    @Order(2)
    void shouldRefuseASecondProgramOnTheInterfaceAndSayHowToRemoveIt()
    {
        final NativeException ex = assertThrows(NativeException.class,
            () -> XdpProgramAttachment.attach(net.hostInterface(), SERVICE_PORT, 0, XdpAttachMode.AUTO));

        assertTrue(ex.getMessage().contains("xdp-loader unload " + net.hostInterface()), ex.getMessage());
        assertFalse(ex.getMessage().contains("skb"), () -> "a busy interface is no reason to try generic mode: " + ex);
        assertEquals(XdpAttachMode.NATIVE, attachment.mode(), "the first attachment is untouched");
    }

    @Test
    @Order(3)
    void shouldReceiveTheServicePortsDatagramsAsExactFrames() throws IOException, InterruptedException
    {
        drain();
        final long redirectedBefore = attachment.redirectedPackets();
        final int count = 5;
        net.inNamespace(10, "python3", "-c", SEND_SCRIPT, net.peerAddress(), Integer.toString(CLIENT_PORT),
            net.hostAddress(), Integer.toString(SERVICE_PORT), Integer.toString(count), "wirekv-xdp");

        final FrameBurst rx = new FrameBurst(32);
        final Set<String> payloads = new HashSet<>();
        final MemorySegment memory = queue.memory();
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (payloads.size() < count && System.nanoTime() < deadline)
        {
            final int received = queue.receive(rx);
            for (int i = 0; i < received; i++)
            {
                final long at = rx.offset(i);
                assertEquals(queue.dataOffset(rx.handle(i)), at, "receive reports the data offset dataOffset gives");
                assertArrayEquals(net.hostMac(), UdpFrames.mac(memory, at, 0), "destination MAC");
                assertArrayEquals(net.peerMac(), UdpFrames.mac(memory, at, 1), "source MAC");
                assertEquals(0x0800, UdpFrames.etherType(memory, at));
                assertEquals(17, UdpFrames.ipProtocol(memory, at));
                assertEquals(peerIp, UdpFrames.srcIp(memory, at));
                assertEquals(hostIp, UdpFrames.dstIp(memory, at));
                assertEquals(CLIENT_PORT, UdpFrames.srcPort(memory, at));
                assertEquals(SERVICE_PORT, UdpFrames.dstPort(memory, at));
                assertTrue(UdpFrames.ipChecksumValid(memory, at), "IPv4 header checksum");
                assertTrue(UdpFrames.udpChecksumValid(memory, at), "UDP checksum");
                final byte[] payload = UdpFrames.payload(memory, at);
                assertEquals(UdpFrames.HEADERS + payload.length, rx.length(i), "frame length = headers + payload");
                assertEquals(UdpFrames.IP + UdpFrames.UDP + payload.length, UdpFrames.ipTotalLength(memory, at));
                payloads.add(new String(payload, StandardCharsets.US_ASCII));
                queue.free(rx.handle(i));
            }
            idle(received);
        }

        final Set<String> expected = new HashSet<>();
        for (int i = 0; i < count; i++)
        {
            expected.add("wirekv-xdp-" + i);
        }
        assertEquals(expected, payloads);
        assertTrue(attachment.redirectedPackets() - redirectedBefore >= count, "the program counted the redirects");
        drain(); // refills the fill ring from the free stack
        assertEquals(1024 - 512, queue.freeFrames(), "every received frame came back (fill ring full, the rest free)");
    }

    @Test
    @Order(4)
    void shouldDeliverTransmittedRepliesToTheSenderInTheNamespace() throws IOException, InterruptedException
    {
        drain();
        final Process client = net.startInNamespace("python3", "-c", REQUEST_REPLY_SCRIPT, net.peerAddress(),
            Integer.toString(CLIENT_PORT), net.hostAddress(), Integer.toString(SERVICE_PORT), "2");
        try
        {
            final FrameBurst rx = new FrameBurst(32);
            final FrameBurst tx = new FrameBurst(32);
            final MemorySegment memory = queue.memory();
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            int received = 0;
            while (received == 0 && System.nanoTime() < deadline)
            {
                received = queue.receive(rx);
                idle(received);
            }
            assertEquals(1, received, "the client's request");
            assertEquals("request", new String(UdpFrames.payload(memory, rx.offset(0)), StandardCharsets.US_ASCII));

            // Reply 1 in the request's own frame, rebuilt with a longer payload (lengths and checksums redone).
            final long requestFrame = rx.handle(0);
            final long at = rx.offset(0);
            final int length = UdpFrames.write(memory, at, net.peerMac(), net.hostMac(), hostIp, peerIp, SERVICE_PORT,
                CLIENT_PORT, "reply-in-place".getBytes(StandardCharsets.US_ASCII));
            tx.add(requestFrame, at, length);
            // Reply 2 in a frame of its own.
            final long frame = queue.allocate();
            assertNotEquals(FrameQueue.NO_FRAME, frame);
            final long at2 = queue.dataOffset(frame);
            final int length2 = UdpFrames.write(memory, at2, net.peerMac(), net.hostMac(), hostIp, peerIp, SERVICE_PORT,
                CLIENT_PORT, "reply-allocated".getBytes(StandardCharsets.US_ASCII));
            tx.add(frame, at2, length2);

            assertEquals(2, queue.transmit(tx));
            assertEquals(0, tx.count(), "transmit empties the burst");

            assertTrue(client.waitFor(10, TimeUnit.SECONDS), "the client got its replies in time");
            final String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, client.exitValue(), output);
            assertEquals(List.of(
                net.hostAddress() + " " + SERVICE_PORT + " reply-in-place",
                net.hostAddress() + " " + SERVICE_PORT + " reply-allocated"), output.lines().toList());

            // The kernel completes the sent frames; they come back to the free stack.
            final long completeDeadline = System.nanoTime() + TIMEOUT_NS;
            while (queue.freeFrames() < 1024 - 512 && System.nanoTime() < completeDeadline)
            {
                idle(queue.receive(rx));
            }
            assertEquals(1024 - 512, queue.freeFrames(), "both transmitted frames completed");
            assertEquals(0, queue.counters().get(PortCounters.TX_DROPPED));
        }
        finally
        {
            client.destroyForcibly();
        }
    }

    @Test
    @Order(5)
    void shouldPassPingTcpAndOtherUdpPortsToTheKernel() throws IOException, InterruptedException
    {
        drain();
        final long passedBefore = attachment.passedPackets();
        final long redirectedBefore = attachment.redirectedPackets();

        assertEquals(0, net.exitStatusInNamespace(10, "python3", "-c", PING_SCRIPT, net.hostAddress()),
            "ICMP echo (ping) from the namespace to the host end");

        try (ServerSocket server = new ServerSocket())
        {
            // TCP on the service port itself: only UDP is redirected.
            server.bind(new InetSocketAddress(InetAddress.getByName(net.hostAddress()), SERVICE_PORT));
            server.setSoTimeout(5000);
            final Process client = net.startInNamespace("python3", "-c", TCP_SCRIPT, net.hostAddress(),
                Integer.toString(SERVICE_PORT));
            try (Socket accepted = server.accept())
            {
                accepted.setSoTimeout(5000);
                assertEquals("tcp-hello", new String(accepted.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
            finally
            {
                client.waitFor(5, TimeUnit.SECONDS);
                client.destroyForcibly();
            }
        }

        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(net.hostAddress()), OTHER_PORT)))
        {
            other.setSoTimeout(5000);
            net.inNamespace(10, "python3", "-c", SEND_SCRIPT, net.peerAddress(), Integer.toString(CLIENT_PORT),
                net.hostAddress(), Integer.toString(OTHER_PORT), "1", "other-port");
            final DatagramPacket packet = new DatagramPacket(new byte[256], 256);
            other.receive(packet);
            assertEquals("other-port-0", new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII));
        }

        final FrameBurst rx = new FrameBurst(32);
        assertEquals(0, queue.receive(rx), "nothing but service-port UDP reaches the socket");
        assertEquals(redirectedBefore, attachment.redirectedPackets(), "no redirect for ping, TCP or another port");
        assertTrue(attachment.passedPackets() - passedBefore >= 4 + 2 + 1, "ping, TCP handshake and UDP passed");
    }

    @Test
    @Order(6)
    void shouldRedirectVlanTaggedDatagramsAndPassFragmentsWithoutAnAddress() throws IOException, InterruptedException
    {
        drain();
        final long redirectedBefore = attachment.redirectedPackets();
        final long passedBefore = attachment.passedPackets();
        final byte[] untagged = frameBytes("vlan-tagged");
        // 802.1Q tag, VLAN 10, between the MAC addresses and the IPv4 EtherType.
        final byte[] tagged = new byte[untagged.length + 4];
        System.arraycopy(untagged, 0, tagged, 0, 12);
        tagged[12] = (byte)0x81;
        tagged[14] = 0x00;
        tagged[15] = 0x0A;
        System.arraycopy(untagged, 12, tagged, 16, untagged.length - 12);
        // First fragment of a larger datagram (more-fragments set): with no address configured, the kernel's.
        final byte[] fragment = frameBytes("fragment");
        final MemorySegment fragmentSegment = MemorySegment.ofArray(fragment);
        fragment[UdpFrames.ETH + 6] = 0x20;
        fragment[UdpFrames.ETH + 10] = 0;
        fragment[UdpFrames.ETH + 11] = 0;
        final int ipChecksum = ipHeaderChecksum(fragment);
        fragment[UdpFrames.ETH + 10] = (byte)(ipChecksum >>> 8);
        fragment[UdpFrames.ETH + 11] = (byte)ipChecksum;
        assertTrue(UdpFrames.ipChecksumValid(fragmentSegment, 0));

        net.inNamespace(10, "python3", "-c", RAW_SEND_SCRIPT, net.peerInterface(),
            HexFormat.of().formatHex(fragment), HexFormat.of().formatHex(tagged));

        final FrameBurst rx = new FrameBurst(32);
        final List<byte[]> frames = new ArrayList<>();
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (frames.isEmpty() && System.nanoTime() < deadline)
        {
            final int received = queue.receive(rx);
            for (int i = 0; i < received; i++)
            {
                final byte[] frame = new byte[rx.length(i)];
                MemorySegment.copy(queue.memory(), java.lang.foreign.ValueLayout.JAVA_BYTE, rx.offset(i), frame, 0, frame.length);
                frames.add(frame);
                queue.free(rx.handle(i));
            }
            idle(received);
        }
        Thread.sleep(100); // the fragment was sent first; give a wrongly redirected one time to show up
        final int late = queue.receive(rx);
        for (int i = 0; i < late; i++)
        {
            queue.free(rx.handle(i));
        }

        assertEquals(1, frames.size() + late, "only the tagged datagram reaches the socket");
        assertArrayEquals(tagged, frames.get(0), "the tagged frame, tag and all");
        assertEquals(1, attachment.redirectedPackets() - redirectedBefore);
        assertTrue(attachment.passedPackets() - passedBefore >= 1, "the fragment was passed");
    }

    private static byte[] frameBytes(final String payload)
    {
        final byte[] frame = new byte[UdpFrames.HEADERS + payload.length()];
        UdpFrames.write(MemorySegment.ofArray(frame), 0, net.hostMac(), net.peerMac(), peerIp, hostIp, CLIENT_PORT, SERVICE_PORT,
            payload.getBytes(StandardCharsets.US_ASCII));
        return frame;
    }

    private static int ipHeaderChecksum(final byte[] frame)
    {
        int sum = 0;
        for (int i = 0; i < UdpFrames.IP; i += 2)
        {
            sum += ((frame[UdpFrames.ETH + i] & 0xFF) << 8) | (frame[UdpFrames.ETH + i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    @Test
    @Order(7)
    void shouldRecycleSentFramesForALcoreThatOnlyTransmits()
    {
        drain();
        final int free = queue.freeFrames();
        final int frames = free * 4;
        final FrameBurst tx = new FrameBurst(32);
        final byte[] payload = "to-the-discard-port".getBytes(StandardCharsets.US_ASCII);
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        int sent = 0;
        while (sent < frames && System.nanoTime() < deadline)
        {
            final long frame = queue.allocate();
            if (frame != FrameQueue.NO_FRAME)
            {
                final int length = UdpFrames.write(queue.memory(), queue.dataOffset(frame), net.peerMac(), net.hostMac(), hostIp,
                    peerIp, SERVICE_PORT, 9, payload);
                tx.add(frame, queue.dataOffset(frame), length);
            }
            if (tx.isFull() || (frame == FrameQueue.NO_FRAME && tx.count() > 0))
            {
                sent += queue.transmit(tx);
            }
        }
        sent += queue.transmit(tx);

        assertEquals(frames, sent, "four times the free frames went out without a single receive call");
        assertEquals(0, queue.counters().get(PortCounters.TX_DROPPED), "the TX ring holds every frame there is: none dropped");
    }

    @Test
    @Order(8)
    void shouldFreeAndCountFramesItCannotSendAndIgnoreBadFrees()
    {
        drain();
        final int free = queue.freeFrames();
        final long droppedBefore = queue.counters().get(PortCounters.TX_DROPPED);
        final FrameBurst tx = new FrameBurst(4);
        final long frame = queue.allocate();
        tx.add(frame, queue.dataOffset(frame), 4000); // longer than the frame

        assertEquals(0, queue.transmit(tx));
        assertEquals(free, queue.freeFrames(), "the refused frame went back to the free stack");
        assertEquals(droppedBefore + 1, queue.counters().get(PortCounters.TX_DROPPED));
        assertEquals(1L, queue.queueStats().get("tx_invalid"));

        // Longer than the link's MTU but inside the frame: the kernel takes it (and the veth drops it); the
        // frame must still come back through the completion ring, not leak.
        final long big = queue.allocate();
        final int bigLength = UdpFrames.write(queue.memory(), queue.dataOffset(big), net.peerMac(), net.hostMac(), hostIp, peerIp,
            SERVICE_PORT, 9, new byte[queue.frameCapacity() - UdpFrames.HEADERS]);
        tx.add(big, queue.dataOffset(big), bigLength);
        queue.transmit(tx);
        final FrameBurst rx = new FrameBurst(8);
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (queue.freeFrames() < free && System.nanoTime() < deadline)
        {
            idle(queue.receive(rx));
        }
        assertEquals(free, queue.freeFrames(), "the oversized frame came back: " + queue.deviceStats());

        queue.free(frame); // already free: counted, ignored
        queue.free(-12345);
        assertEquals(2L, queue.queueStats().get("bad_frees"));
        assertEquals(free, queue.freeFrames());
    }

    @Test
    @Order(9)
    void shouldNotAllocateWhileEchoingFramesThroughTheNamespace() throws IOException, InterruptedException
    {
        drain();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM does not report per-thread allocation");
        threads.setThreadAllocatedMemoryEnabled(true);

        final Process echo = net.startInNamespace("python3", "-c", ECHO_SCRIPT, Integer.toString(ECHO_PORT), "20");
        try
        {
            final BufferedReader echoOut = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", echoOut.readLine());
            final EchoLoop loop = new EchoLoop(queue, 32);
            final byte[] payload = "echo-me".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 16; i++)
            {
                final long frame = queue.allocate();
                final int length = UdpFrames.write(queue.memory(), queue.dataOffset(frame), net.peerMac(), net.hostMac(), hostIp,
                    peerIp, SERVICE_PORT, ECHO_PORT, payload);
                loop.tx.add(frame, queue.dataOffset(frame), length);
            }
            assertEquals(16, queue.transmit(loop.tx));

            // Warm-up by time and count: C2 must have compiled every path, including the rarer ones (wakeup
            // syscalls, completion drains), before the thread's allocation counter means anything.
            final long warmed = loop.run(200_000, System.nanoTime() + TimeUnit.SECONDS.toNanos(8));
            assertTrue(warmed > 1000, "warm-up round trips: " + warmed);

            // Then rounds of 5,000 round trips until one allocates nothing (late compilations of rare paths can
            // still allocate in the first rounds); a steady-state allocation fails every round.
            final long threadId = Thread.currentThread().threadId();
            final List<String> rounds = new ArrayList<>();
            long allocated = -1;
            for (int round = 0; round < 6 && allocated != 0; round++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                final long roundTrips = loop.run(5_000, System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
                final long after = threads.getThreadAllocatedBytes(threadId);
                rounds.add(roundTrips + " round trips: " + (after - before) + " B");
                assertTrue(roundTrips > 500, () -> "the echo stalled: " + rounds);
                allocated = after - before;
            }

            System.out.println("[xdp veth test] warm-up " + warmed + " round trips; measured rounds " + rounds +
                "; queue " + queue.queueStats() + ", device " + queue.deviceStats());
            assertEquals(0, allocated, () -> "bytes allocated by the receive/transmit loop, per round: " + rounds);
        }
        finally
        {
            echo.destroyForcibly();
            echo.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(10)
    void shouldRedirectInGenericModeWithBusyPollAndWithoutNeedWakeup() throws IOException, InterruptedException
    {
        queue.close();
        queue = null;
        attachment.close();
        attachment = null;
        attachment = XdpProgramAttachment.attach(net.hostInterface(), SERVICE_PORT, hostIp, XdpAttachMode.SKB);
        // The other wakeup policy too: no need-wakeup flag (every transmit kicks), socket busy-polling on.
        queue = XskFrameQueue.open(new XskFrameQueueConfig(net.hostInterface(), 0)
            .frames(1024, 4096)
            .rings(512, 512, 512, 512)
            .bindMode(XskBindMode.COPY)
            .needWakeup(false)
            .busyPoll(20, 16)
            .attachment(attachment));
        assertEquals(XdpAttachMode.SKB, attachment.mode());
        assertTrue(queue.describe().contains("copy (as configured), need_wakeup off, busy-poll 20 us budget 16"),
            queue.describe());

        net.inNamespace(10, "python3", "-c", SEND_SCRIPT, net.peerAddress(), Integer.toString(CLIENT_PORT),
            net.hostAddress(), Integer.toString(SERVICE_PORT), "3", "generic");
        final FrameBurst rx = new FrameBurst(32);
        final List<String> payloads = new ArrayList<>();
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (payloads.size() < 3 && System.nanoTime() < deadline)
        {
            final int received = queue.receive(rx);
            for (int i = 0; i < received; i++)
            {
                payloads.add(new String(UdpFrames.payload(queue.memory(), rx.offset(i)), StandardCharsets.US_ASCII));
                queue.free(rx.handle(i));
            }
            idle(received);
        }
        assertEquals(List.of("generic-0", "generic-1", "generic-2"), payloads.stream().sorted().toList());
        assertFalse(queue.isZeroCopy(), "generic XDP is always copy mode");

        // The address filter: datagrams to another address than the configured one stay with the kernel.
        attachment.configure(SERVICE_PORT, hostIp + 1);
        final long redirectedBefore = attachment.redirectedPackets();
        net.inNamespace(10, "python3", "-c", SEND_SCRIPT, net.peerAddress(), Integer.toString(CLIENT_PORT),
            net.hostAddress(), Integer.toString(SERVICE_PORT), "2", "filtered");
        Thread.sleep(200);
        assertEquals(0, queue.receive(rx), "not for the configured address");
        assertEquals(redirectedBefore, attachment.redirectedPackets());
        attachment.configure(SERVICE_PORT, hostIp);

        // A datagram larger than the veth's MTU, fragmented by the sender's kernel: with an address configured,
        // every fragment reaches the socket (only the first names the port; the lcore reassembles them).
        final long redirectedBeforeFragments = attachment.redirectedPackets();
        net.inNamespace(10, "python3", "-c", SEND_SCRIPT, net.peerAddress(), Integer.toString(CLIENT_PORT),
            net.hostAddress(), Integer.toString(SERVICE_PORT), "1", "f".repeat(3990));
        final List<Integer> fragmentFields = new ArrayList<>();
        final long fragmentDeadline = System.nanoTime() + TIMEOUT_NS;
        while (fragmentFields.size() < 3 && System.nanoTime() < fragmentDeadline)
        {
            final int received = queue.receive(rx);
            for (int i = 0; i < received; i++)
            {
                final long ip = rx.offset(i) + UdpFrames.ETH;
                fragmentFields.add(Short.toUnsignedInt(queue.memory().get(
                    java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), ip + 6)));
                queue.free(rx.handle(i));
            }
            idle(received);
        }
        assertEquals(3, fragmentFields.size(), "3,998 bytes of UDP over a 1500-byte MTU: three fragments " + fragmentFields);
        assertTrue(fragmentFields.stream().allMatch(f -> (f & 0x3FFF) != 0), "each a fragment: " + fragmentFields);
        assertEquals(3, attachment.redirectedPackets() - redirectedBeforeFragments);

        // And a reply, sent with an unconditional kick.
        final Process client = net.startInNamespace("python3", "-c", REQUEST_REPLY_SCRIPT, net.peerAddress(),
            Integer.toString(CLIENT_PORT), net.hostAddress(), Integer.toString(SERVICE_PORT), "1");
        try
        {
            int received = 0;
            final long requestDeadline = System.nanoTime() + TIMEOUT_NS;
            while (received == 0 && System.nanoTime() < requestDeadline)
            {
                received = queue.receive(rx);
                idle(received);
            }
            assertEquals(1, received, "the client's request");
            final FrameBurst tx = new FrameBurst(1);
            UdpFrames.swapInPlace(queue.memory(), rx.offset(0));
            tx.add(rx.handle(0), rx.offset(0), rx.length(0));
            assertEquals(1, queue.transmit(tx));
            assertTrue(client.waitFor(10, TimeUnit.SECONDS), "the client got its reply in time");
            final String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(net.hostAddress() + " " + SERVICE_PORT + " request", output.strip());
        }
        finally
        {
            client.destroyForcibly();
        }
    }

    /** Receives and frees whatever earlier tests left in the RX ring. */
    private static void drain()
    {
        final FrameBurst rx = new FrameBurst(64);
        for (int rounds = 0; rounds < 100; rounds++)
        {
            final int received = queue.receive(rx);
            for (int i = 0; i < received; i++)
            {
                queue.free(rx.handle(i));
            }
            if (received == 0)
            {
                return;
            }
        }
    }

    private static void idle(final int work)
    {
        if (work == 0)
        {
            try
            {
                Thread.sleep(0, 200_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Receive, turn each frame around in place, transmit: the lcore's loop shape, without its codec. */
    private static final class EchoLoop
    {
        final XskFrameQueue queue;
        final FrameBurst rx;
        final FrameBurst tx;

        EchoLoop(final XskFrameQueue queue, final int burst)
        {
            this.queue = queue;
            this.rx = new FrameBurst(burst);
            this.tx = new FrameBurst(burst);
        }

        long run(final long roundTrips, final long deadlineNs)
        {
            long done = 0;
            final MemorySegment memory = queue.memory();
            while (done < roundTrips && System.nanoTime() < deadlineNs)
            {
                final int received = queue.receive(rx);
                for (int i = 0; i < received; i++)
                {
                    UdpFrames.swapInPlace(memory, rx.offset(i));
                    tx.add(rx.handle(i), rx.offset(i), rx.length(i));
                }
                if (received > 0)
                {
                    queue.transmit(tx);
                    done += received;
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            return done;
        }
    }
}
