package io.wirekv.controlplane.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Requests over memcached's UDP framing ({@link UdpFrame}): one datagram per request; the reply's
 * datagrams are collected by request id and put back in order by sequence number. A request
 * that gets no complete reply within the timeout is sent again with a fresh request id, up to
 * {@code retries} more times (so a non-idempotent command such as incr may apply twice).
 */
public final class UdpTransport implements McTransport
{
    private static final byte[] MN = "mn\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MN_REPLY = "MN\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Reply count meaning: read up to the MN reply of the trailing mn, and drop it. */
    private static final int UNTIL_MN = -1;

    private final ServerAddress address;
    private final int timeoutMs;
    private final int retries;
    private final DatagramSocket socket;
    private final byte[] receiveBuffer = new byte[UdpFrame.MAX_DATAGRAM + 1];
    private int nextRequestId = ThreadLocalRandom.current().nextInt(1 << 16);

    public UdpTransport(final ServerAddress address, final int timeoutMs, final int retries)
    {
        this.address = address;
        this.timeoutMs = timeoutMs;
        this.retries = retries;
        try
        {
            socket = new DatagramSocket();
            socket.setReceiveBufferSize(4 * 1024 * 1024);
            // connected: only the server's datagrams arrive, and ICMP port unreachable is reported
            socket.connect(address.socketAddress());
        }
        catch (final IOException ex)
        {
            throw new McClientException("cannot open a UDP socket to " + address + ": " + TcpTransport.reason(ex), ex);
        }
    }

    @Override
    public byte[] exchange(final byte[] request, final int replies)
    {
        return send(request, replies);
    }

    /** Appends {@code mn} to the request and reads up to its {@code MN}, as over TCP. */
    @Override
    public byte[] exchangeAll(final byte[] request)
    {
        final byte[] withMn = new byte[request.length + MN.length];
        System.arraycopy(request, 0, withMn, 0, request.length);
        System.arraycopy(MN, 0, withMn, request.length, MN.length);
        return send(withMn, UNTIL_MN);
    }

    private byte[] send(final byte[] request, final int replies)
    {
        if (request.length + UdpFrame.HEADER_LENGTH > UdpFrame.MAX_DATAGRAM)
        {
            throw new McClientException("the request is " + request.length + " bytes; over UDP a request must fit in one " +
                "datagram (at most " + (UdpFrame.MAX_DATAGRAM - UdpFrame.HEADER_LENGTH) + " bytes); use TCP");
        }
        final byte[] datagram = new byte[request.length + UdpFrame.HEADER_LENGTH];
        System.arraycopy(request, 0, datagram, UdpFrame.HEADER_LENGTH, request.length);
        String progress = "";
        final int attempts = retries + 1;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            final int requestId = nextRequestId;
            nextRequestId = (nextRequestId + 1) & 0xFFFF;
            UdpFrame.writeRequestHeader(datagram, 0, requestId);
            try
            {
                socket.send(new DatagramPacket(datagram, datagram.length));
                final Reassembly r = new Reassembly();
                final byte[] reply = receive(requestId, replies, r);
                if (reply != null)
                {
                    return reply;
                }
                progress = r.datagrams == 0 ? "" : "; the last attempt got " + r.datagrams + " datagram" +
                    (r.datagrams == 1 ? "" : "s") + " but not the whole reply";
            }
            catch (final PortUnreachableException ex)
            {
                throw new McClientException("cannot reach " + describe() + ": port unreachable — is `wirekv serve` running?", ex);
            }
            catch (final IOException ex)
            {
                throw new McClientException("talking to " + describe() + ": " + TcpTransport.reason(ex), ex);
            }
        }
        throw new McClientException("no reply from " + describe() + " after " + attempts + " attempt" +
            (attempts == 1 ? "" : "s") + " of " + timeoutMs + " ms" + progress + " — is `wirekv serve` running?");
    }

    /** What one attempt has received so far. */
    private static final class Reassembly
    {
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        byte[][] parts;
        int missing;
        int datagrams;
    }

    /**
     * Collects the reply datagrams of {@code requestId}. A reply message is the datagrams
     * numbered 0..count-1 of the frame header; a server may also send each reply as its own
     * message (memcached 1.6 sends every response of a multi-key get as a separate datagram with
     * sequence 0 and count 1), so complete messages are appended in arrival order and the byte
     * stream is checked for the replies wanted.
     *
     * @return the reply bytes, or null when the timeout passed first.
     */
    private byte[] receive(final int requestId, final int replies, final Reassembly r) throws IOException
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        final DatagramPacket packet = new DatagramPacket(receiveBuffer, receiveBuffer.length);
        while (true)
        {
            final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0)
            {
                return null;
            }
            socket.setSoTimeout((int)Math.max(1, leftMs));
            try
            {
                packet.setLength(receiveBuffer.length);
                socket.receive(packet);
            }
            catch (final SocketTimeoutException ex)
            {
                return null;
            }
            if (packet.getLength() < UdpFrame.HEADER_LENGTH || UdpFrame.requestId(receiveBuffer, 0) != requestId)
            {
                continue; // a late reply to an earlier attempt, or garbage
            }
            r.datagrams++;
            final int sequence = UdpFrame.sequence(receiveBuffer, 0);
            final int count = Math.max(1, UdpFrame.count(receiveBuffer, 0));
            if (r.parts == null || (sequence == 0 && r.parts[0] != null))
            {
                r.parts = new byte[count][];
                r.missing = count;
            }
            if (sequence >= r.parts.length || r.parts[sequence] != null)
            {
                continue;
            }
            final byte[] payload = new byte[packet.getLength() - UdpFrame.HEADER_LENGTH];
            System.arraycopy(receiveBuffer, UdpFrame.HEADER_LENGTH, payload, 0, payload.length);
            r.parts[sequence] = payload;
            if (--r.missing > 0)
            {
                continue;
            }
            for (final byte[] p : r.parts)
            {
                r.stream.writeBytes(p);
            }
            r.parts = null;
            final byte[] reply = complete(r.stream.toByteArray(), replies);
            if (reply != null)
            {
                return reply;
            }
        }
    }

    /** @return the reply bytes when {@code bytes} hold all the replies wanted, else null. */
    static byte[] complete(final byte[] bytes, final int replies)
    {
        final ReplyFramer framer = new ReplyFramer(new ByteArrayInputStream(bytes));
        int n = 0;
        int consumed = 0;
        try
        {
            byte[] reply;
            while ((reply = framer.next()) != null)
            {
                n++;
                if (replies == UNTIL_MN && Arrays.equals(reply, MN_REPLY))
                {
                    return Arrays.copyOf(bytes, consumed);
                }
                consumed += reply.length;
                if (replies != UNTIL_MN && n >= replies)
                {
                    return bytes;
                }
            }
        }
        catch (final IOException ex)
        {
            // incomplete so far; a malformed reply is reported by the timeout
        }
        return null;
    }

    @Override
    public String describe()
    {
        return address + " over UDP";
    }

    @Override
    public void close()
    {
        socket.close();
    }
}
