package io.wirekv.controlplane.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SizesTest
{
    @Test
    void shouldParseSuffixesAsBinaryUnits()
    {
        assertEquals(64L << 20, Sizes.parse("64m"));
        assertEquals(1L << 30, Sizes.parse("1g"));
        assertEquals(1024L << 10, Sizes.parse("1024k"));
        assertEquals(512, Sizes.parse("512"));
        assertEquals(2L << 40, Sizes.parse("2T"));
        assertEquals(64L << 20, Sizes.parse("64MB"));
        assertEquals(64L << 20, Sizes.parse("64MiB"));
        assertEquals(512, Sizes.parse("512b"));
    }

    @Test
    void shouldRejectWhatIsNotASize()
    {
        assertEquals(-1, Sizes.parse("64x"));
        assertEquals(-1, Sizes.parse(""));
        assertEquals(-1, Sizes.parse("m"));
        assertEquals(-1, Sizes.parse("-5m"));
        assertEquals(-1, Sizes.parse("1.5g"));
        assertEquals(-1, Sizes.parse("99999999999999999g"));
    }

    @Test
    void shouldReadABareMemoryNumberAsMibLikeMemcached()
    {
        assertEquals(64L << 20, Sizes.parseMemory("64"));
        assertEquals(64L << 20, Sizes.parseMemory(" 64 "));
        assertEquals(2048L << 20, Sizes.parseMemory("2048"));
    }

    @Test
    void shouldKeepSuffixedMemorySizesAsTheyWere()
    {
        assertEquals(64L << 20, Sizes.parseMemory("64m"));
        assertEquals(1L << 30, Sizes.parseMemory("1g"));
        assertEquals(65536L << 10, Sizes.parseMemory("65536k"));
        assertEquals(64L << 20, Sizes.parseMemory("64MiB"));
        assertEquals(512, Sizes.parseMemory("512b"));
        assertEquals(-1, Sizes.parseMemory("64x"));
        assertEquals(-1, Sizes.parseMemory(""));
        assertEquals(-1, Sizes.parseMemory(null));
        assertEquals(-1, Sizes.parseMemory("99999999999999999"));
    }

    @Test
    void shouldFormatTheShortestExactForm()
    {
        assertEquals("64m", Sizes.format(64L << 20));
        assertEquals("1g", Sizes.format(1L << 30));
        assertEquals("1000", Sizes.format(1000));
        assertEquals("1025k", Sizes.format(1025L << 10));
    }
}
