package io.wirekv.dataplane.log;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The log's counters in the server's {@link CounterRegistry} (so the CnC file, {@code wirekv stat} and Prometheus
 * see them): one block per partition, each slot written by one thread only (appends and refusals by the
 * partition's writer, syncs and errors by the syncer), and one block of gauges the syncer publishes each round
 * (and the snapshot thread its own: snapshots taken, the last one, segments deleted).
 * Plain-sum opaque stores, as every counter in the registry.
 */
public final class LogCounters
{
    static final int APPENDED = 0;
    static final int BYTES_APPENDED = 1;
    static final int REFUSALS = 2;
    static final int SYNCS = 3;
    static final int SYNC_ERRORS = 4;
    private static final CncMetric[] PARTITION_METRICS = {
        CncMetric.LOG_RECORDS_APPENDED, CncMetric.LOG_BYTES_APPENDED, CncMetric.LOG_WRITE_REFUSALS,
        CncMetric.LOG_SYNCS, CncMetric.LOG_SYNC_ERRORS};
    static final int SYNC_LAG = 0;
    static final int LAST_SYNC_MS = 1;
    static final int LOG_BYTES = 2;
    // written by the snapshot thread only
    static final int SNAPSHOTS = 3;
    static final int SNAPSHOT_LAST_MS = 4;
    static final int SNAPSHOT_LAST_SEQUENCE = 5;
    static final int SNAPSHOT_LAST_PARTITION = 6;
    static final int SEGMENTS_DELETED = 7;
    private static final CncMetric[] GAUGES = {CncMetric.LOG_SYNC_LAG, CncMetric.LOG_LAST_SYNC_MS, CncMetric.LOG_BYTES,
        CncMetric.SNAPSHOTS_TAKEN, CncMetric.SNAPSHOT_LAST_MS, CncMetric.SNAPSHOT_LAST_SEQUENCE,
        CncMetric.SNAPSHOT_LAST_PARTITION, CncMetric.LOG_SEGMENTS_DELETED};
    private static final int PARTITION_BLOCK = CounterRegistryDescriptor.blockLength(PARTITION_METRICS.length);

    private final AtomicBuffer values;
    private final int partitionBase;
    private final int gaugeBase;

    /** Allocates the blocks (start-up only). */
    public LogCounters(final CounterRegistry registry, final int partitions)
    {
        this.values = registry.values();
        this.partitionBase = registry.allocate(PARTITION_METRICS, CounterRegistryDescriptor.NONE,
            CounterRegistryDescriptor.NONE, partitions);
        this.gaugeBase = registry.allocate(GAUGES, CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, 1);
    }

    /** Counters of their own, outside any CnC file (tests). */
    public static LogCounters standalone(final int partitions)
    {
        return new LogCounters(CounterRegistry.inArena(PARTITION_METRICS.length + GAUGES.length,
            valuesBytes(partitions)), partitions);
    }

    /** Counter records the log registers. */
    public static int counterCount()
    {
        return PARTITION_METRICS.length + GAUGES.length;
    }

    /** Bytes of value blocks for {@code partitions}. */
    public static int valuesBytes(final int partitions)
    {
        return partitions * PARTITION_BLOCK + CounterRegistryDescriptor.blockLength(GAUGES.length);
    }

    void add(final int partition, final int slot, final long delta)
    {
        // opaque store of a plain sum: one writing thread per slot; pairs with getLongOpaque in the readers
        values.addLongOpaque(partitionBase + partition * PARTITION_BLOCK + slot * Long.BYTES, delta);
    }

    long get(final int partition, final int slot)
    {
        return values.getLongOpaque(partitionBase + partition * PARTITION_BLOCK + slot * Long.BYTES);
    }

    void gauge(final int slot, final long value)
    {
        values.putLongOpaque(gaugeBase + slot * Long.BYTES, value); // opaque: the syncer is the only writer
    }

    long gauge(final int slot)
    {
        return values.getLongOpaque(gaugeBase + slot * Long.BYTES);
    }

    /** Records appended, all partitions. */
    public long recordsAppended()
    {
        return sum(APPENDED);
    }

    public long syncs()
    {
        return sum(SYNCS);
    }

    public long syncErrors()
    {
        return sum(SYNC_ERRORS);
    }

    public long refusals()
    {
        return sum(REFUSALS);
    }

    private long sum(final int slot)
    {
        long total = 0;
        final int partitions = (gaugeBase - partitionBase) / PARTITION_BLOCK;
        for (int p = 0; p < partitions; p++)
        {
            total += get(p, slot);
        }
        return total;
    }
}
