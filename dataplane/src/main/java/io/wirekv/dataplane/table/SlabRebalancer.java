package io.wirekv.dataplane.table;

import java.util.Arrays;

/**
 * Cache mode: moves memory between size classes as the workload's item sizes change (memcached's slab automove).
 * Without it a class keeps the memory it took while the table filled: a class that grows later evicts its own
 * young items while other classes hold items nobody has written or read for far longer ("calcification").
 * <p>
 * The clock is the table's CAS sequence: an item's age is the writes to the table since it was stored, so the
 * policy means the same at any write rate and in a test that fills a table in milliseconds. After an eviction
 * batch of a class (every batch while memory is moving, backing off to every {@link #MAX_CHECK_INTERVAL}th while
 * nothing moves), the mean age of what it evicted is compared with the mean age of what each other class's CLOCK
 * would take next ({@link SlabEvictor#nextVictimAge}); if the oldest of those is more than {@link #AGE_RATIO}
 * times older, a slab of that class is drained into this one
 * ({@link SlabAllocator#startDrain(int, int, ItemUnlinker)}: its items are evicted, its memory is free after a
 * grace period). Classes converge on evicting items of about the same age, as memcached's do; the ratio keeps
 * two classes of nearly equal age from trading pages back and forth. A donor keeps at least one slab.
 * <p>
 * Threading: the partition's writer thread only; one check reads {@link #SAMPLE_CHUNKS} chunks of each class with
 * two slabs or more.
 */
final class SlabRebalancer
{
    /** Most eviction batches of a class between two checks (after a check that moved nothing, the wait doubles). */
    static final int MAX_CHECK_INTERVAL = 64;
    /** How many times older another class's next victims must be than this class's victims to give it a slab. */
    static final int AGE_RATIO = 2;
    /** Chunks looked at from a donor's CLOCK hand to estimate the age of its next victims. */
    static final int SAMPLE_CHUNKS = 32;

    private final SizeClasses classes;
    private final SlabAllocator slabs;
    private final SlabEvictor evictor;
    private final ItemUnlinker unlinker;
    private final int[] batchesSinceCheck;
    private final int[] checkInterval;

    SlabRebalancer(
        final SizeClasses classes, final SlabAllocator slabs, final SlabEvictor evictor, final ItemUnlinker unlinker)
    {
        this.classes = classes;
        this.slabs = slabs;
        this.evictor = evictor;
        this.unlinker = unlinker;
        batchesSinceCheck = new int[classes.count()];
        checkInterval = new int[classes.count()];
        Arrays.fill(checkInterval, 1);
    }

    /** Called after {@code sizeClass} evicted a batch of its own items: may start draining another class's slab. */
    void afterEviction(final int sizeClass)
    {
        if (++batchesSinceCheck[sizeClass] < checkInterval[sizeClass] || slabs.isDraining())
        {
            return;
        }
        batchesSinceCheck[sizeClass] = 0;
        final long victimAge = evictor.lastBatchAge();
        if (victimAge < 0)
        {
            return;
        }
        int donor = -1;
        long donorAge = AGE_RATIO * Math.max(1, victimAge);
        for (int d = 0; d < classes.count(); d++)
        {
            if (d != sizeClass && slabs.slabCount(d) > 1)
            {
                final long age = evictor.nextVictimAge(d, SAMPLE_CHUNKS);
                if (age > donorAge)
                {
                    donor = d;
                    donorAge = age;
                }
            }
        }
        if (donor >= 0 && slabs.startDrain(sizeClass, donor, unlinker))
        {
            checkInterval[sizeClass] = 1; // sizes are shifting: look again after the next batch
        }
        else
        {
            checkInterval[sizeClass] = Math.min(MAX_CHECK_INTERVAL, 2 * checkInterval[sizeClass]);
        }
    }
}
