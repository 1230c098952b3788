package io.wirekv.dataplane.cnc;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The reader side of the counters region ({@link CounterRegistryDescriptor}), for the control plane (over
 * a mapped CnC file) or anyone in the appliance's process. Needs no cooperation from the writers: each
 * slot is one opaque 8-byte load, so no value tears; values of different counters are not a consistent
 * cut.
 */
public final class CounterRegistryReader
{
    /** What one counter is, and its value when read. */
    @FunctionalInterface
    public interface CounterConsumer
    {
        /**
         * @param counterId the record's index, stable for the life of the file.
         * @param typeId    the frozen metric id ({@link CncMetric#typeId()}).
         * @param kind      {@link CounterRegistryDescriptor#KIND_COUNTER} or {@link CounterRegistryDescriptor#KIND_GAUGE}.
         * @param lcore     the lcore, or {@link CounterRegistryDescriptor#NONE}.
         * @param port      the port, or {@link CounterRegistryDescriptor#NONE}.
         * @param name      the base name, e.g. {@code rx_packets}.
         * @param value     the sum of its slots.
         */
        void accept(int counterId, int typeId, int kind, int lcore, int port, String name, long value);
    }

    private final AtomicBuffer metadata;
    private final AtomicBuffer values;

    /** Over a region's two sections, e.g. a mapped CnC file's counter metadata and counter values. */
    public CounterRegistryReader(final AtomicBuffer metadata, final AtomicBuffer values)
    {
        this.metadata = metadata;
        this.values = values;
    }

    /** Every ready counter, in record order. */
    public void forEach(final CounterConsumer consumer)
    {
        final int records = metadata.capacity() / CounterRegistryDescriptor.RECORD_LENGTH;
        for (int id = 0; id < records; id++)
        {
            final int record = CounterRegistryDescriptor.recordOffset(id);
            // acquire: pairs with putIntRelease in CounterRegistry.register
            if (metadata.getIntVolatile(record + CounterRegistryDescriptor.STATE_OFFSET) !=
                CounterRegistryDescriptor.RECORD_READY)
            {
                return;
            }
            final int nameLength = Math.min(Math.max(0, metadata.getInt(record + CounterRegistryDescriptor.NAME_LENGTH_OFFSET)),
                CounterRegistryDescriptor.MAX_NAME_LENGTH);
            consumer.accept(id,
                metadata.getInt(record + CounterRegistryDescriptor.TYPE_ID_OFFSET),
                metadata.getInt(record + CounterRegistryDescriptor.KIND_OFFSET),
                metadata.getInt(record + CounterRegistryDescriptor.LCORE_OFFSET),
                metadata.getInt(record + CounterRegistryDescriptor.PORT_OFFSET),
                metadata.getStringWithoutLengthAscii(record + CounterRegistryDescriptor.NAME_OFFSET, nameLength),
                value(id));
        }
    }

    /** The current value of one counter: the sum of its slots (opaque loads), 0 for a record not ready. */
    public long value(final int counterId)
    {
        final int record = CounterRegistryDescriptor.recordOffset(counterId);
        if (record + CounterRegistryDescriptor.RECORD_LENGTH > metadata.capacity() ||
            // acquire: pairs with putIntRelease in CounterRegistry.register
            metadata.getIntVolatile(record + CounterRegistryDescriptor.STATE_OFFSET) != CounterRegistryDescriptor.RECORD_READY)
        {
            return 0;
        }
        final int offset = metadata.getInt(record + CounterRegistryDescriptor.VALUE_OFFSET_OFFSET);
        final int slots = metadata.getInt(record + CounterRegistryDescriptor.SLOT_COUNT_OFFSET);
        final int stride = metadata.getInt(record + CounterRegistryDescriptor.SLOT_STRIDE_OFFSET);
        long sum = 0;
        for (int s = 0; s < slots; s++)
        {
            final long at = offset + (long)s * stride;
            if (at < 0 || at + Long.BYTES > values.capacity())
            {
                break; // a damaged record: read what lies inside the section
            }
            // opaque: pairs with the owner's addLongOpaque/putLongOpaque
            sum += values.getLongOpaque((int)at);
        }
        return sum;
    }
}
