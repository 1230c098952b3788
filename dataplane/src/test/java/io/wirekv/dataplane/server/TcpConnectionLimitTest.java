package io.wirekv.dataplane.server;

import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.tcp.TcpAgent;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * max.connections as memcached's {@code -c}, and what idle connections cost: 1,000 of them must hold
 * little resident memory (measured with mincore over their buffers), although each may grow to the item
 * size limit while a large command needs it, and gives that back when idle.
 */
class TcpConnectionLimitTest
{
    private static final int MAX_CONNECTIONS = 1000;
    /** Per idle connection, both buffers: TcpConnection keeps at most 16 KiB of each resident. */
    private static final long IDLE_BOUND_BYTES = 2 * 16 * 1024;

    private WirekvServer server;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void start()
    {
        final ServerConfig config = new ServerConfig(
            "tcp-limit", "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 4,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withExposure(ExposureSettings.defaults().withMaxConnections(MAX_CONNECTIONS));
        server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(new ByteArrayOutputStream(), true));
    }

    @AfterEach
    void stop() throws IOException
    {
        for (final Socket s : clients)
        {
            s.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldHoldAThousandIdleConnectionsInLittleMemoryAndRefuseOneMoreAsMemcachedDoes() throws Exception
    {
        for (int i = 0; i < MAX_CONNECTIONS; i++)
        {
            final Socket s = connect();
            clients.add(s);
            s.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        for (final Socket s : clients)
        {
            assertTrue(readLine(s.getInputStream()).startsWith("VERSION "), "served");
        }
        final TcpAgent tcp = server.tcpAgents().getFirst();
        final long idleResident = tcp.residentBufferBytes();
        System.out.printf("%d idle connections: %d KiB resident in their buffers (%d bytes each)%n",
            MAX_CONNECTIONS, idleResident >> 10, idleResident / MAX_CONNECTIONS);
        assertTrue(idleResident <= MAX_CONNECTIONS * IDLE_BOUND_BYTES, "resident " + idleResident);

        // A large command grows one connection's buffers; idle again, it gives the pages back.
        final Socket big = clients.getFirst();
        final String value = "v".repeat(500_000);
        big.getOutputStream().write(("set tcp:big 0 0 " + value.length() + "\r\n" + value + "\r\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals("STORED", readLine(big.getInputStream()));
        big.getOutputStream().write("get tcp:big\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("VALUE tcp:big 0 500000", readLine(big.getInputStream()));
        assertEquals(value, readLine(big.getInputStream()));
        assertEquals("END", readLine(big.getInputStream()));
        long afterLarge = tcp.residentBufferBytes();
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (afterLarge > idleResident + IDLE_BOUND_BYTES && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(10); // the TCP thread trims right after its flush, which may land after our read
            afterLarge = tcp.residentBufferBytes();
        }
        assertTrue(afterLarge <= idleResident + IDLE_BOUND_BYTES,
            "after a 500 kB set and get: " + afterLarge + " resident, idle was " + idleResident);

        // The (max+1)th: memcached (maxconns_fast, the default) writes this line and closes the socket.
        try (Socket extra = connect())
        {
            final InputStream in = extra.getInputStream();
            assertEquals(TcpAgent.TOO_MANY_CONNECTIONS.trim(), readLine(in));
            assertEquals(-1, in.read(), "closed");
        }
        // Still serving the connections it holds; and the refusal is counted as memcached counts it.
        final Socket any = clients.get(MAX_CONNECTIONS / 2);
        any.getOutputStream().write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
        final StringBuilder stats = new StringBuilder();
        for (String line = readLine(any.getInputStream()); !"END".equals(line); line = readLine(any.getInputStream()))
        {
            stats.append(line).append('\n');
        }
        assertEquals(1, stat(stats, "rejected_connections"));
        assertEquals(MAX_CONNECTIONS, stat(stats, "curr_connections"));

        // One closes: room for one more.
        clients.removeLast().close();
        final long closeDeadlineNs = System.nanoTime() + 5_000_000_000L;
        Socket again = null;
        while (null == again && System.nanoTime() < closeDeadlineNs)
        {
            final Socket s = connect();
            s.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            final String line = readLine(s.getInputStream());
            if (line.startsWith("VERSION "))
            {
                again = s;
            }
            else
            {
                s.close(); // the close had not reached the agent yet
                Thread.sleep(10);
            }
        }
        assertTrue(null != again, "a connection is accepted again below the limit");
        clients.add(again);
    }

    private Socket connect() throws IOException
    {
        final Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.tcpPort()), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    private static long stat(final CharSequence stats, final String name)
    {
        final Matcher m = Pattern.compile("(?m)^STAT " + name + " (\\d+)$").matcher(stats);
        assertTrue(m.find(), name + " in " + stats);
        return Long.parseLong(m.group(1));
    }

    /** A line without its CRLF; "" at end of stream. */
    private static String readLine(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b >= 0; b = in.read())
        {
            if ('\n' == b && '\r' == previous)
            {
                final byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
            }
            line.write(b);
            previous = b;
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
