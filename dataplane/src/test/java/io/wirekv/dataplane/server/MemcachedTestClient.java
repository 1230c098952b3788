package io.wirekv.dataplane.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** A deliberately plain memcached client for tests: raw request bytes in, raw reply bytes out. */
final class MemcachedTestClient implements AutoCloseable
{
    private final InetAddress host = InetAddress.getLoopbackAddress();
    private final int udpPort;
    private final DatagramSocket udp;
    private final Socket tcp;
    private final InputStream tcpIn;
    private final OutputStream tcpOut;
    private int nextRequestId = 1;

    MemcachedTestClient(final int udpPort, final int tcpPort) throws IOException
    {
        this.udpPort = udpPort;
        this.udp = new DatagramSocket();
        this.udp.setSoTimeout(2000);
        this.udp.setReceiveBufferSize(4 << 20); // large replies arrive as bursts of datagrams
        this.tcp = new Socket();
        this.tcp.connect(new InetSocketAddress(host, tcpPort), 2000);
        this.tcp.setSoTimeout(2000);
        this.tcp.setTcpNoDelay(true);
        this.tcpIn = tcp.getInputStream();
        this.tcpOut = tcp.getOutputStream();
    }

    /**
     * One framed UDP request over a socket connected to the server (e.g. from inside a test's network
     * namespace), and its single-datagram reply, checking that the reply carries the request's id.
     */
    static String exchange(final DatagramSocket connected, final int requestId, final String request) throws IOException
    {
        final byte[] text = request.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer out = ByteBuffer.allocate(8 + text.length);
        out.putShort((short)requestId).putShort((short)0).putShort((short)1).putShort((short)0).put(text);
        connected.send(new DatagramPacket(out.array(), out.position()));
        final DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        connected.receive(in);
        final int echoed = ByteBuffer.wrap(in.getData(), 0, in.getLength()).getShort() & 0xFFFF;
        if (echoed != requestId)
        {
            throw new AssertionError("request id echoed: expected " + requestId + " but was " + echoed);
        }
        return new String(in.getData(), 8, in.getLength() - 8, StandardCharsets.US_ASCII);
    }

    /** Sends one UDP request frame and returns the reply of its single response (one datagram group). */
    String udp(final String request) throws IOException
    {
        return udp(request, null);
    }

    /**
     * Sends one UDP request frame and reassembles the replies. Each response is its own datagram
     * group (sequence 0..count-1, as memcached sends them); with a {@code terminator} (e.g. the
     * {@code MN} of a pipelined meta request) groups are collected until the reply ends with it.
     */
    String udp(final String request, final String terminator) throws IOException
    {
        return new String(udpBytes(request.getBytes(StandardCharsets.US_ASCII), terminator), StandardCharsets.US_ASCII);
    }

    byte[] udpBytes(final byte[] request, final String terminator) throws IOException
    {
        final int requestId = nextRequestId++ & 0xFFFF;
        final ByteBuffer frame = ByteBuffer.allocate(8 + request.length);
        frame.putShort((short)requestId).putShort((short)0).putShort((short)1).putShort((short)0).put(request);
        udp.send(new DatagramPacket(frame.array(), frame.capacity(), host, udpPort));

        final ByteArrayOutputStream reply = new ByteArrayOutputStream();
        final Map<Integer, byte[]> group = new TreeMap<>();
        final byte[] buffer = new byte[65536];
        while (true)
        {
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            udp.receive(packet);
            final ByteBuffer header = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
            final int id = header.getShort() & 0xFFFF;
            final int sequence = header.getShort() & 0xFFFF;
            final int count = header.getShort() & 0xFFFF;
            if (id != requestId)
            {
                continue; // a late reply to an earlier request
            }
            final byte[] payload = new byte[packet.getLength() - 8];
            System.arraycopy(packet.getData(), 8, payload, 0, payload.length);
            group.put(sequence, payload);
            if (group.size() >= count)
            {
                group.values().forEach(reply::writeBytes);
                group.clear();
                if (null == terminator || reply.toString(StandardCharsets.US_ASCII).endsWith(terminator))
                {
                    return reply.toByteArray();
                }
            }
        }
    }

    /** Sends one framed request and does not wait for a reply (noreply). */
    void udpSend(final String request) throws IOException
    {
        final byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer frame = ByteBuffer.allocate(8 + bytes.length);
        frame.putShort((short)(nextRequestId++ & 0xFFFF)).putShort((short)0).putShort((short)1).putShort((short)0).put(bytes);
        udp.send(new DatagramPacket(frame.array(), frame.capacity(), host, udpPort));
    }

    /** Sends a raw datagram (no frame added) and returns whether any reply arrived within the timeout. */
    boolean udpRaw(final byte[] datagram, final int timeoutMs) throws IOException
    {
        udp.send(new DatagramPacket(datagram, datagram.length, host, udpPort));
        udp.setSoTimeout(timeoutMs);
        try
        {
            udp.receive(new DatagramPacket(new byte[65536], 65536));
            return true;
        }
        catch (final java.net.SocketTimeoutException ex)
        {
            return false;
        }
        finally
        {
            udp.setSoTimeout(2000);
        }
    }

    /** Sends bytes over TCP and reads until the reply ends with {@code terminator}. */
    String tcp(final String request, final String terminator) throws IOException
    {
        tcpOut.write(request.getBytes(StandardCharsets.US_ASCII));
        tcpOut.flush();
        final ByteArrayOutputStream reply = new ByteArrayOutputStream();
        while (!reply.toString(StandardCharsets.US_ASCII).endsWith(terminator))
        {
            final int b = tcpIn.read();
            if (b < 0)
            {
                break;
            }
            reply.write(b);
        }
        return reply.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException
    {
        udp.close();
        tcp.close();
    }
}
