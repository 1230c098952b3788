package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever bytes arrive, the engine answers or waits; it never throws. */
class GarbageInputTest
{
    private static final String[] WORDS = {
        "get", "gets", "gat", "gats", "set", "add", "replace", "append", "prepend", "cas", "delete", "incr", "decr",
        "touch", "flush_all", "version", "verbosity", "stats", "mg", "ms", "md", "ma", "mn", "me", "noreply", "k",
        "Zm9v", "0", "1", "-1", "5", "4294967296", "18446744073709551616", "v", "q", "k", "O1", "T10", "N5", "MA", "ME",
        "MX", "M", "b", "C1", "D2", "J3", "F7", "I", "h", "l", "t", "s", "c", "f", "\r\n", "\n", "\r", "abc", " ", "",
    };

    @Test
    void shouldNeverThrowOnRandomCommandSoup()
    {
        final Random random = new Random(42);
        try (ProtoHarness tcp = new ProtoHarness(4096); ProtoHarness udp = new ProtoHarness(1 << 20))
        {
            for (int i = 0; i < 3000; i++)
            {
                final StringBuilder sb = new StringBuilder();
                final int words = 1 + random.nextInt(12);
                for (int w = 0; w < words; w++)
                {
                    sb.append(WORDS[random.nextInt(WORDS.length)]);
                    sb.append(random.nextInt(4) == 0 ? "\r\n" : " ");
                }
                final byte[] request = ProtoHarness.bytes(sb.toString());
                final int chunk = 1 + random.nextInt(request.length + 1);
                assertDoesNotThrow(() -> tcp.tcp(request, chunk), sb::toString);
                assertDoesNotThrow(() -> udp.udp(request, 1), sb::toString);
            }
        }
    }

    @Test
    void shouldAnswerErrorToGarbageHandedToTheWriter()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            final ReplyBuffer reply = new ReplyBuffer(MemorySegment.ofArray(new byte[4096]));
            for (final String bad : new String[] {"set k\r\n", "cas\r\n", "incr\r\n", "ms k\r\n", "bogus\r\n", "", "set"})
            {
                reply.resetStream();
                final MemorySegment cmd = MemorySegment.ofArray(ProtoHarness.bytes(bad));
                final int n = h.executor.execute(h.table.writer(0), cmd, 0, bad.length(), reply);
                assertTrue(n > 0, bad);
            }
        }
    }
}
