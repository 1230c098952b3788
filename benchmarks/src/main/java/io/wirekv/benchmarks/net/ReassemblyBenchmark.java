package io.wirekv.benchmarks.net;

import io.wirekv.dataplane.net.Checksums;
import io.wirekv.dataplane.net.FrameWriter;
import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.net.NetStack;
import io.wirekv.dataplane.net.PeerLink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * IPv4 reassembly on the lcore's stack: one UDP request of {@code requestBytes} arrives as the fragments a
 * sender's kernel makes for a link of {@code mtu} bytes, all in off-heap memory addressed absolutely (as on
 * DPDK); {@code reassemble} classifies every fragment and returns when the last completes the datagram (its
 * whole UDP checksum verified). {@code unfragmented} is the same request in one frame, which only a jumbo link
 * carries, for the cost of the checksum and copy alone.
 * <p>
 * Run: {@code java --enable-native-access=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar ReassemblyBenchmark
 * -prof gc} (0 B/op expected).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports",
    "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ReassemblyBenchmark
{
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long OUR_MAC = 0x0200_0000_0001L;
    private static final int OUR_IP = 0x0A00_0001;
    private static final long PEER_MAC = 0x0200_0000_0002L;
    private static final int PEER_IP = 0x0A00_0002;
    private static final int PORT = 11211;
    private static final int ETH = 14;
    private static final int IP = 20;
    private static final int SLOT = 2048;

    @Param({"3000", "16000"})
    public int requestBytes;

    @Param({"1500"})
    public int mtu;

    private Arena arena;
    private MemorySegment everything;
    private long wholeAddress;
    private int wholeLength;
    private long fragmentsAddress;
    private int[] fragmentLengths;
    private NetStack stack;

    @Setup
    public void setUp()
    {
        arena = Arena.ofConfined();
        everything = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
        stack = new NetStack(new NetAddress(OUR_MAC, OUR_IP), PORT, new NetCounters(), true);

        // the whole datagram, written by a stack standing in for the peer
        final MemorySegment whole = arena.allocate(FrameWriter.UDP_HEADERS_LENGTH + requestBytes, 64);
        for (int i = 0; i < requestBytes; i++)
        {
            whole.set(ValueLayout.JAVA_BYTE, FrameWriter.UDP_HEADERS_LENGTH + i, (byte)(i * 31 + 7));
        }
        final NetStack peer = new NetStack(new NetAddress(PEER_MAC, PEER_IP), 40000, new NetCounters(), true);
        wholeAddress = whole.address();
        wholeLength = peer.frameWriter().writeUdpHeaders(
            everything, wholeAddress, PeerLink.untagged(OUR_MAC), OUR_IP, PORT, requestBytes,
            FrameWriter.SUM_THE_PAYLOAD);

        // its fragments, one per 2 KiB slot: the whole frame's Ethernet and IP headers, patched, then a slice
        final int l4Length = 8 + requestBytes;
        final int perFragment = (mtu - IP) & ~7;
        final int count = (l4Length + perFragment - 1) / perFragment;
        final MemorySegment fragments = arena.allocate((long)count * SLOT, 64);
        fragmentsAddress = fragments.address();
        fragmentLengths = new int[count];
        for (int f = 0; f < count; f++)
        {
            final int offset = f * perFragment;
            final int length = Math.min(perFragment, l4Length - offset);
            final long frame = fragmentsAddress + (long)f * SLOT;
            MemorySegment.copy(everything, wholeAddress, everything, frame, ETH + IP);
            MemorySegment.copy(everything, wholeAddress + ETH + IP + offset, everything, frame + ETH + IP, length);
            final long ip = frame + ETH;
            everything.set(BE_SHORT, ip + 2, (short)(IP + length));
            everything.set(BE_SHORT, ip + 6, (short)((offset + length < l4Length ? 0x2000 : 0) | (offset >>> 3)));
            everything.set(BE_SHORT, ip + 10, (short)0);
            everything.set(BE_SHORT, ip + 10, (short)Checksums.checksum(everything, ip, IP));
            fragmentLengths[f] = ETH + IP + length;
        }
        if (reassemble() != NetStack.UDP_REQUEST + requestBytes || stack.counters().get(NetCounters.REASSEMBLED) != 1)
        {
            throw new IllegalStateException("the fragments do not reassemble: " + stack.counters());
        }
    }

    @TearDown
    public void tearDown()
    {
        arena.close();
    }

    @Benchmark
    public int reassemble()
    {
        int verdict = 0;
        for (int f = 0; f < fragmentLengths.length; f++)
        {
            verdict = stack.onFrame(everything, fragmentsAddress + (long)f * SLOT, fragmentLengths[f]);
        }
        return verdict + stack.payloadLength();
    }

    @Benchmark
    public int unfragmented()
    {
        // the stack only reads a UDP request, so the same frame can be classified again and again
        return stack.onFrame(everything, wholeAddress, wholeLength) + stack.payloadLength();
    }
}
