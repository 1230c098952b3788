package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;

/**
 * The consistency check of a {@link SlabAllocator}'s bookkeeping against the memory it describes, for tests
 * ({@link PartitionWriter#slabInvariantViolation}).
 */
final class SlabInvariants
{
    private SlabInvariants()
    {
    }

    /**
     * Tests: checks the slab bookkeeping against the memory it describes (call from the writer thread, between
     * writes); null if it holds, else what is wrong. Every slab of a class is owned by the class in the page
     * table and its used count is its chunks live or retired; {@link SlabAllocator#emptySlabs()} counts the slabs with none;
     * every unit is owned by exactly one slab or free; the free counts of {@link SlabPages} match the masks.
     */
    static String violation(final SlabAllocator allocator, final SizeClasses classes)
    {
        final SlabRegion region = allocator.region();
        final SlabPages slabPages = allocator.slabPages();
        final long drainStart = allocator.drainStart();
        final long drainEnd = allocator.drainEnd();
        final int n = classes.count();
        final int unitBytes = classes.unitBytes();
        final long pageBytes = classes.pageBytes();
        int empty = 0;
        long ownedUnits = 0;
        for (int c = 0; c < n; c++)
        {
            final int chunk = classes.chunkBytes(c);
            long listed = 0;
            for (int i = 0; i < allocator.slabCount(c); i++)
            {
                final long slab = allocator.slab(c, i);
                final int slabBytes = classes.slabBytes(c);
                if ((slab & (slabBytes - 1)) != 0)
                {
                    return "class " + c + " slab " + Long.toHexString(slab) + " misaligned";
                }
                for (long u = slab; u < slab + slabBytes; u += unitBytes)
                {
                    if (region.owner(u) != c)
                    {
                        return "class " + c + " slab " + Long.toHexString(slab) + " unit owned by " + region.owner(u);
                    }
                    ownedUnits++;
                }
                int inUse = 0;
                for (int k = 0; k < classes.chunksPerSlab(c); k++)
                {
                    final byte state = NATIVE.get(ValueLayout.JAVA_BYTE, slab + (long)k * chunk + STATE_OFFSET);
                    if (state == STATE_LIVE || state == STATE_RETIRED)
                    {
                        inUse++;
                    }
                    else if (state == STATE_LISTED)
                    {
                        listed++;
                    }
                }
                if (inUse != region.used(slab))
                {
                    return "class " + c + " slab " + Long.toHexString(slab) + " used " + region.used(slab) + " but " +
                        inUse + " chunks live or retired";
                }
                if (inUse == 0)
                {
                    empty++;
                }
            }
            long walked = 0;
            long prev = 0;
            for (long a = allocator.freeHead(c); a != 0; a = NATIVE.get(ValueLayout.JAVA_LONG_UNALIGNED, a + FREE_NEXT_OFFSET))
            {
                if (NATIVE.get(ValueLayout.JAVA_BYTE, a + STATE_OFFSET) != STATE_LISTED || region.owner(a) != c ||
                    NATIVE.get(ValueLayout.JAVA_LONG_UNALIGNED, a + FREE_PREV_OFFSET) != prev || ++walked > listed)
                {
                    return "class " + c + " free list broken at " + Long.toHexString(a);
                }
                prev = a;
            }
            if (walked != listed)
            {
                return "class " + c + " free list holds " + walked + " of " + listed + " listed chunks";
            }
        }
        if (empty != allocator.emptySlabs())
        {
            return "empty slabs " + allocator.emptySlabs() + " counted, " + empty + " found";
        }
        int freeUnits = 0;
        int wholeFree = 0;
        long pageUnits = 0;
        for (int p = 0; p < slabPages.pageCount(); p++)
        {
            final long page = slabPages.page(p);
            final long mask = region.freeUnits(page);
            freeUnits += Long.bitCount(mask);
            wholeFree += mask == region.allUnits() ? 1 : 0;
            for (long u = page; u < page + pageBytes; u += unitBytes)
            {
                pageUnits++;
                final boolean free = (mask & (1L << region.unitInPage(u))) != 0;
                final boolean draining = u >= drainStart && u < drainEnd;
                if (free != (region.owner(u) == SlabRegion.FREE) && !draining)
                {
                    return "unit " + Long.toHexString(u) + " free bit " + free + " owner " + region.owner(u);
                }
            }
        }
        if (freeUnits != slabPages.freeUnitCount() || wholeFree != slabPages.wholeFreePages())
        {
            return "free units " + slabPages.freeUnitCount() + "/" + slabPages.wholeFreePages() + " counted, " +
                freeUnits + "/" + wholeFree + " found";
        }
        final long drainingUnits = (drainEnd - drainStart) / unitBytes;
        if (ownedUnits + freeUnits + drainingUnits != pageUnits)
        {
            return ownedUnits + " owned + " + freeUnits + " free + " + drainingUnits + " draining units of " + pageUnits;
        }
        return null;
    }
}
