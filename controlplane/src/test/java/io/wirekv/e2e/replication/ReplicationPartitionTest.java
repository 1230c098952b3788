package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.dataplane.testnet.NetnsLink;
import io.wirekv.e2e.ServeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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
 * Part of each run also goes over a slow link: a {@code tbf} qdisc limiting both ends to a few Mbit/s, which queues
 * the stream behind the rate (added delay that grows with the load, and the lag with it) without losing packets.
 * Delay and loss ({@link NetnsLink#delay}, {@link NetnsLink#loss}: a TUN relay and nf_tables, as this kernel has no
 * netem) are {@link ReplicationImpairedLinkTest}'s.
 */
class ReplicationPartitionTest
{
    private static final String REFUSED = "SERVER_ERROR replication: ";
    private NetnsReplicationPair pair;
    private NetnsLink link;
    private ServeProcess primary;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(pair);
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
            final Thread load = NetnsReplicationPair.startLoad(writer, stopAt, written, failure, "partition-test-load");
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
                () -> "the primary never took a write once the backup ran\n" + primary.output() + "\n" + pair.backup.output());
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

    private void startPair(final String mode, final String... more)
    {
        assumeTrue(NetnsReplicationPair.skipReason() == null, NetnsReplicationPair.skipReason());
        pair = NetnsReplicationPair.start(mode, more);
        link = pair.link;
        primary = pair.primary;
    }

    private McClient clientOnPrimary(final int timeoutMs)
    {
        return pair.clientOnPrimary(timeoutMs);
    }

    /** A slow link: a token bucket on both veth ends. */
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
        pair.assertConverged(withinMs);
    }

    private static String status(final ServeProcess serve)
    {
        return NetnsReplicationPair.status(serve);
    }

    private static long lagRecords(final ServeProcess serve)
    {
        return NetnsReplicationPair.lag(serve)[0];
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
