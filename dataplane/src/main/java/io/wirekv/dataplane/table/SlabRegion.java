package io.wirekv.dataplane.table;

import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.hugepages.PageSize;
import org.jctools.util.PaddedAtomicLong;

/**
 * The one mapping that holds every slab page of a table: 2 MiB hugepages where reserved (locked,
 * populated up front), otherwise ordinary pages with MADV_HUGEPAGE and a one-time warning that says
 * how to reserve hugepages. Partitions take whole pages from it as they need them, so a busy
 * partition is not limited to a fixed share of the memory.
 * <pre>
 *   | slack to align | page | page | page | ... |      pages handed out in address order
 *                      ^ next (atomic, bumped by writers only)
 * </pre>
 */
final class SlabRegion implements AutoCloseable
{
    private final MemoryRegion region;
    private final long pageBytes;
    private final long limit;
    /** Next page to hand out; writers bump it (rarely: once per page), readers never touch it. */
    private final PaddedAtomicLong next = new PaddedAtomicLong();

    SlabRegion(final HugepageMemory hugepages, final long memoryBytes, final long pageBytes, final boolean preferHugepages)
    {
        this.pageBytes = pageBytes;
        final long pages = Math.max(1, memoryBytes / pageBytes);
        final PageSize pageSize = preferHugepages ? PageSize.HUGE_2M : PageSize.BASE_4K;
        // One extra page of slack lets the pages start on a page boundary whatever the mapping's alignment.
        this.region = hugepages.map("table slab pages", (pages + 1) * pageBytes, pageSize);
        final long address = region.segment().address();
        final long base = (address + pageBytes - 1) & -pageBytes;
        this.limit = base + pages * pageBytes;
        next.set(base);
    }

    /** A zeroed page aligned to its size, or 0 when every page has been handed out. Writer threads. */
    long takePage()
    {
        final long page = next.getAndAdd(pageBytes); // atomic: writers of several partitions may race here
        return page + pageBytes <= limit ? page : 0;
    }

    long pageBytes()
    {
        return pageBytes;
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
