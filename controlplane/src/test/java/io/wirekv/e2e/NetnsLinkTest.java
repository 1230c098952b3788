package io.wirekv.e2e;

import io.wirekv.dataplane.testnet.NetnsCommands;
import io.wirekv.dataplane.testnet.NetnsLink;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link NetnsLink} kit itself: a real {@code wirekv serve} in one namespace, a client in the other, and the
 * faults the replication tests will use on the link between them.
 */
class NetnsLinkTest
{
    private static final byte[] SET = "set k 0 0 5\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GET = "get k\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String VALUE = "VALUE k 0 5\r\nhello\r\nEND\r\n";

    @Test
    void shouldServeAcrossTheLinkTimeOutWhileItIsCutAndServeAgainOnceHealed() throws Exception
    {
        assumeTrue(NetnsLink.skipReason() == null, NetnsLink.skipReason());
        final NetnsLink link = NetnsLink.create();
        ServeProcess serve = null;
        final File sleeperLog = File.createTempFile("wirekv-netns-sleep", ".log");
        try
        {
            serve = ServeProcess.startWith(link.execPrefix(NetnsLink.End.A), link.address(NetnsLink.End.A), List.of());
            final int port = serve.tcpPort();
            try (Socket client = connect(link, port))
            {
                assertEquals("STORED\r\n", exchange(client, SET, 8));
                assertEquals(VALUE, exchange(client, GET, VALUE.length()));

                link.cut();
                client.setSoTimeout(1500);
                client.getOutputStream().write(GET);
                assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(),
                    "no reply crosses a cut link");
                assertThrows(IOException.class, () -> connect(link, port, 1_000), "nothing routes over a cut link");
            }
            link.heal();
            try (Socket client = connect(link, port))
            {
                assertEquals(VALUE, exchange(client, GET, VALUE.length()), "the healed link serves again");
            }

            final Process sleeper = link.start(NetnsLink.End.B, sleeperLog, "sleep", "600");
            final String namespaceA = link.namespace(NetnsLink.End.A);
            final String namespaceB = link.namespace(NetnsLink.End.B);
            link.close();
            assertFalse(sleeper.isAlive(), "close() kills what the link started");
            final String namespaces = NetnsCommands.run("ip", "netns", "list");
            assertFalse(namespaces.contains(namespaceA) || namespaces.contains(namespaceB), namespaces);
        }
        finally
        {
            if (null != serve)
            {
                serve.close();
            }
            link.close();
            sleeperLog.delete();
        }
    }

    @Test
    void shouldDelayAndDropPacketsAndStopDoingSoWhenCleared() throws Exception
    {
        assumeTrue(NetnsLink.skipReason() == null, NetnsLink.skipReason());
        final NetnsLink link = NetnsLink.create();
        ServeProcess serve = null;
        try
        {
            assumeTrue(link.netemSkipReason() == null, link.netemSkipReason());
            serve = ServeProcess.startWith(link.execPrefix(NetnsLink.End.A), link.address(NetnsLink.End.A), List.of());
            try (Socket client = connect(link, serve.tcpPort()))
            {
                assertEquals("STORED\r\n", exchange(client, SET, 8));
                link.delay(50, 0);
                final long rttMs = minRoundTripMs(client, 3);
                assertTrue(rttMs >= 100, "50 ms each way: a round trip takes at least 100 ms, took " + rttMs);
                link.loss(100);
                client.setSoTimeout(1000);
                client.getOutputStream().write(GET);
                assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(), "100% loss");
                link.clear();
                client.setSoTimeout(20_000);
                // the lost GET is retransmitted (after the RTO), then answered; then round trips are fast again
                assertEquals(VALUE, new String(client.getInputStream().readNBytes(VALUE.length()), StandardCharsets.US_ASCII));
                assertTrue(minRoundTripMs(client, 3) < 50, "no delay once cleared");
            }
        }
        finally
        {
            if (null != serve)
            {
                serve.close();
            }
            link.close();
        }
    }

    private static Socket connect(final NetnsLink link, final int port) throws IOException
    {
        return connect(link, port, 5_000);
    }

    /** A TCP connection from end B's namespace to the server at end A, retried for a while (ARP, start-up). */
    private static Socket connect(final NetnsLink link, final int port, final long withinMs) throws IOException
    {
        final long deadline = System.currentTimeMillis() + withinMs;
        IOException last = null;
        while (System.currentTimeMillis() < deadline)
        {
            try
            {
                return link.inside(NetnsLink.End.B, () ->
                {
                    final Socket s = new Socket();
                    s.connect(new InetSocketAddress(link.address(NetnsLink.End.A), port), 1_000);
                    s.setSoTimeout(5_000);
                    return s;
                });
            }
            catch (final IllegalStateException ex)
            {
                last = new IOException(ex.getMessage(), ex);
            }
            try
            {
                Thread.sleep(100);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw null != last ? last : new IOException("no connection within " + withinMs + " ms");
    }

    private static String exchange(final Socket socket, final byte[] request, final int replyLength) throws IOException
    {
        socket.getOutputStream().write(request);
        final InputStream in = socket.getInputStream();
        return new String(in.readNBytes(replyLength), StandardCharsets.US_ASCII);
    }

    private static long minRoundTripMs(final Socket socket, final int tries) throws IOException
    {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < tries; i++)
        {
            final long start = System.nanoTime();
            assertEquals(VALUE, exchange(socket, GET, VALUE.length()));
            min = Math.min(min, (System.nanoTime() - start) / 1_000_000);
        }
        return min;
    }
}
