package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.controlplane.client.UdpFrame;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.server.ServerConfig;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several generator threads sharing one source port (a bypass device, a queue each): each thread hands out
 * request ids from its own slice of the 16-bit space, in order, and a reply with another thread's id is
 * counted misrouted; too many misrouted replies stop the run with the reason.
 */
class BenchThreadsTest
{
    private static final int IDS = 1 << 16;

    @Test
    void shouldGiveEachThreadADisjointSliceOfRequestIdsHandedOutInOrder()
    {
        for (final int threads : new int[] {1, 2, 3, 4, 7})
        {
            final BitSet all = new BitSet(IDS);
            for (int i = 0; i < threads; i++)
            {
                final BenchUdpWorker w = worker(threads, i, threads, 11211);
                final int slots = w.slots();
                assertEquals(IDS / threads, slots, threads + " threads: ids per thread");
                final BitSet mine = new BitSet(IDS);
                for (long seq = 0; seq < slots; seq++)
                {
                    final int id = w.idOf(seq);
                    assertTrue(id >= 0 && id < IDS, "a 16-bit id: " + id);
                    assertEquals(i, BenchUdpWorker.ownerOf(id, threads), "id " + id + " belongs to thread " + i);
                    assertFalse(mine.get(id), "id " + id + " handed out once per round");
                    mine.set(id);
                    if (seq > 0)
                    {
                        assertTrue(id > w.idOf(seq - 1), "in order within a round");
                    }
                }
                assertEquals(w.idOf(0), w.idOf(slots), "the next round starts over");
                assertFalse(all.intersects(mine), threads + " threads: thread " + i + "'s ids are nobody else's");
                all.or(mine);
            }
            assertEquals(threads * (IDS / threads), all.cardinality());
        }
    }

    @Test
    void shouldCountAReplyWithAnotherThreadsIdAsMisroutedAndItsOwnAsReceived() throws Exception
    {
        try (DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            final BenchStats stats = new BenchStats();
            final BenchUdpWorker thread0 = worker(stats, 2, 0, 2, sink.getLocalPort());
            final BenchUdpWorker thread1 = worker(stats, 2, 1, 2, sink.getLocalPort());
            thread0.open();
            thread1.open();
            try
            {
                final long now = System.nanoTime();
                final int id0 = thread0.idOf(thread0.nextSeq());
                thread0.enqueue(UdpFrame.HEADER_LENGTH + 8, now, false, false, 0);
                final int id1 = thread1.idOf(thread1.nextSeq());
                thread1.enqueue(UdpFrame.HEADER_LENGTH + 8, now, false, false, 0);
                assertEquals(0, id0 % 2);
                assertEquals(1, id1 % 2);

                // thread 1's reply arrives on thread 0's queue
                thread0.onReceived(reply(id1, "STORED\r\n"), UdpFrame.HEADER_LENGTH + 8, now);
                assertEquals(1, stats.misrouted.sum());
                assertEquals(0, stats.received.sum());
                assertEquals(0, stats.late.sum(), "misrouted, not late");
                assertEquals(1, thread0.outstanding(), "thread 0's own request still waits");
                assertEquals(1, thread1.outstanding(), "thread 1 never saw its reply");

                thread0.onReceived(reply(id0, "STORED\r\n"), UdpFrame.HEADER_LENGTH + 8, now);
                assertEquals(1, stats.received.sum());
                assertEquals(1, stats.stored.sum());
                assertEquals(0, thread0.outstanding());

                // an id of its own slice that is not in flight is late, not misrouted
                thread0.onReceived(reply(id0 + 2, "STORED\r\n"), UdpFrame.HEADER_LENGTH + 8, now);
                assertEquals(1, stats.late.sum());
                assertEquals(1, stats.misrouted.sum());

                // thread 1's request, whose reply went astray, ends lost after the timeout
                thread1.expire(now + 2_000_000_000L);
                assertEquals(1, stats.lost.sum());
                assertEquals(0, thread1.outstanding());
            }
            finally
            {
                thread0.close();
                thread1.close();
            }
        }
    }

    @Test
    void shouldNotCallAnyReplyMisroutedWithOneSlice()
    {
        final BenchStats stats = new BenchStats();
        final BenchUdpWorker w = worker(stats, 2, 1, 1, 11211); // a socket per thread: all 65536 ids its own
        w.onReceived(reply(4, "STORED\r\n"), UdpFrame.HEADER_LENGTH + 8, System.nanoTime());
        assertEquals(0, stats.misrouted.sum());
        assertEquals(1, stats.late.sum());
    }

    @Test
    void shouldCountTheOldestLostWhenEveryIdOfTheSliceIsInFlight() throws Exception
    {
        try (DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            final BenchStats stats = new BenchStats();
            final int slices = 64;
            final BenchUdpWorker w = worker(stats, 2, 1, slices, sink.getLocalPort());
            w.open();
            try
            {
                final int slots = w.slots();
                final long now = System.nanoTime();
                final int oldest = w.idOf(w.nextSeq());
                for (int i = 0; i <= slots; i++)
                {
                    w.room();
                    w.enqueue(UdpFrame.HEADER_LENGTH + 8, now, false, false, 0);
                }
                w.flush();
                assertEquals(1, stats.lost.sum(), "the oldest gave its id up");
                assertEquals(slots, w.outstanding());
                assertEquals(slots + 1, stats.sent.sum() + stats.unsent.sum());
                assertEquals(oldest, w.idOf(w.nextSeq() - 1), "its id went to the newest request");
            }
            finally
            {
                w.close();
            }
        }
    }

    @Test
    void shouldHandTheIdsOfUnsentRequestsToTheNextOnes()
    {
        final BenchStats stats = new BenchStats();
        final BenchUdpWorker w = worker(stats, 1, 0, 1, 0); // UDP port 0: the kernel refuses every datagram
        w.open();
        try
        {
            final long first = w.nextSeq();
            final long now = System.nanoTime();
            for (int i = 0; i < 10; i++)
            {
                w.room();
                w.enqueue(UdpFrame.HEADER_LENGTH + 8, now, false, false, 0);
            }
            w.flush();
            assertEquals(10, stats.unsent.sum(), "nothing left the host");
            assertEquals(0, stats.sent.sum());
            assertEquals(0, w.outstanding());
            assertEquals(first, w.nextSeq(), "the refused requests gave their ids back: the id space is not used up");
        }
        finally
        {
            w.close();
        }
    }

    @Test
    void shouldStopOnlyWhenMisroutedRepliesAreASignificantShare()
    {
        assertNull(Bench.misrouting(0, 1_000_000, 2), "none misrouted");
        assertNull(Bench.misrouting(Bench.MIN_MISROUTED - 1, 0, 2), "a few strays, even if all");
        assertNull(Bench.misrouting(1000, 1_000_000, 2), "0.1%");
        final String message = Bench.misrouting(5000, 5000, 2);
        assertNotNull(message, "half the replies");
        assertTrue(message.startsWith(Bench.MISROUTED_STOP), message);
        assertTrue(message.contains("5,000 of 10,000 replies (50.0%)"), message);
        assertTrue(message.contains("own hash") && message.contains("--threads 1"), message);
    }

    @Test
    void shouldAcceptSeveralThreadsWithRepliesOnABypassBackend()
    {
        final BenchSpec spec = new BenchSpec(new ServerAddress("192.0.2.1", 11211), BenchSpec.Transport.UDP,
            BenchSpec.Protocol.TEXT, 100, 16, 16, 16, 0, 0.9, 1, 4, null, 0, 8, Duration.ofMillis(100), 1000,
            1_000_000_000L, 0, 7);
        final BenchBackend dpdk = new BenchBackend(ServerConfig.Backend.DPDK,
            new BypassSettings(java.util.List.of("--no-huge"), "net_null0", "192.0.2.2", "", "auto", true, false), -1, 0,
            false, Duration.ofMillis(300), 0);
        assertDoesNotThrow(() -> dpdk.check(spec));
    }

    @Test
    void shouldRefuseFewerDpdkQueuesThanThreadsAndDpdkQueuesOffDpdk()
    {
        final BenchSpec fourThreads = new BenchSpec(new ServerAddress("192.0.2.1", 11211), BenchSpec.Transport.UDP,
            BenchSpec.Protocol.TEXT, 100, 16, 16, 16, 0, 0.9, 1, 4, null, 0, 8, Duration.ofMillis(100), 1000,
            1_000_000_000L, 0, 7);
        final BypassSettings nullDevice =
            new BypassSettings(java.util.List.of("--no-huge"), "net_null0", "192.0.2.2", "", "auto", true, false);
        final BenchBackend twoQueues = new BenchBackend(ServerConfig.Backend.DPDK, nullDevice, -1, 0, false,
            Duration.ofMillis(300), 2);
        final IllegalArgumentException fewer = assertThrows(IllegalArgumentException.class, () -> twoQueues.check(fourThreads));
        assertTrue(fewer.getMessage().contains("--dpdk-queues 2 is fewer than --threads 4"), fewer.getMessage());

        final BenchBackend eightQueues = new BenchBackend(ServerConfig.Backend.DPDK, nullDevice, -1, 0, false,
            Duration.ofMillis(300), 8);
        assertDoesNotThrow(() -> eightQueues.check(fourThreads));
        assertEquals(8, eightQueues.queues(4));
        assertEquals(4, new BenchBackend(ServerConfig.Backend.DPDK, nullDevice, -1, 0, false, Duration.ofMillis(300), 0)
            .queues(4), "0: one queue per thread");

        final IllegalArgumentException offDpdk = assertThrows(IllegalArgumentException.class, () -> new BenchBackend(
            ServerConfig.Backend.XDP, nullDevice, -1, 0, false, Duration.ofMillis(300), 2));
        assertEquals("--dpdk-queues needs --backend dpdk", offDpdk.getMessage());
        final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> new BenchBackend(
            ServerConfig.Backend.DPDK, nullDevice, -1, 0, false, Duration.ofMillis(300), 256));
        assertTrue(tooMany.getMessage().startsWith("--dpdk-queues must be 0"), tooMany.getMessage());
    }

    private static BenchUdpWorker worker(final int threads, final int index, final int slices, final int port)
    {
        return worker(new BenchStats(), threads, index, slices, port);
    }

    private static BenchUdpWorker worker(final BenchStats stats, final int threads, final int index, final int slices,
        final int port)
    {
        final BenchSpec spec = new BenchSpec(new ServerAddress("127.0.0.1", port), BenchSpec.Transport.UDP,
            BenchSpec.Protocol.TEXT, 100, 16, 16, 16, 0, 0.0, 1, threads, null, 0, 8, Duration.ofMillis(100), 100_000,
            1_000_000_000L, 0, 7);
        final long start = System.nanoTime();
        return new BenchUdpWorker(spec, stats, new KeyChooser(100, 0), index, start, start + 100_000_000L, 0x7f000001,
            new KernelBenchPorts(), false, false, slices);
    }

    private static byte[] reply(final int id, final String text)
    {
        final byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        final byte[] datagram = new byte[UdpFrame.HEADER_LENGTH + body.length];
        datagram[0] = (byte)(id >>> 8);
        datagram[1] = (byte)id;
        datagram[5] = 1; // 1 datagram in the message
        System.arraycopy(body, 0, datagram, UdpFrame.HEADER_LENGTH, body.length);
        return datagram;
    }
}
