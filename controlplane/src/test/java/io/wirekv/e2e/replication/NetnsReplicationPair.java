package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.controlplane.client.TcpTransport;
import io.wirekv.dataplane.testnet.NetnsLink;
import io.wirekv.e2e.ServeProcess;
import org.agrona.CloseHelper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary in namespace A and its backup in namespace B, the stream over the {@link NetnsLink} between them, for the
 * partition and impaired-link tests: the backup listens on its veth address, the primary pushes to it, both with
 * persistence async and data directories under target/. {@link #close()} stops both, removes the link and the
 * directories.
 */
final class NetnsReplicationPair implements AutoCloseable
{
    private static final Pattern LAG = Pattern.compile("repl lag\\s+(\\d+) records, (\\d+) ms");

    final NetnsLink link;
    final ServeProcess primary;
    final ServeProcess backup;
    private final Path primaryDir;
    private final Path backupDir;

    private NetnsReplicationPair(final NetnsLink link, final ServeProcess primary, final ServeProcess backup,
        final Path primaryDir, final Path backupDir)
    {
        this.link = link;
        this.primary = primary;
        this.backup = backup;
        this.primaryDir = primaryDir;
        this.backupDir = backupDir;
    }

    /** Why the pair cannot run here (not root, no {@code ip}), or null. */
    static String skipReason()
    {
        return NetnsLink.skipReason();
    }

    /** Starts the link, the backup in B, then the primary in A; {@code mode} is async or sync. */
    static NetnsReplicationPair start(final String mode, final String... more)
    {
        final NetnsLink link = NetnsLink.create();
        final Path primaryDir = ReplicationPair.newDataDir("repl-netns-primary-");
        final Path backupDir = ReplicationPair.newDataDir("repl-netns-backup-");
        ServeProcess backup = null;
        try
        {
            final String backupAt = link.address(NetnsLink.End.B) + ":" + ReplicationPair.freePort();
            backup = ServeProcess.startWith(link.execPrefix(NetnsLink.End.B), link.address(NetnsLink.End.B),
                args(backupDir, "backup", mode, "--replication-listen", backupAt, more));
            final ServeProcess primary = ServeProcess.startWith(link.execPrefix(NetnsLink.End.A),
                link.address(NetnsLink.End.A), args(primaryDir, "primary", mode, "--replication-peer", backupAt, more));
            return new NetnsReplicationPair(link, primary, backup, primaryDir, backupDir);
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietClose(backup);
            link.close();
            ReplicationPair.deleteTree(primaryDir);
            ReplicationPair.deleteTree(backupDir);
            throw ex;
        }
    }

    private static List<String> args(final Path dataDir, final String role, final String mode, final String endpointFlag,
        final String endpoint, final String... more)
    {
        final List<String> args = new ArrayList<>(List.of("--persistence", "async", "--data-dir", dataDir.toString(),
            "--replication-role", role, "--replication-mode", mode, endpointFlag, endpoint));
        args.addAll(List.of(more));
        return args;
    }

    /** A TCP client on a socket that lives in namespace A (the primary's), so it reaches the primary off the link. */
    McClient clientOnPrimary(final int timeoutMs)
    {
        return link.inside(NetnsLink.End.A, () -> new McClient(new TcpTransport(
            new ServerAddress(link.address(NetnsLink.End.A), primary.tcpPort()), timeoutMs)));
    }

    /** A TCP client on a socket in namespace B (the backup's), so it reads the backup off the link. */
    McClient clientOnBackup(final int timeoutMs)
    {
        return link.inside(NetnsLink.End.B, () -> new McClient(new TcpTransport(
            new ServerAddress(link.address(NetnsLink.End.B), backup.tcpPort()), timeoutMs)));
    }

    /** Both tables' {@code wirekv digest} equal within {@code withinMs}, and not empty; the logs when not. */
    void assertConverged(final long withinMs)
    {
        final boolean same = ReplicationPair.eventually(withinMs, () -> digest(primary).equals(digest(backup)));
        assertTrue(same, () -> "digests differ " + withinMs + " ms after the writes stopped\nprimary:\n" +
            digest(primary) + "backup:\n" + digest(backup) + status(primary) + status(backup) + "\nprimary log:\n" +
            primary.output() + "\nbackup log:\n" + backup.output());
        assertTrue(digest(primary).matches("(?s).*total items [1-9]\\d* .*"), digest(primary));
    }

    /**
     * Starts a thread that stores k0..k4999 in turn through {@code writer}, values of 0-200 bytes, until
     * {@code stopAtMs} or 200,000 writes, counting each STORED in {@code written}; the first other reply or exception
     * goes to {@code failure} and ends it.
     */
    static Thread startLoad(final McClient writer, final AtomicLong stopAtMs, final AtomicLong written,
        final AtomicReference<String> failure, final String name)
    {
        final Thread load = new Thread(() ->
        {
            try
            {
                for (int i = 0; i < 200_000 && System.currentTimeMillis() < stopAtMs.get(); i++)
                {
                    final String reply = writer.set("k" + (i % 5_000), i, 0,
                        ("value-" + i + "-" + "x".repeat(i % 200)).getBytes(StandardCharsets.US_ASCII));
                    if (!"STORED".equals(reply))
                    {
                        failure.compareAndSet(null, "write " + i + ": " + reply);
                        return;
                    }
                    written.incrementAndGet();
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex.toString());
            }
        }, name);
        load.start();
        return load;
    }

    static String digest(final ServeProcess serve)
    {
        final String[] r = ReplicationPair.cli(serve, "digest");
        assertEquals("0", r[0], r[2]);
        return r[1];
    }

    static String status(final ServeProcess serve)
    {
        return ReplicationPair.cli(serve, "status")[1];
    }

    /** The lag {@code wirekv status} reports: {records, ms}. */
    static long[] lag(final ServeProcess serve)
    {
        final String status = status(serve);
        final Matcher m = LAG.matcher(status);
        assertTrue(m.find(), status);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(primary, backup);
        link.close();
        ReplicationPair.deleteTree(primaryDir);
        ReplicationPair.deleteTree(backupDir);
    }
}
