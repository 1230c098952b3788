package io.wirekv.dataplane.table;

import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.hugepages.PageSize;

/**
 * The one mapping that holds every slab page of a table: 2 MiB hugepages where reserved (locked,
 * populated up front), otherwise ordinary pages with MADV_HUGEPAGE and a one-time warning that says
 * how to reserve hugepages. Each partition gets an equal, page-aligned range of it.
 * <pre>
 *   | slack to align | partition 0 pages | partition 1 pages | ... | partition n-1 pages |
 * </pre>
 */
final class SlabRegion implements AutoCloseable
{
    private final MemoryRegion region;
    private final long base;
    private final long bytesPerPartition;

    SlabRegion(
        final HugepageMemory hugepages, final int partitions, final long budgetPerPartition, final long pageBytes,
        final boolean preferHugepages)
    {
        // A partition can never hold more pages than its budget: its range is the budget rounded down.
        this.bytesPerPartition = Math.max(pageBytes, budgetPerPartition / pageBytes * pageBytes);
        final PageSize pageSize = preferHugepages ? PageSize.HUGE_2M : PageSize.BASE_4K;
        // One extra page of slack lets the ranges start on a page boundary whatever the mapping's alignment.
        this.region = hugepages.map("table slab pages", bytesPerPartition * partitions + pageBytes, pageSize);
        final long address = region.segment().address();
        this.base = (address + pageBytes - 1) & -pageBytes;
    }

    long partitionBase(final int partition)
    {
        return base + partition * bytesPerPartition;
    }

    long partitionLimit(final int partition)
    {
        return partitionBase(partition) + bytesPerPartition;
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
