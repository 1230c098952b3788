package io.wirekv.nativebindings.dpdk;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.libc.Sched;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DPDK for real, on virtual devices and without hugepages: every test that needs the EAL lives in this
 * one class, because the EAL can be initialised only once per process (the other DPDK test class,
 * {@link DpdkLayoutTest}, does not initialise it).
 * <p>
 * {@code net_ring0} is a loopback: with no ring arguments the ring PMD uses one ring per queue for both
 * directions, so what is sent on TX queue q comes back on RX queue q (ring of 1024 slots, 1023 usable).
 * {@code net_null0} receives packets it makes up (64 bytes, allocated from the queue's pool) and frees
 * whatever it is sent.
 */
class DpdkEthPortTest
{
    private static final int BURST = 32;
    private static final String FILE_PREFIX = "wirekv-test-" + ProcessHandle.current().pid();
    private static final List<String> EAL_ARGS = List.of(
        "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--file-prefix=" + FILE_PREFIX,
        "--no-telemetry", "--log-level=notice",
        "--vdev=net_ring0", "--vdev=net_ring1", "--vdev=net_null0");

    private static String skipReason;
    private static byte[] affinityBefore;
    private static byte[] affinityAfter;
    private static Eal eal;
    private static DpdkEthPort ring;
    private static DpdkEthPort nul;
    private static Arena arena;
    private static MemorySegment mbufs;
    private static final EthStats STATS = new EthStats();

    @BeforeAll
    static void startEal() throws IOException
    {
        // /proc/self belongs to the effective uid of this process.
        final int uid = (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (uid != 0)
        {
            skipReason = "DPDK's EAL needs root here (effective uid " + uid + "); CI runs these as root";
        }
        else if (!DpdkShim.isAvailable())
        {
            skipReason = "DPDK shim unavailable: " + DpdkShim.unavailableReason();
        }
        if (skipReason != null)
        {
            // Skipped per test (in @BeforeEach), so every test is reported as skipped with this reason.
            return;
        }

        affinityBefore = affinity();
        eal = Eal.start(EAL_ARGS);
        affinityAfter = affinity();
        Eal.registerThread();
        arena = Arena.ofShared();
        mbufs = arena.allocate(ADDRESS, 4L * BURST);
        ring = DpdkEthPort.open("net_ring0", DpdkEthPort.Config.defaults(2));
        nul = DpdkEthPort.open("net_null0", DpdkEthPort.Config.defaults(1));
    }

    @AfterAll
    static void stopEal() throws IOException
    {
        if (eal == null)
        {
            return;
        }
        try
        {
            drain(ring, 0);
            drain(ring, 1);
            ring.close();
            nul.close();
            Eal.unregisterThread();
        }
        finally
        {
            eal.close();
            arena.close();
            // --no-shconf leaves only an empty runtime directory: remove it so runs do not pile them up.
            Files.deleteIfExists(Path.of("/var/run/dpdk", FILE_PREFIX));
        }
    }

    @BeforeEach
    void resetStats()
    {
        assumeTrue(skipReason == null, skipReason);
        ring.resetStats();
        nul.resetStats();
    }

    @Test
    void shouldReceiveOnNetRingTheFrameSentOnTheSameQueue()
    {
        final int inUseBefore = ring.inUseMbufs();
        final byte[] frame = new byte[60];
        new Random(42).nextBytes(frame);

        final long mbuf = ring.allocMbuf();
        assertNotEquals(0, mbuf);
        assertEquals(0, MbufDescriptor.dataLength(mbuf), "a fresh mbuf is empty");
        assertEquals(MbufDescriptor.HEADROOM, MbufDescriptor.dataOffset(mbuf));
        assertEquals(ring.poolAddress(), MbufDescriptor.pool(mbuf));
        MbufDescriptor.copyIn(frame, 0, mbuf, 0, frame.length);
        MbufDescriptor.setLength(mbuf, frame.length);
        mbufs.setAtIndex(JAVA_LONG, 0, mbuf);

        assertEquals(1, ring.txBurst(1, mbufs, 1));
        mbufs.setAtIndex(JAVA_LONG, 0, 0);
        assertEquals(0, ring.rxBurst(0, mbufs, BURST), "queue 0's ring is another ring");
        assertEquals(1, ring.rxBurst(1, mbufs, BURST));

        final long received = mbufs.getAtIndex(JAVA_LONG, 0);
        assertEquals(frame.length, MbufDescriptor.dataLength(received));
        assertEquals(frame.length, RteMbuf.wirekv_pktmbuf_data_len(received));
        assertEquals(frame.length, MbufDescriptor.packetLength(received));
        assertEquals(1, MbufDescriptor.segmentCount(received));
        assertEquals(0, MbufDescriptor.next(received));
        final byte[] copy = new byte[frame.length];
        MbufDescriptor.copyOut(received, 0, copy, 0, copy.length);
        assertArrayEquals(frame, copy);
        ring.freeMbuf(received);

        assertEquals(0, ring.readStats(STATS));
        assertEquals(1, STATS.opackets());
        assertEquals(1, STATS.ipackets());
        assertEquals(1, STATS.queueOpackets(1));
        assertEquals(1, STATS.queueIpackets(1));
        assertEquals(0, STATS.queueIpackets(0));
        assertEquals(inUseBefore, ring.inUseMbufs(), "every mbuf went back to the pool");
    }

    @Test
    void shouldKeepTheOrderOfABurst()
    {
        assertTrue(ring.allocMbufs(mbufs, BURST));
        for (int i = 0; i < BURST; i++)
        {
            final long mbuf = mbufs.getAtIndex(JAVA_LONG, i);
            MbufDescriptor.copyIn(new byte[] {(byte)i, (byte)~i}, 0, mbuf, 0, 2);
            MbufDescriptor.setLength(mbuf, 64 + i);
        }
        assertEquals(BURST, ring.txBurst(0, mbufs, BURST));

        assertEquals(BURST, ring.rxBurst(0, mbufs, 2 * BURST));
        final byte[] head = new byte[2];
        for (int i = 0; i < BURST; i++)
        {
            final long mbuf = mbufs.getAtIndex(JAVA_LONG, i);
            MbufDescriptor.copyOut(mbuf, 0, head, 0, 2);
            assertArrayEquals(new byte[] {(byte)i, (byte)~i}, head, "packet " + i);
            assertEquals(64 + i, MbufDescriptor.dataLength(mbuf));
        }
        ring.freeMbufs(mbufs, BURST);

        assertEquals(0, ring.readStats(STATS));
        assertEquals(BURST, STATS.queueOpackets(0));
        assertEquals(BURST, STATS.queueIpackets(0));
    }

    @Test
    void shouldFreeAndCountWhatAFullRingDidNotTake()
    {
        final int inUseBefore = ring.inUseMbufs();
        long sent = 0;
        long dropped = 0;
        try
        {
            for (int round = 0; round < 64 && dropped == 0; round++)
            {
                assertTrue(ring.allocMbufs(mbufs, BURST));
                for (int i = 0; i < BURST; i++)
                {
                    MbufDescriptor.setLength(mbufs.getAtIndex(JAVA_LONG, i), 60);
                }
                final int n = ring.txBurstOrFree(1, mbufs, BURST);
                sent += n;
                dropped += BURST - n;
            }
            assertTrue(dropped > 0, "the 1024-slot ring never filled");
            assertEquals(1023, sent, "a ring of 1024 slots holds 1023");
            assertEquals(inUseBefore + sent, ring.inUseMbufs(), "only the packets in the ring are out of the pool");

            // net_ring counts what it took, but not what it refused (oerrors stays 0): the caller counts drops.
            assertEquals(0, ring.readStats(STATS));
            assertEquals(sent, STATS.opackets());
        }
        finally
        {
            assertEquals(sent, drain(ring, 1));
        }
        assertEquals(inUseBefore, ring.inUseMbufs());
    }

    @Test
    void shouldReceivePacketsFromNetNullAllocatedFromThePortsPool()
    {
        final int inUseBefore = nul.inUseMbufs();
        assertEquals(BURST, nul.rxBurst(0, mbufs, BURST));
        for (int i = 0; i < BURST; i++)
        {
            final long mbuf = mbufs.getAtIndex(JAVA_LONG, i);
            assertEquals(64, MbufDescriptor.dataLength(mbuf));
            assertEquals(nul.poolAddress(), MbufDescriptor.pool(mbuf));
            assertEquals(nul.portId(), MbufDescriptor.port(mbuf));
        }
        assertEquals(inUseBefore + BURST, nul.inUseMbufs());
        assertEquals(BURST, nul.txBurstOrFree(0, mbufs, BURST), "net_null takes and frees everything");
        assertEquals(inUseBefore, nul.inUseMbufs());

        assertEquals(0, nul.readStats(STATS));
        assertEquals(BURST, STATS.ipackets());
        assertEquals(BURST, STATS.opackets());
    }

    @Test
    void shouldReportDriverMacAndLink()
    {
        final DpdkEthPort.DeviceInfo info = ring.deviceInfo();
        assertEquals("net_ring", info.driverName());
        assertTrue(info.maxRxQueues() >= 2, info.toString());
        assertEquals("net_null", nul.deviceInfo().driverName());

        // net_null draws a random unicast, locally administered address; net_ring has none (all zeroes).
        final long mac = nul.macAddress();
        assertEquals(0x02, (mac >>> 40) & 0x03, DpdkEthPort.formatMac(mac));
        assertTrue(DpdkEthPort.formatMac(mac).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), DpdkEthPort.formatMac(mac));
        assertEquals(0, ring.macAddress());
        assertEquals("02:00:00:00:00:ff", DpdkEthPort.formatMac(0x0200_0000_00FFL));

        final DpdkEthPort.Link link = ring.link();
        assertTrue(link.up(), link.toString());
        assertEquals(10_000, link.speedMbps(), link.toString());
        assertTrue(link.fullDuplex(), link.toString());
    }

    @Test
    void shouldGiveARegisteredThreadItsOwnLcore() throws InterruptedException
    {
        final AtomicInteger lcore = new AtomicInteger(-2);
        final AtomicInteger before = new AtomicInteger(-2);
        final AtomicInteger after = new AtomicInteger(-2);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = Thread.ofPlatform().name("lcore-test").start(() ->
        {
            try
            {
                before.set(RteEal.rte_lcore_id());
                lcore.set(Eal.registerThread());
                Eal.unregisterThread();
                after.set(RteEal.rte_lcore_id());
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        thread.join(10_000);

        assertNull(failure.get());
        assertEquals(-1, before.get(), "LCORE_ID_ANY before registering");
        assertTrue(lcore.get() >= 0 && lcore.get() < 128, "lcore " + lcore.get());
        assertNotEquals(eal.mainLcore(), lcore.get());
        assertEquals(-1, after.get(), "LCORE_ID_ANY after unregistering");
    }

    @Test
    void shouldLeaveTheCallersCpuAffinityAloneAndKeepTheEalThread()
    {
        // rte_eal_init pins its calling thread: that must be wirekv-eal, not the thread that called Eal.start.
        assertArrayEquals(affinityBefore, affinityAfter);
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> "wirekv-eal".equals(t.getName())),
            "the EAL thread is kept until Eal.close()");
    }

    @Test
    void shouldRefuseASecondEalInThisProcess()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> Eal.start(EAL_ARGS));
        assertTrue(ex.getMessage().contains("once per process"), ex.getMessage());
        assertEquals(0, eal.mainLcore());
    }

    @Test
    void shouldNameTheVdevOptionForAnUnknownPort()
    {
        final NativeException ex = assertThrows(NativeException.class, () -> DpdkEthPort.portIdByName("net_ring9"));
        assertTrue(ex.getMessage().contains("--vdev=net_ring9"), ex.getMessage());
    }

    @Test
    void shouldRefuseMoreQueuesThanTheDeviceOffersThenOpenAndCloseForGood()
    {
        final DpdkEthPort.Config tooMany = new DpdkEthPort.Config(1000, 1, 1024, 1024, 2047, 64, 2176);
        final NativeException ex = assertThrows(NativeException.class, () -> DpdkEthPort.open("net_ring1", tooMany));
        assertTrue(ex.getMessage().contains("offers"), ex.getMessage());

        final DpdkEthPort.Config bigPool = new DpdkEthPort.Config(1, 1, 1024, 1024, 1 << 20, 256, 2176);
        final NativeException noMemory = assertThrows(NativeException.class, () -> DpdkEthPort.open("net_ring1", bigPool));
        assertTrue(noMemory.getMessage().contains("rte_pktmbuf_pool_create"), noMemory.getMessage());

        // The failed opens freed their pool: the same pool name is free again.
        final DpdkEthPort port = DpdkEthPort.open("net_ring1", new DpdkEthPort.Config(1, 1, 512, 512, 2047, 64, 2176));
        assertEquals(2047, port.availableMbufs() + port.inUseMbufs());
        port.close();
        port.close();
        assertThrows(NativeException.class, () -> DpdkEthPort.portIdByName("net_ring1"), "closing releases the device");
    }

    @Test
    void shouldNotAllocateOnTheBurstPath()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        long packets = 0;
        for (int i = 0; i < 20_000; i++)
        {
            packets += burstThroughNetNull();
        }
        // Steady-state allocation shows in every round; a one-off (a JIT transition, the MXBean's own first
        // call) in one at most, so the least of three rounds is the hot path's own.
        long leastAllocated = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            final long allocatedBefore = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < 10_000; i++)
            {
                packets += burstThroughNetNull();
            }
            leastAllocated = Math.min(leastAllocated, threads.getThreadAllocatedBytes(threadId) - allocatedBefore);
        }

        assertEquals(50_000L * BURST, packets);
        assertEquals(0, leastAllocated, "bytes allocated by 10,000 RX/TX bursts");
    }

    private static int burstThroughNetNull()
    {
        final int received = nul.rxBurst(0, mbufs, BURST);
        for (int i = 0; i < received; i++)
        {
            final long mbuf = mbufs.getAtIndex(JAVA_LONG, i);
            MbufDescriptor.setLength(mbuf, MbufDescriptor.dataLength(mbuf));
        }
        return nul.txBurstOrFree(0, mbufs, received);
    }

    private static byte[] affinity()
    {
        try (Arena confined = Arena.ofConfined())
        {
            final MemorySegment mask = confined.allocate(Sched.CPU_SET_BYTES, 8);
            assertEquals(0, Sched.sched_getaffinity(Errno.threadState(), 0, mask));
            return mask.toArray(JAVA_BYTE);
        }
    }

    private static long drain(final DpdkEthPort port, final int queue)
    {
        long drained = 0;
        int n;
        while ((n = port.rxBurst(queue, mbufs, BURST)) > 0)
        {
            port.freeMbufs(mbufs, n);
            drained += n;
        }
        return drained;
    }
}
