package io.wirekv.dataplane.snapshot;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

/**
 * An {@link ItemSink} that restores a snapshot's items into a partition through its {@link PartitionWriter}, each
 * with its own CAS, flags, absolute expiry, storedAt and meta bits; items already expired are skipped. Run it on the
 * partition's writer thread (at start-up, before the log tail is replayed over it).
 * <p>
 * After loading, the table's CAS sequence must be raised above {@link #maxCas()} before new writes (the log replay
 * has the same need), or a new write could reuse a loaded item's CAS.
 * <p>
 * Allocates nothing per item. Threading: the partition's writer thread.
 */
public final class SnapshotItemRestorer implements ItemSink
{
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    private final Table table;
    private final ItemView out = new ItemView();
    private PartitionWriter writer;
    private long nowSeconds;
    private long loaded;
    private long expired;
    private long refused;
    private int firstRefusal;
    private long maxCas;

    public SnapshotItemRestorer(final Table table)
    {
        this.table = table;
    }

    /** Starts loading into {@code partition}; counts start from zero. */
    public SnapshotItemRestorer reset(final int partition)
    {
        writer = table.writer(partition);
        nowSeconds = table.nowSeconds();
        loaded = 0;
        expired = 0;
        refused = 0;
        firstRefusal = Status.STORED;
        maxCas = 0;
        return this;
    }

    /** Sizes the partition's index for the snapshot's items at once (see {@link PartitionWriter#reserveIndex}). */
    @Override
    public void expect(final long items)
    {
        writer.reserveIndex(items);
    }

    @Override
    public void item(
        final MemorySegment key, final long keyOffset, final int keyLength, final int clientFlags,
        final long expiresAtSeconds, final long cas, final long storedAtSeconds, final int metaBits,
        final MemorySegment value, final long valueOffset, final int valueLength)
    {
        maxCas = Math.max(maxCas, cas);
        if (expiresAtSeconds != 0 && expiresAtSeconds <= nowSeconds)
        {
            expired++;
            return;
        }
        final int status = writer.publish(key, keyOffset, keyLength, value, valueOffset, valueLength, EMPTY, 0, 0, 0,
            clientFlags, expiresAtSeconds, storedAtSeconds, cas, metaBits, out);
        if (status == Status.STORED)
        {
            loaded++;
        }
        else
        {
            if (refused++ == 0)
            {
                firstRefusal = status;
            }
        }
    }

    /** Items stored in the table. */
    public long loaded()
    {
        return loaded;
    }

    /** Items skipped because they had expired by the time of loading. */
    public long expired()
    {
        return expired;
    }

    /** Items the table refused (out of memory, too large for this table's item size limit). */
    public long refused()
    {
        return refused;
    }

    /** The {@link Status} of the first refusal, {@link Status#STORED} if none. */
    public int firstRefusal()
    {
        return firstRefusal;
    }

    /** The largest CAS among the items read, expired ones included. */
    public long maxCas()
    {
        return maxCas;
    }
}
