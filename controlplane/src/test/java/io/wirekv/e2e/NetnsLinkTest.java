package io.wirekv.e2e;

import io.wirekv.dataplane.testnet.NetnsCommands;
import io.wirekv.dataplane.testnet.NetnsLink;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link NetnsLink} kit itself: a real {@code wirekv serve} in one namespace, a client in the other, and the
 * faults the replication tests use on the link between them: a cut, and the delay (TUN relay) and loss (nf_tables)
 * that stand in for netem, which this kernel lacks. Each is measured: round trips gain twice the one-way delay,
 * the share of datagrams lost is the one configured, and what {@code clear()} and {@code close()} remove is gone.
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
            serve = ServeProcess.startWith(link.execPrefix(NetnsLink.End.A), link.address(NetnsLink.End.A), List.of());
            try (Socket client = connect(link, serve.tcpPort()))
            {
                assertEquals("STORED\r\n", exchange(client, SET, 8));
                final long directMs = minRoundTripMs(client, 5);

                link.delay(50, 0);
                assertTrue(relayRuns(), "a delay runs the relay");
                final long delayedMs = minRoundTripMs(client, 5);
                assertTrue(delayedMs >= 100 && delayedMs < 100 + directMs + 50, "50 ms each way: a round trip " +
                    "gains about 100 ms; took " + delayedMs + " ms (" + directMs + " ms without the delay)");

                link.delay(30, 10);
                final long[] jittered = roundTripsMs(client, 12);
                assertTrue(jittered[0] >= 40 && jittered[jittered.length - 1] < 80 + directMs + 50,
                    "30 +- 10 ms each way: round trips between 40 and 80 ms, took " + Arrays.toString(jittered));
                assertTrue(jittered[jittered.length - 1] - jittered[0] >= 3, "jitter spreads the round trips: " +
                    Arrays.toString(jittered));

                link.loss(20);
                final int sent = 1_000;
                final int received = udpDatagramsFromBToA(link, sent);
                final long dropped = link.droppedDatagrams(NetnsLink.End.A);
                assertTrue(received >= 0.70 * sent && received <= 0.90 * sent, "20% loss (with the delay on): " +
                    received + " of " + sent + " datagrams arrived");
                assertEquals(sent - received, dropped, "every datagram missing is one the loss rule dropped");

                link.loss(100);
                client.setSoTimeout(1000);
                client.getOutputStream().write(GET);
                assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read(), "100% loss");
                link.clear();
                assertFalse(relayRuns(), "clear() stops the relay");
                assertFalse(link.exec(NetnsLink.End.A, "ip", "link", "show").contains(link.tunDevice(NetnsLink.End.A)),
                    "the relay's TUN device goes with it");
                assertFalse(link.exec(NetnsLink.End.B, "nft", "list", "tables").contains("wirekvlink"),
                    "clear() removes the loss table");
                client.setSoTimeout(20_000);
                // the lost GET is retransmitted (after the RTO), then answered; then round trips are fast again
                assertEquals(VALUE, new String(client.getInputStream().readNBytes(VALUE.length()), StandardCharsets.US_ASCII));
                assertTrue(minRoundTripMs(client, 3) < 50, "no delay once cleared");

                link.delay(20, 0);
                link.loss(5);
                assertTrue(relayRuns());
            }
            link.close();
            assertFalse(relayRuns(), "close() stops the relay");
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

    @Test
    void shouldDelayAcrossACutAndHeal() throws Exception
    {
        assumeTrue(NetnsLink.skipReason() == null, NetnsLink.skipReason());
        final NetnsLink link = NetnsLink.create();
        ServeProcess serve = null;
        try
        {
            serve = ServeProcess.startWith(link.execPrefix(NetnsLink.End.A), link.address(NetnsLink.End.A), List.of());
            final int port = serve.tcpPort();
            try (Socket client = connect(link, port))
            {
                assertEquals("STORED\r\n", exchange(client, SET, 8));
                link.delay(40, 0);
                link.cut();
                assertThrows(IOException.class, () -> connect(link, port, 1_000), "a cut link stays cut with a delay");
                link.heal();
                final long healedMs = minRoundTripMs(client, 3);
                assertTrue(healedMs >= 80 && healedMs < 200, "the delay is back after the heal: " + healedMs + " ms");
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

    @Test
    void shouldStopTheRelayAndItsDevicesWhenItsParentDies() throws Exception
    {
        assumeTrue(NetnsLink.skipReason() == null, NetnsLink.skipReason());
        final String tun = "wkvorphan" + ProcessHandle.current().pid() % 100_000;
        // a shell starts the relay and exits: the orphan must notice (its parent PID changes) and exit on its own
        final String pid = NetnsCommands.run("bash", "-c", "/usr/bin/python3 " + relayScript() + " " + tun + "a " + tun +
            "b --delay 5 >/dev/null 2>&1 </dev/null & echo $!; sleep 1").strip();
        final ProcessHandle relay = ProcessHandle.of(Long.parseLong(pid)).orElse(null);
        try
        {
            final long deadline = System.currentTimeMillis() + 5_000;
            while (null != relay && relay.isAlive() && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(50);
            }
            assertFalse(null != relay && relay.isAlive(), "the relay outlived its parent by 4 s");
            assertTrue(NetnsCommands.execute(10, "ip", "link", "show", tun + "a").exit() != 0,
                "its TUN device outlived it");
        }
        finally
        {
            if (null != relay)
            {
                relay.destroyForcibly();
            }
        }
    }

    private static Path relayScript()
    {
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            if (Files.isRegularFile(dir.resolve("deploy/lib/netns-relay.py")))
            {
                return dir.resolve("deploy/lib/netns-relay.py");
            }
        }
        throw new IllegalStateException("deploy/lib/netns-relay.py not found above " + Path.of("").toAbsolutePath());
    }

    /** Whether a delay relay (a child of this JVM) is running. */
    private static boolean relayRuns()
    {
        return ProcessHandle.current().children()
            .anyMatch(p -> p.isAlive() && p.info().commandLine().orElse("").contains("netns-relay.py"));
    }

    /**
     * Sends {@code count} datagrams from end B to a socket at end A, paced (bursts of 20, 2 ms apart) with a 4 MiB
     * receive buffer so that nothing but the link loses them, and counts those that arrive within 2 s of the last.
     */
    private static int udpDatagramsFromBToA(final NetnsLink link, final int count) throws Exception
    {
        try (DatagramSocket receiver = link.inside(NetnsLink.End.A, () ->
            {
                final DatagramSocket s = new DatagramSocket(null);
                s.setReceiveBufferSize(4 << 20);
                s.bind(new InetSocketAddress(link.address(NetnsLink.End.A), 0));
                return s;
            });
            DatagramSocket sender = link.inside(NetnsLink.End.B,
                () -> new DatagramSocket(new InetSocketAddress(link.address(NetnsLink.End.B), 0))))
        {
            final byte[] payload = new byte[64];
            for (int i = 0; i < count; i++)
            {
                sender.send(new DatagramPacket(payload, payload.length, receiver.getLocalSocketAddress()));
                if (i % 20 == 19)
                {
                    Thread.sleep(2);
                }
            }
            receiver.setSoTimeout(2_000);
            int received = 0;
            final DatagramPacket packet = new DatagramPacket(new byte[128], 128);
            try
            {
                while (received < count)
                {
                    receiver.receive(packet);
                    received++;
                }
            }
            catch (final SocketTimeoutException drained)
            {
                // all that will arrive has arrived
            }
            return received;
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
        return roundTripsMs(socket, tries)[0];
    }

    /** GET round trips, sorted. */
    private static long[] roundTripsMs(final Socket socket, final int tries) throws IOException
    {
        final long[] ms = new long[tries];
        for (int i = 0; i < tries; i++)
        {
            final long start = System.nanoTime();
            assertEquals(VALUE, exchange(socket, GET, VALUE.length()));
            ms[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(ms);
        return ms;
    }
}
