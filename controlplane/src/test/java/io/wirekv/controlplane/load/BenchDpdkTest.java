package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.testnet.TestDpdk;
import io.wirekv.dataplane.testnet.TestFrameLink;
import io.wirekv.dataplane.testnet.TestFrames;
import io.wirekv.nativebindings.dpdk.RingPortPair;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code wirekv bench --backend dpdk} for real: a ring-PMD port pair in this process, a wirekv appliance
 * on the dpdk backend serving side a, the bench on side b building its requests in mbufs, resolving the
 * appliance's MAC by ARP, storing every key and checking sampled values.
 */
class BenchDpdkTest
{
    private static final String SERVER_IP = "10.13.0.1";
    private static final String BENCH_IP = "10.13.0.2";
    private static final long TARGET_MAC = 0x02_00_00_00_13_01L;

    private static String skipReason;

    @BeforeAll
    static void checkDpdk()
    {
        skipReason = TestDpdk.skipReason();
    }

    @BeforeEach
    void skipWithoutDpdk()
    {
        assumeTrue(null == skipReason, skipReason);
    }

    @Test
    void shouldDriveAWirekvApplianceThroughDpdkWithEveryCheckedValueRight() throws Exception
    {
        // a ring device is opened once per process, so each run gets its own pair and appliance
        for (final BenchSpec.Protocol protocol : BenchSpec.Protocol.values())
        {
            final RingPortPair pair = TestDpdk.newPair(1);
            try (WirekvServer server = startServer(pair))
            {
                runAgainst(server, pair, protocol);
            }
        }
    }

    /**
     * Two generator threads, each on its own queue of a 2-queue ring pair, against an appliance serving queue i
     * with lcore i: the ring pair keeps queue pairing (b's tx q is a's rx q and back), and the appliance answers
     * on the queue a request came in on, so every reply reaches the thread whose slice its id is in.
     */
    @Test
    void shouldRunTwoThreadsWithRepliesThroughATwoQueuePairWithNothingMisrouted() throws Exception
    {
        final RingPortPair pair = TestDpdk.newPair(2);
        try (WirekvServer server = startServer(pair, 2))
        {
            // the warm-up splits the keys between the threads (thread i stores keys i, i + 2, ...) and a key counts
            // as stored only when its reply came back: every key stored means both threads got their replies
            final Bench.Run run = benchOnceAndCheck(server, pair, BenchSpec.Protocol.TEXT, 500, 1, 2, 800, 0, "2 threads");
            final BenchTrial t = run.trials().getFirst();
            assertEquals(0, t.misrouted(), "misrouted replies");
            assertTrue(BenchReport.toJson(run).contains("\"misrouted\": 0"));
        }
    }

    /**
     * One thread with {@code --dpdk-queues 2} against a 2-lcore appliance: the bench opens both queues of the pair,
     * as a net_memif peer must (DPDK's memif garbles a queue its peer leaves unconnected), and uses queue 0 only.
     */
    @Test
    void shouldOpenTheQueuesAskedForAndRunOneThreadOnTheFirst() throws Exception
    {
        final RingPortPair pair = TestDpdk.newPair(2);
        try (WirekvServer server = startServer(pair, 2))
        {
            final Bench.Run run = benchOnceAndCheck(server, pair, BenchSpec.Protocol.TEXT, 200, 1, 1, 500, 2, "queue 0 of 2");
            assertTrue(run.ports().contains(", 2 queue(s), "), run.ports());
        }
    }

    /**
     * A device that answers on the other queue (a test reflector on side a that sends each reply back on the
     * queue the request did not come in on, as a NIC's RSS might): the replies are counted misrouted, and the
     * trial stops after its first seconds with the message, long before its 20 s. The reflector reads the bench's
     * own mbufs, so it stops and drains the rings when the stop message is printed, before the bench closes its
     * device (and frees its pool).
     */
    @Test
    void shouldStopWithTheReasonWhenTheDeviceAnswersOnAnotherQueue() throws Exception
    {
        final RingPortPair pair = TestDpdk.newPair(2);
        final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        final java.util.concurrent.atomic.AtomicLong reflected = new java.util.concurrent.atomic.AtomicLong();
        final Thread reflector = Thread.ofPlatform().name("bench-dpdk-crossed").start(() ->
        {
            try (TestFrameLink link = new TestFrameLink(pair.nameA(), 2))
            {
                while (!stop.get())
                {
                    for (int q = 0; q < 2 && !stop.get(); q++)
                    {
                        for (final byte[] bytes : link.receive(0, q))
                        {
                            if (TestFrames.u16(bytes, 12) != TestFrames.ETHERTYPE_IPV4 || bytes[23] != 17)
                            {
                                continue;
                            }
                            final TestFrames.UdpFrame request = TestFrames.UdpFrame.parse(bytes);
                            final byte[] reply = TestFrames.udp(request.srcMac(), request.dstMac(), request.dstIp(),
                                request.srcIp(), request.dstPort(), request.srcPort(),
                                TestFrames.memcachedDatagram(request.requestId(), "END\r\n"));
                            link.send(reply, 1 - q);
                            reflected.incrementAndGet();
                        }
                    }
                }
                // the bench has stopped sending: give back what is still queued while its pool is there
                link.receive(0, 0);
                link.receive(0, 1);
            }
        });
        final StringBuilder progress = new StringBuilder();
        final PrintWriter progressWriter = new PrintWriter(new java.io.Writer()
        {
            @Override
            public void write(final char[] chars, final int offset, final int length)
            {
                progress.append(chars, offset, length);
                if (!stop.get() && progress.indexOf(Bench.MISROUTED_STOP) >= 0)
                {
                    stop.set(true);
                    try
                    {
                        reflector.join(5000);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        });
        try
        {
            final BenchSpec spec = new BenchSpec(new ServerAddress("10.13.3.1", 11211), BenchSpec.Transport.UDP,
                BenchSpec.Protocol.TEXT, 100, 16, 16, 16, 0, 1.0, 1, 2, null, 1000, 8, Duration.ofSeconds(20),
                1_000_000_000L, 100_000_000L, 0, 7);
            final Bench.Run run = assertTimeoutPreemptively(Duration.ofSeconds(15), () ->
                Bench.run(spec, backend(pair.nameB(), TARGET_MAC, false), BenchPlan.single(false), progressWriter));
            final BenchTrial t = run.trials().getFirst();

            assertTrue(t.stoppedByMisrouting(), t.failure() + "\n" + progress);
            assertTrue(t.failure().contains("--threads 1"), t.failure());
            assertTrue(t.misrouted() >= Bench.MIN_MISROUTED, "misrouted " + t.misrouted() + ", reflected " + reflected);
            assertEquals(0, t.received(), "no reply reached its own thread");
            assertEquals(t.sent(), t.received() + t.lost(), "a misrouted reply's request ends lost");
            assertTrue(t.elapsedNs() < Duration.ofSeconds(10).toNanos(), "stopped early: " + t.elapsedNs() / 1e9 + " s");
            assertTrue(progress.toString().contains(" misrouted "), progress.toString());
            assertTrue(!reflector.isAlive(), "the reflector stopped before the bench closed its device");
            final StringWriter report = new StringWriter();
            BenchReport.print(run, new PrintWriter(report));
            assertTrue(report.toString().contains(Bench.MISROUTED_STOP), report.toString());
            assertTrue(BenchReport.toJson(run).contains("\"misrouted\": " + t.misrouted()));
        }
        finally
        {
            stop.set(true);
            reflector.join(5000);
        }
    }

    private static WirekvServer startServer(final RingPortPair pair)
    {
        return startServer(pair, 1);
    }

    private static WirekvServer startServer(final RingPortPair pair, final int lcores)
    {
        final ServerConfig config = new ServerConfig(
            "bench-dpdk-" + ProcessHandle.current().pid(), "127.0.0.1", 0, ServerConfig.Backend.DPDK, lcores, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withBackend(ServerConfig.Backend.DPDK,
                new BypassSettings(TestDpdk.EAL_ARGS, pair.nameA(), SERVER_IP, "", "auto", true, false))
                // large replies to a client that cannot validate over TCP (a frame link or a test's socket): no reply cap;
                // the default udp.allow (the serving /24) still applies
                .withExposure(ExposureSettings.defaults().withUnvalidatedReplyFactor(0));
        return WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(new ByteArrayOutputStream(), true));
    }

    private static void runAgainst(final WirekvServer server, final RingPortPair pair, final BenchSpec.Protocol protocol)
        throws InterruptedException
    {
        final int multiget = protocol == BenchSpec.Protocol.META ? 1 : 3;
        final Bench.Run run = benchOnceAndCheck(server, pair, protocol, 500, multiget, 1, 800, 0, protocol.toString());
        final BenchTrial t = run.trials().getFirst();
        assertTrue(t.hits() > 0 && t.stored() > 0, protocol + ": hits " + t.hits() + ", stored " + t.stored());
        final long serverMac = ((BypassPort)server.udpPorts().getFirst()).localMac();
        assertTrue(run.ports().contains(io.wirekv.dataplane.net.NetAddress.macToString(serverMac) + " (ARP)"), run.ports());
        assertTrue(BenchReport.toJson(run).contains("\"backend\": \"dpdk\""));
    }

    @Test
    void shouldNotAllocatePerRequestOnTheDpdkPort() throws Exception
    {
        final RingPortPair pair = TestDpdk.newPair(1);
        try (WirekvServer server = startServer(pair))
        {
            final KeyChooser chooser = new KeyChooser(200, 0);
            final BenchSpec warmUp = allocationSpec(server, 20_000);
            try (BypassBenchPorts ports = BypassBenchPorts.open(warmUp, backend(pair.nameB(), -1, false), Bench.ipv4(warmUp)))
            {
                // Runs counted in requests, not time: a run must be long enough in requests for C2 to compile the
                // per-request code (C1's code allocates what C2's escape analysis removes), however slowly a busy
                // machine lets the two threads take turns.
                runOnThisThread(warmUp, chooser, ports);
                final long[] shortRun = runOnThisThread(allocationSpec(server, 2_000), chooser, ports);
                final long[] longRun = runOnThisThread(allocationSpec(server, 10_000), chooser, ports);
                assertEquals(2_000, shortRun[1], "short run: every request sent");
                assertEquals(10_000, longRun[1], "long run: every request sent");
                final long extraBytes = longRun[0] - shortRun[0];
                final long extraRequests = longRun[1] - shortRun[1];
                assertTrue(extraBytes < extraRequests, "less than one byte per extra request (short run " + shortRun[0] +
                    " B for " + shortRun[1] + " requests, long run " + longRun[0] + " B for " + longRun[1] + ")");
            }
        }
    }

    /** Closed loop, 8 outstanding, until {@code requests} have been sent (or 60 s, far beyond need). */
    private static BenchSpec allocationSpec(final WirekvServer server, final long requests)
    {
        return new BenchSpec(new ServerAddress(SERVER_IP, server.udpPort()), BenchSpec.Transport.UDP,
            BenchSpec.Protocol.META, 200, 16, 32, 32, 0, 0.9, 2, 1, null, 0, 8, Duration.ofSeconds(60), requests,
            1_000_000_000L, 0.1, 11);
    }

    /** {bytes allocated by this thread, requests sent}. */
    private static long[] runOnThisThread(final BenchSpec spec, final KeyChooser chooser, final BenchPorts ports)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final BenchStats stats = new BenchStats();
        final long start = System.nanoTime();
        final BenchWorker worker = new BenchUdpWorker(spec, stats, chooser, 0, start, start + spec.duration().toNanos(),
            Bench.ipv4(spec), ports, false, false);
        final long before = threads.getCurrentThreadAllocatedBytes();
        worker.run();
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(null, worker.failure());
        assertEquals(stats.sent.sum(), stats.received.sum() + stats.lost.sum());
        assertTrue(stats.received.sum() > 0, "the appliance answered");
        return new long[] {allocated, stats.sent.sum()};
    }

    @Test
    void shouldFailWithinTheArpTimeoutNamingTheFlagWhenNobodyAnswers()
    {
        final RingPortPair silent = TestDpdk.newPair(1); // nobody polls side a
        final BenchSpec spec = new BenchSpec(new ServerAddress("10.13.1.1", 11211), BenchSpec.Transport.UDP,
            BenchSpec.Protocol.TEXT, 100, 16, 16, 16, 0, 0.9, 1, 1, null, 0, 8, Duration.ofMillis(200), 1000,
            1_000_000_000L, 0, 7);
        final long t0 = System.nanoTime();
        final IllegalArgumentException ex = assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
            assertThrows(IllegalArgumentException.class,
                () -> Bench.run(spec, backend(silent.nameB(), -1, false), BenchPlan.single(true), null)));
        final long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ex.getMessage().contains("no ARP reply for 10.13.1.1") && ex.getMessage().contains("--target-mac"),
            ex.getMessage());
        assertTrue(ms >= 300 && ms < 5000, "gave up after the 300 ms ARP timeout, not long after: " + ms + " ms");
    }

    @Test
    void shouldCountOnlyWhatTheDeviceTookWithNoReplies() throws Exception
    {
        final RingPortPair sink = TestDpdk.newPair(1); // nobody reads side a: its 1024-slot ring fills
        final Bench.Run run = Bench.run(noRepliesSpec(Duration.ofMillis(300)), backend(sink.nameB(), TARGET_MAC, true),
            BenchPlan.single(true), null);
        final BenchTrial t = run.trials().getFirst();
        assertEquals(0, run.warmUpKeys(), "no warm-up without replies");
        assertEquals(0, t.lost(), "nothing is lost when nothing is expected");
        assertEquals(0, t.received());
        assertTrue(t.sent() > 0 && t.sent() <= 1024, "at most the 1024-slot ring was taken: sent " + t.sent());
        assertTrue(t.unsent() > 0, "the full ring refused the rest, counted unsent: " + t.unsent());
        assertTrue(BenchReport.toJson(run).contains("\"no_replies\": true"));
    }

    @Test
    void shouldAddressFramesToTheTargetMacWithValidHeaders() throws Exception
    {
        final RingPortPair sink = TestDpdk.newPair(1);
        // The frames are the bench's mbufs: read them while its device (and pool) is open, i.e. during the run.
        final java.util.concurrent.CompletableFuture<byte[]> first = new java.util.concurrent.CompletableFuture<>();
        final Thread reader = Thread.ofPlatform().name("bench-dpdk-sink").start(() ->
        {
            try (TestFrameLink link = new TestFrameLink(sink.nameA()))
            {
                first.complete(link.poll(java.util.concurrent.TimeUnit.SECONDS.toNanos(3)));
            }
            catch (final RuntimeException ex)
            {
                first.completeExceptionally(ex);
            }
        });
        final Bench.Run run = Bench.run(noRepliesSpec(Duration.ofSeconds(2)), backend(sink.nameB(), TARGET_MAC, true),
            BenchPlan.single(false), null);
        reader.join(5000);
        final byte[] bytes = first.get();
        assertTrue(bytes != null, "a frame arrived on the other side");
        final TestFrames.UdpFrame frame = TestFrames.UdpFrame.parse(bytes); // checks the IPv4 and UDP checksums
        assertEquals(TARGET_MAC, frame.dstMac());
        assertEquals(TestFrames.ipv4(10, 13, 0, 2), frame.srcIp());
        assertEquals(TestFrames.ipv4(10, 13, 2, 1), frame.dstIp());
        assertEquals(11211, frame.dstPort());
        assertTrue(frame.memcachedText().startsWith("get k"), frame.memcachedText());
        assertTrue(run.trials().getFirst().sent() > 0);
    }

    private static BenchSpec noRepliesSpec(final Duration duration)
    {
        return new BenchSpec(new ServerAddress("10.13.2.1", 11211), BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT, 100,
            16, 16, 16, 0, 1.0, 1, 1, null, 0, 8, duration, 1_000_000_000L, 1_000_000_000L, 0, 7);
    }

    /**
     * One trial of the bench through side b of the pair against the appliance on side a, with 16-byte keys and
     * 32-byte values (one value size: the appliance's small test table refuses mixed sizes), checked for what every
     * such run must show: no failure, every key stored in the warm-up (a key counts only when its reply came back),
     * every request answered or lost, more than 100 answers, no errors, no wrong answers, values checked.
     */
    private static Bench.Run benchOnceAndCheck(
        final WirekvServer server, final RingPortPair pair, final BenchSpec.Protocol protocol, final int keys,
        final int multiget, final int threads, final int millis, final int dpdkQueues, final String label)
        throws InterruptedException
    {
        final BenchSpec spec = new BenchSpec(new ServerAddress(SERVER_IP, server.udpPort()), BenchSpec.Transport.UDP,
            protocol, keys, 16, 32, 32, 0, 0.9, multiget, threads, null, 0, 8, Duration.ofMillis(millis), 5_000_000,
            1_000_000_000L, 0.2, 7);
        final StringWriter progress = new StringWriter();
        final Bench.Run run = Bench.run(spec, backend(pair.nameB(), -1, false, dpdkQueues), BenchPlan.single(true),
            new PrintWriter(progress));
        final BenchTrial t = run.trials().getFirst();

        assertEquals(null, t.failure(), label + ": " + progress);
        assertEquals(keys, run.warmUpKeys(), label + ": every key stored through the port:\n" + progress);
        assertEquals(t.sent(), t.received() + t.lost(), label + ": every request answered or lost");
        assertTrue(t.received() > 100, label + ": answered " + t.received() + "\n" + progress);
        assertEquals(0, t.errors(), label + ": errors");
        assertEquals(0, t.wrongAnswers(), label + ": wrong answers");
        assertTrue(t.verified() > 0, label + ": values checked");
        return run;
    }

    private static BenchBackend backend(final String device, final long targetMac, final boolean noReplies)
    {
        return backend(device, targetMac, noReplies, 0);
    }

    private static BenchBackend backend(
        final String device, final long targetMac, final boolean noReplies, final int dpdkQueues)
    {
        return new BenchBackend(ServerConfig.Backend.DPDK,
            new BypassSettings(TestDpdk.EAL_ARGS, device, BENCH_IP, "", "auto", true, false), targetMac, 0, noReplies,
            Duration.ofMillis(300), dpdkQueues);
    }
}
