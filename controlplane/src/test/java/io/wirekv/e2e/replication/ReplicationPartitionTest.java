package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.controlplane.client.TcpTransport;
import io.wirekv.dataplane.testnet.NetnsLink;
import io.wirekv.e2e.ServeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Replication across a network partition: the primary in namespace A, the backup in namespace B, the stream over the
 * veth between them ({@link NetnsLink}), while a client in A writes continuously (bounded in time and count).
 * <ul>
 *   <li>async: writes go on being stored while the link is cut; the primary reports a lag (repl_lag_records) while
 *       cut, and once the link heals and the writes stop both tables have the same {@code wirekv digest} within
 *       5 s and the lag is back to 0;</li>
 *   <li>sync: while the link is cut no write is acknowledged: they are answered {@code SERVER_ERROR replication: ...}
 *       during the cut (not left hanging until it heals); after the heal writes are stored again and the digests
 *       converge.</li>
 * </ul>
 * The issue asks for delay and loss as well ({@code tc qdisc ... netem}), but this kernel has no netem qdisc
 * (CONFIG_NET_SCH_NETEM unset, {@link NetnsLink#netemSkipReason()}). Instead part of each run goes over a slow link: a
 * {@code tbf} qdisc limiting both ends to a few Mbit/s, which queues the stream behind the rate (added delay that
 * grows with the load, and the lag with it) without losing packets.
 */
class ReplicationPartitionTest
{
    private static final Pattern LAG = Pattern.compile("repl lag\\s+(\\d+) records");
    private static final String REFUSED = "SERVER_ERROR replication: ";
    private NetnsLink link;
    private ServeProcess primary;
    private ServeProcess backup;
    private Path primaryDir;
    private Path backupDir;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(primary, backup);
        if (null != link)
        {
            link.close();
        }
        ReplicationPair.deleteTree(primaryDir);
        ReplicationPair.deleteTree(backupDir);
    }

    @Test
    void shouldReportLagWhileCutAndConvergeOnceHealedInAsyncMode() throws Exception
    {
        startPair("async", "--partitions", "2");
        final AtomicLong written = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        final long stopAtMs = System.currentTimeMillis() + 30_000;
        final AtomicLong stopAt = new AtomicLong(stopAtMs);
        try (McClient writer = clientOnPrimary(2_000))
        {
            final Thread load = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < 200_000 && System.currentTimeMillis() < stopAt.get(); i++)
                    {
                        final String reply = writer.set("k" + (i % 5_000), i, 0, bytes("value-" + i + "-" + "x".repeat(i % 200)));
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
            }, "partition-test-load");
            load.start();
            try
            {
                sleep(1_000);
                rateLimit("4mbit");
                sleep(2_000);
                link.clear();
                final long beforeCut = written.get();
                link.cut();
                long maxLagWhileCut = 0;
                final long healAtMs = System.currentTimeMillis() + 3_000;
                while (System.currentTimeMillis() < healAtMs)
                {
                    maxLagWhileCut = Math.max(maxLagWhileCut, lagRecords(primary));
                    sleep(200);
                }
                final long writtenWhileCut = written.get() - beforeCut;
                link.heal();
                assertTrue(writtenWhileCut > 0, "async: writes go on while the backup is cut off");
                assertTrue(maxLagWhileCut > 0, "the primary reported no lag while cut (" + writtenWhileCut +
                    " writes meanwhile): " + status(primary));
                sleep(2_000);
            }
            finally
            {
                stopAt.set(0);
                load.join(10_000);
            }
            assertEquals(null, failure.get(), "the load failed");
        }
        assertConverged(5_000);
        assertTrue(ReplicationPair.eventually(5_000, () -> lagRecords(primary) == 0),
            () -> "the lag never went back to 0: " + status(primary));
    }

    @Test
    void shouldAcknowledgeNoWriteWhileCutAndWriteAgainOnceHealedInSyncMode() throws Exception
    {
        startPair("sync", "--partitions", "2", "--set", "replication.sync.timeout=500ms");
        try (McClient writer = clientOnPrimary(30_000))
        {
            assertTrue(ReplicationPair.eventually(15_000, () -> "STORED".equals(writer.set("probe", 0, 0, bytes("p")))),
                () -> "the primary never took a write once the backup ran\n" + primary.output() + "\n" + backup.output());
            rateLimit("4mbit");
            for (int i = 0; i < 300; i++)
            {
                assertEquals("STORED", writer.set("before" + i, i, 0, bytes("slow-link-" + i)));
            }
            link.clear();

            link.cut();
            final long healAtMs = System.currentTimeMillis() + 9_000;
            // the heal comes on time even when a write hangs (the failure this test looks for)
            final Thread healer = new Thread(() ->
            {
                try
                {
                    sleep(healAtMs - System.currentTimeMillis());
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                link.heal();
            }, "partition-test-heal");
            healer.start();
            final List<String> answeredWhileCut = new ArrayList<>();
            try
            {
                for (int i = 0; i < 10_000 && System.currentTimeMillis() < healAtMs; i++)
                {
                    final String reply = writer.set("cut" + i, i, 0, bytes("cut-" + i));
                    if (System.currentTimeMillis() < healAtMs)
                    {
                        answeredWhileCut.add(reply);
                        assertTrue(reply.startsWith(REFUSED), "cut" + i + " answered " + reply + " with the link cut");
                    }
                    sleep(50);
                }
            }
            finally
            {
                healer.join(15_000);
            }
            assertTrue(!answeredWhileCut.isEmpty(), () -> "no write was answered during a 9 s cut: the primary " +
                "held them for the unreachable backup\n" + primary.output());

            assertTrue(ReplicationPair.eventually(20_000, () -> "STORED".equals(writer.set("after", 0, 0, bytes("a")))),
                () -> "writes not stored again after the heal: " + status(primary) + primary.output());
            for (int i = 0; i < 200; i++)
            {
                assertEquals("STORED", writer.set("after" + i, i, 0, bytes("healed-" + i)));
            }
        }
        assertConverged(5_000);
    }

    /** The backup in B listening on its veth address, the primary in A pushing to it. */
    private void startPair(final String mode, final String... more)
    {
        assumeTrue(NetnsLink.skipReason() == null, NetnsLink.skipReason());
        link = NetnsLink.create();
        primaryDir = ReplicationPair.newDataDir("repl-partition-primary-");
        backupDir = ReplicationPair.newDataDir("repl-partition-backup-");
        final String backupAt = link.address(NetnsLink.End.B) + ":" + ReplicationPair.freePort();
        backup = ServeProcess.startWith(link.execPrefix(NetnsLink.End.B), link.address(NetnsLink.End.B),
            args(backupDir, "backup", mode, "--replication-listen", backupAt, more));
        primary = ServeProcess.startWith(link.execPrefix(NetnsLink.End.A), link.address(NetnsLink.End.A),
            args(primaryDir, "primary", mode, "--replication-peer", backupAt, more));
    }

    private static List<String> args(final Path dataDir, final String role, final String mode, final String endpointFlag,
        final String endpoint, final String... more)
    {
        final List<String> args = new ArrayList<>(List.of("--persistence", "async", "--data-dir", dataDir.toString(),
            "--replication-role", role, "--replication-mode", mode, endpointFlag, endpoint));
        args.addAll(List.of(more));
        return args;
    }

    /** A TCP client on a socket that lives in namespace A (the primary's). */
    private McClient clientOnPrimary(final int timeoutMs)
    {
        return link.inside(NetnsLink.End.A, () -> new McClient(new TcpTransport(
            new ServerAddress(link.address(NetnsLink.End.A), primary.tcpPort()), timeoutMs)));
    }

    /** A slow link instead of netem delay (absent here): a token bucket on both ends. */
    private void rateLimit(final String rate)
    {
        for (final NetnsLink.End end : NetnsLink.End.values())
        {
            link.exec(end, "tc", "qdisc", "replace", "dev", link.device(end), "root", "tbf", "rate", rate,
                "burst", "32kb", "latency", "400ms");
        }
    }

    private void assertConverged(final long withinMs)
    {
        final boolean same = ReplicationPair.eventually(withinMs, () -> digest(primary).equals(digest(backup)));
        assertTrue(same, () -> "digests differ " + withinMs + " ms after the writes stopped\nprimary:\n" +
            digest(primary) + "backup:\n" + digest(backup) + status(primary) + status(backup) + "\nprimary log:\n" +
            primary.output() + "\nbackup log:\n" + backup.output());
        assertTrue(digest(primary).matches("(?s).*total items [1-9]\\d* .*"), digest(primary));
    }

    private static String digest(final ServeProcess serve)
    {
        final String[] r = ReplicationPair.cli(serve, "digest");
        assertEquals("0", r[0], r[2]);
        return r[1];
    }

    private static String status(final ServeProcess serve)
    {
        return ReplicationPair.cli(serve, "status")[1];
    }

    private static long lagRecords(final ServeProcess serve)
    {
        final String status = status(serve);
        final Matcher m = LAG.matcher(status);
        assertTrue(m.find(), status);
        return Long.parseLong(m.group(1));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void sleep(final long ms) throws InterruptedException
    {
        if (ms > 0)
        {
            Thread.sleep(ms);
        }
    }
}
