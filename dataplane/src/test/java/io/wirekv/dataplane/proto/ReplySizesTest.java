package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static io.wirekv.dataplane.proto.ProtoHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bound in {@link ReplySizes} against the longest line it must hold: written out with each number at
 * its longest (which the real server cannot reach for CAS or TTLs), and as the real server replies.
 */
class ReplySizesTest
{
    private static final int ITEM_SIZE_MAX = 64 * 1024;
    private static final String KEY = "k".repeat(AsciiCodec.KEY_MAX_LENGTH);
    private static final String U32_MAX = "4294967295";
    private static final String INT_MAX = "2147483647";
    private static final String U64_MAX = "18446744073709551615";
    private static final String LONG_MIN = "-9223372036854775808";

    private ProtoHarness h;

    @BeforeEach
    void setUp()
    {
        h = new ProtoHarness(4 << 20, ITEM_SIZE_MAX);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    @Test
    void shouldHoldTheLongestValueLineExactly()
    {
        final String line = "VALUE " + KEY + " " + U32_MAX + " " + INT_MAX + " " + U64_MAX + "\r\n";
        assertEquals(51, ReplySizes.VALUE_LINE_BYTES_WITHOUT_KEY, "the 51 it replaces");
        assertEquals(line.length(), KEY.length() + ReplySizes.VALUE_LINE_BYTES_WITHOUT_KEY);
        assertEquals(line.length() + 1000 + "\r\n".length(), ReplySizes.valueReplyBytes(KEY.length(), 1000));
    }

    @Test
    void shouldHoldTheLargestRealGetsAndGatsReplies()
    {
        final int valueLength = largestValue();
        store(valueLength);

        final String gets = h.tcp("gets " + KEY + "\r\n");
        assertTrue(gets.startsWith("VALUE " + KEY + " " + U32_MAX + " " + valueLength + " "), gets.substring(0, 300));
        assertTrue(gets.endsWith("\r\nEND\r\n"));
        final int hit = gets.length() - Replies.END.length;
        assertTrue(hit <= ReplySizes.valueReplyBytes(KEY.length(), valueLength), "gets hit of " + hit + " bytes");

        final String gats = h.tcp("gats 0 " + KEY + "\r\n");
        assertTrue(gats.startsWith("VALUE " + KEY + " " + U32_MAX + " " + valueLength + " "), gats.substring(0, 300));
        assertTrue(gats.length() <= ReplySizes.valueReplyBound(ITEM_SIZE_MAX), "gats reply of " + gats.length());
        assertTrue(ReplySizes.valueReplyBytes(KEY.length(), ITEM_SIZE_MAX) + Replies.END.length <=
            ReplySizes.valueReplyBound(ITEM_SIZE_MAX), "a one-key gat reply at the longest, END included");
    }

    @Test
    void shouldHoldTheLongestMetaStatusLineAndEveryFixedReply() throws IllegalAccessException
    {
        // 17 distinct flags (META_MAX_TOKENS - mg, key, terminal token): k, a 32-character O token, 15 others
        final String flags = " k O" + "o".repeat(MetaFlags.MAX_OPAQUE_TOKEN_LENGTH - 1) + " b c f h l q s t v N30 R30 T30 E5 x y";
        final String request = "mg " + KEY + flags;
        final AsciiCodec codec = new AsciiCodec();
        final MemorySegment line = MemorySegment.ofArray(bytes(request));
        codec.tokenize(line, 0, line.byteSize());
        assertEquals(MetaCommands.META_MAX_TOKENS, codec.ntokens, "a request with as many flags as allowed");
        final int worst = MetaReplyFormatter.lineBound(codec);
        assertEquals(761, worst);
        assertTrue(worst <= ReplySizes.STATUS_REPLY_BOUND);

        for (final Field f : Replies.class.getDeclaredFields())
        {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == byte[].class)
            {
                final int length = ((byte[])f.get(null)).length;
                assertTrue(length <= ReplySizes.STATUS_REPLY_BOUND, f.getName() + ": " + length);
            }
        }
    }

    @Test
    void shouldHoldARealMetaStatusLineWithEveryReturnFlag()
    {
        store(100);
        final String opaque = "O" + "o".repeat(MetaFlags.MAX_OPAQUE_TOKEN_LENGTH - 1);
        final String request = "mg " + KEY + " k " + opaque + " c f s t h l\r\n";
        final String reply = h.tcp(request);
        assertTrue(reply.startsWith("HD k" + KEY + " " + opaque + " c"), reply);

        final AsciiCodec codec = new AsciiCodec();
        final MemorySegment line = MemorySegment.ofArray(bytes(request));
        codec.tokenize(line, 0, line.byteSize() - 2);
        assertTrue(reply.length() <= MetaReplyFormatter.lineBound(codec), reply.length() + " bytes");
    }

    @Test
    void shouldBoundEachPieceOfAMetaStatusLine()
    {
        assertTrue(("VA " + INT_MAX).length() <= ReplySizes.META_CODE_BOUND);
        assertTrue(" W Z X".length() <= ReplySizes.META_MARKS_BOUND);
        assertTrue((" t" + LONG_MIN).length() <= ReplySizes.META_NUMERIC_FLAG_BOUND);
        assertTrue((" c" + U64_MAX).length() <= ReplySizes.META_NUMERIC_FLAG_BOUND);
        assertTrue((" k" + " b").length() <= ReplySizes.META_KEY_FLAG_OVERHEAD);
    }

    @Test
    void shouldHoldTheLongestMeLineExactly()
    {
        final String longest = "ME " + KEY + " exp=" + LONG_MIN + " la=" + U64_MAX + " cas=" + U64_MAX + " fetch=yes" +
            " cls=1 size=" + U64_MAX + "\r\n";
        assertEquals(longest.length(), ReplySizes.ME_LINE_BOUND);
        assertTrue(ReplySizes.ME_LINE_BOUND <= 2 * AsciiCodec.KEY_MAX_LENGTH + 200, "no larger than the bound it replaces");

        store(100);
        final String reply = h.tcp("me " + KEY + "\r\n");
        assertTrue(reply.startsWith("ME " + KEY + " exp=-1 la="), reply);
        assertTrue(reply.length() <= ReplySizes.ME_LINE_BOUND, reply);
    }

    /** The largest value an item with a 250-byte key and non-zero flags may hold. */
    private static int largestValue()
    {
        int v = ITEM_SIZE_MAX;
        while (AsciiCodec.itemTooLarge(KEY.length(), 0xFFFF_FFFFL, v, ITEM_SIZE_MAX))
        {
            v--;
        }
        return v;
    }

    private void store(final int valueLength)
    {
        final String stored = h.tcp("set " + KEY + " " + U32_MAX + " 0 " + valueLength + "\r\n" + "v".repeat(valueLength) +
            "\r\n");
        assertEquals("STORED\r\n", stored);
    }
}
