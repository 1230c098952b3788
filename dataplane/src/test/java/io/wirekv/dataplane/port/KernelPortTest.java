package io.wirekv.dataplane.port;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelPortTest
{
    private static final int BURST = 32;
    private static final int BUFFER_BYTES = 2048;
    private static final long DEADLINE_NS = 5_000_000_000L;

    @Test
    void shouldEchoDatagramsByteExactInBursts() throws IOException
    {
        final int rounds = 20;
        final int perRound = 50;
        try (Arena arena = Arena.ofConfined();
            KernelPort port = new KernelPort("127.0.0.1", 0);
            DatagramBatch rx = new DatagramBatch(BURST);
            DatagramBatch tx = new DatagramBatch(BURST);
            DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            assertNotEquals(0, port.localPort());
            final MemorySegment buffers = arena.allocate((long)BURST * BUFFER_BYTES, 64);
            for (int i = 0; i < BURST; i++)
            {
                rx.setBuffer(i, buffers, (long)i * BUFFER_BYTES, BUFFER_BYTES);
            }
            client.setSoTimeout(2000);
            final InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port.localPort());

            int largestBurst = 0;
            int total = 0;
            long totalBytes = 0;
            for (int round = 0; round < rounds; round++)
            {
                final Set<String> expected = new HashSet<>();
                for (int i = 0; i < perRound; i++)
                {
                    final byte[] payload = payload(round, i);
                    expected.add(Arrays.toString(payload));
                    totalBytes += payload.length;
                    client.send(new DatagramPacket(payload, payload.length, server));
                }

                // Loopback queues each datagram before send() returns, so the port sees them as bursts.
                int echoed = 0;
                final long deadline = System.nanoTime() + DEADLINE_NS;
                while (echoed < perRound && System.nanoTime() < deadline)
                {
                    final int received = port.receive(rx);
                    assertTrue(received >= 0, "receive: " + received);
                    largestBurst = Math.max(largestBurst, received);
                    for (int i = 0; i < received; i++)
                    {
                        assertEquals(0x7f000001, rx.peerAddress(i));
                        assertEquals(client.getLocalPort(), rx.peerPort(i));
                        assertTrue(tx.add(rx.segment(i), rx.offset(i), rx.length(i), rx, i) >= 0);
                    }
                    assertEquals(received, port.send(tx));
                    assertEquals(0, tx.count());
                    echoed += received;
                }
                assertEquals(perRound, echoed);

                final byte[] reply = new byte[BUFFER_BYTES];
                for (int i = 0; i < perRound; i++)
                {
                    final DatagramPacket packet = new DatagramPacket(reply, reply.length);
                    client.receive(packet);
                    final byte[] got = Arrays.copyOf(packet.getData(), packet.getLength());
                    assertTrue(expected.remove(Arrays.toString(got)), "unexpected or duplicate reply");
                }
                assertTrue(expected.isEmpty());
                total += perRound;
            }

            assertTrue(largestBurst > 1, "expected bursts of more than one datagram, largest was " + largestBurst);
            final PortCounters counters = port.counters();
            assertEquals(total, counters.get(PortCounters.RX_PACKETS));
            assertEquals(total, counters.get(PortCounters.TX_PACKETS));
            assertEquals(totalBytes, counters.get(PortCounters.RX_BYTES));
            assertEquals(totalBytes, counters.get(PortCounters.TX_BYTES));
            assertEquals(0, counters.get(PortCounters.TX_DROPPED));
            assertEquals(0, counters.get(PortCounters.RX_ERRORS));
        }
    }

    @Test
    void shouldReturnZeroWhenNothingIsWaiting()
    {
        try (Arena arena = Arena.ofConfined();
            KernelPort port = new KernelPort("127.0.0.1", 0);
            DatagramBatch rx = new DatagramBatch(4))
        {
            final MemorySegment buffer = arena.allocate(4 * 64);
            for (int i = 0; i < 4; i++)
            {
                rx.setBuffer(i, buffer, i * 64L, 64);
            }
            assertEquals(0, port.receive(rx));
            assertEquals(0, rx.count());
            assertEquals(0, port.counters().get(PortCounters.RX_ERRORS));
        }
    }

    @Test
    void shouldTakeNoMoreThanTheReceiveLimit() throws IOException
    {
        try (Arena arena = Arena.ofConfined();
            KernelPort port = new KernelPort("127.0.0.1", 0);
            DatagramBatch rx = new DatagramBatch(8);
            DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final MemorySegment buffer = arena.allocate(2 * 64);
            rx.setBuffer(0, buffer, 0, 64);
            rx.setBuffer(1, buffer, 64, 64);
            rx.receiveLimit(2);
            for (int i = 0; i < 5; i++)
            {
                client.send(new DatagramPacket(new byte[]{(byte)i}, 1, InetAddress.getLoopbackAddress(), port.localPort()));
            }
            int total = 0;
            final long deadline = System.nanoTime() + DEADLINE_NS;
            while (total < 5 && System.nanoTime() < deadline)
            {
                final int received = port.receive(rx);
                assertTrue(received <= 2, "received " + received);
                for (int i = 0; i < received; i++)
                {
                    assertEquals((byte)(total + i), rx.segment(i).get(java.lang.foreign.ValueLayout.JAVA_BYTE, rx.offset(i)));
                }
                total += received;
            }
            assertEquals(5, total);
            assertThrows(IllegalArgumentException.class, () -> rx.receiveLimit(9));
        }
    }

    @Test
    void shouldLetSeveralPortsShareOneUdpPort()
    {
        try (KernelPort first = new KernelPort("127.0.0.1", 0);
            KernelPort second = new KernelPort("127.0.0.1", first.localPort()))
        {
            assertEquals(first.localPort(), second.localPort());
            assertTrue(second.describe().contains(":" + first.localPort()));
        }
    }

    @Test
    void shouldFailBindWithReasonWhenAddressIsNotLocal()
    {
        final NativeException ex = assertThrows(NativeException.class, () -> new KernelPort("192.0.2.77", 0));
        assertEquals(Errno.EADDRNOTAVAIL, ex.errno());
        assertTrue(ex.getMessage().contains("bind(192.0.2.77:0)"), ex.getMessage());
    }

    @Test
    void shouldRejectMalformedAddresses()
    {
        assertThrows(IllegalArgumentException.class, () -> new KernelPort("127.0.0", 0));
        assertThrows(IllegalArgumentException.class, () -> new KernelPort("127.0.0.256", 0));
        assertThrows(IllegalArgumentException.class, () -> new KernelPort("localhost", 0));
        assertThrows(IllegalArgumentException.class, () -> new KernelPort("127.0.0.1", 65536));
        assertEquals(0x0A000102, KernelPort.parseIpv4("10.0.1.2"));
    }

    @Test
    void shouldCountTruncatedDatagrams() throws IOException
    {
        try (Arena arena = Arena.ofConfined();
            KernelPort port = new KernelPort("127.0.0.1", 0);
            DatagramBatch rx = new DatagramBatch(1);
            DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            rx.setBuffer(0, arena.allocate(8), 0, 8);
            final byte[] payload = "twenty bytes of data".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port.localPort()));

            assertEquals(1, receiveWithin(port, rx));
            assertTrue(rx.truncated(0));
            assertEquals(8, rx.length(0));
            assertArrayEquals(Arrays.copyOf(payload, 8), rx.segment(0).asSlice(0, 8).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertEquals(1, port.counters().get(PortCounters.RX_TRUNCATED));
        }
    }

    @Test
    void shouldDropARejectedDatagramAndSendTheRest() throws IOException
    {
        try (Arena arena = Arena.ofConfined();
            KernelPort port = new KernelPort("127.0.0.1", 0);
            DatagramBatch tx = new DatagramBatch(4);
            DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            client.setSoTimeout(2000);
            final MemorySegment buffer = arena.allocate(64);
            buffer.setString(0, "abc", StandardCharsets.US_ASCII);
            tx.add(buffer, 0, 3, 0x7f000001, client.getLocalPort());
            tx.add(buffer, 0, 3, 0x7f000001, 0); // port 0: the kernel refuses it with EINVAL
            tx.add(buffer, 0, 2, 0x7f000001, client.getLocalPort());

            assertEquals(2, port.send(tx));
            assertEquals(0, tx.count());
            final PortCounters counters = port.counters();
            assertEquals(1, counters.get(PortCounters.TX_DROPPED));
            assertEquals(1, counters.get(PortCounters.TX_ERRORS));
            assertEquals(Errno.EINVAL, counters.get(PortCounters.LAST_TX_ERRNO));
            assertEquals(2, counters.get(PortCounters.TX_PACKETS));
            assertEquals(5, counters.get(PortCounters.TX_BYTES));

            final DatagramPacket packet = new DatagramPacket(new byte[16], 16);
            client.receive(packet);
            assertEquals(3, packet.getLength());
            client.receive(packet);
            assertEquals(2, packet.getLength());
            client.setSoTimeout(50);
            assertThrows(SocketTimeoutException.class, () -> client.receive(new DatagramPacket(new byte[16], 16)));
        }
    }

    @Test
    void shouldDropWhenSendBufferStaysFullWithoutLoopingForever()
    {
        // A tiny send buffer towards an unread peer: sendmmsg soon reports EAGAIN; send must give up and count.
        try (Arena arena = Arena.ofConfined();
            KernelPort port = new KernelPort("127.0.0.1", 0, 4096);
            KernelPort sink = new KernelPort("127.0.0.1", 0, 4096);
            DatagramBatch tx = new DatagramBatch(64))
        {
            final MemorySegment buffer = arena.allocate(60_000);
            long offered = 0;
            long sent = 0;
            for (int round = 0; round < 50; round++)
            {
                while (tx.add(buffer, 0, 60_000, 0x7f000001, sink.localPort()) >= 0)
                {
                    offered++;
                }
                sent += port.send(tx);
            }
            final PortCounters counters = port.counters();
            assertEquals(offered, sent + counters.get(PortCounters.TX_DROPPED));
            assertEquals(sent, counters.get(PortCounters.TX_PACKETS));
        }
    }

    private static int receiveWithin(final KernelPort port, final DatagramBatch rx)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        int received = 0;
        while (received == 0 && System.nanoTime() < deadline)
        {
            received = port.receive(rx);
        }
        return received;
    }

    private static byte[] payload(final int round, final int index)
    {
        final int length = 1 + ((round * 131 + index * 37) % 1400);
        final byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)(round * 7 + index * 13 + i);
        }
        payload[0] = (byte)index;
        return payload;
    }
}
