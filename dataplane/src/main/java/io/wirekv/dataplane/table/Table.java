package io.wirekv.dataplane.table;

import org.agrona.concurrent.EpochClock;

import java.lang.foreign.MemorySegment;

/**
 * The partitioned, copy-on-write key-value table (CREW: concurrent reads, exclusive write per
 * partition). See package-info for the publication and reclamation rules.
 */
public final class Table implements AutoCloseable
{
    public Table(final TableConfig config, final EpochClock clock)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    public TableConfig config()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    public int partitionCount()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** Partition of a key; the same hash the partition's index uses. */
    public int partitionOf(MemorySegment key, long keyOffset, int keyLength)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** Registers the calling thread as a reader; it must report quiescence once per duty cycle. */
    public QsbrReader registerReader(String name)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /**
     * Lock-free lookup from any registered reader thread: no lock, no CAS, no shared write.
     * Expired and flushed items are reported absent. Counts hits and misses per reader.
     */
    public boolean get(MemorySegment key, long keyOffset, int keyLength, ItemView view)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** The writer of one partition; only one thread may ever use it. */
    public PartitionWriter writer(int partition)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /**
     * memcached's flush_all: items stored at or before {@code oldestLiveSeconds} become invisible
     * once that time is reached; {@code immediate} also hides every item with a CAS below the
     * current one (flush_all with no delay). Callable from any writer thread.
     */
    public void flush(long oldestLiveSeconds, boolean immediate)
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** Current time in unix seconds from the injected clock. */
    public long nowSeconds()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    public TableCounters counters()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }

    /** Frees every arena; afterwards the hugepages accounting for this table is zero. */
    @Override
    public void close()
    {
        throw new UnsupportedOperationException("table: not yet implemented");
    }
}
