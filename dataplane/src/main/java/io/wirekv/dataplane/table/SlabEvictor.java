package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;

/**
 * Takes items out of one partition's slabs: cache-mode eviction with a CLOCK per size class over slab order (the
 * reference bit is set by the writer at publication and by a reader's hit, {@link ReadMarks}; a live
 * item with the bit set gets a second chance) and the housekeeping sweep over every class's chunks, run once after
 * each flush_all takes effect (expired items are found by the {@link ExpiryWheel}, without a scan; a flush hides
 * items of every expiry, so only a pass over the slabs finds them all). Never takes a pinned item (an append's
 * source, {@link SlabAllocator#pin}). Each taken item is unlinked and retired through the {@link ItemUnlinker} and
 * counted as an eviction, or an expiration if it was already expired.
 * <p>
 * Threading: the partition's writer thread only.
 */
final class SlabEvictor
{
    private final Table table;
    private final SizeClasses classes;
    private final SlabAllocator slabs;
    private final ItemUnlinker unlinker;
    private final PartitionCounters counters;
    /** Per class: the CLOCK hand (slab, chunk). */
    private final int[] clockSlab;
    private final int[] clockChunk;
    /** The expiry sweep's cursor (class, slab, chunk). */
    private int sweepClass;
    private int sweepSlab;
    private int sweepChunk;
    /** Chunks the current post-flush pass has still to look at (0: no pass), and the flush it is for. */
    private long sweepRemaining;
    private long sweptOldestLive;
    private long sweptOldestCas;
    /** Mean age in writes ({@link Table#lastCas} - CAS) of the live items the last {@link #evict} took; -1: none. */
    private long lastBatchAge = -1;

    SlabEvictor(
        final Table table, final SizeClasses classes, final SlabAllocator slabs, final ItemUnlinker unlinker,
        final PartitionCounters counters)
    {
        this.table = table;
        this.classes = classes;
        this.slabs = slabs;
        this.unlinker = unlinker;
        this.counters = counters;
        clockSlab = new int[classes.count()];
        clockChunk = new int[classes.count()];
    }

    /** CLOCK over slab order: live items with the reference bit get a second chance. */
    int evict(final int sizeClass, final int count)
    {
        final int slabN = slabs.slabCount(sizeClass);
        if (slabN == 0)
        {
            return 0;
        }
        final int perSlab = classes.chunksPerSlab(sizeClass);
        final int chunk = classes.chunkBytes(sizeClass);
        final long scanLimit = 2L * slabN * perSlab + 1;
        final long now = table.nowSeconds();
        final long lastCas = table.lastCas();
        int evicted = 0;
        int liveEvicted = 0;
        long ageSum = 0;
        for (long scanned = 0; scanned < scanLimit && evicted < count; scanned++)
        {
            int slab = clockSlab[sizeClass];
            int index = clockChunk[sizeClass];
            if (slab >= slabN)
            {
                slab = 0;
                index = 0;
            }
            final long address = slabs.slab(sizeClass, slab) + (long)index * chunk;
            if (++index == perSlab)
            {
                index = 0;
                slab++;
            }
            clockSlab[sizeClass] = slab;
            clockChunk[sizeClass] = index;

            if (NATIVE.get(ValueLayout.JAVA_BYTE, address + STATE_OFFSET) != STATE_LIVE || slabs.pinned(address, chunk))
            {
                continue;
            }
            final boolean live = table.isLive(address, now);
            if (live && NATIVE.get(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET) != 0)
            {
                NATIVE.set(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET, (byte)0);
                continue;
            }
            final long age = ageOf(address, lastCas);
            if (unlinker.unlinkItem(address))
            {
                evicted++;
                counters.addOpaque(live ? PartitionCounters.EVICTIONS : PartitionCounters.EXPIRATIONS, 1);
                if (live)
                {
                    liveEvicted++;
                    ageSum += age;
                }
            }
        }
        lastBatchAge = liveEvicted == 0 ? -1 : ageSum / liveEvicted;
        return evicted;
    }

    /** See {@link #lastBatchAge}: the mean age of the live items the last {@link #evict} call took, or -1. */
    long lastBatchAge()
    {
        return lastBatchAge;
    }

    /**
     * The mean age of the items the class's CLOCK would take next: the live ones not read since the hand last
     * passed among the {@code chunks} chunks from its hand on (the hand does not move; an item whose bit is set
     * only by its publication goes on the hand's next lap); -1 if there are none.
     */
    long nextVictimAge(final int sizeClass, final int chunks)
    {
        final int slabN = slabs.slabCount(sizeClass);
        if (slabN == 0)
        {
            return -1;
        }
        final int perSlab = classes.chunksPerSlab(sizeClass);
        final int chunk = classes.chunkBytes(sizeClass);
        final long now = table.nowSeconds();
        final long lastCas = table.lastCas();
        int slab = clockSlab[sizeClass] < slabN ? clockSlab[sizeClass] : 0;
        int index = clockSlab[sizeClass] < slabN ? clockChunk[sizeClass] : 0;
        int found = 0;
        long ageSum = 0;
        for (int i = 0, n = Math.min(chunks, slabN * perSlab); i < n; i++)
        {
            final long address = slabs.slab(sizeClass, slab) + (long)index * chunk;
            if (++index == perSlab)
            {
                index = 0;
                slab = slab + 1 == slabN ? 0 : slab + 1;
            }
            if (NATIVE.get(ValueLayout.JAVA_BYTE, address + STATE_OFFSET) == STATE_LIVE &&
                NATIVE.get(ValueLayout.JAVA_BYTE, address + CLOCK_OFFSET) != CLOCK_READ && table.isLive(address, now))
            {
                found++;
                ageSum += ageOf(address, lastCas);
            }
        }
        return found == 0 ? -1 : ageSum / found;
    }

    /** Writes to the table since the item was stored (0 for a CAS from the future: a client's explicit one). */
    private static long ageOf(final long address, final long lastCas)
    {
        return Math.max(0, lastCas - NATIVE.get(ValueLayout.JAVA_LONG_UNALIGNED, address + CAS_OFFSET));
    }

    void evictAcrossClasses(final int count)
    {
        int remaining = count;
        final int n = classes.count();
        for (int i = 0; i < n && remaining > 0; i++)
        {
            final int c = slabs.nextEvictClass();
            remaining -= evict(c, remaining);
        }
    }

    /**
     * The flush sweep: once a flush_all not yet swept has taken effect, one pass over every chunk the slabs held
     * then, {@code budget} chunks per call, unlinking the items no longer live. Returns the items unlinked.
     */
    int sweep(final int budget, final long now)
    {
        final long oldestLive = table.flushOldestLiveSeconds();
        final long oldestCas = table.flushOldestCas();
        if (oldestLive != 0 && oldestLive <= now && (oldestLive != sweptOldestLive || oldestCas != sweptOldestCas))
        {
            sweptOldestLive = oldestLive;
            sweptOldestCas = oldestCas;
            sweepRemaining = 0;
            for (int c = 0; c < classes.count(); c++)
            {
                sweepRemaining += (long)slabs.slabCount(c) * classes.chunksPerSlab(c);
            }
        }
        final int n = classes.count();
        int work = 0;
        int examined = 0;
        int emptyClasses = 0;
        while (examined < budget && emptyClasses < n && sweepRemaining > 0)
        {
            final int c = sweepClass;
            if (sweepSlab >= slabs.slabCount(c))
            {
                sweepClass = (c + 1) % n;
                sweepSlab = 0;
                sweepChunk = 0;
                emptyClasses++;
                continue;
            }
            emptyClasses = 0;
            final long address = slabs.slab(c, sweepSlab) + (long)sweepChunk * classes.chunkBytes(c);
            if (++sweepChunk == classes.chunksPerSlab(c))
            {
                sweepChunk = 0;
                sweepSlab++;
            }
            examined++;
            sweepRemaining--;
            if (NATIVE.get(ValueLayout.JAVA_BYTE, address + STATE_OFFSET) == STATE_LIVE && !table.isLive(address, now) &&
                unlinker.unlinkItem(address))
            {
                counters.addOpaque(PartitionCounters.EXPIRATIONS, 1);
                work++;
            }
        }
        return work;
    }
}
