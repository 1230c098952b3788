package io.wirekv.dataplane.table;

/**
 * A table's {@link TableCounters}: sums over its partitions' counter slots and its readers' counters, read with
 * opaque loads from any thread (they may lag the writers a little). Holds nothing of its own to copy or reset.
 */
final class TableCounterSums implements TableCounters
{
    private final Table table;
    private final PartitionWriter[] partitions;
    private final ReaderCounters readerCounters;
    private final Qsbr qsbr;

    /** @param partitions the table's partition writers (the array may still be filling: read only when asked). */
    TableCounterSums(
        final Table table, final PartitionWriter[] partitions, final ReaderCounters readerCounters, final Qsbr qsbr)
    {
        this.table = table;
        this.partitions = partitions;
        this.readerCounters = readerCounters;
        this.qsbr = qsbr;
    }

    public long items()
    {
        return sum(PartitionCounters.ITEMS);
    }

    public long bytes()
    {
        return sum(PartitionCounters.BYTES);
    }

    public long hits()
    {
        return readerCounters.hits();
    }

    public long misses()
    {
        return readerCounters.misses();
    }

    public long evictions()
    {
        return sum(PartitionCounters.EVICTIONS);
    }

    public long expirations()
    {
        return sum(PartitionCounters.EXPIRATIONS);
    }

    public long retiredNotFreedBytes()
    {
        return sum(PartitionCounters.RETIRED_BYTES);
    }

    public long gracePeriodAgeMs()
    {
        long oldest = Long.MAX_VALUE;
        for (final PartitionWriter p : partitions)
        {
            final long t = p.counters().getOpaque(PartitionCounters.OLDEST_RETIRED_MS);
            if (t != 0 && t < oldest)
            {
                oldest = t;
            }
        }
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, table.nowMillis() - oldest);
    }

    public long stalledReaders()
    {
        if (gracePeriodAgeMs() < Table.STALL_THRESHOLD_MS)
        {
            return 0;
        }
        long oldestTag = Long.MAX_VALUE;
        for (final PartitionWriter p : partitions)
        {
            final long tag = p.counters().getOpaque(PartitionCounters.OLDEST_RETIRED_TAG);
            if (tag != 0 && tag < oldestTag)
            {
                oldestTag = tag;
            }
        }
        long stalled = 0;
        for (final ReaderSlot slot : qsbr.readers())
        {
            if (slot.epochAcquire() < oldestTag)
            {
                stalled++;
            }
        }
        return stalled;
    }

    public long resizes()
    {
        return sum(PartitionCounters.RESIZES);
    }

    public long totalItems()
    {
        return sum(PartitionCounters.TOTAL_ITEMS);
    }

    /** Writes refused for lack of memory (store mode, or cache mode that could not evict enough). */
    public long outOfMemory()
    {
        return sum(PartitionCounters.OUT_OF_MEMORY);
    }

    public long ttlReclaimed()
    {
        return sum(PartitionCounters.TTL_RECLAIMED);
    }

    public long ttlDueBytes()
    {
        return sum(PartitionCounters.TTL_DUE_BYTES);
    }

    /** One partition counter summed over the partitions. */
    long sum(final int stat)
    {
        long total = 0;
        for (final PartitionWriter p : partitions)
        {
            total += p.counters().getOpaque(stat);
        }
        return total;
    }
}
