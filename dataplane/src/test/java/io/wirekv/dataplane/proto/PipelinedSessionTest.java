package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pipelining session (many text writes in flight, replies in request order, reads held behind earlier
 * writes) answers every input exactly as a session that parks on each write, whatever order the writers
 * answer in, however the input is split, and however small the pipeline or the ring.
 */
class PipelinedSessionTest
{
    private static final String[] KEYS = {"a", "b", "c", "d", "e", "f", "g", "h", "n", "m"};

    /** A seeded mix of writes (every text kind, noreply too), refused writes, reads and meta commands. */
    private static String script(final long seed, final int commands)
    {
        final Random random = new Random(seed);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < commands; i++)
        {
            final String key = KEYS[random.nextInt(KEYS.length)];
            final String noreply = random.nextInt(5) == 0 ? " noreply" : "";
            final String value = "v" + i;
            switch (random.nextInt(16))
            {
                case 0, 1, 2 -> sb.append("set ").append(key).append(" 3 0 ").append(value.length()).append(noreply)
                    .append("\r\n").append(value).append("\r\n");
                case 3 -> sb.append("add ").append(key).append(" 0 0 1").append(noreply).append("\r\nA\r\n");
                case 4 -> sb.append("append ").append(key).append(" 0 0 1").append(noreply).append("\r\n+\r\n");
                case 5 -> sb.append("prepend ").append(key).append(" 0 0 1").append(noreply).append("\r\n-\r\n");
                case 6 -> sb.append("set ").append(key).append(" 0 0 ").append(random.nextInt(1000)).append(noreply)
                    .append("\r\n");
                case 7 -> sb.append(random.nextBoolean() ? "incr " : "decr ").append(key).append(' ')
                    .append(random.nextInt(100)).append(noreply).append("\r\n");
                case 8 -> sb.append("delete ").append(key).append(noreply).append("\r\n");
                case 9 -> sb.append("touch ").append(key).append(" 100").append(noreply).append("\r\n");
                case 10 -> sb.append("cas ").append(key).append(" 0 0 1 ").append(random.nextInt(40)).append(noreply)
                    .append("\r\nC\r\n");
                case 11 -> sb.append("get ").append(key).append(' ').append(KEYS[random.nextInt(KEYS.length)])
                    .append("\r\n");
                case 12 -> sb.append("mg ").append(key).append(" v c k\r\n");
                case 13 -> sb.append("set ").append(key).append(" x 0 1").append(noreply).append("\r\nx\r\n");
                case 14 -> sb.append("set ").append("n 0 0 2").append(noreply).append("\r\n").append(10 + i % 90)
                    .append("\r\n");
                default -> sb.append(random.nextInt(3) == 0 ? "bogus\r\n" : "gets n ").append(key).append("\r\n");
            }
        }
        return sb.append("get a b c d e f g h n m\r\n").toString();
    }

    private static String parked(final String script, final int chunk)
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            return h.tcp(ProtoHarness.bytes(script), chunk);
        }
    }

    private static String pipelined(final String script, final int chunk, final int depth, final int ringRecords)
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20).pipelined(depth, ringRecords))
        {
            return h.tcp(ProtoHarness.bytes(script), chunk);
        }
    }

    @Test
    void shouldAnswerLikeAParkingSessionWhateverTheSplitDepthOrRing()
    {
        for (long seed = 1; seed <= 6; seed++)
        {
            final String script = script(seed, 400);
            final String expected = parked(script, Integer.MAX_VALUE);
            assertTrue(expected.contains("STORED\r\n") && expected.contains("VALUE "), expected);
            assertEquals(expected, pipelined(script, Integer.MAX_VALUE, 64, 1024), "seed " + seed);
            assertEquals(expected, pipelined(script, 7, 64, 1024), "seed " + seed + ", 7-byte reads");
            assertEquals(expected, pipelined(script, Integer.MAX_VALUE, 2, 1024), "seed " + seed + ", depth 2");
            assertEquals(expected, pipelined(script, 100, 64, 3), "seed " + seed + ", a ring of 3 records");
        }
    }

    @Test
    void shouldHoldAReadUntilTheWritesBeforeItAreAnswered()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20).pipelined(64, 1024))
        {
            final byte[] in = ProtoHarness.bytes("set k 0 0 2\r\nv1\r\nset j 0 0 1 noreply\r\nj\r\nget k j\r\n");
            h.session.reset();
            h.reply.resetStream();
            java.lang.foreign.MemorySegment.copy(in, 0, h.input, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, in.length);
            h.session.wrapInput(h.input, 0, in.length, false);
            assertEquals(RequestProcessor.PARKED, h.processor.process(h.session));
            assertEquals(2, h.queuedCount, "both writes are on the ring before either is answered");
            assertEquals(2, h.session.writesInFlight());
            assertEquals(0, h.reply.length(), "no reply yet: the get waits, STORED has not come back");
            assertEquals(in.length - "get k j\r\n".length(), h.session.inputPosition(), "the writes are consumed");
            assertEquals(RequestProcessor.DONE, h.deliverQueued(h.session));
            assertEquals(0, h.session.writesInFlight());
            final byte[] out = new byte[h.reply.length()];
            java.lang.foreign.MemorySegment.copy(h.reply.memory(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, out, 0,
                out.length);
            assertEquals("STORED\r\nVALUE k 0 2\r\nv1\r\nVALUE j 0 1\r\nj\r\nEND\r\n", ProtoHarness.str(out));
        }
    }

    @Test
    void shouldStopParsingWhenTheRingIsFullAndConsumeNothingMore()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20).pipelined(64, 2))
        {
            final byte[] in = ProtoHarness.bytes("set a 0 0 1\r\na\r\nset b 0 0 1\r\nb\r\nset c 0 0 1\r\nc\r\n");
            java.lang.foreign.MemorySegment.copy(in, 0, h.input, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, in.length);
            h.session.reset();
            h.reply.resetStream();
            h.session.wrapInput(h.input, 0, in.length, false);
            assertEquals(RequestProcessor.BACKPRESSURE, h.processor.process(h.session));
            assertEquals(2, h.queuedCount);
            assertEquals(2 * "set a 0 0 1\r\na\r\n".length(), h.session.inputPosition(), "the third set waits");
            assertEquals(RequestProcessor.DONE, h.deliverQueued(h.session), "room again: the third set went out");
            assertEquals(1, h.queuedCount);
            assertEquals(RequestProcessor.DONE, h.deliverQueued(h.session));
            assertEquals(3 * "STORED\r\n".length(), h.reply.length());
        }
    }

    @Test
    void shouldRefuseAPipelineItsReplyBufferCannotPromise()
    {
        try (ProtoHarness h = new ProtoHarness(4096))
        {
            assertEquals(2, RequestSession.pipelineDepthFor(4096, 64));
            assertEquals(0, RequestSession.pipelineDepthFor(1000, 64));
            assertThrows(IllegalArgumentException.class, () -> h.session.enablePipelining(4));
        }
    }
}
