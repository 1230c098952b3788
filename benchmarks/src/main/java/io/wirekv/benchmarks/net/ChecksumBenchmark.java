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
 * The Internet checksum over UDP payload sizes, in off-heap memory addressed absolutely (as on DPDK):
 * {@code checksum} is {@link Checksums} (64-bit loads, two accumulators, one fold), {@code naive16} the
 * textbook 16-bit-at-a-time loop as a baseline; {@code copyAndSum} is a reply's payload going into its frame and its
 * sum in one pass (BypassPort's send); {@code writeUdpHeaders} and {@code onFrameUdp} are the stack's send and
 * receive paths around it (both compute or verify the UDP checksum over the payload).
 * <p>
 * Run: {@code java --enable-native-access=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar ChecksumBenchmark
 * -prof gc} (0 B/op expected everywhere).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ChecksumBenchmark
{
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long OUR_MAC = 0x0200_0000_0001L;
    private static final int OUR_IP = 0x0A00_0001;
    private static final long PEER_MAC = 0x0200_0000_0002L;
    private static final int PEER_IP = 0x0A00_0002;
    private static final int PORT = 11211;

    /** 77: a GET reply of a 16-byte key and 32-byte value with its 8-byte frame header (a 13-byte tail). */
    @Param({"64", "77", "512", "1400"})
    public int payloadBytes;

    private Arena arena;
    private MemorySegment everything;
    private long payloadAddress;
    private long frameAddress;
    private long requestAddress;
    private int requestLength;
    private NetStack stack;

    @Setup
    public void setUp()
    {
        arena = Arena.ofConfined();
        everything = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
        final MemorySegment frame = arena.allocate(2048, 64);
        for (int i = 0; i < 2048; i++)
        {
            frame.set(ValueLayout.JAVA_BYTE, i, (byte)(i * 31 + 7));
        }
        frameAddress = frame.address();
        payloadAddress = frameAddress + FrameWriter.UDP_HEADERS_LENGTH;
        stack = new NetStack(new NetAddress(OUR_MAC, OUR_IP), PORT, new NetCounters(), true);

        // a request as the peer would send it: written by a stack standing in for the peer
        final MemorySegment request = arena.allocate(2048, 64);
        MemorySegment.copy(frame, 0, request, 0, 2048);
        final NetStack peer = new NetStack(new NetAddress(PEER_MAC, PEER_IP), 40000, new NetCounters(), true);
        requestAddress = request.address();
        requestLength = peer.frameWriter().writeUdpHeaders(everything, requestAddress, PeerLink.untagged(OUR_MAC), OUR_IP, PORT,
            payloadBytes, FrameWriter.SUM_THE_PAYLOAD);
    }

    @TearDown
    public void tearDown()
    {
        arena.close();
    }

    @Benchmark
    public int checksum()
    {
        return Checksums.checksum(everything, payloadAddress, payloadBytes);
    }

    @Benchmark
    public long copyAndSum()
    {
        return Checksums.copyAndSum(everything, requestAddress + FrameWriter.UDP_HEADERS_LENGTH, everything,
            payloadAddress, payloadBytes);
    }

    @Benchmark
    public int naive16()
    {
        long sum = 0;
        final long end = payloadAddress + (payloadBytes & ~1);
        for (long position = payloadAddress; position < end; position += 2)
        {
            sum += everything.get(BE_SHORT, position) & 0xFFFF;
        }
        if ((payloadBytes & 1) != 0)
        {
            sum += (everything.get(ValueLayout.JAVA_BYTE, end) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    @Benchmark
    public int writeUdpHeaders()
    {
        return stack.frameWriter().writeUdpHeaders(everything, frameAddress, PeerLink.untagged(PEER_MAC), PEER_IP, 40000,
            payloadBytes, FrameWriter.SUM_THE_PAYLOAD);
    }

    @Benchmark
    public int onFrameUdp()
    {
        // the stack only reads a UDP request, so the same frame can be classified again and again
        return stack.onFrame(everything, requestAddress, requestLength);
    }
}
