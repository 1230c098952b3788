package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request path allocates nothing per request once warmed up, reads and writes alike. */
class ProtocolZeroAllocationTest
{
    private static final int WARMUP = 30_000;
    private static final int MEASURED = 50_000;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private static long allocatedBytes(final long threadId)
    {
        return THREADS.getThreadAllocatedBytes(threadId);
    }

    private static int load(final ProtoHarness h, final String request)
    {
        final byte[] b = ProtoHarness.bytes(request);
        MemorySegment.copy(b, 0, h.input, ValueLayout.JAVA_BYTE, 0, b.length);
        return b.length;
    }

    /** Runs the request {@code n} times the way a reader thread would; returns the reply bytes of the last. */
    private static int run(final ProtoHarness h, final int length, final int n, final boolean udp)
    {
        int replyLength = 0;
        for (int i = 0; i < n; i++)
        {
            h.session.reset();
            if (udp)
            {
                h.reply.resetDatagrams(1400);
            }
            else
            {
                h.reply.resetStream();
            }
            h.session.wrapInput(h.input, 0, length, udp);
            int r = h.processor.process(h.session);
            while (r == RequestProcessor.PARKED || h.queuedCount > 0)
            {
                // a pipelining session: the writers answer everything on the ring, in their own order
                r = h.queuedCount > 0 ? h.deliverQueued(h.session) : h.resumePending(h.session);
            }
            if (r != RequestProcessor.DONE)
            {
                throw new IllegalStateException("unexpected result " + r);
            }
            if (udp)
            {
                h.reply.finishDatagrams(i);
            }
            replyLength = h.reply.length();
            h.reader.quiescent();
        }
        return replyLength;
    }

    private static void assertNoAllocation(final String request, final boolean udp)
    {
        assertNoAllocation(request, udp, WARMUP, MEASURED);
    }

    private static void assertNoAllocation(final String request, final boolean udp, final int warmup, final int measured)
    {
        assertNoAllocation(request, udp, warmup, measured, false);
    }

    private static void assertNoAllocation(
        final String request, final boolean udp, final int warmup, final int measured, final boolean pipelined)
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            if (pipelined)
            {
                h.pipelined(64, 1024);
            }
            h.tcp("set k 7 0 10\r\n0123456789\r\nset n 0 0 1\r\n1\r\n");
            final int length = load(h, request);
            // warm up through many calls of run() so that it is compiled as a whole, not only on-stack-replaced
            for (int round = 0; round < 10; round++)
            {
                assertTrue(run(h, length, warmup / 10, udp) > 0);
            }
            final long threadId = Thread.currentThread().threadId();
            final long calibrate = allocatedBytes(threadId);
            final long overhead = allocatedBytes(threadId) - calibrate;
            // a per-request allocation shows in every round; a one-off JIT transition shows in one at most
            final long[] rounds = new long[3];
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < rounds.length && allocated != 0; round++)
            {
                final long before = allocatedBytes(threadId);
                final int last = run(h, length, measured, udp);
                rounds[round] = allocatedBytes(threadId) - before - overhead;
                allocated = Math.min(allocated, rounds[round]);
                assertTrue(last > 0, "the last request was answered");
            }
            assertEquals(0, allocated, () -> "bytes allocated per round of " + measured + " x " + request.trim() +
                ": " + java.util.Arrays.toString(rounds));
        }
    }

    @Test
    void shouldNotAllocateForGetAndMultiGet()
    {
        assertNoAllocation("get k\r\nget k nokey k\r\ngets k\r\n", false);
    }

    @Test
    void shouldNotAllocateForMetaGetOverUdp()
    {
        assertNoAllocation("mg k v f s t c k O12345\r\nmg nokey v q\r\nmn\r\n", true);
    }

    @Test
    void shouldNotAllocateForWritesThroughTheWriter()
    {
        assertNoAllocation("set k 7 0 10\r\n0123456789\r\nincr n 1\r\ntouch k 100\r\ndelete x\r\n" +
            "ms m 2 T100 c\r\nhi\r\nma n v MD\r\nmd x q\r\nmg m v T50\r\ngat 10 k\r\n", false, 60_000, 20_000);
    }

    @Test
    void shouldNotAllocateForAPipelinedTcpSessionOfWrites()
    {
        final StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < 40; i++)
        {
            pipeline.append("set k").append(i).append(" 7 0 10").append(i % 3 == 0 ? " noreply" : "")
                .append("\r\n0123456789\r\n");
        }
        pipeline.append("incr n 1\r\ntouch k1 100\r\ndelete x\r\nset k2 0 0 1\r\nbad\r\nget k1 k2\r\n");
        assertNoAllocation(pipeline.toString(), false, 10_000, 5_000, true);
    }

    /** Binary requests as the harness's ISO-8859-1 text (every byte maps to one char). */
    private static String binary(final byte[]... requests)
    {
        return ProtoHarness.str(BinaryProtocolTest.concat(requests));
    }

    @Test
    void shouldNotAllocateForBinaryGetAndSet()
    {
        final byte[] none = new byte[0];
        assertNoAllocation(binary(
            BinaryProtocolTest.request(0x00, none, "k", "", 0),
            BinaryProtocolTest.request(0x0c, none, "k", "", 0),
            BinaryProtocolTest.request(0x09, none, "nokey", "", 0),
            BinaryProtocolTest.request(0x0a, none, "", "", 0)), true);
        assertNoAllocation(binary(
            BinaryProtocolTest.request(0x01, BinaryProtocolTest.SET_EXTRAS, "k", "0123456789", 0),
            BinaryProtocolTest.request(0x11, BinaryProtocolTest.SET_EXTRAS, "q", "quiet", 0),
            BinaryProtocolTest.request(0x05, new byte[20], "n", "", 0),
            BinaryProtocolTest.request(0x1d, new byte[4], "k", "", 0),
            BinaryProtocolTest.request(0x04, none, "x", "", 0),
            BinaryProtocolTest.request(0x00, none, "k", "", 0)), false, 60_000, 20_000);
    }
}
