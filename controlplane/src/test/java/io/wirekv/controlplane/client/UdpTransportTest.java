package io.wirekv.controlplane.client;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reassembly by sequence number against a scripted UDP peer that reorders and adds stale datagrams. */
class UdpTransportTest
{
    @Test
    void shouldReassembleOutOfOrderDatagramsAndIgnoreOtherRequestIds() throws Exception
    {
        final String reply = "VALUE k 0 10\r\n0123456789\r\nEND\r\n";
        final byte[] bytes = reply.getBytes(StandardCharsets.US_ASCII);
        final AtomicReference<Throwable> peerFailure = new AtomicReference<>();
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            peer.setSoTimeout(5000);
            final Thread t = Thread.ofPlatform().start(() ->
            {
                try
                {
                    final byte[] buf = new byte[2048];
                    final DatagramPacket request = new DatagramPacket(buf, buf.length);
                    peer.receive(request);
                    final int id = UdpFrame.requestId(buf, 0);
                    final int[] cuts = {0, 10, 25, bytes.length};
                    // stale datagram of another request first, then sequences 2, 0, 1
                    send(peer, request, (id + 1) & 0xFFFF, 0, 1, "END\r\n".getBytes(StandardCharsets.US_ASCII));
                    for (final int seq : new int[] {2, 0, 1})
                    {
                        final byte[] part = java.util.Arrays.copyOfRange(bytes, cuts[seq], cuts[seq + 1]);
                        send(peer, request, id, seq, 3, part);
                    }
                }
                catch (final Throwable ex)
                {
                    peerFailure.set(ex);
                }
            });
            try (UdpTransport udp = new UdpTransport(new ServerAddress("127.0.0.1", peer.getLocalPort()), 2000, 0))
            {
                final byte[] got = udp.exchange("get k\r\n".getBytes(StandardCharsets.US_ASCII), 1);
                assertEquals(reply, new String(got, StandardCharsets.US_ASCII));
            }
            t.join(5000);
            assertNull(peerFailure.get());
        }
    }

    @Test
    void shouldCollectRepliesSentAsSeparateMessagesUpToTheMnOfRawMode()
    {
        final byte[] stream = ("VALUE a 0 1\r\nx\r\n" + "END\r\n" + "MN\r\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals("VALUE a 0 1\r\nx\r\nEND\r\n", new String(UdpTransport.complete(stream, -1), StandardCharsets.US_ASCII));
        assertNull(UdpTransport.complete("VALUE a 0 1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), 1));
        assertNull(UdpTransport.complete("STORED\r\n".getBytes(StandardCharsets.US_ASCII), -1));
    }

    private static void send(final DatagramSocket peer, final DatagramPacket to, final int id, final int seq, final int count,
        final byte[] payload) throws java.io.IOException
    {
        final byte[] d = new byte[UdpFrame.HEADER_LENGTH + payload.length];
        UdpFrame.putU16(d, 0, id);
        UdpFrame.putU16(d, 2, seq);
        UdpFrame.putU16(d, 4, count);
        System.arraycopy(payload, 0, d, UdpFrame.HEADER_LENGTH, payload.length);
        peer.send(new DatagramPacket(d, d.length, to.getSocketAddress()));
    }
}
