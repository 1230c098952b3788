package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Replication's counters in the server's {@link CounterRegistry}: a block the sender writes, a block the receiver
 * writes, a block per partition for the writers' refusals, and
 * a block of state gauges (epoch, fenced, connected) written by whichever thread changes the state, under the
 * {@link ReplicationState}'s lock. Opaque stores of plain sums: one writing thread per slot.
 */
public final class ReplicationCounters
{
    static final int SENT_RECORDS = 0;
    static final int SENT_BYTES = 1;
    static final int FULL_SYNCS = 2;
    static final int PARTIAL_RESUMES = 3;
    static final int SENDER_DROPS = 4;
    static final int LAG_RECORDS = 5;
    static final int LAG_MS = 6;
    static final int STREAM_WRITES = 7;
    private static final CncMetric[] SENDER = {CncMetric.REPL_RECORDS_SENT, CncMetric.REPL_BYTES_SENT,
        CncMetric.REPL_FULL_SYNCS, CncMetric.REPL_PARTIAL_RESUMES, CncMetric.REPL_CONNECTION_DROPS,
        CncMetric.REPL_LAG_RECORDS, CncMetric.REPL_LAG_MS, CncMetric.REPL_STREAM_WRITES};
    static final int APPLIED_RECORDS = 0;
    static final int RECEIVED_BYTES = 1;
    static final int RECEIVER_DROPS = 2;
    private static final CncMetric[] RECEIVER = {CncMetric.REPL_RECORDS_APPLIED, CncMetric.REPL_BYTES_RECEIVED,
        CncMetric.REPL_STREAM_DROPS};
    private static final CncMetric[] PARTITION = {CncMetric.REPL_WRITES_REFUSED};
    static final int EPOCH = 0;
    static final int FENCED = 1;
    static final int CONNECTED = 2;
    static final int ROLE = 3;
    private static final CncMetric[] STATE = {CncMetric.REPL_EPOCH, CncMetric.REPL_FENCED, CncMetric.REPL_CONNECTED,
        CncMetric.REPL_ROLE};

    private final AtomicBuffer values;
    private final int senderBase;
    private final int receiverBase;
    private final int partitionBase;
    private final int stateBase;

    /** Allocates the blocks (start-up only); registered with replication off too, so every metric is listed. */
    public ReplicationCounters(final CounterRegistry registry, final int partitions)
    {
        this.values = registry.values();
        final int none = CounterRegistryDescriptor.NONE;
        this.senderBase = registry.allocate(SENDER, none, none, 1);
        this.receiverBase = registry.allocate(RECEIVER, none, none, 1);
        this.partitionBase = registry.allocate(PARTITION, none, none, partitions);
        this.stateBase = registry.allocate(STATE, none, none, 1);
    }

    /** Counter records replication registers. */
    public static int counterCount()
    {
        return SENDER.length + RECEIVER.length + PARTITION.length + STATE.length;
    }

    /** Bytes of value blocks for {@code partitions}. */
    public static int valuesBytes(final int partitions)
    {
        return CounterRegistryDescriptor.blockLength(SENDER.length) + CounterRegistryDescriptor.blockLength(RECEIVER.length) +
            partitions * CounterRegistryDescriptor.blockLength(PARTITION.length) +
            CounterRegistryDescriptor.blockLength(STATE.length);
    }

    void sender(final int slot, final long delta)
    {
        values.addLongOpaque(senderBase + slot * Long.BYTES, delta); // opaque: the sender thread only
    }

    void senderGauge(final int slot, final long value)
    {
        values.putLongOpaque(senderBase + slot * Long.BYTES, value); // opaque: the sender thread only
    }

    long senderValue(final int slot)
    {
        return values.getLongOpaque(senderBase + slot * Long.BYTES);
    }

    void receiver(final int slot, final long delta)
    {
        values.addLongOpaque(receiverBase + slot * Long.BYTES, delta); // opaque: the receiver thread only
    }

    long receiverValue(final int slot)
    {
        return values.getLongOpaque(receiverBase + slot * Long.BYTES);
    }

    /** A writer refused a client write of {@code partition} (its writer thread only). */
    public void refused(final int partition)
    {
        values.addLongOpaque(partitionBase + partition * CounterRegistryDescriptor.blockLength(PARTITION.length), 1);
    }

    /** Refusals, all partitions (tests, status). */
    public long refusals(final int partitions)
    {
        long total = 0;
        for (int p = 0; p < partitions; p++)
        {
            total += values.getLongOpaque(partitionBase + p * CounterRegistryDescriptor.blockLength(PARTITION.length));
        }
        return total;
    }

    void state(final int slot, final long value)
    {
        values.putLongOpaque(stateBase + slot * Long.BYTES, value); // opaque: written under ReplicationState's lock
    }
}
