package io.wirekv.dataplane.table;

/**
 * Snapshot-free read access to the table's counters, from any thread. Every counter is the sum of registry slots
 * (opaque loads, no consistent cut between them; see {@link PartitionCounters}, {@link ReaderCounters});
 * {@link #gracePeriodAgeMs()} and {@link #stalledReaders()} are computed from the clock at each call.
 */
public interface TableCounters
{
    long items();

    long bytes();

    long hits();

    long misses();

    long evictions();

    long expirations();

    long retiredNotFreedBytes();

    /** Age in ms of the oldest unfinished grace period; grows when a reader stalls. */
    long gracePeriodAgeMs();

    /** Registered readers that have not reported quiescence for longer than the stall threshold. */
    long stalledReaders();

    long resizes();

    /** Total CAS-unique writes (memcached's total_items). */
    long totalItems();

    /** Writes refused for lack of memory (store mode full, or cache mode that could not evict enough). */
    default long outOfMemory()
    {
        return 0;
    }

    /** Expired items the expiry wheel reclaimed proactively (also in {@link #expirations()}). */
    default long ttlReclaimed()
    {
        return 0;
    }

    /** Bytes of expired items in the expiry wheel's due buckets, not reclaimed yet. */
    default long ttlDueBytes()
    {
        return 0;
    }
}
