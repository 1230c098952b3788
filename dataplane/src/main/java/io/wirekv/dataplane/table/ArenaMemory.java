package io.wirekv.dataplane.table;

import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.hugepages.PageSize;
import org.agrona.collections.Long2ObjectHashMap;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One partition's off-heap memory with byte accounting against a fixed budget; the single place that
 * maps memory for the table. Slab pages are carved, never returned, from the partition's range of the
 * table's {@link SlabRegion} (hugepages where reserved). Freeable blocks (index arrays) are each their
 * own mapping from {@link HugepageMemory}, so that a replaced index is unmapped: 2 MiB hugepages for
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

    private final long budgetBytes;
    private final HugepageMemory hugepages;
    private final boolean preferHugepages;
    private final String purpose;
    private final long pageLimit;
    private final Long2ObjectHashMap<MemoryRegion> blocks = new Long2ObjectHashMap<>();
    private long nextPage;
    private long allocatedBytes;
    private boolean closed;

    /**
     * @param pageBase  first byte of this partition's slab-page range (aligned to the page size).
     * @param pageLimit end of the range.
     */
    ArenaMemory(
        final long budgetBytes, final long pageBase, final long pageLimit, final HugepageMemory hugepages,
        final boolean preferHugepages, final String purpose)
    {
        this.budgetBytes = budgetBytes;
        this.nextPage = checkAddress(pageBase);
        this.pageLimit = pageLimit;
        this.hugepages = hugepages;
        this.preferHugepages = preferHugepages;
        this.purpose = purpose;
    }

    long budgetBytes()
    {
        return budgetBytes;
    }

    long allocatedBytes()
    {
        return (long)ALLOCATED.getOpaque(this); // opaque: stats read; pairs with setOpaque in account
    }

    long availableBytes()
    {
        return budgetBytes - allocatedBytes;
    }

    /** A zeroed page, aligned to {@code alignment}, that lives until close; 0 if the budget does not allow it. */
    long allocatePage(final long bytes, final long alignment)
    {
        final long page = (nextPage + alignment - 1) & -alignment;
        if (closed || allocatedBytes + bytes > budgetBytes || page + bytes > pageLimit)
        {
            return 0;
        }
        nextPage = page + bytes; // fresh mapped memory: zero until first written
        account(bytes);
        return page;
    }

    /** A zeroed block that {@link #freeBlock(long, long)} can return; 0 if the budget does not allow it. */
    long allocateBlock(final long bytes, final long alignment)
    {
        if (closed || allocatedBytes + bytes > budgetBytes)
        {
            return 0;
        }
        final PageSize pageSize = preferHugepages && bytes >= PageSize.HUGE_2M.bytes() ? PageSize.HUGE_2M : PageSize.BASE_4K;
        final MemoryRegion region = hugepages.map(purpose + " index", bytes, pageSize);
        final long address = region.segment().address(); // page-aligned, so any alignment up to 4 KiB holds
        blocks.put(address, region);
        account(bytes);
        return checkAddress(address);
    }

    void freeBlock(final long address, final long bytes)
    {
        final MemoryRegion region = blocks.remove(address);
        if (region != null)
        {
            region.close();
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

    /** Unmaps the index blocks; the slab pages go when the table closes its {@link SlabRegion}. */
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
            ALLOCATED.setOpaque(this, 0L); // opaque: pairs with getOpaque in allocatedBytes
        }
    }
}
