package io.wirekv.controlplane.cnc;

import io.wirekv.controlplane.cli.WirekvCli;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-process appliance on loopback (kernel backend, port 0), the CLI run in-process, and a UDP client. */
final class CncTestSupport
{
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    record Run(int code, String out, String err)
    {
    }

    private CncTestSupport()
    {
    }

    /** An instance name no other test (or concurrent build) uses. */
    static String uniqueInstance(final String what)
    {
        return "t-" + what + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    }

    static WirekvServer startServer(final String instance, final ByteArrayOutputStream log)
    {
        final ServerConfig config = new ServerConfig(
            instance, "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false);
        return WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(log, true),
            "  instance = " + instance + " (test)\n  backend = kernel (default)\n  mode = cache (default)\n");
    }

    static Run cli(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = WirekvCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** One memcached request over UDP; the reply, or null after the timeout. */
    static String udp(final int port, final byte[] datagram, final int timeoutMs) throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.setSoTimeout(timeoutMs);
            socket.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
            final byte[] buffer = new byte[65536];
            final DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            try
            {
                socket.receive(reply);
            }
            catch (final SocketTimeoutException ex)
            {
                return null;
            }
            return new String(buffer, 8, reply.getLength() - 8, StandardCharsets.ISO_8859_1);
        }
    }

    static String udpRequest(final int port, final String request) throws IOException
    {
        final byte[] body = request.getBytes(StandardCharsets.ISO_8859_1);
        final byte[] datagram = new byte[8 + body.length];
        datagram[1] = 7; // request id 7
        datagram[5] = 1; // one datagram
        System.arraycopy(body, 0, datagram, 8, body.length);
        return udp(port, datagram, 2000);
    }
}
