package io.wirekv.benchmarks.packetio;

import io.wirekv.dataplane.lcore.Affinity;
import io.wirekv.nativebindings.HotMemory;
import io.wirekv.nativebindings.dpdk.DpdkEthPort;
import io.wirekv.nativebindings.dpdk.Eal;
import io.wirekv.nativebindings.dpdk.MbufDescriptor;
import io.wirekv.nativebindings.dpdk.RteMbuf;
import org.agrona.UnsafeApi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The packet I/O ceiling of one Java forwarding core on DPDK: {@code rte_eth_rx_burst(32)}, swap the source
 * and destination MAC of every packet in place (through {@link MemorySegment} at the mbuf's data address, as
 * an lcore writing a reply in place does), {@code rte_eth_tx_burst}, free what the driver did not take; for a
 * bounded time. The Java twin of {@code dpdk-testpmd --forward-mode=macswap}, so the two can be compared on
 * the same device in the same run ({@code deploy/bench-packet-io.sh} does).
 * <p>
 * Prints {@code pps N} once a second (packets sent per second), then {@code median_pps N} over the seconds
 * after the warm-up. The forwarding thread is pinned (default CPU 1, where testpmd's forwarding lcore 1
 * runs), registered with the EAL, allocates nothing and reads the clock never: the main thread samples its
 * packet counter.
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     io.wirekv.benchmarks.packetio.MacSwapEcho [--seconds 10] [--warmup 2] [--cpu 1] [--burst 32]
 *     [--device net_null0] [--vdev net_null0] [--no-huge] [--eal-args '...'] [--arena-array]
 * </pre>
 * Default EAL arguments: {@code -l 0 --no-pci --no-telemetry --in-memory --file-prefix=wirekv-bench-PID
 * --vdev=net_null0} with hugepages; with {@code --no-huge} (or when no hugepage is free) {@code --no-huge
 * -m 256 --no-shconf} instead of {@code --in-memory}.
 */
public final class MacSwapEcho
{
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    @SuppressWarnings("restricted")
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final VarHandle SENT;
    private static final VarHandle RUNNING;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SENT = lookup.findVarHandle(Forwarder.class, "sent", long.class);
            RUNNING = lookup.findVarHandle(Forwarder.class, "running", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private MacSwapEcho()
    {
    }

    /**
     * Swaps destination (bytes 0..5) and source (bytes 6..11) MAC of the Ethernet frame at {@code frame} with
     * one 8-byte and one 4-byte load and store each (little-endian: byte 0 is the low byte).
     *
     * @param frame the address of the frame's first byte.
     */
    static void swapMacs(final long frame)
    {
        final long head = MEMORY.get(JAVA_LONG_UNALIGNED, frame);
        final long tail = MEMORY.get(JAVA_INT_UNALIGNED, frame + 8) & 0xFFFF_FFFFL;
        final long dst = head & MAC_MASK;
        final long src = (head >>> 48) | (tail << 16);
        MEMORY.set(JAVA_LONG_UNALIGNED, frame, src | (dst << 48));
        MEMORY.set(JAVA_INT_UNALIGNED, frame + 8, (int)(dst >>> 16));
    }

    /** Padding around the counter the forwarding thread writes, so the sampler's reads do not share its line. */
    abstract static class Padding
    {
        long p00, p01, p02, p03, p04, p05, p06, p07;
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }

    abstract static class Counters extends Padding
    {
        /** Written by the forwarding thread (setOpaque), read by the sampler (getOpaque). */
        long sent;
        long dropped;
        long bursts;
    }

    /** The forwarding loop; one instance, one pinned thread. */
    static final class Forwarder extends Counters implements Runnable
    {
        long q00, q01, q02, q03, q04, q05, q06, q07;
        long q10, q11, q12, q13, q14, q15, q16, q17;

        /** Cleared by the main thread (setOpaque); read by the forwarder once per burst. */
        boolean running = true;

        private final DpdkEthPort port;
        private final MemorySegment mbufs;
        private final int burst;
        private final int cpu;
        volatile Throwable failure;

        Forwarder(final DpdkEthPort port, final MemorySegment mbufs, final int burst, final int cpu)
        {
            this.port = port;
            this.mbufs = mbufs;
            this.burst = burst;
            this.cpu = cpu;
        }

        @Override
        public void run()
        {
            try
            {
                if (cpu >= 0)
                {
                    Affinity.pinCurrentThread(cpu);
                }
                Eal.registerThread();
                try
                {
                    loop();
                }
                finally
                {
                    Eal.unregisterThread();
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }

        private void loop()
        {
            final DpdkEthPort port = this.port;
            final MemorySegment mbufs = this.mbufs;
            final long mbufsAddress = mbufs.address();
            final int burst = this.burst;
            long sent = 0;
            long dropped = 0;
            long bursts = 0;
            // opaque: pairs with setOpaque in stop(); a plain read could be hoisted out of the loop.
            while ((boolean)RUNNING.getOpaque(this))
            {
                final int received = port.rxBurst(0, mbufs, burst);
                if (received == 0)
                {
                    continue;
                }
                for (int i = 0; i < received; i++)
                {
                    // the burst array and the mbuf read raw, as DpdkFrameQueue and MbufDescriptor do; the frame
                    // through the segment, as the appliance's L2/L3 stack writes a reply
                    swapMacs(MbufDescriptor.dataAddress(UnsafeApi.getLong(mbufsAddress + ((long)i << 3))));
                }
                final int taken = txBurstOrFree(port, mbufs, mbufsAddress, received);
                sent += taken;
                dropped += received - taken;
                bursts++;
                // opaque: publish progress to the sampler; pairs with getOpaque in main. A plain mov on x86.
                SENT.setOpaque(this, sent);
            }
            this.dropped = dropped;
            this.bursts = bursts;
        }

        long sentOpaque()
        {
            // opaque: pairs with setOpaque in loop().
            return (long)SENT.getOpaque(this);
        }

        void stop()
        {
            // opaque: pairs with getOpaque in loop().
            RUNNING.setOpaque(this, false);
        }
    }

    public static void main(final String[] args) throws Exception
    {
        int seconds = 10;
        int warmup = 2;
        int cpu = 1;
        int burst = 32;
        String device = "net_null0";
        String vdev = "net_null0";
        boolean noHuge = false;
        String ealArgs = null;
        boolean arenaArray = false;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--cpu" -> cpu = Integer.parseInt(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                case "--device" -> device = args[++i];
                case "--vdev" -> vdev = args[++i];
                case "--no-huge" -> noHuge = true;
                case "--eal-args" -> ealArgs = args[++i];
                case "--arena-array" -> arenaArray = true;
                case "-h", "--help" ->
                {
                    System.out.println("MacSwapEcho [--seconds 10] [--warmup 2] [--cpu 1] [--burst 32] " +
                        "[--device net_null0] [--vdev net_null0] [--no-huge] [--eal-args '...'] [--arena-array]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
        }

        final List<String> eal = ealArgs != null ?
            List.of(ealArgs.trim().split("\\s+")) : defaultEalArgs("wirekv-bench-" + ProcessHandle.current().pid(), vdev, noHuge);
        System.out.println("eal " + String.join(" ", eal));
        final List<Long> samples = new ArrayList<>();
        try (Eal running = Eal.start(eal);
            Arena arena = Arena.ofShared())
        {
            forward(arena, device, burst, cpu, arenaArray, warmup, seconds, samples);
        }
        finally
        {
            removeRuntimeDirectory(eal);
        }
        System.out.println("median_pps " + median(samples));
    }

    private static void forward(
        final Arena arena, final String device, final int burst, final int cpu, final boolean arenaArray,
        final int warmup, final int seconds, final List<Long> samples) throws InterruptedException
    {
        // The burst array as the appliance's DpdkFrameQueue has it: an unchecked view (HotMemory) of a shared
        // arena's memory, passed to the burst downcalls without a session acquire and release around each call.
        // --arena-array passes the arena's own segment instead (the appliance until 2026-12-06: the generated code
        // showed two lock cmpxchg per downcall). The loop reads the array through MEMORY by address either way.
        final MemorySegment mbufs = arenaArray ? arena.allocate(ADDRESS, burst) :
            HotMemory.allocate(arena, ADDRESS.byteSize() * burst, ADDRESS.byteAlignment());
        System.out.println("burst_array " + (arenaArray ? "shared-arena segment" : "unchecked view"));
        final DpdkEthPort port = DpdkEthPort.open(device,
            new DpdkEthPort.Config(1, 1, 1024, 1024, 16383, 256, RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE));
        try
        {
            final Forwarder forwarder = new Forwarder(port, mbufs, burst, cpu);
            final Thread thread = Thread.ofPlatform().name("macswap-lcore").start(forwarder);
            long last = forwarder.sentOpaque();
            long lastNs = System.nanoTime();
            final long endNs = lastNs + (warmup + seconds) * 1_000_000_000L;
            for (int second = 1; System.nanoTime() < endNs && thread.isAlive(); second++)
            {
                final long deadline = lastNs + 1_000_000_000L;
                long now;
                while ((now = System.nanoTime()) < deadline)
                {
                    Thread.sleep(Math.max(1, (deadline - now) / 1_000_000));
                }
                final long sent = forwarder.sentOpaque();
                final long pps = (sent - last) * 1_000_000_000L / (now - lastNs);
                System.out.println("pps " + pps + (second <= warmup ? " warmup" : ""));
                if (second > warmup)
                {
                    samples.add(pps);
                }
                last = sent;
                lastNs = now;
            }
            forwarder.stop();
            thread.join();
            if (forwarder.failure != null)
            {
                throw new IllegalStateException("forwarding thread failed", forwarder.failure);
            }
            System.out.println("total_sent " + forwarder.sent + " dropped " + forwarder.dropped +
                " bursts " + forwarder.bursts + " avg_burst " +
                (forwarder.bursts == 0 ? 0 : forwarder.sent / forwarder.bursts));
        }
        finally
        {
            port.close();
        }
    }

    /**
     * Removes the EAL's (empty, with --in-memory or --no-shconf) runtime directory {@code /var/run/dpdk/PREFIX},
     * so runs do not pile them up.
     *
     * @param eal the EAL arguments, read for {@code --file-prefix=}.
     */
    static void removeRuntimeDirectory(final List<String> eal)
    {
        for (final String arg : eal)
        {
            if (arg.startsWith("--file-prefix="))
            {
                try
                {
                    Files.deleteIfExists(Path.of("/var/run/dpdk", arg.substring(14)));
                }
                catch (final IOException ignored)
                {
                    // not empty (another process shares the prefix) or not ours: leave it
                }
            }
        }
    }

    static List<String> defaultEalArgs(final String prefix, final String vdev, final boolean noHuge)
    {
        final List<String> eal = new ArrayList<>(List.of(
            "-l", "0", "--no-pci", "--no-telemetry", "--log-level=notice", "--file-prefix=" + prefix, "--vdev=" + vdev));
        if (noHuge || !hugepagesFree())
        {
            eal.addAll(List.of("--no-huge", "-m", "256", "--no-shconf"));
        }
        else
        {
            eal.add("--in-memory");
        }
        return eal;
    }

    static boolean hugepagesFree()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/meminfo")))
            {
                if (line.startsWith("HugePages_Free:"))
                {
                    return Long.parseLong(line.substring("HugePages_Free:".length()).trim()) >= 64;
                }
            }
        }
        catch (final IOException | NumberFormatException ignored)
        {
            // no /proc/meminfo or an odd line: fall back to --no-huge
        }
        return false;
    }

    /**
     * {@link DpdkEthPort#txBurstOrFree} for a burst array given as a zero-length global-scope segment (which
     * {@code getAtIndex} cannot read): sends, then frees what the driver did not take. Hot path.
     *
     * @return how many were sent.
     */
    static int txBurstOrFree(final DpdkEthPort port, final MemorySegment array, final long arrayAddress, final int n)
    {
        final int sent = port.txBurst(0, array, n);
        for (int i = sent; i < n; i++)
        {
            port.freeMbuf(MEMORY.get(JAVA_LONG_UNALIGNED, arrayAddress + ((long)i << 3)));
        }
        return sent;
    }

    static long median(final List<Long> samples)
    {
        if (samples.isEmpty())
        {
            return 0;
        }
        final long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        final int n = sorted.length;
        return (n % 2 == 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
