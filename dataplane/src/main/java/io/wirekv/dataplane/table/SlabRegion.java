package io.wirekv.dataplane.table;

import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.hugepages.PageSize;

/**
 * The one mapping that holds every slab page of a table: 2 MiB hugepages where reserved (locked,
 * populated up front), otherwise ordinary pages with MADV_HUGEPAGE and a one-time warning that says
 * how to reserve hugepages. Every partition owns a floor of pages that nobody else can take, so it
 * can always store and evict; the rest is shared, taken by whichever partition needs pages first.
 * <pre>
 *   | slack | p0: floor pages | p1: floor pages | ... | shared pages ...                |
 *                                                       ^ nextShared (atomic, writers only)
 * </pre>
 * <h2>Page table</h2>
 * Beside the memory, the region keeps a small table per page and per unit ({@link SizeClasses#unitBytes()}),
 * indexed by the page's or unit's number from the region's base (like an OS's page-frame array):
 * <pre>
 *   freeUnits[page]  long: bit u set = unit u of the page is free (zeroed, in no class)
 *   owner[unit]      byte: size class whose slab covers the unit, or {@link #FREE} (a page class's page
 *                    marks all its units)
 *   used[unit]       int:  chunks live or retired in the slab that starts at this unit
 * </pre>
 * A page belongs to one partition from the moment it is taken until the region closes, and only that
 * partition's writer thread reads or writes the page's entries (plain accesses; the page was handed over
 * through {@code nextShared}'s atomic add or was the partition's floor from the start). Readers never
 * touch the page table.
 */
final class SlabRegion implements AutoCloseable
{
    private final MemoryRegion region;
    private final long pageBytes;
    private final int floorPages;
    private final long base;
    private final long limit;
    /** Next shared page; partition writer threads bump it (once per page), readers never touch it. */
    private final PaddedCounter nextShared;
    /** Owner value of a unit in no class. */
    static final byte FREE = -1;
    private final int pageShift;
    private final int unitShift;
    private final int unitsPerPage;
    private final long[] freeUnits;
    private final byte[] owner;
    private final int[] used;
    /** The expiry wheels' lists over this region's chunks (see {@link ExpiryWheel}). */
    private final ExpiryLinks expiryLinks;

    /** @param memoryBytes at least two pages per partition ({@link TableConfig} checks it). */
    SlabRegion(
        final HugepageMemory hugepages, final long memoryBytes, final long pageBytes, final int partitions,
        final boolean preferHugepages)
    {
        this.pageBytes = pageBytes;
        final long pages = memoryBytes / pageBytes;
        // Three quarters of the pages are spread evenly as floors, so a partition keeps most of its even
        // share whatever the others do; the last quarter goes to whichever partition needs pages first.
        // (At the minimum memory, two pages per partition, the floor is one page.)
        this.floorPages = (int)Math.max(1, pages * 3 / (4L * partitions));
        final PageSize pageSize = preferHugepages ? PageSize.HUGE_2M : PageSize.BASE_4K;
        // One extra page of slack lets the pages start on a page boundary whatever the mapping's alignment.
        this.region = hugepages.map("table slab pages", (pages + 1) * pageBytes, pageSize);
        final long address = region.segment().address();
        this.base = (address + pageBytes - 1) & -pageBytes;
        this.limit = base + pages * pageBytes;
        nextShared = new PaddedCounter(base + (long)partitions * floorPages * pageBytes);
        final int unitBytes = SizeClasses.unitBytesFor((int)pageBytes);
        this.pageShift = Long.numberOfTrailingZeros(pageBytes);
        this.unitShift = Integer.numberOfTrailingZeros(unitBytes);
        this.unitsPerPage = (int)(pageBytes / unitBytes);
        this.freeUnits = new long[(int)pages];
        this.owner = new byte[(int)(pages * unitsPerPage)];
        this.used = new int[owner.length];
        java.util.Arrays.fill(owner, FREE);
        this.expiryLinks = new ExpiryLinks(pages * pageBytes, partitions);
    }

    /** Address of the first page; chunk addresses are {@code base + offset}. */
    long base()
    {
        return base;
    }

    ExpiryLinks expiryLinks()
    {
        return expiryLinks;
    }

    /** Bit mask of all units of a page. */
    long allUnits()
    {
        return unitsPerPage == 64 ? -1L : (1L << unitsPerPage) - 1;
    }

    int unitsPerPage()
    {
        return unitsPerPage;
    }

    /** The unit index (0 .. unitsPerPage-1) of an address within its page. */
    int unitInPage(final long address)
    {
        return (int)((address & (pageBytes - 1)) >>> unitShift);
    }

    long freeUnits(final long page)
    {
        return freeUnits[(int)((page - base) >>> pageShift)];
    }

    void freeUnits(final long page, final long mask)
    {
        freeUnits[(int)((page - base) >>> pageShift)] = mask;
    }

    /** The size class owning the unit at {@code address}, or {@link #FREE}. */
    int owner(final long address)
    {
        return owner[(int)((address - base) >>> unitShift)];
    }

    void owner(final long address, final int sizeClass)
    {
        owner[(int)((address - base) >>> unitShift)] = (byte)sizeClass;
    }

    /** Chunks live or retired in the slab starting at {@code slab}. */
    int used(final long slab)
    {
        return used[(int)((slab - base) >>> unitShift)];
    }

    /** Adds {@code delta} to the slab's used chunks; returns the new count. */
    int addUsed(final long slab, final int delta)
    {
        final int i = (int)((slab - base) >>> unitShift);
        return used[i] += delta;
    }

    void clearUsed(final long slab)
    {
        used[(int)((slab - base) >>> unitShift)] = 0;
    }

    long pageBytes()
    {
        return pageBytes;
    }

    /** Pages every partition is guaranteed. */
    int floorPages()
    {
        return floorPages;
    }

    /** Bytes of all partitions' floors together: committed to the budget up front. */
    long floorBytes(final int partitions)
    {
        return (long)partitions * floorPages * pageBytes;
    }

    /** The {@code index}-th floor page of a partition ({@code index < floorPages()}); zeroed, aligned to its size. */
    long floorPage(final int partition, final int index)
    {
        return base + ((long)partition * floorPages + index) * pageBytes;
    }

    /** A zeroed shared page aligned to its size, or 0 when all are taken. Writer threads. */
    long takeSharedPage()
    {
        final long page = nextShared.getAndAdd(pageBytes); // atomic: writers of several partitions may race here
        return page + pageBytes <= limit ? page : 0;
    }

    /** How the pages are backed, for the start-up report, e.g. "anonymous hugetlb 2MiB pages, locked, 66 MiB". */
    String describe()
    {
        return region.backing() + ", " + (region.sizeBytes() >> 20) + " MiB";
    }

    boolean isHugepageBacked()
    {
        return region.isHugepageBacked();
    }

    @Override
    public void close()
    {
        region.close();
    }
}
