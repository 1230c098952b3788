package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.EXPIRES_AT_OFFSET;

/**
 * One partition's TTL-aware reclamation: every linked item with an expiry time sits in exactly one bucket of a
 * hierarchical timing wheel keyed by that time, so the writer finds expired memory by walking the buckets whose
 * time has come, never by scanning live items.
 * <pre>
 *   level 0: 64 buckets x 1 s      expiry up to 64 s ahead        (exact: reclaimed in the second it expires)
 *   level 1: 64 buckets x 8 s      up to 512 s ahead              (at most 8 s late)
 *   level 2: 64 buckets x 64 s     up to 68 min ahead             (at most 64 s late, under 1/8 of the TTL)
 *   level 3: 64 buckets x 512 s    up to 9 h ahead; farther ones wait in its farthest bucket and are placed again
 *
 *   bucket (level L, slot i): a circular list through ExpiryLinks, one node per item (by its chunk's granule)
 *      sentinel <-> item <-> item <-> ...         bytes[b], items[b]
 *   wheel time "processed": buckets whose time is at or before it are due, queued FIFO for the writer to empty
 * </pre>
 * An item expiring at {@code e} goes, when published, to the finest level whose span holds it, in the slot of
 * {@code e} rounded up to the level's width (Linux's timer wheel without cascading: a coarse bucket comes due
 * when all its items have expired, at most one width late). Unlinking an item (overwrite, delete, eviction,
 * expiry; every path ends in {@link QsbrReclaimer#retireItem}) takes it out of its list in O(1), so a bucket
 * holds exactly the linked items of its time: a touched or overwritten item is a new item in its new bucket
 * and the old one left its list when it was retired, so nothing is reclaimed early and nothing is visited twice.
 * <p>
 * Why a wheel of item references and not pages tagged by expiry (Segcache): the slab allocator hands out
 * chunks of 83 classes from free lists shared by every TTL, and a class's smallest footprint is a 16 KiB slab;
 * segregating by expiry would multiply the slabs each class holds by the number of buckets and pin that memory
 * in small partitions. The wheel changes neither the item layout nor the allocator: its links live in a side
 * table on the heap ({@link ExpiryLinks}, 9 bytes per 64 bytes of slab memory, allocated once).
 * <p>
 * Reclaiming: {@link #reclaimDue} advances the wheel to now and, for at most {@code budget} items per call,
 * unlinks each item of a due bucket that is no longer live through the index ({@link ItemUnlinker}), which
 * retires it: freed after a QSBR grace period, so a reader holding the item never sees it freed under it. An
 * item in a due bucket that is still live (placed beyond the horizon, or added for the bucket's next turn while
 * the bucket waited) is placed again; if that is the same bucket, the bucket is left until its next turn. A
 * pinned item (an append's source) ends the call.
 * <p>
 * Threading: the partition's writer thread only (plain state; its nodes belong to pages this partition owns).
 */
final class ExpiryWheel
{
    static final int LEVELS = 4;
    static final int SLOTS = 64;
    static final int BUCKETS = LEVELS * SLOTS;
    /** Each level's bucket is 8 times as wide as the one below. */
    static final int LEVEL_SHIFT = 3;

    private final Table table;
    private final SizeClasses classes;
    private final SlabRegion region;
    private final SlabAllocator slabs;
    private final PartitionCounters counters;
    private final int[] next;
    private final int[] prev;
    private final byte[] bucketOf;
    private final long base;
    private final int sentinels;
    private final long[] bucketBytes = new long[BUCKETS];
    private final int[] bucketItems = new int[BUCKETS];
    private final boolean[] due = new boolean[BUCKETS];
    /** Due buckets, FIFO (each at most once: {@link #due}). */
    private final int[] dueQueue = new int[BUCKETS];
    private int dueHead;
    private int dueCount;
    /** Bytes of the items in due buckets: expired memory the wheel has not reclaimed yet. */
    private long dueBytes;
    /** The wheel's time: every bucket due at or before this second has been queued. */
    private long processed;

    ExpiryWheel(
        final Table table, final int partition, final SizeClasses classes, final SlabRegion region,
        final SlabAllocator slabs, final PartitionCounters counters)
    {
        this.table = table;
        this.classes = classes;
        this.region = region;
        this.slabs = slabs;
        this.counters = counters;
        final ExpiryLinks links = region.expiryLinks();
        this.next = links.next;
        this.prev = links.prev;
        this.bucketOf = links.bucket;
        this.base = region.base();
        this.sentinels = links.sentinelBase + partition * BUCKETS;
        this.processed = table.nowSeconds();
    }

    /** Adds a just-published item that expires at {@code expiresAt} (unix seconds, not 0). */
    void add(final long address, final long expiresAt, final long itemBytes)
    {
        link(granule(address), bucketFor(expiresAt), itemBytes);
    }

    /** Takes a retired item out of its bucket, if it is in one. */
    void remove(final long address, final long itemBytes)
    {
        if (NATIVE.get(ValueLayout.JAVA_INT, address + EXPIRES_AT_OFFSET) == 0)
        {
            return; // never added (items are immutable): the links, a cache miss away at 1M items, stay untouched
        }
        final int g = granule(address);
        if (next[g] == ExpiryLinks.NONE)
        {
            return;
        }
        unlink(g, itemBytes);
    }

    /**
     * Advances the wheel to now and reclaims up to {@code budget} items of the due buckets; returns the items
     * visited. Each one no longer live is unlinked through {@code unlinker} (retired, freed after a grace period).
     */
    int reclaimDue(final int budget, final long now, final ItemUnlinker unlinker)
    {
        advance(now);
        int visited = 0;
        int reclaimed = 0;
        long reclaimedBytes = 0;
        while (visited < budget && dueCount > 0)
        {
            final int b = dueQueue[dueHead];
            final int sentinel = sentinels + b;
            final int g = next[sentinel];
            if (g == sentinel)
            {
                popDue();
                continue;
            }
            final long address = chunkOf(g);
            final int sizeClass = region.owner(address);
            if (slabs.pinned(address, classes.chunkBytes(sizeClass)))
            {
                break; // an append is copying from it: its next call takes it
            }
            visited++;
            final long itemBytes = ItemDescriptor.itemLength(address);
            if (!table.isLive(address, now))
            {
                if (unlinker.unlinkItem(address)) // retires it, which takes it out of this list
                {
                    reclaimed++;
                    reclaimedBytes += itemBytes;
                    counters.addOpaque(PartitionCounters.EXPIRATIONS, 1);
                }
                else
                {
                    unlink(g, itemBytes); // not in the index (cannot happen for a live chunk): just forget it
                }
                continue;
            }
            final int placed = bucketFor(NATIVE.get(ValueLayout.JAVA_INT, address + EXPIRES_AT_OFFSET) & 0xFFFF_FFFFL);
            if (placed == b)
            {
                popDue(); // the rest wait for this bucket's next turn
                continue;
            }
            unlink(g, itemBytes);
            link(g, placed, itemBytes);
        }
        if (visited > 0)
        {
            counters.addOpaque(PartitionCounters.TTL_VISITED, visited);
            counters.addOpaque(PartitionCounters.TTL_RECLAIMED, reclaimed);
            counters.addOpaque(PartitionCounters.TTL_RECLAIMED_BYTES, reclaimedBytes);
        }
        counters.setOpaque(PartitionCounters.TTL_DUE_BYTES, dueBytes);
        return visited;
    }

    /** Items in all buckets (tests). */
    long items()
    {
        long sum = 0;
        for (final int n : bucketItems)
        {
            sum += n;
        }
        return sum;
    }

    /**
     * Tests: null if every live chunk with an expiry time is in a bucket and the buckets hold nothing else (their
     * counts add up to those chunks), else what is wrong. Writer thread, between writes.
     */
    String violation()
    {
        long expiring = 0;
        for (int c = 0; c < classes.count(); c++)
        {
            final int chunk = classes.chunkBytes(c);
            for (int i = 0; i < slabs.slabCount(c); i++)
            {
                final long slab = slabs.slab(c, i);
                for (int k = 0; k < classes.chunksPerSlab(c); k++)
                {
                    final long address = slab + (long)k * chunk;
                    if (NATIVE.get(ValueLayout.JAVA_BYTE, address + ItemDescriptor.STATE_OFFSET) == ItemDescriptor.STATE_LIVE &&
                        NATIVE.get(ValueLayout.JAVA_INT, address + EXPIRES_AT_OFFSET) != 0)
                    {
                        if (next[granule(address)] == ExpiryLinks.NONE)
                        {
                            return "live item at 0x" + Long.toHexString(address) + " with an expiry is in no bucket";
                        }
                        expiring++;
                    }
                }
            }
        }
        return expiring == items() ? null : "buckets hold " + items() + " items, live ones with an expiry " + expiring;
    }

    /** Queues every bucket whose time is in {@code (processed, now]}: at most {@link #SLOTS} per level. */
    private void advance(final long now)
    {
        if (now <= processed)
        {
            return;
        }
        for (int level = 0; level < LEVELS; level++)
        {
            final int shift = level * LEVEL_SHIFT;
            final long first = (processed >>> shift) + 1;
            final long last = now >>> shift;
            for (long k = Math.max(first, last - SLOTS + 1); k <= last; k++)
            {
                markDue(level * SLOTS + (int)(k & (SLOTS - 1)));
            }
        }
        processed = now;
    }

    /**
     * The bucket for an item expiring at {@code expiresAt}, from the wheel's time: the finest level whose slot
     * (the time rounded up to the level's width) is less than 64 widths ahead, so that it comes due exactly at
     * that slot time; an expiry at or before the wheel's time goes to the next second's bucket, one beyond the
     * top level's span to its farthest slot (placed again when that comes due).
     */
    private int bucketFor(final long expiresAt)
    {
        final long p = processed;
        final long e = Math.max(expiresAt, p + 1);
        for (int level = 0; level < LEVELS; level++)
        {
            final int shift = level * LEVEL_SHIFT;
            final long slot = (e + (1L << shift) - 1) >>> shift;
            if ((slot << shift) - p < ((long)SLOTS << shift))
            {
                return level * SLOTS + (int)(slot & (SLOTS - 1));
            }
        }
        final int top = (LEVELS - 1) * LEVEL_SHIFT;
        return (LEVELS - 1) * SLOTS + (int)(((p >>> top) + SLOTS - 1) & (SLOTS - 1));
    }

    private void markDue(final int b)
    {
        if (!due[b] && bucketItems[b] > 0)
        {
            due[b] = true;
            dueQueue[(dueHead + dueCount) & (BUCKETS - 1)] = b;
            dueCount++;
            dueBytes += bucketBytes[b];
        }
    }

    private void popDue()
    {
        final int b = dueQueue[dueHead];
        due[b] = false;
        dueBytes -= bucketBytes[b];
        dueHead = (dueHead + 1) & (BUCKETS - 1);
        dueCount--;
    }

    private void link(final int g, final int b, final long itemBytes)
    {
        final int sentinel = sentinels + b;
        final int tail = prev[sentinel];
        next[g] = sentinel;
        prev[g] = tail;
        next[tail] = g;
        prev[sentinel] = g;
        bucketOf[g] = (byte)b;
        bucketItems[b]++;
        bucketBytes[b] += itemBytes;
        if (due[b])
        {
            dueBytes += itemBytes;
        }
    }

    private void unlink(final int g, final long itemBytes)
    {
        final int n = next[g];
        final int p = prev[g];
        next[p] = n;
        prev[n] = p;
        next[g] = ExpiryLinks.NONE;
        prev[g] = ExpiryLinks.NONE;
        final int b = bucketOf[g] & 0xFF;
        bucketItems[b]--;
        bucketBytes[b] -= itemBytes;
        if (due[b])
        {
            dueBytes -= itemBytes;
        }
    }

    private int granule(final long address)
    {
        return (int)((address - base) >>> ExpiryLinks.GRANULE_SHIFT);
    }

    /** The chunk that starts in granule {@code g}: the first chunk of its slab at or after the granule. */
    private long chunkOf(final int g)
    {
        final long granule = base + ((long)g << ExpiryLinks.GRANULE_SHIFT);
        final int sizeClass = region.owner(granule);
        final long slab = granule & -(long)classes.slabBytes(sizeClass);
        final int chunk = classes.chunkBytes(sizeClass);
        return slab + (granule - slab + chunk - 1) / chunk * chunk;
    }
}
