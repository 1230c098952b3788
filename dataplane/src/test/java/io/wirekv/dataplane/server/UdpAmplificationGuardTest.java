package io.wirekv.dataplane.server;

import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.lcore.UdpLcoreAgent;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.testnet.TestNetwork;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The UDP amplification guard measured from outside: a client in a network namespace this test creates
 * (10.99.N.2, behind a veth) asks a kernel-backend appliance on the host end (10.99.N.1) for a 500 kB
 * value with a 29-byte datagram, and the test counts every byte that comes back.
 * <ul>
 *   <li>an unlisted source (udp.allow without its subnet) gets 0 bytes, and the drop is counted;</li>
 *   <li>a listed but unvalidated source gets at most 3x its request (the SERVER_ERROR line);</li>
 *   <li>the same source holding a TCP connection to the appliance gets the whole value.</li>
 * </ul>
 * Ordered: a validation lasts ten minutes and every socket in the namespace shares its address, so the
 * test that validates it by TCP runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UdpAmplificationGuardTest
{
    private static final int VALUE_BYTES = 500_000;
    private static final String KEY = "amp:500kB-value"; // "get amp:500kB-value\r\n" + frame header: 29 bytes

    private static String skipReason;
    private static TestNetwork network;
    /** Default exposure: udp.allow = loopback + the veth's /24, factor 3. */
    private static WirekvServer guarded;
    /** udp.allow = loopback only: the namespace is unlisted. */
    private static WirekvServer loopbackOnly;
    /** No per-reply factor, but udp.unvalidated.reply.rate = 4 KiB/s. */
    private static WirekvServer rateLimited;
    private static final long REPLY_RATE = 4096;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException
    {
        skipReason = TestNetwork.skipReason();
        if (null != skipReason)
        {
            return;
        }
        network = TestNetwork.create();
        guarded = WirekvServer.start(config("amp-guarded", ExposureSettings.defaults()), SystemEpochClock.INSTANCE,
            new PrintStream(LOG, true));
        loopbackOnly = WirekvServer.start(
            config("amp-loopback", new ExposureSettings(List.of("127.0.0.0/8"), 3, 4096, 1024)),
            SystemEpochClock.INSTANCE, new PrintStream(new ByteArrayOutputStream(), true));
        rateLimited = WirekvServer.start(
            config("amp-rate", ExposureSettings.defaults().withUnvalidatedReplyFactor(0).withUnvalidatedReplyRate(REPLY_RATE)),
            SystemEpochClock.INSTANCE, new PrintStream(new ByteArrayOutputStream(), true));
        final String value = "x".repeat(VALUE_BYTES);
        for (final WirekvServer server : List.of(guarded, loopbackOnly, rateLimited))
        {
            // stored over TCP from the host: the host's own address, not the namespace's
            try (Socket tcp = new Socket(network.hostAddress(), server.tcpPort()))
            {
                assertEquals("STORED\r\n", tcpExchange(tcp, "set " + KEY + " 0 0 " + VALUE_BYTES + "\r\n" + value + "\r\n"));
                assertEquals("STORED\r\n", tcpExchange(tcp, "set amp:small 0 0 1000\r\n" + "y".repeat(1000) + "\r\n"));
            }
        }
    }

    private static ServerConfig config(final String instance, final ExposureSettings exposure)
    {
        return new ServerConfig(
            instance, network.hostAddress(), 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 4,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withExposure(exposure);
    }

    @AfterAll
    static void stop()
    {
        for (final AutoCloseable c : new AutoCloseable[] {guarded, loopbackOnly, rateLimited, network})
        {
            try
            {
                if (null != c)
                {
                    c.close();
                }
            }
            catch (final Exception ignore)
            {
                // best effort
            }
        }
    }

    @BeforeEach
    void skipWithoutNamespaces()
    {
        assumeTrue(null == skipReason, skipReason);
    }

    @Test
    @Order(1)
    void shouldSendNothingToAnUnlistedSource()
    {
        final long droppedBefore = loopbackOnly.udpDroppedNotAllowed();
        final long[] bytes = network.insideNamespace(() -> exchangeCountingBytes(loopbackOnly.udpPort(), "get " + KEY + "\r\n"));
        assertEquals(29, bytes[0], "request bytes: frame header and get + key");
        assertEquals(0, bytes[1], "reply bytes to an unlisted source");
        assertEquals(droppedBefore + 1, loopbackOnly.udpDroppedNotAllowed());
        System.out.printf("amplification, unlisted source: %d request bytes, %d reply bytes (ratio 0)%n", bytes[0], bytes[1]);
    }

    @Test
    @Order(2)
    void shouldSendAnUnvalidatedListedSourceAtMostThreeTimesItsRequest()
    {
        final long cappedBefore = guarded.udpRepliesCapped();
        final long[] bytes = network.insideNamespace(() -> exchangeCountingBytes(guarded.udpPort(), "get " + KEY + "\r\n"));
        assertEquals(29, bytes[0]);
        assertTrue(bytes[1] > 0, "the source is listed: it gets an answer");
        assertTrue(bytes[1] <= 3 * bytes[0], "reply " + bytes[1] + " bytes to a " + bytes[0] + "-byte request");
        assertEquals(8 + UdpLcoreAgent.CAPPED_REPLY.length, bytes[1], "one datagram: the SERVER_ERROR line");
        assertEquals(cappedBefore + 1, guarded.udpRepliesCapped());
        System.out.printf("amplification, unvalidated listed source: %d request bytes, %d reply bytes (ratio %.2f)%n",
            bytes[0], bytes[1], (double)bytes[1] / bytes[0]);
        assertTrue(LOG.toString().contains("udp guard    udp.allow 127.0.0.0/8,10.99."), LOG.toString());
    }

    @Test
    @Order(5)
    void shouldHoldAnUnvalidatedSourceToItsReplyRate()
    {
        final int requests = 50;
        final long limitedBefore = rateLimited.udpRepliesRateLimited();
        final long[] counts = network.insideNamespace(() ->
        {
            try (DatagramSocket socket = new DatagramSocket())
            {
                socket.setReceiveBufferSize(4 << 20);
                socket.connect(new InetSocketAddress(network.hostAddress(), rateLimited.udpPort()));
                final long startNs = System.nanoTime();
                for (int i = 0; i < requests; i++)
                {
                    socket.send(datagram(i, "get amp:small\r\n")); // about 1 kB back each, no factor to cap it
                }
                long replies = 0;
                long bytes = 0;
                final byte[] in = new byte[2048];
                socket.setSoTimeout(500);
                while (true)
                {
                    final DatagramPacket packet = new DatagramPacket(in, in.length);
                    try
                    {
                        socket.receive(packet);
                    }
                    catch (final SocketTimeoutException ex)
                    {
                        break;
                    }
                    replies++;
                    bytes += packet.getLength();
                }
                return new long[] {replies, bytes, System.nanoTime() - startNs};
            }
        });
        // One second of burst plus what the rate refilled while the test listened.
        final double allowed = REPLY_RATE + REPLY_RATE * counts[2] / 1e9;
        System.out.printf("reply rate %d B/s: %d of %d requests answered, %d bytes in %.2f s (allowed %.0f)%n",
            REPLY_RATE, counts[0], requests, counts[1], counts[2] / 1e9, allowed);
        assertTrue(counts[0] >= 3, "the burst is served: " + counts[0] + " replies");
        assertTrue(counts[1] <= allowed, counts[1] + " reply bytes, allowed " + allowed);
        assertEquals(requests - counts[0], rateLimited.udpRepliesRateLimited() - limitedBefore, "every reply not sent is counted");
    }

    @Test
    @Order(4)
    void shouldSendTheWholeValueToASourceThatHoldsATcpConnection()
    {
        final long[] bytes = network.insideNamespace(() ->
        {
            try (Socket tcp = new Socket())
            {
                tcp.connect(new InetSocketAddress(network.hostAddress(), guarded.tcpPort()), 2000);
                assertEquals("END\r\n", tcpExchange(tcp, "get amp:none\r\n")); // served: the address is now validated
                return exchangeCountingBytes(guarded.udpPort(), "get " + KEY + "\r\n");
            }
        });
        assertTrue(bytes[1] > VALUE_BYTES, "the whole value: " + bytes[1] + " bytes");
    }

    @Test
    @Order(3)
    void shouldAllocateNothingOnTheLcoreWhenDroppingOrCapping() throws Exception
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long guardedLcore = guarded.lcoreThreadIds()[0];
        final long loopbackLcore = loopbackOnly.lcoreThreadIds()[0];
        // As WirekvServerTest: until C2 has compiled the downcalls they allocate; a per-request allocation would
        // show in every round, so steady state is a round that allocates nothing. Bounded: 60 s of rounds.
        long allocated = -1;
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (0 != allocated && System.nanoTime() < deadlineNs)
        {
            final long before = threads.getThreadAllocatedBytes(guardedLcore) + threads.getThreadAllocatedBytes(loopbackLcore);
            final long droppedBefore = loopbackOnly.udpDroppedNotAllowed();
            final long cappedBefore = guarded.udpRepliesCapped();
            network.insideNamespace(() ->
            {
                try (DatagramSocket capped = new DatagramSocket(); DatagramSocket dropped = new DatagramSocket())
                {
                    capped.connect(new InetSocketAddress(network.hostAddress(), guarded.udpPort()));
                    capped.setSoTimeout(2000);
                    dropped.connect(new InetSocketAddress(network.hostAddress(), loopbackOnly.udpPort()));
                    final byte[] in = new byte[2048];
                    for (int i = 0; i < 1000; i++)
                    {
                        dropped.send(datagram(i, "get amp:small\r\n"));
                        capped.send(datagram(i, "get amp:small\r\n")); // 1000-byte value: over 3x the request
                        capped.receive(new DatagramPacket(in, in.length));
                    }
                }
                return null;
            });
            final long waitUntilNs = System.nanoTime() + 5_000_000_000L;
            while (loopbackOnly.udpDroppedNotAllowed() < droppedBefore + 1000 && System.nanoTime() < waitUntilNs)
            {
                Thread.sleep(10);
            }
            assertEquals(droppedBefore + 1000, loopbackOnly.udpDroppedNotAllowed(),
                "capped " + (guarded.udpRepliesCapped() - cappedBefore) + ", rx " + loopbackOnly.udpPorts().getFirst().counters());
            assertEquals(cappedBefore + 1000, guarded.udpRepliesCapped());
            allocated = threads.getThreadAllocatedBytes(guardedLcore) + threads.getThreadAllocatedBytes(loopbackLcore) - before;
        }
        assertEquals(0, allocated, "bytes the lcores allocated in a round of 1000 dropped and 1000 capped requests");
    }

    /** Sends one framed request from a fresh socket and counts every byte that comes back within 1 s. */
    private static long[] exchangeCountingBytes(final int port, final String request) throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.setReceiveBufferSize(4 << 20);
            socket.connect(new InetSocketAddress(network.hostAddress(), port));
            final DatagramPacket out = datagram(7, request);
            socket.send(out);
            long replyBytes = 0;
            final byte[] in = new byte[65536];
            socket.setSoTimeout(1000);
            while (true)
            {
                final DatagramPacket packet = new DatagramPacket(in, in.length);
                try
                {
                    socket.receive(packet);
                }
                catch (final SocketTimeoutException ex)
                {
                    break;
                }
                replyBytes += packet.getLength();
            }
            return new long[] {out.getLength(), replyBytes};
        }
    }

    private static DatagramPacket datagram(final int requestId, final String request)
    {
        final byte[] text = request.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer b = ByteBuffer.allocate(8 + text.length);
        b.putShort((short)requestId).putShort((short)0).putShort((short)1).putShort((short)0).put(text);
        return new DatagramPacket(b.array(), b.position());
    }

    private static String tcpExchange(final Socket tcp, final String request) throws IOException
    {
        tcp.setSoTimeout(5000);
        final OutputStream out = tcp.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        final InputStream in = tcp.getInputStream();
        final ByteArrayOutputStream reply = new ByteArrayOutputStream();
        while (!reply.toString(StandardCharsets.US_ASCII).endsWith("\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                break;
            }
            reply.write(b);
        }
        return reply.toString(StandardCharsets.US_ASCII);
    }
}
