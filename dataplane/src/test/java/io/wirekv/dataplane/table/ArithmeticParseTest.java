package io.wirekv.dataplane.table;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Arithmetic#parse} against memcached 1.6.18's safe_strtoull over item data (checked on the real server).
 */
class ArithmeticParseTest
{
    private final Arithmetic arithmetic = new Arithmetic();

    private boolean parse(final String value)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        return arithmetic.parse(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    @Test
    void shouldStopAtNulLikeStrtoullOnACString()
    {
        assertTrue(parse("1\0 2"));
        assertEquals(1, arithmetic.value());
        assertTrue(parse("42\0"));
        assertEquals(42, arithmetic.value());
    }

    @Test
    void shouldRefuseANulBeforeAnyDigit()
    {
        assertFalse(parse("\0" + "1"));
        assertFalse(parse("-\0" + "1"));
    }

    @Test
    void shouldStillRefuseOtherTrailingBytes()
    {
        assertFalse(parse("1a"));
        assertFalse(parse("1\u0001"));
    }
}
