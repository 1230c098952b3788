package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Replicating servers in the test's JVM (kernel UDP/TCP on loopback, one lcore, 4 partitions, 32 MiB, async
 * persistence in a directory of their own under target/), closed and their directories deleted together.
 */
public final class InProcessServers implements AutoCloseable
{
    private final Path root;
    private final List<WirekvServer> servers = new ArrayList<>();

    public InProcessServers(final String name)
    {
        root = Path.of("target", name + "-" + System.nanoTime()).toAbsolutePath();
    }

    /** Starts a server named {@code name} with {@code replication}, its log printed to {@code log}. */
    public WirekvServer start(final String name, final ReplicationSettings replication, final OutputStream log)
        throws IOException
    {
        final Path dir = root.resolve(name);
        Files.createDirectories(dir);
        final ServerConfig config = new ServerConfig(root.getFileName() + "-" + name, "127.0.0.1", 0,
            ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 4, 32L * 1024 * 1024, MemoryMode.STORE, 64 * 1024, 1400,
            32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withPersistence(new PersistenceSettings(PersistenceSettings.Mode.ASYNC, dir, 200, 16L << 20, false))
            .withReplication(replication);
        final WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(log, true));
        servers.add(server);
        return server;
    }

    /** A loopback address with a port free now, for a backup's replication.listen. */
    public static ReplicationSettings.HostPort freeAddress()
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            return new ReplicationSettings.HostPort("127.0.0.1", s.getLocalPort());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * {@code count} pipelined noreply SETs of keys {@code k0 .. k(keys - 1)} (round robin), 20-byte values made of
     * {@code round} and the write's number, 100 to a socket write; then {@code mn}, whose answer says all were applied.
     */
    public static void pipelineSets(final Socket client, final int count, final int keys, final int round)
        throws IOException
    {
        final OutputStream out = client.getOutputStream();
        final StringBuilder batch = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            batch.append("set k").append(i % keys).append(" 0 0 20 noreply\r\n")
                .append(String.format("%020d", round * 1_000_000L + i)).append("\r\n");
            if (i % 100 == 99 || i == count - 1)
            {
                out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
                batch.setLength(0);
            }
        }
        out.write("mn\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        final InputStream in = client.getInputStream();
        final byte[] mn = new byte[4];
        int n = 0;
        while (n < 4)
        {
            final int r = in.read(mn, n, 4 - n);
            if (r < 0)
            {
                throw new IOException("the primary closed the connection");
            }
            n += r;
        }
        if (!"MN\r\n".equals(new String(mn, StandardCharsets.US_ASCII)))
        {
            throw new IOException("expected MN after the SETs, got " + new String(mn, StandardCharsets.US_ASCII));
        }
    }

    /** Waits (at most 30 s) until every partition's log on {@code backup} reached {@code primary}'s. */
    public static void awaitCaughtUp(final WirekvServer primary, final WirekvServer backup) throws InterruptedException
    {
        final int partitions = primary.durability().logs().size();
        final long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline)
        {
            boolean same = true;
            for (int p = 0; p < partitions; p++)
            {
                same &= primary.durability().logs().get(p).appendedSequence() ==
                    backup.durability().logs().get(p).appendedSequence();
            }
            if (same)
            {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the backup did not catch up within 30 s");
    }

    @Override
    public void close() throws IOException
    {
        for (final WirekvServer server : servers.reversed())
        {
            server.close();
        }
        servers.clear();
        if (Files.exists(root))
        {
            try (Stream<Path> all = Files.walk(root))
            {
                for (final Path p : all.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
