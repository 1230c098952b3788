package io.wirekv.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One UDP socket to a target, speaking memcached's UDP framing: every datagram starts with an 8-byte
 * header of four big-endian u16s (request id, sequence number, datagram count, reserved). A request
 * is one datagram. A reply is one or more messages; memcached numbers the datagrams of each message
 * 0..count-1 (and a multi-key get answers each key as its own message, seq restarting at 0).
 * {@link #exchange} sends one request datagram (with the {@code mn} sentinel appended) and collects
 * datagrams carrying its request id until a message that is exactly {@code MN\r\n} arrives, or a timeout.
 */
final class UdpWire implements AutoCloseable
{
    static final int HEADER_BYTES = 8;
    private static final int TIMEOUT_MS = 300;

    private final DatagramLink link;

    /** One received datagram: its header fields and payload (header stripped). */
    record Datagram(int requestId, int seq, int count, int reserved, byte[] payload)
    {
    }

    record Reply(List<Datagram> datagrams, boolean timedOut)
    {
        byte[] payload()
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (final Datagram d : datagrams)
            {
                out.writeBytes(d.payload());
            }
            return out.toByteArray();
        }

        /** "seq/count:size" of every datagram, the size including the 8-byte header. */
        String layout()
        {
            final StringBuilder sb = new StringBuilder();
            for (final Datagram d : datagrams)
            {
                if (!sb.isEmpty())
                {
                    sb.append(' ');
                }
                sb.append(d.seq()).append('/').append(d.count()).append(':').append(d.payload().length + HEADER_BYTES);
                if (d.reserved() != 0)
                {
                    sb.append("(res=").append(d.reserved()).append(')');
                }
            }
            return sb.toString();
        }
    }

    UdpWire(final String host, final int port)
    {
        this(SocketLink.connect(host, port));
    }

    /**
     * @param link how datagrams reach the target: a kernel socket ({@link SocketLink}), or whole frames on
     *             a kernel-bypass device.
     */
    UdpWire(final DatagramLink link)
    {
        this.link = link;
    }

    static byte[] frame(final int requestId, final int seq, final int count, final int reserved, final byte[] payload)
    {
        final ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        b.putShort((short)requestId).putShort((short)seq).putShort((short)count).putShort((short)reserved);
        b.put(payload);
        return b.array();
    }

    Reply exchange(final int requestId, final Sequence.Step step, final byte[] request)
    {
        final byte[] payload = new byte[request.length + TcpWire.SENTINEL.length];
        System.arraycopy(request, 0, payload, 0, request.length);
        System.arraycopy(TcpWire.SENTINEL, 0, payload, request.length, TcpWire.SENTINEL.length);
        return exchangeRaw(frame(requestId, step.udpSeq(), step.udpCount(), step.udpReserved(), payload), requestId);
    }

    Reply exchangeRaw(final byte[] datagram, final int requestId)
    {
        return exchangeRaw(datagram, requestId,
            body -> body.length == 4 && body[0] == 'M' && body[1] == 'N');
    }

    /** Sends one datagram; collects its request id's datagrams until one (seq 0 of 1) whose payload {@code isLast}. */
    Reply exchangeRaw(final byte[] datagram, final int requestId, final java.util.function.Predicate<byte[]> isLast)
    {
        final List<Datagram> got = new ArrayList<>();
        link.send(datagram);
        final byte[] buf = new byte[70_000];
        final long deadlineMs = System.currentTimeMillis() + TIMEOUT_MS;
        while (true)
        {
            final long left = deadlineMs - System.currentTimeMillis();
            if (left <= 0)
            {
                return new Reply(got, true);
            }
            final int length = link.receive(buf, (int)left);
            if (length < 0)
            {
                return new Reply(got, true);
            }
            if (length < HEADER_BYTES)
            {
                got.add(new Datagram(-1, -1, -1, -1, java.util.Arrays.copyOf(buf, length)));
                continue;
            }
            final ByteBuffer h = ByteBuffer.wrap(buf, 0, length);
            final int rid = h.getShort() & 0xFFFF;
            final int seq = h.getShort() & 0xFFFF;
            final int count = h.getShort() & 0xFFFF;
            final int reserved = h.getShort() & 0xFFFF;
            if (rid != requestId)
            {
                continue; // a late reply to an earlier, timed-out request
            }
            final byte[] body = java.util.Arrays.copyOfRange(buf, HEADER_BYTES, length);
            got.add(new Datagram(rid, seq, count, reserved, body));
            if (seq == 0 && count == 1 && isLast.test(body))
            {
                return new Reply(got, false);
            }
        }
    }

    @Override
    public void close()
    {
        link.close();
    }

    /** Carries whole UDP payloads to and from the target. */
    interface DatagramLink extends AutoCloseable
    {
        void send(byte[] datagram);

        /** @return the payload length copied into {@code buf}, or -1 when nothing came within the timeout. */
        int receive(byte[] buf, int timeoutMs);

        @Override
        void close();
    }

    /** A kernel UDP socket connected to the target. */
    static final class SocketLink implements DatagramLink
    {
        private final DatagramSocket socket;

        private SocketLink(final DatagramSocket socket)
        {
            this.socket = socket;
        }

        static SocketLink connect(final String host, final int port)
        {
            try
            {
                // Bound to loopback for a loopback target (never reachable from elsewhere), else to any address.
                final String local = host.startsWith("127.") ? "127.0.0.1" : "0.0.0.0";
                final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(local, 0));
                socket.setReceiveBufferSize(4 * 1024 * 1024);
                socket.connect(new InetSocketAddress(host, port));
                return new SocketLink(socket);
            }
            catch (final SocketException ex)
            {
                throw new IllegalStateException("cannot open UDP socket to " + host + ":" + port, ex);
            }
        }

        @Override
        public void send(final byte[] datagram)
        {
            try
            {
                socket.send(new DatagramPacket(datagram, datagram.length));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("UDP send failed: " + ex.getMessage(), ex);
            }
        }

        @Override
        public int receive(final byte[] buf, final int timeoutMs)
        {
            try
            {
                socket.setSoTimeout(Math.max(1, timeoutMs));
                final DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                return p.getLength();
            }
            catch (final SocketTimeoutException ex)
            {
                return -1;
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("UDP receive failed: " + ex.getMessage(), ex);
            }
        }

        @Override
        public void close()
        {
            socket.close();
        }
    }
}
