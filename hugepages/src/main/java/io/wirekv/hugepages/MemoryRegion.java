package io.wirekv.hugepages;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One mapping made by {@link HugepageMemory}: its memory as a {@link MemorySegment}, how it is
 * backed, and whether it is locked. {@link #close()} unmaps it (once; later calls do nothing) and
 * updates the {@link MemoryAccounting}; the segment is then no longer accessible (accesses throw
 * {@link IllegalStateException} instead of faulting).
 * <p>
 * <b>Threading.</b> The segment may be used from any thread; close it once no thread uses it.
 */
public final class MemoryRegion implements AutoCloseable
{
    private final String purpose;
    private final Arena arena;
    private final MemorySegment segment;
    private final PageSize pageSize;
    private final boolean hugepageBacked;
    private final boolean locked;
    private final String backing;

    MemoryRegion(
        final String purpose,
        final Arena arena,
        final MemorySegment segment,
        final PageSize pageSize,
        final boolean hugepageBacked,
        final boolean locked,
        final String backing)
    {
        this.purpose = purpose;
        this.arena = arena;
        this.segment = segment;
        this.pageSize = pageSize;
        this.hugepageBacked = hugepageBacked;
        this.locked = locked;
        this.backing = backing;
    }

    /**
     * @return the mapped memory, {@link #sizeBytes()} long, page-aligned.
     */
    public MemorySegment segment()
    {
        return segment;
    }

    /**
     * @return the mapping's size: the requested size rounded up to whole pages.
     */
    public long sizeBytes()
    {
        return segment.byteSize();
    }

    /**
     * @return the page size that backs the region ({@link PageSize#BASE_4K} after a fallback).
     */
    public PageSize pageSize()
    {
        return pageSize;
    }

    /**
     * @return the page size in bytes.
     */
    public long pageSizeBytes()
    {
        return pageSize.bytes();
    }

    /**
     * @return true when hugetlb pages back the region (anonymous MAP_HUGETLB or a hugetlbfs file).
     */
    public boolean isHugepageBacked()
    {
        return hugepageBacked;
    }

    /**
     * @return true when the region is locked in RAM with mlock (hugetlb pages are never swapped either way).
     */
    public boolean isLocked()
    {
        return locked;
    }

    /**
     * @return what the region was mapped for, as given to {@link HugepageMemory#map}.
     */
    public String purpose()
    {
        return purpose;
    }

    /**
     * @return how the region is backed, for the start-up report, e.g. {@code "anonymous hugetlb 2MiB pages, locked"}.
     */
    public String backing()
    {
        return backing;
    }

    /**
     * @return false once closed.
     */
    public boolean isOpen()
    {
        return arena.scope().isAlive();
    }

    /**
     * Unmaps the region (the arena's cleanup runs munmap and updates the accounting).
     */
    @Override
    public synchronized void close()
    {
        if (arena.scope().isAlive())
        {
            arena.close();
        }
    }

    @Override
    public String toString()
    {
        return purpose + ": " + sizeBytes() + " bytes, " + backing;
    }
}
