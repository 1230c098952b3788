package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OUTPUT_FULL, BACKPRESSURE and PARKED resumption keep every reply, in order, exactly once. */
class FlowControlTest
{
    private static String script()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++)
        {
            sb.append("set k").append(i).append(" 0 0 100\r\n").append(String.valueOf((char)('a' + i % 26)).repeat(100))
                .append("\r\n");
        }
        sb.append("get");
        for (int i = 0; i < 30; i++)
        {
            sb.append(" k").append(i);
        }
        sb.append("\r\nmg k3 v\r\ngat 0 k1 k2 nokey k3\r\nversion\r\nstats reset\r\n");
        return sb.toString();
    }

    @Test
    void shouldStreamBigMultiGetThroughSmallReplyBufferWithoutLosingAnything()
    {
        final String expected;
        try (ProtoHarness big = new ProtoHarness(1 << 20))
        {
            expected = big.tcp(script());
        }
        assertTrue(expected.contains("VALUE k29 0 100\r\n"));
        try (ProtoHarness small = new ProtoHarness(300))
        {
            assertEquals(expected, small.tcp(script()));
            assertEquals(expected.replace("STORED\r\n", ""), small.tcp(script().substring(script().indexOf("get"))));
        }
    }

    @Test
    void shouldReplyOutOfMemoryWhenOneValueCanNeverFitTheReplyBuffer()
    {
        try (ProtoHarness small = new ProtoHarness(300))
        {
            assertEquals("STORED\r\nSERVER_ERROR out of memory writing get response\r\nMN\r\n",
                small.tcp("set v 0 0 1000\r\n" + "v".repeat(1000) + "\r\nget v\r\nmn\r\n"));
        }
    }

    @Test
    void shouldReturnBackpressureWithoutConsumingAndThenContinue()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            final byte[] req = ProtoHarness.bytes("mn\r\nset a 0 0 1\r\nx\r\nget a\r\n");
            MemorySegment.copy(req, 0, h.input, ValueLayout.JAVA_BYTE, 0, req.length);
            h.session.reset();
            h.reply.resetStream();
            h.session.wrapInput(h.input, 0, req.length, false);
            h.rejectForwards = 1;
            assertEquals(RequestProcessor.BACKPRESSURE, h.processor.process(h.session));
            assertEquals(4, h.session.inputPosition(), "the set stays unconsumed");
            assertEquals(RequestProcessor.PARKED, h.processor.process(h.session));
            assertTrue(h.session.isParked());
            assertEquals(RequestProcessor.PARKED, h.processor.process(h.session), "still parked until resumed");
            assertEquals(RequestProcessor.DONE, h.resumePending(h.session));
            assertEquals(req.length, h.session.inputPosition());
            final byte[] out = new byte[h.reply.length()];
            MemorySegment.copy(h.reply.memory(), ValueLayout.JAVA_BYTE, 0, out, 0, out.length);
            assertEquals("MN\r\nSTORED\r\nVALUE a 0 1\r\nx\r\nEND\r\n", ProtoHarness.str(out));
            assertEquals(1, h.forwards);
        }
    }

    @Test
    void shouldRouteWritesToTheKeysPartitionAndFlushToPartitionZero()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            for (int i = 0; i < 20; i++)
            {
                final String key = "key" + i;
                h.tcp("set " + key + " 0 0 1\r\nx\r\n");
                final MemorySegment k = MemorySegment.ofArray(ProtoHarness.bytes(key));
                assertEquals(h.table.partitionOf(k, 0, key.length()), h.forwardedPartition);
            }
            h.tcp("flush_all\r\n");
            assertEquals(0, h.forwardedPartition);
        }
    }

    @Test
    void shouldKeepPartialCommandUntilTheRestArrives()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            final byte[] part = ProtoHarness.bytes("mn\r\nset a 0 0 5\r\nab");
            MemorySegment.copy(part, 0, h.input, ValueLayout.JAVA_BYTE, 0, part.length);
            h.session.reset();
            h.reply.resetStream();
            h.session.wrapInput(h.input, 0, part.length, false);
            assertEquals(RequestProcessor.DONE, h.processor.process(h.session));
            assertEquals(4, h.session.inputPosition());
            assertEquals(0, h.forwards);
        }
    }
}
