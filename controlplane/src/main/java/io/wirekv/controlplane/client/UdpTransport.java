package io.wirekv.controlplane.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Requests over memcached's UDP framing ({@link UdpFrame}): one datagram per request; the reply's
 * datagrams are collected by request id and put back in order by sequence number. A request
 * that gets no complete reply within the timeout is sent again with a fresh request id, up to
 * {@code retries} more times (so a non-idempotent command such as incr may apply twice).
 */
public final class UdpTransport implements McTransport
{
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
        return send(request, true);
    }

    @Override
    public byte[] exchangeAll(final byte[] request)
    {
        return send(request, false);
    }

    private byte[] send(final byte[] request, final boolean replyRequired)
    {
        if (request.length + UdpFrame.HEADER_LENGTH > UdpFrame.MAX_DATAGRAM)
        {
            throw new McClientException("the request is " + request.length + " bytes; over UDP a request must fit in one " +
                "datagram (at most " + (UdpFrame.MAX_DATAGRAM - UdpFrame.HEADER_LENGTH) + " bytes); use TCP");
        }
        final byte[] datagram = new byte[request.length + UdpFrame.HEADER_LENGTH];
        System.arraycopy(request, 0, datagram, UdpFrame.HEADER_LENGTH, request.length);
        String progress = "";
        final int attempts = replyRequired ? retries + 1 : 1;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            final int requestId = nextRequestId;
            nextRequestId = (nextRequestId + 1) & 0xFFFF;
            UdpFrame.writeRequestHeader(datagram, 0, requestId);
            try
            {
                socket.send(new DatagramPacket(datagram, datagram.length));
                final byte[][] parts = receive(requestId);
                if (parts != null && received(parts) == parts.length)
                {
                    return join(parts);
                }
                if (parts != null)
                {
                    progress = "; the last attempt got " + received(parts) + " of " + parts.length + " datagrams";
                }
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
        if (!replyRequired)
        {
            return new byte[0];
        }
        throw new McClientException("no reply from " + describe() + " after " + attempts + " attempt" +
            (attempts == 1 ? "" : "s") + " of " + timeoutMs + " ms" + progress + " — is `wirekv serve` running?");
    }

    /**
     * @return the reply's datagram payloads by sequence (all present when complete; missing ones
     * null), or null when none arrived before the timeout.
     */
    private byte[][] receive(final int requestId) throws IOException
    {
        final long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        final DatagramPacket packet = new DatagramPacket(receiveBuffer, receiveBuffer.length);
        byte[][] parts = null;
        int missing = Integer.MAX_VALUE;
        while (missing > 0)
        {
            final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
            if (leftMs <= 0)
            {
                return parts;
            }
            socket.setSoTimeout((int)Math.max(1, leftMs));
            try
            {
                packet.setLength(receiveBuffer.length);
                socket.receive(packet);
            }
            catch (final SocketTimeoutException ex)
            {
                return parts;
            }
            if (packet.getLength() < UdpFrame.HEADER_LENGTH || UdpFrame.requestId(receiveBuffer, 0) != requestId)
            {
                continue; // a late reply to an earlier attempt, or garbage
            }
            final int sequence = UdpFrame.sequence(receiveBuffer, 0);
            final int count = Math.max(1, UdpFrame.count(receiveBuffer, 0));
            if (parts == null)
            {
                parts = new byte[count][];
                missing = count;
            }
            if (sequence >= parts.length || parts[sequence] != null)
            {
                continue;
            }
            final byte[] payload = new byte[packet.getLength() - UdpFrame.HEADER_LENGTH];
            System.arraycopy(receiveBuffer, UdpFrame.HEADER_LENGTH, payload, 0, payload.length);
            parts[sequence] = payload;
            missing--;
        }
        return parts;
    }

    private static int received(final byte[][] parts)
    {
        int n = 0;
        for (final byte[] p : parts)
        {
            n += p == null ? 0 : 1;
        }
        return n;
    }

    private static byte[] join(final byte[][] parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts)
        {
            if (p == null)
            {
                return null;
            }
            out.writeBytes(p);
        }
        return out.toByteArray();
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
