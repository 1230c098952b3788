package io.wirekv.dataplane.table;

import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.hugepages.PageSize;
import org.agrona.collections.Long2ObjectHashMap;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One partition's off-heap memory, paid for from the table-wide {@link TableBudget}; the single place
 * that maps memory for the table. Slab pages are taken, never returned, from the table's
 * {@link SlabRegion} (hugepages where reserved): first the partition's prepaid floor pages, then
 * shared ones while the budget lasts. Freeable blocks (index arrays) are each their own
 * mapping from {@link HugepageMemory}, so that a replaced index is unmapped: 2 MiB hugepages for
 * blocks of at least that size, ordinary pages below.
 * <p>
 * Threading: allocate/free from the partition's writer thread (or the thread constructing the table);
 * {@link #allocatedBytes()} from any thread (opaque load).
 */
final class ArenaMemory implements AutoCloseable
{
    /**
     * A segment spanning the whole address space; items and index slots are addressed by absolute address
     * through it (no per-item segment object, no liveness check on the read path).
     */
    static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final VarHandle ALLOCATED;

    static
    {
        try
        {
            ALLOCATED = MethodHandles.lookup().findVarHandle(ArenaMemory.class, "allocatedBytes", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long shareBytes;
    private final int partition;
    private final TableBudget budget;
    private final SlabRegion slabs;
    private final HugepageMemory hugepages;
    private final boolean preferHugepages;
    private final String purpose;
    private final Long2ObjectHashMap<MemoryRegion> blocks = new Long2ObjectHashMap<>();
    private long allocatedBytes;
    /** Bytes this partition took from the budget (shared pages and index arrays; floor pages are prepaid). */
    private long budgetTakenBytes;
    private int floorPagesTaken;
    private boolean closed;

    /**
     * @param shareBytes this partition's even share of the budget: only a sizing hint (initial index).
     */
    ArenaMemory(
        final int partition, final long shareBytes, final TableBudget budget, final SlabRegion slabs,
        final HugepageMemory hugepages, final boolean preferHugepages, final String purpose)
    {
        this.partition = partition;
        this.shareBytes = shareBytes;
        this.budget = budget;
        this.slabs = slabs;
        this.hugepages = hugepages;
        this.preferHugepages = preferHugepages;
        this.purpose = purpose;
    }

    /** The table's slab pages, with their page table. */
    SlabRegion slabRegion()
    {
        return slabs;
    }

    /** This partition's even share of the table's memory: a sizing hint, not a limit. */
    long budgetBytes()
    {
        return shareBytes;
    }

    long allocatedBytes()
    {
        return (long)ALLOCATED.getOpaque(this); // opaque: stats read; pairs with setOpaque in account
    }

    /** What this partition can still allocate: its untaken floor pages plus what the whole table has left. */
    long availableBytes()
    {
        return (long)(slabs.floorPages() - floorPagesTaken) * slabs.pageBytes() + budget.availableBytes();
    }

    /**
     * A zeroed slab page that lives until close, aligned to its size; 0 if the budget does not allow it.
     * Pages are all {@link SlabRegion#pageBytes()} long.
     */
    long allocatePage(final long bytes, final long alignment)
    {
        if (closed || bytes != slabs.pageBytes() || alignment > bytes)
        {
            return 0;
        }
        if (floorPagesTaken < slabs.floorPages())
        {
            account(bytes);
            return checkAddress(slabs.floorPage(partition, floorPagesTaken++)); // prepaid, never taken by others
        }
        if (!budget.tryTake(bytes))
        {
            return 0;
        }
        final long page = slabs.takeSharedPage(); // fresh mapped memory: zero until first written
        if (0 == page)
        {
            budget.give(bytes);
            return 0;
        }
        budgetTakenBytes += bytes;
        account(bytes);
        return checkAddress(page);
    }

    /** A zeroed block that {@link #freeBlock(long, long)} can return; 0 if the budget does not allow it. */
    long allocateBlock(final long bytes, final long alignment)
    {
        if (closed || !budget.tryTake(bytes))
        {
            return 0;
        }
        final PageSize pageSize = preferHugepages && bytes >= PageSize.HUGE_2M.bytes() ? PageSize.HUGE_2M : PageSize.BASE_4K;
        final MemoryRegion region = hugepages.map(purpose + " index", bytes, pageSize);
        final long address = region.segment().address(); // page-aligned, so any alignment up to 4 KiB holds
        blocks.put(address, region);
        budgetTakenBytes += bytes;
        account(bytes);
        return checkAddress(address);
    }

    void freeBlock(final long address, final long bytes)
    {
        final MemoryRegion region = blocks.remove(address);
        if (region != null)
        {
            region.close();
            budget.give(bytes);
            budgetTakenBytes -= bytes;
            account(-bytes);
        }
    }

    private void account(final long delta)
    {
        ALLOCATED.setOpaque(this, allocatedBytes + delta); // opaque: single writer; pairs with getOpaque in allocatedBytes
    }

    private static long checkAddress(final long address)
    {
        if ((address & ~IndexDescriptor.ADDRESS_MASK) != 0)
        {
            throw new IllegalStateException("address above 2^48 cannot be indexed: 0x" + Long.toHexString(address));
        }
        return address;
    }

    /** Unmaps the index blocks and returns what this partition took; the slab pages go with the {@link SlabRegion}. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (final MemoryRegion region : blocks.values())
            {
                region.close();
            }
            blocks.clear();
            budget.give(budgetTakenBytes);
            budgetTakenBytes = 0;
            ALLOCATED.setOpaque(this, 0L); // opaque: pairs with getOpaque in allocatedBytes
        }
    }
}
