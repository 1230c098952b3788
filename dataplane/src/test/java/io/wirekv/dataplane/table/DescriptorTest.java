package io.wirekv.dataplane.table;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DescriptorTest
{
    @Test
    void shouldLayOutItemHeaderWithAlignedFields()
    {
        assertEquals(0, ItemDescriptor.CAS_OFFSET);
        assertEquals(8, ItemDescriptor.EXPIRES_AT_OFFSET);
        assertEquals(12, ItemDescriptor.STORED_AT_OFFSET);
        assertEquals(16, ItemDescriptor.VALUE_LENGTH_OFFSET);
        assertEquals(20, ItemDescriptor.KEY_LENGTH_OFFSET);
        assertEquals(21, ItemDescriptor.META_BITS_OFFSET);
        assertEquals(22, ItemDescriptor.STATE_OFFSET);
        assertEquals(23, ItemDescriptor.CLOCK_OFFSET);
        assertEquals(24, ItemDescriptor.KEY_OFFSET);
        assertEquals(24, ItemDescriptor.HEADER_LENGTH);
        assertEquals(4, ItemDescriptor.ALIGNMENT);
        assertEquals(0, ItemDescriptor.HEADER_LENGTH % ItemDescriptor.ALIGNMENT);
        for (final int u32 : new int[] {ItemDescriptor.EXPIRES_AT_OFFSET, ItemDescriptor.STORED_AT_OFFSET,
            ItemDescriptor.VALUE_LENGTH_OFFSET})
        {
            assertEquals(0, u32 % ItemDescriptor.ALIGNMENT, "u32 fields stay naturally aligned in a 4-byte aligned chunk");
        }
        assertTrue(ItemDescriptor.FREE_PREV_OFFSET + Long.BYTES <= ItemDescriptor.KEY_LENGTH_OFFSET,
            "free-list links leave the key length and state bytes of a free chunk intact");
    }

    @Test
    void shouldEncodeIndexSlotsDistinctFromEmptyAndTombstone()
    {
        assertEquals(8, IndexDescriptor.SLOT_LENGTH);
        final long address = 0x7fff_1234_5678L & ~7L;
        for (final long tag : new long[] {0, 1, 0xFFFF})
        {
            final long slot = IndexDescriptor.slot(tag, address);
            assertNotEquals(IndexDescriptor.EMPTY, slot);
            assertNotEquals(IndexDescriptor.TOMBSTONE, slot);
            assertEquals(address, slot & IndexDescriptor.ADDRESS_MASK);
            assertEquals(tag, slot >>> IndexDescriptor.TAG_SHIFT);
        }
        assertTrue(IndexDescriptor.MAX_LOAD_NUMERATOR < IndexDescriptor.LOAD_DENOMINATOR, "a probe always meets an empty slot");
    }

    @Test
    void shouldBuildAlignedGrowingSizeClassesUpToTheItemLimit()
    {
        final SizeClasses classes = new SizeClasses(1024 * 1024);
        int previous = 0;
        for (int c = 0; c < classes.count(); c++)
        {
            final int chunk = classes.chunkBytes(c);
            assertEquals(0, chunk % ItemDescriptor.ALIGNMENT);
            assertTrue(chunk > previous);
            assertTrue(classes.pageBytes() >= chunk);
            assertTrue(classes.chunksPerSlab(c) >= 1);
            previous = chunk;
        }
        assertEquals(1024 * 1024, classes.chunkBytes(classes.count() - 1));
        assertEquals(1024 * 1024, classes.pageBytes(), "pages are a power of two holding the largest item");
        assertEquals(64 * 1024, new SizeClasses(4096).pageBytes());
        assertEquals(0, classes.classOf(1));
        assertEquals(0, classes.classOf(64));
        assertEquals(1, classes.classOf(65));
        for (int c = 1; c < classes.count(); c++)
        {
            final int chunk = classes.chunkBytes(c);
            final int smaller = classes.chunkBytes(c - 1);
            if (chunk <= SizeClasses.FINE_LIMIT_BYTES)
            {
                assertTrue((chunk - smaller) * 16 <= chunk + 16 * ItemDescriptor.ALIGNMENT,
                    "a small item loses at most about 1/16 of its chunk to rounding, class " + c);
            }
        }
        assertEquals(72, classes.chunkBytes(classes.classOf(ItemDescriptor.itemLength(16, 32, 0))),
            "16-byte key, 32-byte value, no client flags: no rounding");
        assertEquals(76, classes.chunkBytes(classes.classOf(ItemDescriptor.itemLength(16, 32, 7))),
            "the same with client flags: 4 bytes more");
        assertEquals(-1, classes.classOf(1024 * 1024 + 1));
    }

    @Test
    void shouldFindTheSmallestClassThatHoldsAnItemAtEveryLength()
    {
        for (final int itemSizeMax : new int[] {1024, 4096, 1024 * 1024}) // a limit below the fine classes' too
        {
            final SizeClasses classes = new SizeClasses(itemSizeMax);
            for (int length = 0; length <= 3 * SizeClasses.FINE_LIMIT_BYTES; length++)
            {
                int expected = -1;
                for (int c = classes.count() - 1; c >= 0 && classes.chunkBytes(c) >= length; c--)
                {
                    expected = c;
                }
                assertEquals(expected, classes.classOf(length), "item of " + length + " bytes, limit " + itemSizeMax);
            }
        }
    }

    @Test
    void shouldGiveEachClassTheSmallestAlignedSlabThatWastesAtMostAnEighth()
    {
        final SizeClasses classes = new SizeClasses(1024 * 1024);
        assertEquals(16 * 1024, classes.unitBytes());
        assertEquals(64, classes.unitsPerPage());
        assertEquals(16 * 1024, classes.slabBytes(0), "small items take one 16 KiB unit, not a page");
        for (int c = 0; c < classes.count(); c++)
        {
            final int slab = classes.slabBytes(c);
            assertEquals(1, Integer.bitCount(slab), "a power of two");
            assertTrue(slab >= classes.unitBytes() && slab <= classes.pageBytes());
            assertEquals(slab, classes.slabUnits(c) * classes.unitBytes());
            final int chunk = classes.chunkBytes(c);
            assertTrue(classes.chunksPerSlab(c) >= 1);
            if (slab < classes.pageBytes())
            {
                assertTrue(slab % chunk <= slab / SizeClasses.maxWasteDivisor(chunk), "class " + c);
            }
            final int half = slab / 2;
            assertTrue(slab == classes.unitBytes() || half < chunk || half % chunk > half / SizeClasses.maxWasteDivisor(chunk),
                "the smallest such slab, class " + c);
        }
        final SizeClasses small = new SizeClasses(64 * 1024);
        assertEquals(4, small.unitsPerPage(), "a 64 KiB page is four 16 KiB units");
        final SizeClasses huge = new SizeClasses(8 * 1024 * 1024);
        assertEquals(SizeClasses.MAX_UNITS_PER_PAGE, huge.unitsPerPage(), "units grow so a page has at most 64");
    }

    @Test
    void shouldFindAlignedRunsOfFreeUnits()
    {
        assertEquals(0, SlabPages.alignedRun(0b1111, 4, 16));
        assertEquals(4, SlabPages.alignedRun(0b1111_0110, 4, 16), "runs start at a multiple of their length");
        assertEquals(-1, SlabPages.alignedRun(0b0111_1000, 4, 16), "four free units across a boundary are no run");
        assertEquals(2, SlabPages.alignedRun(0b1110, 2, 16));
        assertEquals(0, SlabPages.alignedRun(-1L, 64, 64));
        assertEquals(-1, SlabPages.alignedRun(0, 1, 16));
    }
}
