package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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
