package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.dataplane.testnet.NetnsLink;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Replication over a slow, lossy link: the primary in namespace A, the backup in B ({@link NetnsReplicationPair}),
 * the stream delayed by {@link NetnsLink#delay} (a TUN relay) and thinned by {@link NetnsLink#loss} (nf_tables
 * drops), which stand in for {@code tc qdisc ... netem}: this kernel has no netem.
 * <ul>
 *   <li>async, 20 ms each way and 5% loss each way while a client in A writes (bounded in time and count): the
 *       primary reports a lag meanwhile (printed), packets of the stream really were dropped, and once the link is
 *       clean again and the writes stop both tables have the same {@code wirekv digest} within 5 s;</li>
 *   <li>sync, 20 ms each way: every write is acknowledged no sooner than a round trip to the backup (40 ms) and is on
 *       the backup when its STORED arrives; then with 5% loss on top, every write acknowledged is on the backup too
 *       (a write may be refused after replication.sync.timeout; none is acknowledged without the backup).</li>
 * </ul>
 */
class ReplicationImpairedLinkTest
{
    private static final int DELAY_MS = 20;
    private static final double LOSS_PERCENT = 5;
    private NetnsReplicationPair pair;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(pair);
    }

    @Test
    void shouldReportLagOverADelayedLossyLinkAndConvergeOnceItIsCleanInAsyncMode() throws Exception
    {
        assumeTrue(NetnsReplicationPair.skipReason() == null, NetnsReplicationPair.skipReason());
        pair = NetnsReplicationPair.start("async", "--partitions", "2");
        final AtomicLong written = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLong stopAt = new AtomicLong(System.currentTimeMillis() + 30_000);
        final long[] cleanLag = new long[2];
        final long[] impairedLag = new long[2];
        long writtenImpaired;
        long droppedToBackup;
        long droppedToPrimary;
        try (McClient writer = pair.clientOnPrimary(5_000))
        {
            final Thread load = NetnsReplicationPair.startLoad(writer, stopAt, written, failure, "impaired-link-test-load");
            try
            {
                sampleMaxLag(2_000, cleanLag);
                final long before = written.get();
                pair.link.delay(DELAY_MS, 0);
                pair.link.loss(LOSS_PERCENT);
                sampleMaxLag(5_000, impairedLag);
                writtenImpaired = written.get() - before;
                droppedToBackup = pair.link.droppedPackets(NetnsLink.End.B);
                droppedToPrimary = pair.link.droppedPackets(NetnsLink.End.A);
                pair.link.clear();
            }
            finally
            {
                stopAt.set(0);
                load.join(10_000);
            }
            assertNull(failure.get(), "the load failed");
        }
        System.out.printf("async over %d ms each way and %.0f%% loss each way for 5 s: %d writes, the primary's lag " +
                "up to %d records and %d ms (up to %d records and %d ms over the clean link before); %d packets to " +
                "the backup and %d to the primary dropped%n", DELAY_MS, LOSS_PERCENT, writtenImpaired, impairedLag[0],
            impairedLag[1], cleanLag[0], cleanLag[1], droppedToBackup, droppedToPrimary);
        assertTrue(writtenImpaired > 0, "async: writes go on over the impaired link");
        assertTrue(droppedToBackup + droppedToPrimary > 0, "the loss dropped none of the stream's packets");
        assertTrue(impairedLag[0] > 0, () -> "the primary reported no lag over the impaired link: " +
            NetnsReplicationPair.status(pair.primary));
        pair.assertConverged(5_000);
        assertTrue(ReplicationPair.eventually(5_000, () -> NetnsReplicationPair.lag(pair.primary)[0] == 0),
            () -> "the lag never went back to 0: " + NetnsReplicationPair.status(pair.primary));
    }

    @Test
    void shouldAcknowledgeOnlyWritesTheBackupHasOverADelayedLossyLinkInSyncMode() throws Exception
    {
        assumeTrue(NetnsReplicationPair.skipReason() == null, NetnsReplicationPair.skipReason());
        pair = NetnsReplicationPair.start("sync", "--partitions", "2");
        try (McClient writer = pair.clientOnPrimary(30_000); McClient onBackup = pair.clientOnBackup(5_000))
        {
            assertTrue(ReplicationPair.eventually(15_000, () -> "STORED".equals(writer.set("probe", 0, 0, bytes("p")))),
                () -> "the primary never took a write once the backup ran\n" + pair.primary.output() + "\n" +
                    pair.backup.output());

            pair.link.delay(DELAY_MS, 0);
            long minAckMs = Long.MAX_VALUE;
            for (int i = 0; i < 60; i++)
            {
                final long start = System.nanoTime();
                assertEquals("STORED", writer.set("d" + i, i, 0, bytes("delayed-" + i)));
                minAckMs = Math.min(minAckMs, (System.nanoTime() - start) / 1_000_000);
                assertOnBackup(onBackup, "d" + i, "delayed-" + i);
            }
            System.out.printf("sync over %d ms each way: the quickest of 60 writes acknowledged after %d ms%n", DELAY_MS,
                minAckMs);
            assertTrue(minAckMs >= 2 * DELAY_MS, "a sync write acknowledged in " + minAckMs + " ms: less than the " +
                2 * DELAY_MS + " ms round trip to the backup");

            pair.link.loss(LOSS_PERCENT);
            int acknowledged = 0;
            for (int i = 0; i < 60; i++)
            {
                final String reply = writer.set("l" + i, i, 0, bytes("lossy-" + i));
                if ("STORED".equals(reply))
                {
                    acknowledged++;
                    assertOnBackup(onBackup, "l" + i, "lossy-" + i);
                }
                else
                {
                    assertTrue(reply.startsWith("SERVER_ERROR replication: "), "l" + i + " answered " + reply);
                }
            }
            final long dropped = pair.link.droppedPackets(NetnsLink.End.A) + pair.link.droppedPackets(NetnsLink.End.B);
            System.out.printf("sync over %d ms each way and %.0f%% loss: %d of 60 writes acknowledged, %d packets " +
                "dropped%n", DELAY_MS, LOSS_PERCENT, acknowledged, dropped);
            assertTrue(acknowledged >= 30, "only " + acknowledged + " of 60 writes acknowledged over a 5% lossy link");
            assertTrue(dropped > 0, "the loss dropped none of the stream's packets");
            pair.link.clear();
        }
        pair.assertConverged(5_000);
    }

    /** Samples the primary's lag every 100 ms for {@code forMs}: the largest records and ms into {@code max}. */
    private void sampleMaxLag(final long forMs, final long[] max) throws InterruptedException
    {
        final long untilMs = System.currentTimeMillis() + forMs;
        while (System.currentTimeMillis() < untilMs)
        {
            final long[] lag = NetnsReplicationPair.lag(pair.primary);
            max[0] = Math.max(max[0], lag[0]);
            max[1] = Math.max(max[1], lag[1]);
            sleep(100);
        }
    }

    /** The backup has the value the moment the primary acknowledged it (sync: the ACK came from the backup). */
    private static void assertOnBackup(final McClient onBackup, final String key, final String value)
    {
        final McClient.Value v = onBackup.get(key);
        assertNotNull(v, key + " acknowledged by the primary but not on the backup");
        assertArrayEquals(bytes(value), v.data(), key);
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
