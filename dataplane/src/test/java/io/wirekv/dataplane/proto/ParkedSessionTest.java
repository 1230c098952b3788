package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A parked write's reply is formatted from the session's own parse of the command: these tests move the
 * unconsumed input while the write is parked (as a TCP connection may compact its buffer) and interleave
 * another session on the same engine, and the reply must still echo the right flags and key.
 */
class ParkedSessionTest
{
    @Test
    void shouldFormatTheReplyFromTheParseEvenWhenTheInputMovedWhileParked()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            final String request = "ms movable-key 2 T0 F5 O123opaque k c\r\nhi\r\nmn\r\n";
            final int at = 100;
            put(h.input, at, request);
            h.session.reset();
            h.reply.resetStream();
            h.session.wrapInput(h.input, at, at + request.length(), false);
            assertEquals(RequestProcessor.PARKED, h.processor.process(h.session));

            // compact: the unconsumed bytes move to the start of the buffer, the old place is overwritten
            final int moved = 3;
            MemorySegment.copy(h.input, at, h.input, moved, request.length());
            h.input.asSlice(moved + request.length(), 400).fill((byte)'#');
            h.session.wrapInput(h.input, moved, moved + request.length(), false);

            assertEquals(RequestProcessor.DONE, h.resumePending(h.session));
            final String reply = drain(h);
            assertEquals(true, reply.startsWith("HD O123opaque kmovable-key c"), reply);
            assertEquals(true, reply.endsWith("\r\nMN\r\n"), reply);
        }
    }

    @Test
    void shouldKeepEachSessionsParseWhenAnotherSessionRunsWhileOneIsParked()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            final RequestSession other = new RequestSession(43, new ReplyBuffer(MemorySegment.ofArray(new byte[1 << 16])));
            final String first = "ma counter N0 J7 O111 k v\r\n";
            put(h.input, 0, first);
            h.session.reset();
            h.reply.resetStream();
            h.session.wrapInput(h.input, 0, first.length(), false);
            assertEquals(RequestProcessor.PARKED, h.processor.process(h.session));
            final int firstReply = h.writerReply.length();
            final byte[] saved = new byte[firstReply];
            MemorySegment.copy(h.writerReply.buffer(), ValueLayout.JAVA_BYTE, 0, saved, 0, firstReply);

            // a second session parses a different meta line on the same engine before the first resumes
            final String second = "mg elsewhere O222 k v\r\n";
            final MemorySegment otherInput = MemorySegment.ofArray(second.getBytes(StandardCharsets.US_ASCII));
            other.wrapInput(otherInput, 0, second.length(), false);
            assertEquals(RequestProcessor.DONE, h.processor.process(other));

            assertEquals(RequestProcessor.DONE, h.processor.resume(h.session, MemorySegment.ofArray(saved), 0, firstReply));
            assertEquals("VA 1 O111 kcounter\r\n7\r\n", drain(h));
        }
    }

    private static void put(final MemorySegment input, final int at, final String s)
    {
        final byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, input, ValueLayout.JAVA_BYTE, at, b.length);
    }

    private static String drain(final ProtoHarness h)
    {
        final byte[] b = new byte[h.reply.length()];
        MemorySegment.copy(h.reply.memory(), ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
        return new String(b, StandardCharsets.US_ASCII);
    }
}
