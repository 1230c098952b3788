package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;

/**
 * One partition's slab allocator. Items live in chunks of a size class ({@link SizeClasses}) carved from
 * slabs: aligned power-of-two runs of 16 KiB units that waste at most an eighth of themselves (one unit for
 * chunks up to ~2 KiB), up to whole pages for the biggest classes, all cut from this partition's pages
 * ({@link SlabPages}, paid for through {@link ArenaMemory}). {@link ItemAllocator} decides when to allocate,
 * evict, rebalance and wait; {@link SlabEvictor} runs the CLOCK and the expiry sweep over the slabs listed
 * here; this class keeps the free lists, bump pointers, per-slab use counts and the one slab being drained.
 * <pre>
 *   class 0 (64 B chunks):      slabs [a][b]     free list -> chunk -> chunk      bump: b + k*64
 *   class 31 (77,000 B chunks): slabs [c c c c]  (four units, 3 chunks)
 *   class 37 (293,752 B):       slabs [P]        (a whole page, 3 chunks)
 *   partition pages:            | a . b . c c c c ... | P (whole) | . . . ... |   (. = free unit, zeroed)
 *   used[slab]:                 chunks live or retired per slab (in the SlabRegion's page table)
 * </pre>
 * Rebalancing: {@link #moveEmptySlab} (both modes) frees slabs of other classes that hold nothing;
 * {@link #startDrain} (cache mode: for a class with nothing to evict, or from the donor {@link SlabRebalancer}
 * chose) empties memory of other classes, at the granularity the class needs (a slab
 * at least as big, or an aligned run of smaller slabs reassembled), evicting its items through an
 * {@link ItemUnlinker}. Invariants: a slab being drained ({@code [drainStart, drainEnd)}, at most one) is in
 * no class's list, free list or bump range, so nothing allocates from it; its chunks are unlinked and retired,
 * and it becomes free memory (zeroed, in {@link SlabPages}) only when the last of them is freed after its grace
 * period. A slab holding a pinned item ({@code pinA}/{@code pinB}, the old item an append copies from) is
 * never drained nor evicted. Slabs move inside the partition, so the budget's accounting does not change.
 * <p>
 * Threading: the partition's writer thread only; readers never touch this state.
 */
final class SlabAllocator
{
    /** Bytes a freed chunk is filled with when poisoning is on (tests: a reader that sees it read freed memory). */
    static final byte POISON = (byte)0xA5;
    private static final long POISON_WORD = 0xA5A5_A5A5_A5A5_A5A5L;

    private final Table table;
    private final PartitionCounters counters;
    private final SizeClasses classes;
    private final SlabRegion region;
    private final SlabPages slabPages;
    private final boolean poisonFreed;
    private final long[] freeHead;
    /** Per class: next never-used chunk of the newest slab, and that slab's end (bump allocation). */
    private final long[] bumpNext;
    private final long[] bumpEnd;
    /** Per class: its slabs (see {@link SizeClasses}), in the order the CLOCK visits them. */
    private final long[][] slabs;
    private final int[] slabCount;
    /** Next class to give memory: shared by eviction across classes and by {@link #startDrain}. */
    private int evictClassCursor;
    /** A slab's used count fell to 0 since {@link #moveEmptySlab} last found nothing to move. */
    private boolean emptySlabsPossible;
    /** Slabs in classes (not draining) with no chunk live or retired. */
    private int emptySlabs;
    /**
     * Slab rebalancing (cache mode): the slab or aligned run of units {@code [drainStart, drainEnd)} being
     * emptied (0 when none), and its chunks still live or retired.
     */
    private long drainStart;
    private long drainEnd;
    private int drainOutstanding;
    /** Chunks (any address inside them) that must not be evicted or moved: the source of an append being built. */
    private long pinA = -1;
    private long pinB = -1;

    SlabAllocator(
        final Table table, final ArenaMemory memory, final SizeClasses classes, final boolean poisonFreed,
        final PartitionCounters counters)
    {
        this.table = table;
        this.counters = counters;
        this.classes = classes;
        this.poisonFreed = poisonFreed;
        this.region = memory.slabRegion();
        this.slabPages = new SlabPages(region, memory, classes);
        final int n = classes.count();
        freeHead = new long[n];
        bumpNext = new long[n];
        bumpEnd = new long[n];
        slabs = new long[n][];
        slabCount = new int[n];
        for (int i = 0; i < n; i++)
        {
            slabs[i] = new long[4];
        }
    }

    /** Pins the chunks holding these addresses (-1: none) until the next call. */
    void pin(final long a, final long b)
    {
        pinA = a;
        pinB = b;
    }

    boolean isDraining()
    {
        return drainStart != 0;
    }

    /** Slabs of the class, in the order eviction visits them. */
    int slabCount(final int sizeClass)
    {
        return slabCount[sizeClass];
    }

    /** Chunks in the class's slabs (free or not). */
    long chunkCount(final int sizeClass)
    {
        return (long)slabCount[sizeClass] * classes.chunksPerSlab(sizeClass);
    }

    /** Chunks of the class a whole page holds. */
    int chunksPerPage(final int sizeClass)
    {
        return classes.pageBytes() / classes.slabBytes(sizeClass) * classes.chunksPerSlab(sizeClass);
    }

    /** The class's {@code index}-th slab ({@code index < slabCount(sizeClass)}). */
    long slab(final int sizeClass, final int index)
    {
        return slabs[sizeClass][index];
    }

    /** Takes the next class for eviction across classes (the cursor {@link #startDrain} also advances). */
    int nextEvictClass()
    {
        final int c = evictClassCursor;
        evictClassCursor = (evictClassCursor + 1) % classes.count();
        return c;
    }

    long popFree(final int sizeClass)
    {
        long address = freeHead[sizeClass];
        if (address != 0)
        {
            final long next = NATIVE.get(ValueLayout.JAVA_LONG_UNALIGNED, address + FREE_NEXT_OFFSET);
            freeHead[sizeClass] = next;
            if (next != 0)
            {
                NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, next + FREE_PREV_OFFSET, 0L);
            }
            NATIVE.set(ValueLayout.JAVA_BYTE, address + STATE_OFFSET, STATE_FREE); // in the caller's hands, off the list
        }
        else
        {
            final long next = bumpNext[sizeClass];
            if (next == 0 || next >= bumpEnd[sizeClass])
            {
                return 0;
            }
            bumpNext[sizeClass] = next + classes.chunkBytes(sizeClass);
            address = next;
        }
        if (region.addUsed(address & -(long)classes.slabBytes(sizeClass), 1) == 1)
        {
            emptySlabs--;
        }
        return address;
    }

    /**
     * Fills a freed chunk with {@link #POISON} by stores through {@code NATIVE}, not {@code asSlice(..).fill}: the
     * slice is an object that only C2's escape analysis removes, and in a test JVM whose profiles other tests have
     * polluted it stayed, 40 bytes a write (ExpiryWheelTest's allocation check, in CI's test order).
     */
    private static void poison(final long address, final int bytes)
    {
        int i = 0;
        for (; i + Long.BYTES <= bytes; i += Long.BYTES)
        {
            NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, address + i, POISON_WORD);
        }
        for (; i < bytes; i++)
        {
            NATIVE.set(ValueLayout.JAVA_BYTE, address + i, POISON);
        }
    }

    void freeChunk(final long address, final int sizeClass)
    {
        if (poisonFreed)
        {
            poison(address, classes.chunkBytes(sizeClass));
        }
        final int used = region.addUsed(address & -(long)classes.slabBytes(sizeClass), -1);
        if (drainStart != 0 && address >= drainStart && address < drainEnd)
        {
            if (--drainOutstanding == 0)
            {
                finishDrain();
            }
            return;
        }
        final long head = freeHead[sizeClass];
        NATIVE.set(ValueLayout.JAVA_BYTE, address + STATE_OFFSET, STATE_LISTED);
        NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, address + FREE_NEXT_OFFSET, head);
        NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, address + FREE_PREV_OFFSET, 0L);
        if (head != 0)
        {
            NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, head + FREE_PREV_OFFSET, address);
        }
        freeHead[sizeClass] = address;
        if (used == 0)
        {
            emptySlabs++;
            emptySlabsPossible = true;
        }
    }

    /**
     * Gives the class a new slab (see {@link SlabPages#take}; a new page must leave {@code reserveBytes} in the
     * budget) and makes it the class's bump slab.
     */
    boolean addSlab(final int sizeClass, final long reserveBytes)
    {
        final long slab = slabPages.take(sizeClass, reserveBytes);
        if (slab == 0)
        {
            return false;
        }
        if (slabCount[sizeClass] == slabs[sizeClass].length)
        {
            slabs[sizeClass] = Arrays.copyOf(slabs[sizeClass], slabs[sizeClass].length * 2);
        }
        slabs[sizeClass][slabCount[sizeClass]++] = slab;
        emptySlabs++;
        // chunks are handed out by bumping through the zeroed slab (state FREE until used)
        bumpNext[sizeClass] = slab;
        bumpEnd[sizeClass] = slab + (long)classes.chunksPerSlab(sizeClass) * classes.chunkBytes(sizeClass);
        return true;
    }

    /**
     * Both modes: frees slabs that hold no live or retired chunk (of other classes) so that {@link #addSlab}
     * can give {@code sizeClass} a slab; no eviction, no grace period (an empty slab's chunks were all freed
     * after theirs). It looks for an aligned run of the class's slab size made of free units and empty slabs
     * no bigger than the run, in the page with the fewest such units (so that emptiness gathers in whole
     * pages, which bigger classes need); else an empty slab bigger than the run. Returns true if memory was
     * freed.
     */
    boolean moveEmptySlab(final int sizeClass)
    {
        if (!emptySlabsPossible || emptySlabs == 0 || drainStart != 0)
        {
            return false;
        }
        final long pageBytes = classes.pageBytes();
        final int unitBytes = classes.unitBytes();
        final int perPage = region.unitsPerPage();
        final int units = classes.slabUnits(sizeClass);
        long bestRun = 0;
        int bestScore = Integer.MAX_VALUE;
        long bigger = 0;
        int biggerClass = -1;
        for (int p = 0, pages = slabPages.pageCount(); p < pages; p++)
        {
            final long page = slabPages.page(p);
            final long free = region.freeUnits(page);
            if (free == region.allUnits())
            {
                continue;
            }
            long emptyMask = free;
            for (int i = 0; i < perPage; i++)
            {
                final long u = page + (long)i * unitBytes;
                final int owner = region.owner(u);
                if (owner == SlabRegion.FREE || owner == sizeClass)
                {
                    continue;
                }
                final long slab = u & -(long)classes.slabBytes(owner);
                if (region.used(slab) == 0)
                {
                    if (classes.slabUnits(owner) <= units)
                    {
                        emptyMask |= 1L << i;
                    }
                    else if (bigger == 0)
                    {
                        bigger = slab;
                        biggerClass = owner;
                    }
                }
            }
            final int score = Long.bitCount(emptyMask);
            if (score < bestScore)
            {
                final int at = SlabPages.alignedRun(emptyMask, units, perPage);
                if (at >= 0)
                {
                    bestRun = page + (long)at * unitBytes;
                    bestScore = score;
                    if (score == units)
                    {
                        break; // the run is all the page has free or empty: no page can do better
                    }
                }
            }
        }
        if (bestRun != 0)
        {
            final long end = bestRun + (long)units * unitBytes;
            for (long u = bestRun; u < end; u += unitBytes)
            {
                final int owner = region.owner(u);
                if (owner != SlabRegion.FREE && (u & -(long)classes.slabBytes(owner)) == u)
                {
                    detachSlab(owner, indexOfSlab(owner, u));
                }
            }
            slabPages.release(bestRun, end - bestRun);
            counters.addOpaque(PartitionCounters.PAGES_MOVED, 1);
            return true;
        }
        if (bigger != 0)
        {
            detachSlab(biggerClass, indexOfSlab(biggerClass, bigger));
            slabPages.release(bigger, classes.slabBytes(biggerClass));
            counters.addOpaque(PartitionCounters.PAGES_MOVED, 1);
            return true;
        }
        emptySlabsPossible = false;
        return false;
    }

    private int indexOfSlab(final int sizeClass, final long slab)
    {
        final long[] list = slabs[sizeClass];
        for (int i = 0, count = slabCount[sizeClass]; i < count; i++)
        {
            if (list[i] == slab)
            {
                return i;
            }
        }
        throw new IllegalStateException("slab 0x" + Long.toHexString(slab) + " not in class " + sizeClass);
    }

    /**
     * Takes the class's {@code index}-th slab out of the class: out of its slab list (so the CLOCK and the sweep
     * no longer visit it), its bump range and its free list (each listed chunk unlinked, in O(chunks in the
     * slab)). Its other chunks stay as they are.
     */
    private void detachSlab(final int sizeClass, final int index)
    {
        final long[] list = slabs[sizeClass];
        final long slab = list[index];
        final long end = slab + classes.slabBytes(sizeClass);
        System.arraycopy(list, index + 1, list, index, slabCount[sizeClass] - index - 1);
        slabCount[sizeClass]--;
        if (region.used(slab) == 0)
        {
            emptySlabs--;
        }
        if (bumpNext[sizeClass] >= slab && bumpNext[sizeClass] < end)
        {
            bumpNext[sizeClass] = 0;
            bumpEnd[sizeClass] = 0;
        }
        final int chunk = classes.chunkBytes(sizeClass);
        for (long a = slab, last = slab + (long)(classes.chunksPerSlab(sizeClass) - 1) * chunk; a <= last; a += chunk)
        {
            if (NATIVE.get(ValueLayout.JAVA_BYTE, a + STATE_OFFSET) == STATE_LISTED)
            {
                final long next = NATIVE.get(ValueLayout.JAVA_LONG_UNALIGNED, a + FREE_NEXT_OFFSET);
                final long prev = NATIVE.get(ValueLayout.JAVA_LONG_UNALIGNED, a + FREE_PREV_OFFSET);
                if (prev == 0)
                {
                    freeHead[sizeClass] = next;
                }
                else
                {
                    NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, prev + FREE_NEXT_OFFSET, next);
                }
                if (next != 0)
                {
                    NATIVE.set(ValueLayout.JAVA_LONG_UNALIGNED, next + FREE_PREV_OFFSET, prev);
                }
                NATIVE.set(ValueLayout.JAVA_BYTE, a + STATE_OFFSET, STATE_FREE);
            }
        }
    }

    /**
     * Cache mode, class {@code toClass} has no chunk, no memory for a slab and nothing to evict: empty memory
     * of other classes (evicting its items, which are freed after a grace period) so that it becomes free once
     * its last chunk is free (memcached's slab rebalancing, done by the writer), at the granularity the class
     * needs. The class holding the most memory gives one of its slabs if they are at least as big as the one
     * needed (a bigger slab leaves free units for later); otherwise the aligned run of the needed size whose
     * smaller slabs hold the fewest items is reassembled (every slab in it emptied); failing both, any class
     * with big enough slabs gives one. Never a slab or run holding a pinned item.
     */
    boolean startDrain(final int toClass, final ItemUnlinker unlinker)
    {
        int donor = -1;
        long donorBytes = 0;
        for (int d = 0; d < classes.count(); d++)
        {
            final long bytes = (long)slabCount[d] * classes.slabBytes(d);
            if (d != toClass && bytes > donorBytes)
            {
                donor = d;
                donorBytes = bytes;
            }
        }
        return donor >= 0 && startDrain(toClass, donor, unlinker);
    }

    /**
     * {@link #startDrain(int, ItemUnlinker)} with the donor chosen by the caller ({@link SlabRebalancer}): one of
     * its slabs if they are big enough, else a reassembled run, else a slab of any class with big enough slabs.
     */
    boolean startDrain(final int toClass, final int donor, final ItemUnlinker unlinker)
    {
        if (drainStart != 0)
        {
            return false;
        }
        final int n = classes.count();
        final int units = classes.slabUnits(toClass);
        if (classes.slabUnits(donor) >= units && drainSlabOf(donor, unlinker))
        {
            return true;
        }
        final long run = slabPages.runToReassemble(units, toClass, pinA, pinB);
        if (run != 0)
        {
            beginDrain(run, (long)units * classes.unitBytes(), unlinker);
            return true;
        }
        for (int i = 0; i < n; i++)
        {
            final int d = (evictClassCursor + i) % n;
            if (d != toClass && d != donor && slabCount[d] > 0 && classes.slabUnits(d) >= units &&
                drainSlabOf(d, unlinker))
            {
                evictClassCursor = (d + 1) % n;
                return true;
            }
        }
        return false;
    }

    /** Starts draining the class's slab with the fewest used chunks that holds no pinned item. */
    private boolean drainSlabOf(final int sizeClass, final ItemUnlinker unlinker)
    {
        final int slabBytes = classes.slabBytes(sizeClass);
        long best = 0;
        int bestUsed = Integer.MAX_VALUE;
        final long[] list = slabs[sizeClass];
        for (int i = 0, count = slabCount[sizeClass]; i < count; i++)
        {
            final long slab = list[i];
            final int used = region.used(slab);
            if (used < bestUsed && !pinnedRange(slab, slabBytes))
            {
                best = slab;
                bestUsed = used;
            }
        }
        if (best == 0)
        {
            return false;
        }
        beginDrain(best, slabBytes, unlinker);
        return true;
    }

    /**
     * Empties {@code [start, start + bytes)}, a slab or a page of unit slabs: free units are kept out of
     * {@link SlabPages#take}, each slab is detached from its class, live items are unlinked and retired
     * (counted as evictions, or expirations if already expired). Chunks still live or retired are counted in
     * {@link #drainOutstanding}; {@link #freeChunk} counts them down after their grace periods, and the last
     * one finishes the drain.
     */
    private void beginDrain(final long start, final long bytes, final ItemUnlinker unlinker)
    {
        drainStart = start;
        drainEnd = start + bytes;
        drainOutstanding = 0;
        final long now = table.nowSeconds();
        final int unitBytes = classes.unitBytes();
        for (long slab = start; slab < start + bytes; )
        {
            final int owner = region.owner(slab);
            if (owner == SlabRegion.FREE)
            {
                slabPages.reserveFreeUnit(slab);
                slab += unitBytes;
                continue;
            }
            detachSlab(owner, indexOfSlab(owner, slab));
            final int chunk = classes.chunkBytes(owner);
            final int perSlab = classes.chunksPerSlab(owner);
            for (int c = 0; c < perSlab; c++)
            {
                final long address = slab + (long)c * chunk;
                final byte state = NATIVE.get(ValueLayout.JAVA_BYTE, address + STATE_OFFSET);
                if (state == STATE_LIVE)
                {
                    final boolean live = table.isLive(address, now);
                    drainOutstanding++; // before the unlink: with no reader the chunk may be freed at once
                    if (unlinker.unlinkItem(address))
                    {
                        counters.addOpaque(live ? PartitionCounters.EVICTIONS : PartitionCounters.EXPIRATIONS, 1);
                    }
                    else
                    {
                        drainOutstanding--;
                    }
                }
                else if (state == STATE_RETIRED)
                {
                    drainOutstanding++;
                }
            }
            slab += classes.slabBytes(owner);
        }
        if (drainOutstanding == 0 && drainStart != 0)
        {
            finishDrain();
        }
    }

    private void finishDrain()
    {
        final long start = drainStart;
        final long bytes = drainEnd - drainStart;
        drainStart = 0;
        drainEnd = 0;
        slabPages.release(start, bytes);
        counters.addOpaque(PartitionCounters.PAGES_MOVED, 1);
    }

    private boolean pinnedRange(final long start, final long bytes)
    {
        return (pinA >= start && pinA < start + bytes) || (pinB >= start && pinB < start + bytes);
    }

    /** True if the chunk at {@code address} holds a pinned item (see {@link #pin}). */
    boolean pinned(final long address, final int chunk)
    {
        return (pinA >= address && pinA < address + chunk) || (pinB >= address && pinB < address + chunk);
    }

    // --- read access for SlabInvariants (tests) ---

    long freeHead(final int sizeClass)
    {
        return freeHead[sizeClass];
    }

    int emptySlabs()
    {
        return emptySlabs;
    }

    long drainStart()
    {
        return drainStart;
    }

    long drainEnd()
    {
        return drainEnd;
    }

    SlabRegion region()
    {
        return region;
    }

    SlabPages slabPages()
    {
        return slabPages;
    }
}
