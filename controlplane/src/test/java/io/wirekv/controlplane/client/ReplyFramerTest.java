package io.wirekv.controlplane.client;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReplyFramerTest
{
    private static ReplyFramer framer(final String stream)
    {
        return new ReplyFramer(new ByteArrayInputStream(stream.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String next(final ReplyFramer f) throws Exception
    {
        final byte[] reply = f.next();
        return reply == null ? null : new String(reply, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldFrameEachKindOfReplyInAPipelinedStream() throws Exception
    {
        final ReplyFramer f = framer(
            "STORED\r\n" +
            "VALUE a 0 4\r\nEND\r\r\nVALUE b 1 0 77\r\n\r\nEND\r\n" +
            "END\r\n" +
            "VA 3 f5\r\nxyz\r\n" +
            "HD\r\n" +
            "STAT pid 1\r\nSTAT uptime 2\r\nEND\r\n" +
            "CLIENT_ERROR bad data chunk\r\n" +
            "MN\r\n");

        assertEquals("STORED\r\n", next(f));
        // a value that itself contains "END\r" is skipped by its length, not by scanning
        assertEquals("VALUE a 0 4\r\nEND\r\r\nVALUE b 1 0 77\r\n\r\nEND\r\n", next(f));
        assertEquals("END\r\n", next(f));
        assertEquals("VA 3 f5\r\nxyz\r\n", next(f));
        assertEquals("HD\r\n", next(f));
        assertEquals("STAT pid 1\r\nSTAT uptime 2\r\nEND\r\n", next(f));
        assertEquals("CLIENT_ERROR bad data chunk\r\n", next(f));
        assertEquals("MN\r\n", next(f));
        assertNull(next(f));
    }

    @Test
    void shouldFailWhenTheStreamEndsInsideAReply()
    {
        assertThrows(EOFException.class, () -> framer("VALUE a 0 10\r\nshort").next());
        assertThrows(EOFException.class, () -> framer("VALUE a 0 1\r\nx\r\n").next());
        assertThrows(EOFException.class, () -> framer("STORED").next());
    }

    @Test
    void shouldRejectAMalformedValueLine()
    {
        final java.io.IOException ex = assertThrows(java.io.IOException.class, () -> framer("VALUE a 0 x\r\n").next());
        assertEquals("malformed reply line 'VALUE a 0 x'", ex.getMessage());
    }
}
