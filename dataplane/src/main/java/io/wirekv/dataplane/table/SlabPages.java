package io.wirekv.dataplane.table;

import java.util.Arrays;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;

/**
 * One partition's slab pages and the units they are cut into: which slabs are free and who owns the
 * rest. Pages come from the partition's {@link ArenaMemory} (floor pages first, then shared ones while
 * the budget lasts) and stay with the partition; inside it they move between size classes as slabs.
 * <pre>
 *   owned pages of one partition (pageBytes each, U units of unitBytes)
 *   +------+------+------+------+   +---------------------------+   +------+------+------+------+
 *   | c3   | c3   | free | c0   |   | c27 (page class, whole)   |   | free | free | free | free |
 *   +------+------+------+------+   +---------------------------+   +------+------+------+------+
 *    split page: units for unit classes    one page-class slab         whole free page
 * </pre>
 * A unit class takes a free unit of a split page first (so whole free pages stay whole for page classes),
 * then one of a whole free page, then a new page; a page class takes a whole free page, then a new page.
 * Every free unit is zeroed (fresh mapped memory is zero; {@link #release} zeroes), so a new slab's chunk
 * states read {@link ItemDescriptor#STATE_FREE}. Ownership lives in the {@link SlabRegion}'s page table.
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
        final boolean unit = classes.isUnitClass(sizeClass);
        long slab = unit ? takeUnit() : takeWholePage();
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
            slab = unit ? takeUnit() : takeWholePage();
        }
        if (unit)
        {
            region.owner(slab, sizeClass);
        }
        else
        {
            for (long u = slab; u < slab + pageBytes; u += unitBytes)
            {
                region.owner(u, sizeClass);
            }
        }
        region.clearUsed(slab);
        return slab;
    }

    private long takeUnit()
    {
        if (freeUnitCount == 0)
        {
            return 0;
        }
        long whole = 0;
        for (int i = 0; i < pageCount; i++)
        {
            final long page = pages[i];
            final long mask = region.freeUnits(page);
            if (mask == allUnits)
            {
                if (whole == 0)
                {
                    whole = page;
                }
            }
            else if (mask != 0)
            {
                return takeUnitOf(page, mask);
            }
        }
        if (whole != 0)
        {
            wholeFreePages--;
            return takeUnitOf(whole, allUnits);
        }
        return 0;
    }

    private long takeUnitOf(final long page, final long mask)
    {
        final int u = Long.numberOfTrailingZeros(mask);
        region.freeUnits(page, mask & ~(1L << u));
        freeUnitCount--;
        return page + (long)u * unitBytes;
    }

    private long takeWholePage()
    {
        if (wholeFreePages == 0)
        {
            return 0;
        }
        for (int i = 0; i < pageCount; i++)
        {
            final long page = pages[i];
            if (region.freeUnits(page) == allUnits)
            {
                region.freeUnits(page, 0);
                freeUnitCount -= region.unitsPerPage();
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
     * Zeroes {@code bytes} (a unit or a whole page) at {@code start}, which no chunk uses any more and no
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
     * The split page (units for unit classes or free, not a page class's, none free-whole) whose units
     * hold the fewest used chunks and none of {@code pinA}/{@code pinB}; 0 if none.
     */
    long pageToReassemble(final long pinA, final long pinB)
    {
        long best = 0;
        long bestUsed = Long.MAX_VALUE;
        for (int i = 0; i < pageCount; i++)
        {
            final long page = pages[i];
            final long mask = region.freeUnits(page);
            if (mask == allUnits || (pinA >= page && pinA < page + pageBytes) || (pinB >= page && pinB < page + pageBytes))
            {
                continue;
            }
            final int first = region.owner(page);
            if (first != SlabRegion.FREE && !classes.isUnitClass(first))
            {
                continue;
            }
            long usedChunks = 0;
            for (long u = page; u < page + pageBytes; u += unitBytes)
            {
                usedChunks += region.used(u);
            }
            if (usedChunks < bestUsed)
            {
                best = page;
                bestUsed = usedChunks;
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
