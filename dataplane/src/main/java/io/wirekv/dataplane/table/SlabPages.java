package io.wirekv.dataplane.table;

import java.util.Arrays;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;

/**
 * One partition's slab pages and the units they are cut into: which units are free and who owns the
 * rest. Pages come from the partition's {@link ArenaMemory} (floor pages first, then shared ones while
 * the budget lasts) and stay with the partition; inside it they move between size classes as slabs.
 * <pre>
 *   owned pages of one partition (pageBytes each, U units of unitBytes)
 *   +------+------+------+------+   +---------------------------+   +------+------+------+------+
 *   | c3   | free | c12 (2 units)|   | c27 (page class, whole)   |   | free | free | free | free |
 *   +------+------+------+------+   +---------------------------+   +------+------+------+------+
 *    split page: slabs of 2^j units        one page-class slab         whole free page
 * </pre>
 * A slab of k units is an aligned run (unit index a multiple of k) of free units: a class takes one from a
 * split page first (so whole free pages stay whole for page classes), then from a whole free page, then from
 * a new page. Every free unit is zeroed (fresh mapped memory is zero; {@link #release} zeroes), so a new
 * slab's chunk states read {@link ItemDescriptor#STATE_FREE}. Ownership lives in the {@link SlabRegion}'s
 * page table.
 * <p>
 * Threading: the partition's writer thread only.
 */
final class SlabPages
{
    private final SlabRegion region;
    private final ArenaMemory memory;
    private final SizeClasses classes;
    private final long pageBytes;
    private final int unitBytes;
    private final long allUnits;
    private long[] pages = new long[16];
    private int pageCount;
    /** Free units over all owned pages, and how many pages are wholly free. */
    private int freeUnitCount;
    private int wholeFreePages;

    SlabPages(final SlabRegion region, final ArenaMemory memory, final SizeClasses classes)
    {
        this.region = region;
        this.memory = memory;
        this.classes = classes;
        this.pageBytes = classes.pageBytes();
        this.unitBytes = classes.unitBytes();
        this.allUnits = region.allUnits();
    }

    /**
     * A zeroed slab ({@link SizeClasses#slabBytes}) now owned by {@code sizeClass}, from the free units
     * and pages this partition owns or, if none fits, a new page whose price leaves at least
     * {@code reserveBytes} in the budget; 0 if there is none.
     */
    long take(final int sizeClass, final long reserveBytes)
    {
        final int units = classes.slabUnits(sizeClass);
        long slab = takeRun(units);
        if (slab == 0)
        {
            if (memory.availableBytes() - pageBytes < reserveBytes)
            {
                return 0;
            }
            final long page = memory.allocatePage(pageBytes, pageBytes);
            if (page == 0)
            {
                return 0;
            }
            if (pageCount == pages.length)
            {
                pages = Arrays.copyOf(pages, pageCount * 2);
            }
            pages[pageCount++] = page;
            region.freeUnits(page, allUnits);
            freeUnitCount += region.unitsPerPage();
            wholeFreePages++;
            slab = takeRun(units);
        }
        for (long u = slab, end = slab + (long)units * unitBytes; u < end; u += unitBytes)
        {
            region.owner(u, sizeClass);
        }
        region.clearUsed(slab);
        return slab;
    }

    /** Mask of {@code units} bits from bit 0. */
    static long runMask(final int units)
    {
        return units == 64 ? -1L : (1L << units) - 1;
    }

    /** The first unit index, a multiple of {@code units}, where {@code mask} has {@code units} bits set; -1 if none. */
    static int alignedRun(final long mask, final int units, final int unitsPerPage)
    {
        final long run = runMask(units);
        for (int i = 0; i < unitsPerPage; i += units)
        {
            if (((mask >>> i) & run) == run)
            {
                return i;
            }
        }
        return -1;
    }

    /** Takes an aligned run of free units: from a split page first, then from a whole free page. */
    private long takeRun(final int units)
    {
        if (freeUnitCount < units)
        {
            return 0;
        }
        final int perPage = region.unitsPerPage();
        if (units < perPage)
        {
            for (int i = 0; i < pageCount; i++)
            {
                final long page = pages[i];
                final long mask = region.freeUnits(page);
                if (mask != allUnits && mask != 0)
                {
                    final int at = alignedRun(mask, units, perPage);
                    if (at >= 0)
                    {
                        region.freeUnits(page, mask & ~(runMask(units) << at));
                        freeUnitCount -= units;
                        return page + (long)at * unitBytes;
                    }
                }
            }
        }
        if (wholeFreePages == 0)
        {
            return 0;
        }
        for (int i = 0; i < pageCount; i++)
        {
            final long page = pages[i];
            if (region.freeUnits(page) == allUnits)
            {
                region.freeUnits(page, allUnits & ~runMask(units));
                freeUnitCount -= units;
                wholeFreePages--;
                return page;
            }
        }
        return 0;
    }

    /**
     * Keeps a free unit of a page being emptied out of {@link #take}; {@link #release} of the whole page
     * gives it back. False if the unit is not free.
     */
    boolean reserveFreeUnit(final long unit)
    {
        final long page = unit & -pageBytes;
        final long mask = region.freeUnits(page);
        final long bit = 1L << region.unitInPage(unit);
        if ((mask & bit) == 0)
        {
            return false;
        }
        if (mask == allUnits)
        {
            wholeFreePages--;
        }
        region.freeUnits(page, mask & ~bit);
        freeUnitCount--;
        return true;
    }

    /**
     * Zeroes {@code bytes} (an aligned run of units, up to a whole page) at {@code start}, which no chunk uses and no
     * reader can reach (every chunk in it was freed after its grace period or never used), and makes its
     * units free.
     */
    void release(final long start, final long bytes)
    {
        NATIVE.asSlice(start, bytes).fill((byte)0); // old chunk states and links must not show through a new layout
        final long page = start & -pageBytes;
        long mask = region.freeUnits(page);
        final boolean wasWhole = mask == allUnits;
        for (long u = start; u < start + bytes; u += unitBytes)
        {
            final long bit = 1L << region.unitInPage(u);
            if ((mask & bit) == 0)
            {
                mask |= bit;
                freeUnitCount++;
            }
            region.owner(u, SlabRegion.FREE);
            region.clearUsed(u);
        }
        region.freeUnits(page, mask);
        if (mask == allUnits && !wasWhole)
        {
            wholeFreePages++;
        }
    }

    /**
     * The aligned run of {@code units} units, not wholly free, holding no slab of {@code avoidClass}, no slab
     * bigger than the run and neither pinned address, whose slabs hold the fewest used chunks; 0 if none.
     * Draining it frees a slab for a class of {@code units} units.
     */
    long runToReassemble(final int units, final int avoidClass, final long pinA, final long pinB)
    {
        final long runBytes = (long)units * unitBytes;
        long best = 0;
        long bestUsed = Long.MAX_VALUE;
        for (int i = 0; i < pageCount; i++)
        {
            final long page = pages[i];
            if (region.freeUnits(page) == allUnits)
            {
                continue;
            }
            for (long run = page; run < page + pageBytes; run += runBytes)
            {
                if ((pinA >= run && pinA < run + runBytes) || (pinB >= run && pinB < run + runBytes))
                {
                    continue;
                }
                long usedChunks = 0;
                boolean fits = true;
                boolean allFree = true;
                for (long u = run; u < run + runBytes && fits; u += unitBytes)
                {
                    final int owner = region.owner(u);
                    if (owner != SlabRegion.FREE)
                    {
                        allFree = false;
                        fits = owner != avoidClass && classes.slabUnits(owner) <= units;
                        usedChunks += region.used(u);
                    }
                }
                if (fits && !allFree && usedChunks < bestUsed)
                {
                    best = run;
                    bestUsed = usedChunks;
                }
            }
        }
        return best;
    }

    int freeUnitCount()
    {
        return freeUnitCount;
    }

    int wholeFreePages()
    {
        return wholeFreePages;
    }

    int pageCount()
    {
        return pageCount;
    }

    long page(final int index)
    {
        return pages[index];
    }
}
