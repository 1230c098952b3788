package io.wirekv.benchmarks.packetio;

import io.wirekv.dataplane.lcore.Affinity;
import io.wirekv.nativebindings.dpdk.DpdkEthPort;
import io.wirekv.nativebindings.dpdk.Eal;
import io.wirekv.nativebindings.dpdk.MbufDescriptor;
import io.wirekv.nativebindings.dpdk.RteMbuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A minimal DPDK frame generator for memcached {@code get} over UDP: it owns one DPDK port (by default the
 * client side of a {@code net_memif} pair whose server side is the appliance, or dpdk-testpmd), learns the
 * server's MAC by ARP (or takes {@code --dst-mac}), preloads the keys with {@code set} requests, then sends
 * pre-built {@code get} frames (one request per frame, keys round-robin) with at most {@code --window}
 * requests outstanding and counts the replies per second. Prints {@code rps N} (replies per second) once a
 * second and {@code median_rps N} over the seconds after the warm-up, plus hits, misses, loss.
 * <p>
 * Modes: {@code --window W} (default 256) is a closed loop, a new request only for a reply (or a request
 * written off as lost after {@code --stall-ms} without any reply); {@code --window 0} is open loop at the
 * generator's maximum, which with {@code --no-rx} on {@code net_null} or against a peer that drops
 * (testpmd {@code rxonly}) is the generator's own ceiling ({@code tx_pps}). {@code --loose} counts every
 * UDP/IPv4 frame received as a reply (for an echoing peer such as testpmd {@code macswap}).
 * <p>
 * With {@code --server-pid}, each second also reads the CPU time the server's serving thread (by name) was
 * given and prints {@code rps_per_core}: replies per second divided by that thread's share of a core, the
 * service rate of one fully available core (on a shared machine the lcore is time-sliced with other work).
 * <p>
 * The sending thread is pinned ({@code --cpu}, default 0), registered with the EAL, and allocates nothing
 * in its loop; the main thread samples its counters.
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     io.wirekv.benchmarks.packetio.MemifGetGenerator --vdev net_memif0,role=client,socket=/run/x.sock \
 *     [--device net_memif0] [--server-ip 10.77.0.1] [--client-ip 10.77.0.2] [--port 11211] [--keys 10000]
 *     [--key-size 16] [--value-size 32] [--window 256] [--seconds 10] [--warmup 2] [--cpu 0] [--no-huge]
 *     [--dst-mac MAC] [--no-preload] [--loose] [--no-rx] [--burst 32] [--eal-args '...']
 *     [--server-pid PID [--server-thread wirekv-lcore-0]]
 * </pre>
 */
public final class MemifGetGenerator
{
    private static final ValueLayout.OfShort BE_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long NS_PER_S = 1_000_000_000L;

    @SuppressWarnings("restricted")
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final VarHandle REPLIES;
    private static final VarHandle SENT;
    private static final VarHandle RUNNING;
    private static final VarHandle PHASE;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            REPLIES = lookup.findVarHandle(Generator.class, "replies", long.class);
            SENT = lookup.findVarHandle(Generator.class, "sent", long.class);
            RUNNING = lookup.findVarHandle(Generator.class, "running", boolean.class);
            PHASE = lookup.findVarHandle(Generator.class, "phase", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    static final int PHASE_SETUP = 0;
    static final int PHASE_GET = 1;
    static final int PHASE_DONE = 2;

    /** Command-line options. */
    static final class Options
    {
        String vdev = null;
        String device = "net_memif0";
        String ealArgs = null;
        boolean noHuge = false;
        int serverIp = GetFrames.parseIpv4("10.77.0.1");
        int clientIp = GetFrames.parseIpv4("10.77.0.2");
        int port = 11211;
        int sourcePort = 40000;
        int keys = 10_000;
        int keySize = 16;
        int valueSize = 32;
        int window = 256;
        int burst = 32;
        int seconds = 10;
        int warmup = 2;
        int cpu = 0;
        long dstMac = -1;
        boolean preload = true;
        boolean loose = false;
        boolean rx = true;
        long stallNs = 10_000_000L;
        int linkTimeoutS = 20;
        long serverPid = -1;
        String serverThread = "wirekv-lcore-0";

        static Options parse(final String[] args)
        {
            final Options o = new Options();
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--vdev" -> o.vdev = args[++i];
                    case "--device" -> o.device = args[++i];
                    case "--eal-args" -> o.ealArgs = args[++i];
                    case "--no-huge" -> o.noHuge = true;
                    case "--server-ip" -> o.serverIp = GetFrames.parseIpv4(args[++i]);
                    case "--client-ip" -> o.clientIp = GetFrames.parseIpv4(args[++i]);
                    case "--port" -> o.port = Integer.parseInt(args[++i]);
                    case "--keys" -> o.keys = Integer.parseInt(args[++i]);
                    case "--key-size" -> o.keySize = Integer.parseInt(args[++i]);
                    case "--value-size" -> o.valueSize = Integer.parseInt(args[++i]);
                    case "--window" -> o.window = Integer.parseInt(args[++i]);
                    case "--burst" -> o.burst = Integer.parseInt(args[++i]);
                    case "--seconds" -> o.seconds = Integer.parseInt(args[++i]);
                    case "--warmup" -> o.warmup = Integer.parseInt(args[++i]);
                    case "--cpu" -> o.cpu = Integer.parseInt(args[++i]);
                    case "--dst-mac" -> o.dstMac = GetFrames.parseMac(args[++i]);
                    case "--no-preload" -> o.preload = false;
                    case "--loose" -> o.loose = true;
                    case "--no-rx" -> o.rx = false;
                    case "--stall-ms" -> o.stallNs = Long.parseLong(args[++i]) * 1_000_000L;
                    case "--link-timeout" -> o.linkTimeoutS = Integer.parseInt(args[++i]);
                    case "--server-pid" -> o.serverPid = Long.parseLong(args[++i]);
                    case "--server-thread" -> o.serverThread = args[++i];
                    case "-h", "--help" ->
                    {
                        System.out.println("see the Javadoc of " + MemifGetGenerator.class.getName() + " for options");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
                }
            }
            if (o.vdev == null && o.ealArgs == null)
            {
                throw new IllegalArgumentException("--vdev (e.g. net_memif0,role=client,socket=/run/x.sock) or " +
                    "--eal-args is required");
            }
            if (o.keySize < 8 || o.keySize > 250 || o.keys < 1 || o.burst < 1 || o.burst > 512)
            {
                throw new IllegalArgumentException("key size 8..250, keys >= 1, burst 1..512");
            }
            return o;
        }
    }

    /** Padding before the counters the generator thread publishes. */
    abstract static class Padding
    {
        long p00, p01, p02, p03, p04, p05, p06, p07;
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }

    abstract static class Counters extends Padding
    {
        /** Written by the generator thread (setOpaque), read by the sampler (getOpaque). */
        long replies;
        /** Written by the generator thread (setOpaque), read by the sampler (getOpaque). */
        long sent;
        long hits;
        long misses;
        long stored;
        long other;
        long lost;
        /** TX bursts the driver took only part of (ring full); the rest is retried next cycle. */
        long txRefused;
        long noMbuf;
    }

    /** The generator: one instance, run by one pinned thread. */
    static final class Generator extends Counters implements Runnable
    {
        long q00, q01, q02, q03, q04, q05, q06, q07;
        long q10, q11, q12, q13, q14, q15, q16, q17;
        /** Cleared by the main thread (setOpaque); read by the generator each cycle. */
        boolean running = true;
        /** Written by the generator thread (setRelease), read by main (getAcquire). */
        int phase = PHASE_SETUP;

        private final Options o;
        private final DpdkEthPort port;
        private final long srcMac;
        private final long rxArray;
        private final long txArray;
        private final MemorySegment rxSegment;
        private final MemorySegment txSegment;
        private final Arena arena;
        volatile Throwable failure;
        volatile long serverMac = -1;
        volatile String setupReport = "";

        Generator(final Options o, final DpdkEthPort port, final Arena arena)
        {
            this.o = o;
            this.port = port;
            this.arena = arena;
            this.srcMac = port.macAddress();
            // Zero-length global-scope views of the burst arrays (read by address; see MacSwapEcho on the cost).
            this.rxArray = arena.allocate(ADDRESS, o.burst).address();
            this.txArray = arena.allocate(ADDRESS, o.burst).address();
            this.rxSegment = MemorySegment.ofAddress(rxArray);
            this.txSegment = MemorySegment.ofAddress(txArray);
        }

        @Override
        public void run()
        {
            try
            {
                if (o.cpu >= 0)
                {
                    Affinity.pinCurrentThread(o.cpu);
                }
                Eal.registerThread();
                try
                {
                    setupAndRun();
                }
                finally
                {
                    drainRx(50_000_000L);
                    Eal.unregisterThread();
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
            finally
            {
                // release: publish the final counters; pairs with getAcquire in main.
                PHASE.setRelease(this, PHASE_DONE);
            }
        }

        private void setupAndRun()
        {
            long mac = o.dstMac;
            if (mac < 0)
            {
                mac = arp();
            }
            serverMac = mac;

            final Templates gets = new Templates(arena, o.keys, i -> GetFrames.udpFrame(serverMacOrThrow(), srcMac,
                o.clientIp, o.serverIp, o.sourcePort, o.port, i & 0xFFFF, GetFrames.getRequest(GetFrames.key(i, o.keySize))));
            if (o.preload)
            {
                final Templates sets = new Templates(arena, o.keys, i -> GetFrames.udpFrame(serverMacOrThrow(), srcMac,
                    o.clientIp, o.serverIp, o.sourcePort, o.port, i & 0xFFFF,
                    GetFrames.setRequest(GetFrames.key(i, o.keySize), o.valueSize)));
                final long startNs = System.nanoTime();
                loop(sets, Math.max(1, Math.min(o.window == 0 ? 64 : o.window, 64)), o.keys, startNs + 30 * NS_PER_S);
                final long storedBefore = stored;
                setupReport = "preload: " + o.keys + " sets sent, " + storedBefore + " STORED, " + lost + " lost, " +
                    other + " other, in " + (System.nanoTime() - startNs) / 1_000_000 + " ms";
                resetCounters();
            }
            // release: the GET phase starts now; pairs with getAcquire in main.
            PHASE.setRelease(this, PHASE_GET);
            loop(gets, o.window, Long.MAX_VALUE, Long.MAX_VALUE);
        }

        private long serverMacOrThrow()
        {
            return serverMac;
        }

        private void resetCounters()
        {
            replies = 0;
            sent = 0;
            hits = 0;
            misses = 0;
            stored = 0;
            other = 0;
            lost = 0;
            txRefused = 0;
            noMbuf = 0;
        }

        /**
         * Sends ARP requests for the server's address until a reply names its MAC (setup time).
         */
        private long arp()
        {
            final byte[] request = GetFrames.arpRequest(srcMac, o.clientIp, o.serverIp);
            final long deadline = System.nanoTime() + 10 * NS_PER_S;
            long nextSendNs = 0;
            while (System.nanoTime() < deadline && (boolean)RUNNING.getOpaque(this))
            {
                if (System.nanoTime() >= nextSendNs)
                {
                    final long mbuf = port.allocMbuf();
                    if (mbuf != 0)
                    {
                        MbufDescriptor.copyIn(request, 0, mbuf, 0, request.length);
                        MbufDescriptor.setLength(mbuf, request.length);
                        MEMORY.set(JAVA_LONG, txArray, mbuf);
                        txBurstOrFree(port, txSegment, txArray, 1);
                    }
                    nextSendNs = System.nanoTime() + 200_000_000L;
                }
                final int n = port.rxBurst(0, rxSegment, o.burst);
                long found = -1;
                for (int i = 0; i < n; i++)
                {
                    final long data = MbufDescriptor.dataAddress(MEMORY.get(JAVA_LONG, rxArray + 8L * i));
                    if (Short.toUnsignedInt(MEMORY.get(BE_SHORT, data + GetFrames.ETHER_TYPE_OFFSET)) == GetFrames.ETHER_TYPE_ARP &&
                        Short.toUnsignedInt(MEMORY.get(BE_SHORT, data + 20)) == 2 &&
                        MEMORY.get(BE_INT, data + 28) == o.serverIp)
                    {
                        long mac = 0;
                        for (int b = 0; b < 6; b++)
                        {
                            mac = (mac << 8) | (MEMORY.get(JAVA_BYTE, data + 22 + b) & 0xFF);
                        }
                        found = mac;
                    }
                }
                if (n > 0)
                {
                    port.freeMbufs(rxSegment, n);
                }
                if (found >= 0)
                {
                    return found;
                }
            }
            throw new IllegalStateException("no ARP reply for " + ipv4(o.serverIp) + " in 10 s: is the server up " +
                "and answering on that address? (or pass --dst-mac)");
        }

        /**
         * The duty cycle: receive and classify a burst, then send as many frames as the window allows.
         *
         * @param frames   what to send, round-robin.
         * @param window   most requests outstanding; 0: no limit (open loop).
         * @param maxSends stop after this many sends (and their replies, or the stall timeout).
         * @param endNs    stop at this time.
         */
        private void loop(final Templates frames, final int window, final long maxSends, final long endNs)
        {
            final DpdkEthPort port = this.port;
            final MemorySegment rxSegment = this.rxSegment;
            final MemorySegment txSegment = this.txSegment;
            final long rxArray = this.rxArray;
            final long txArray = this.txArray;
            final int burst = o.burst;
            final boolean doRx = o.rx;
            final boolean loose = o.loose;
            final int serverPort = o.port;
            final long stallNs = o.stallNs;
            final int frameCount = frames.count;
            final long templates = frames.address;
            final int stride = frames.stride;
            final int[] lengths = frames.lengths;

            long sent = 0;
            long replies = 0;
            long hits = 0;
            long misses = 0;
            long stored = 0;
            long other = 0;
            long lost = 0;
            long txRefused = 0;
            long noMbuf = 0;
            int next = 0;
            int pending = 0;
            long lastReplyNs = System.nanoTime();

            // opaque: pairs with setOpaque in stop(); a plain read could be hoisted out of the loop.
            while ((boolean)RUNNING.getOpaque(this))
            {
                if (doRx)
                {
                    final int n = port.rxBurst(0, rxSegment, burst);
                    for (int i = 0; i < n; i++)
                    {
                        final long mbuf = MEMORY.get(JAVA_LONG, rxArray + ((long)i << 3));
                        final long data = MbufDescriptor.dataAddress(mbuf);
                        final int length = MbufDescriptor.dataLength(mbuf);
                        if (length > GetFrames.PAYLOAD_OFFSET &&
                            MEMORY.get(BE_SHORT, data + GetFrames.ETHER_TYPE_OFFSET) == GetFrames.ETHER_TYPE_IPV4 &&
                            MEMORY.get(JAVA_BYTE, data + GetFrames.IP_PROTOCOL_OFFSET) == GetFrames.IP_PROTOCOL_UDP &&
                            (loose || Short.toUnsignedInt(MEMORY.get(BE_SHORT, data + GetFrames.UDP_SOURCE_PORT_OFFSET)) == serverPort))
                        {
                            replies++;
                            final byte first = MEMORY.get(JAVA_BYTE, data + GetFrames.PAYLOAD_OFFSET);
                            if (first == 'V')
                            {
                                hits++;
                            }
                            else if (first == 'E')
                            {
                                misses++;
                            }
                            else if (first == 'S')
                            {
                                stored++;
                            }
                            else
                            {
                                other++;
                            }
                        }
                        else
                        {
                            other++;
                        }
                    }
                    if (n > 0)
                    {
                        port.freeMbufs(rxSegment, n);
                        lastReplyNs = 0; // a reply came: the stall clock restarts at the next idle check
                    }
                }

                if (pending == 0)
                {
                    long credit;
                    if (window == 0)
                    {
                        credit = burst;
                    }
                    else
                    {
                        final long outstanding = sent - replies - lost;
                        credit = window - outstanding;
                        if (credit <= 0)
                        {
                            // Blocked: read the clock only here; write the window off as lost after stallNs of silence.
                            final long now = System.nanoTime();
                            if (lastReplyNs == 0)
                            {
                                lastReplyNs = now;
                            }
                            else if (now - lastReplyNs > stallNs)
                            {
                                lost += outstanding;
                                lastReplyNs = now;
                            }
                            publish(replies, sent);
                            continue;
                        }
                    }
                    if (sent >= maxSends)
                    {
                        if (sent - replies - lost <= 0 || System.nanoTime() > endNs)
                        {
                            break;
                        }
                        if (lastReplyNs == 0)
                        {
                            lastReplyNs = System.nanoTime();
                        }
                        else if (System.nanoTime() - lastReplyNs > stallNs)
                        {
                            lost += sent - replies - lost;
                        }
                        continue;
                    }
                    final int k = (int)Math.min(Math.min(credit, burst), maxSends - sent);
                    if (!port.allocMbufs(txSegment, k))
                    {
                        noMbuf++;
                        publish(replies, sent);
                        continue;
                    }
                    for (int i = 0; i < k; i++)
                    {
                        final long mbuf = MEMORY.get(JAVA_LONG, txArray + ((long)i << 3));
                        final int length = lengths[next];
                        MemorySegment.copy(MEMORY, templates + (long)next * stride, MEMORY, MbufDescriptor.dataAddress(mbuf), length);
                        MbufDescriptor.setLength(mbuf, length);
                        if (++next == frameCount)
                        {
                            next = 0;
                        }
                    }
                    pending = k;
                }
                // A full TX ring keeps the rest for the next cycle (built once, never rebuilt or dropped).
                final int taken = port.txBurst(0, txSegment, pending);
                sent += taken;
                if (taken < pending)
                {
                    txRefused++;
                    if (taken > 0)
                    {
                        MemorySegment.copy(MEMORY, txArray + ((long)taken << 3), MEMORY, txArray, (long)(pending - taken) << 3);
                    }
                }
                pending -= taken;
                publish(replies, sent);
            }
            for (int i = 0; i < pending; i++)
            {
                port.freeMbuf(MEMORY.get(JAVA_LONG, txArray + ((long)i << 3)));
            }
            this.hits = hits;
            this.misses = misses;
            this.stored = stored;
            this.other = other;
            this.lost = lost;
            this.txRefused = txRefused;
            this.noMbuf = noMbuf;
            publish(replies, sent);
        }

        private void publish(final long replies, final long sent)
        {
            // opaque: progress for the sampler; pairs with getOpaque in main. Plain movs on x86.
            REPLIES.setOpaque(this, replies);
            SENT.setOpaque(this, sent);
        }

        private void drainRx(final long forNs)
        {
            final long end = System.nanoTime() + forNs;
            while (System.nanoTime() < end)
            {
                final int n = port.rxBurst(0, rxSegment, o.burst);
                if (n > 0)
                {
                    port.freeMbufs(rxSegment, n);
                }
            }
        }

        void stop()
        {
            // opaque: pairs with getOpaque in loop().
            RUNNING.setOpaque(this, false);
        }
    }

    /** Pre-built frames in one native block, {@code stride} bytes apart. */
    static final class Templates
    {
        final int count;
        final int stride;
        final long address;
        final int[] lengths;

        Templates(final Arena arena, final int count, final java.util.function.IntFunction<byte[]> frame)
        {
            final byte[][] frames = new byte[count][];
            int longest = 0;
            for (int i = 0; i < count; i++)
            {
                frames[i] = frame.apply(i);
                longest = Math.max(longest, frames[i].length);
            }
            if (longest > RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE - MbufDescriptor.HEADROOM)
            {
                throw new IllegalArgumentException("frame of " + longest + " bytes does not fit an mbuf");
            }
            this.count = count;
            this.stride = (longest + 63) & ~63;
            final MemorySegment block = arena.allocate((long)stride * count, 64);
            this.address = block.address();
            this.lengths = new int[count];
            for (int i = 0; i < count; i++)
            {
                MemorySegment.copy(frames[i], 0, block, JAVA_BYTE, (long)i * stride, frames[i].length);
                lengths[i] = frames[i].length;
            }
        }
    }

    private MemifGetGenerator()
    {
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
            port.freeMbuf(MEMORY.get(JAVA_LONG, arrayAddress + ((long)i << 3)));
        }
        return sent;
    }

    public static void main(final String[] args) throws Exception
    {
        final Options o = Options.parse(args);
        final String prefix = "wirekv-gen-" + ProcessHandle.current().pid();
        final List<String> eal;
        if (o.ealArgs != null)
        {
            eal = List.of(o.ealArgs.trim().split("\\s+"));
        }
        else
        {
            eal = MacSwapEcho.defaultEalArgs(prefix, o.vdev, o.noHuge);
        }
        System.out.println("eal " + String.join(" ", eal));
        final List<Long> samples = new ArrayList<>();
        final List<Long> txSamples = new ArrayList<>();
        try (Eal running = Eal.start(eal);
            Arena arena = Arena.ofShared())
        {
            run(o, arena, samples, txSamples);
        }
        finally
        {
            MacSwapEcho.removeRuntimeDirectory(eal);
        }
        System.out.println("median_tx_pps " + MacSwapEcho.median(txSamples));
        System.out.println("median_rps " + MacSwapEcho.median(samples));
    }

    private static void run(final Options o, final Arena arena, final List<Long> samples, final List<Long> txSamples)
        throws InterruptedException
    {
        final DpdkEthPort port = DpdkEthPort.open(o.device,
            new DpdkEthPort.Config(1, 1, 1024, 1024, 16383, 256, RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE));
        try
        {
            awaitLink(port, o.linkTimeoutS);
            final Generator generator = new Generator(o, port, arena);
            System.out.println("port " + o.device + " mac " + DpdkEthPort.formatMac(port.macAddress()) + " link up");
            final Thread thread = Thread.ofPlatform().name("get-generator").start(generator);
            final long setupDeadline = System.nanoTime() + 60 * NS_PER_S;
            while ((int)PHASE.getAcquire(generator) == PHASE_SETUP && System.nanoTime() < setupDeadline)
            {
                Thread.sleep(10);
            }
            if ((int)PHASE.getAcquire(generator) == PHASE_GET)
            {
                System.out.println("server mac " + DpdkEthPort.formatMac(generator.serverMac));
                if (!generator.setupReport.isEmpty())
                {
                    System.out.println(generator.setupReport);
                }
                sample(generator, o, samples, txSamples);
            }
            generator.stop();
            thread.join(10_000);
            if (generator.failure != null)
            {
                throw new IllegalStateException("generator thread failed", generator.failure);
            }
            System.out.println("get phase: sent " + generator.sent + " replies " + generator.replies + " hits " +
                generator.hits + " misses " + generator.misses + " other " + generator.other + " lost " +
                generator.lost + " tx_partial " + generator.txRefused + " no_mbuf " + generator.noMbuf);
        }
        finally
        {
            port.close();
        }
    }

    private static void sample(final Generator generator, final Options o, final List<Long> samples, final List<Long> txSamples)
        throws InterruptedException
    {
        final ServerThreadClock serverClock = o.serverPid > 0 ? ServerThreadClock.find(o.serverPid, o.serverThread) : null;
        if (o.serverPid > 0)
        {
            System.out.println(serverClock == null ? "server thread " + o.serverThread + " of pid " + o.serverPid +
                " not found: no CPU share" : "server thread " + serverClock);
        }
        final List<Long> perCore = new ArrayList<>();
        final List<Long> shares = new ArrayList<>();
        long lastTicks = serverClock == null ? 0 : serverClock.ticks();
        long lastReplies = (long)REPLIES.getOpaque(generator);
        long lastSent = (long)SENT.getOpaque(generator);
        long lastNs = System.nanoTime();
        for (int second = 1; second <= o.warmup + o.seconds && (int)PHASE.getAcquire(generator) == PHASE_GET; second++)
        {
            final long deadline = lastNs + NS_PER_S;
            long now;
            while ((now = System.nanoTime()) < deadline)
            {
                Thread.sleep(Math.max(1, (deadline - now) / 1_000_000));
            }
            // opaque: pairs with setOpaque in Generator.publish.
            final long replies = (long)REPLIES.getOpaque(generator);
            final long sent = (long)SENT.getOpaque(generator);
            final long rps = (replies - lastReplies) * NS_PER_S / (now - lastNs);
            final long txPps = (sent - lastSent) * NS_PER_S / (now - lastNs);
            String cpu = "";
            long rpsPerCore = -1;
            long sharePercent = -1;
            if (serverClock != null)
            {
                final long ticks = serverClock.ticks();
                // CPU time the server thread was given in this second, in percent of the wall time.
                sharePercent = (ticks - lastTicks) * 100L * NS_PER_S / ServerThreadClock.CLOCK_TICKS_PER_S / (now - lastNs);
                rpsPerCore = sharePercent > 0 ? rps * 100 / sharePercent : 0;
                cpu = " server_cpu " + sharePercent + "% rps_per_core " + rpsPerCore;
                lastTicks = ticks;
            }
            System.out.println("rps " + rps + " tx_pps " + txPps + cpu + (second <= o.warmup ? " warmup" : ""));
            if (second > o.warmup)
            {
                samples.add(rps);
                txSamples.add(txPps);
                if (rpsPerCore >= 0)
                {
                    perCore.add(rpsPerCore);
                    shares.add(sharePercent);
                }
            }
            lastReplies = replies;
            lastSent = sent;
            lastNs = now;
        }
        if (!perCore.isEmpty())
        {
            System.out.println("median_server_cpu_percent " + MacSwapEcho.median(shares));
            System.out.println("median_rps_per_core " + MacSwapEcho.median(perCore));
        }
    }

    /**
     * The CPU time (user + system, in clock ticks) of one thread of another process, from
     * {@code /proc/PID/task/TID/stat}: the server's serving thread, so GET/s can be divided by the share of
     * a core it was actually given (on a shared machine the lcore is time-sliced with other tenants).
     */
    static final class ServerThreadClock
    {
        /** {@code sysconf(_SC_CLK_TCK)}: 100 on Linux x86_64 and arm64. */
        static final long CLOCK_TICKS_PER_S = 100;

        private final Path stat;
        private final String name;

        private ServerThreadClock(final Path stat, final String name)
        {
            this.stat = stat;
            this.name = name;
        }

        static ServerThreadClock find(final long pid, final String threadName)
        {
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
            {
                for (final Path task : (Iterable<Path>)tasks::iterator)
                {
                    final String comm = Files.readString(task.resolve("comm")).trim();
                    if (comm.contains(threadName))
                    {
                        return new ServerThreadClock(task.resolve("stat"), comm + " (tid " + task.getFileName() + ")");
                    }
                }
            }
            catch (final IOException ex)
            {
                return null;
            }
            return null;
        }

        long ticks()
        {
            try
            {
                final String line = Files.readString(stat);
                // Fields after the ")" that closes comm: state is field 3, utime 14, stime 15.
                final String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
            catch (final IOException | RuntimeException ex)
            {
                return 0;
            }
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    private static void awaitLink(final DpdkEthPort port, final int timeoutS) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutS * NS_PER_S;
        while (!port.link().up())
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("link of " + port.name() + " not up after " + timeoutS + " s: is the " +
                    "memif server (the appliance or testpmd) running on the same socket?");
            }
            Thread.sleep(10);
        }
    }

    static String ipv4(final int ip)
    {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }
}
