package io.wirekv.dataplane.log;

/**
 * What the syncer does to one partition's mapped log pages for the writer's sake, so the writer's appends take no
 * page fault and no TLB-flush interrupt:
 * <ul>
 * <li>ahead of the writer, {@link #prefault} keeps its next {@link #PREFAULT_BYTES} faulted in writable: a fault on
 *     the writer runs the filesystem's page_mkwrite and zeroes a page-cache page on its core;</li>
 * <li>behind it, {@link #unmapFilled} unmaps the pages it has filled before they are written back: a write-back
 *     write-protects every page still mapped writable, and each one interrupts every other CPU the process runs on
 *     to flush its TLB, where unmapping a range costs one flush.</li>
 * </ul>
 * Syncer thread only.
 */
final class WriterPages
{
    /**
     * How far ahead of the writer the pages are kept faulted in (topped up every round in sync mode, every 50 ms in
     * async mode: room for 80 MB/s of records).
     */
    static final long PREFAULT_BYTES = 8L << 20;
    /** Filled pages are unmapped in ranges of at least this (one TLB flush each: sync rounds are a few KB). */
    static final long UNMAP_BATCH_BYTES = 1L << 20;
    private static final long PAGE_BYTES = 4096;

    private LogSegment prefaulted;
    private long prefaultedEnd;
    private boolean prefaultWorks = true;
    private LogSegment unmapped;
    private long unmappedEnd;

    /**
     * Keeps the {@link #PREFAULT_BYTES} after the writer's append offset in {@code newest} (the segment it appends
     * to) faulted in writable ({@link LogSegment#populateForWrite}), topping the window up once half of it is used,
     * and the page a sync just wrote back (write-protected again by the write-back).
     * @param synced whether the round wrote something back.
     */
    void prefault(final LogSegment newest, final boolean synced)
    {
        if (!prefaultWorks)
        {
            return;
        }
        if (newest != prefaulted)
        {
            prefaulted = newest;
            prefaultedEnd = 0;
        }
        final long page = newest.appendedEnd() & -PAGE_BYTES;
        if (prefaultedEnd - page < PREFAULT_BYTES / 2)
        {
            final long to = Math.min(newest.capacity(), page + PREFAULT_BYTES);
            prefaultWorks = newest.populateForWrite(page, to);
            prefaultedEnd = to;
        }
        else if (synced)
        {
            prefaultWorks = newest.populateForWrite(page, page + PAGE_BYTES);
        }
    }

    /**
     * Before {@code segment} is written back up to {@code end}: unmaps the pages the writer has filled
     * ({@link LogSegment#unmapWritten}), once there are {@link #UNMAP_BATCH_BYTES} of them, or all of them when the
     * writer has moved on ({@code complete}).
     */
    void unmapFilled(final LogSegment segment, final long end, final boolean complete)
    {
        if (segment != unmapped)
        {
            unmapped = segment;
            unmappedEnd = 0;
        }
        final long to = complete ? segment.capacity() : end & -PAGE_BYTES;
        if (to - unmappedEnd >= UNMAP_BATCH_BYTES || (complete && to > unmappedEnd))
        {
            segment.unmapWritten(unmappedEnd, to);
            unmappedEnd = to;
        }
    }
}
