package io.wirekv.dataplane.server;

import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipelined TCP sessions against a whole server (two writers, so replies come back from both in any order):
 * a pipeline far larger than the socket buffers is answered completely and in request order; clients that
 * close in the middle of a pipeline leak no connection slot (the writers' late replies are dropped); and in
 * persistence sync mode one pipelined connection's writes share syncs instead of paying one each.
 */
class TcpPipelineTest
{
    private WirekvServer server;
    private Path dataDir;

    private void start(final int maxConnections, final PersistenceSettings persistence)
    {
        final ServerConfig config = new ServerConfig(
            "tcp-pipeline-" + System.nanoTime(), "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 2, 1, 8,
            64L * 1024 * 1024, MemoryMode.STORE, 64 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withExposure(ExposureSettings.defaults().withMaxConnections(maxConnections))
            .withPersistence(persistence);
        server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(new ByteArrayOutputStream(), true));
    }

    @AfterEach
    void stop() throws IOException
    {
        if (null != server)
        {
            server.close();
        }
        if (null != dataDir)
        {
            try (Stream<Path> all = Files.walk(dataDir))
            {
                for (final Path p : all.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private Socket connect() throws IOException
    {
        final Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.tcpPort()), 5_000);
        s.setSoTimeout(30_000);
        return s;
    }

    /** {@code n} writes (sets, every 10th noreply; every 500th an incr of a counter) and a closing get, with the exact reply. */
    private static String[] pipeline(final int n)
    {
        final StringBuilder request = new StringBuilder("set counter 0 0 1\r\n0\r\n");
        final StringBuilder expected = new StringBuilder("STORED\r\n");
        long counter = 0;
        for (int i = 0; i < n; i++)
        {
            if (i % 500 == 499)
            {
                request.append("incr counter 1\r\n");
                expected.append(++counter).append("\r\n");
                continue;
            }
            final boolean noreply = i % 10 == 0;
            request.append(String.format("set key%07d 1 0 8%s\r\nv%07d\r\n", i, noreply ? " noreply" : "", i));
            if (!noreply)
            {
                expected.append("STORED\r\n");
            }
        }
        request.append(String.format("get key%07d counter\r\n", n - 2));
        expected.append(String.format("VALUE key%07d 1 8\r\nv%07d\r\nVALUE counter 0 %d\r\n%d\r\nEND\r\n",
            n - 2, n - 2, Long.toString(counter).length(), counter));
        return new String[] {request.toString(), expected.toString()};
    }

    /** Sends the request from another thread while this one reads, as a pipelining client does. */
    private static String exchange(final Socket socket, final String request, final int replyBytes) throws Exception
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread sender = Thread.ofPlatform().name("pipeline-sender").start(() ->
        {
            try
            {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
            catch (final IOException ex)
            {
                failure.set(ex);
            }
        });
        final byte[] reply = new byte[replyBytes];
        final InputStream in = socket.getInputStream();
        int read = 0;
        try
        {
            while (read < replyBytes)
            {
                final int n = in.read(reply, read, replyBytes - read);
                if (n < 0)
                {
                    break;
                }
                read += n;
            }
        }
        finally
        {
            sender.join(30_000);
        }
        assertEquals(null, failure.get());
        return new String(reply, 0, read, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldAnswerAPipelineLargerThanTheSocketBuffersCompletelyAndInOrder() throws Exception
    {
        start(16, PersistenceSettings.none());
        final String[] p = pipeline(200_000); // about 7 MB of requests, 1.4 MB of replies
        try (Socket socket = connect())
        {
            socket.setReceiveBufferSize(16 * 1024); // the server's replies back up while it reads on
            assertEquals(p[1], exchange(socket, p[0], p[1].length()));
        }
    }

    @Test
    void shouldCarryOnWithAReadWhoseReplyOutgrowsTheSocketAfterTheWritesBeforeIt() throws Exception
    {
        start(16, PersistenceSettings.none());
        final int keys = 200; // 12 MB: more than the server's socket buffer can take
        final String value = "x".repeat(60_000);
        final StringBuilder request = new StringBuilder("set big 0 0 60000\r\n").append(value).append("\r\nget");
        final StringBuilder expected = new StringBuilder("STORED\r\n");
        for (int i = 0; i < keys; i++)
        {
            request.append(" big");
            expected.append("VALUE big 0 60000\r\n").append(value).append("\r\n");
        }
        request.append("\r\nset after 0 0 1\r\na\r\nget after\r\n");
        expected.append("END\r\nSTORED\r\nVALUE after 0 1\r\na\r\nEND\r\n");
        try (Socket socket = connect())
        {
            socket.setReceiveBufferSize(16 * 1024);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            // the get waits for the set, then fills the reply buffer and the socket while nobody reads
            Thread.sleep(500);
            final byte[] reply = socket.getInputStream().readNBytes(expected.length());
            assertEquals(expected.toString(), new String(reply, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldFreeTheSlotOfAClientThatClosedMidPipelineOnceTheLateRepliesAreIn() throws Exception
    {
        final int maxConnections = 8;
        start(maxConnections, PersistenceSettings.none());
        final String request = pipeline(3_000)[0];
        for (int cycle = 0; cycle < 40; cycle++)
        {
            try (Socket socket = connect())
            {
                socket.setSoLinger(true, 0); // a reset: the server finds out while its writes are in flight
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII), 0, request.length() / 2);
                if (cycle % 2 == 0)
                {
                    socket.getInputStream().read(); // closed after the first replies came back
                }
            }
        }
        // a leaked slot (a reply never dropped, a count never reaching 0) would refuse one of these
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (true)
        {
            final Socket[] sockets = new Socket[maxConnections];
            int served = 0;
            try
            {
                for (int i = 0; i < maxConnections; i++)
                {
                    sockets[i] = connect();
                    sockets[i].getOutputStream().write("set k 0 0 1\r\nk\r\nget k\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                for (final Socket s : sockets)
                {
                    final byte[] b = new byte["STORED\r\nVALUE k 0 1\r\nk\r\nEND\r\n".length()];
                    final int n = s.getInputStream().readNBytes(b, 0, b.length);
                    if ("STORED\r\nVALUE k 0 1\r\nk\r\nEND\r\n".equals(new String(b, 0, n, StandardCharsets.US_ASCII)))
                    {
                        served++;
                    }
                }
            }
            finally
            {
                for (final Socket s : sockets)
                {
                    if (null != s)
                    {
                        s.close();
                    }
                }
            }
            if (served == maxConnections || System.nanoTime() > deadline)
            {
                assertEquals(maxConnections, served, "every slot is free again");
                break;
            }
            Thread.sleep(50); // the closed connections' slots free as the kernel reports the closes
        }
    }

    @Test
    void shouldShareSyncsAmongAPipelinedConnectionsWritesInSyncMode() throws Exception
    {
        dataDir = Path.of("target", "tcp-pipeline-" + System.nanoTime()).toAbsolutePath();
        start(16, new PersistenceSettings(PersistenceSettings.Mode.SYNC, dataDir, 50, 8L << 20, false));
        final int writes = 5_000;
        final String[] p = pipeline(writes);
        try (Socket socket = connect())
        {
            assertEquals(p[1], exchange(socket, p[0], p[1].length()));
        }
        final long appended = server.durability().counters().recordsAppended();
        final long syncs = server.durability().counters().syncs();
        System.out.printf("sync mode, one pipelined connection: %d records appended, %d syncs%n", appended, syncs);
        assertTrue(appended >= writes, "every write was logged: " + appended);
        // parked on every write, one connection paid one sync per write; pipelined, they share
        assertTrue(syncs * 2 < appended, syncs + " syncs for " + appended + " records");
    }
}
