package io.wirekv.dataplane.cnc;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The writer side of the counters region ({@link CounterRegistryDescriptor}): the one place every
 * dataplane counter lives. A running server's registry is the CnC file's memory ({@link CncFile#counters()}),
 * so the file readers see the values the lcores write, with nothing copying them; a server or test
 * without a file backs a registry with an arena ({@link #inArena}).
 * <p>
 * Threading: {@link #allocateBlocks} and {@link #register} run at start-up, from any thread (they are
 * synchronized; records become visible to readers in allocation order). After that, each block is
 * written by exactly one thread through {@link #values()}: {@code addLongOpaque} (plain load, opaque
 * store) or {@code putLongOpaque}; readers, on any thread or process, load opaque
 * ({@link CounterRegistryReader}). Nothing on the hot path allocates, locks or throws.
 */
public final class CounterRegistry
{
    private final AtomicBuffer metadata;
    private final AtomicBuffer values;
    private int records;
    private int valuesUsed;

    /**
     * Over existing, zeroed sections (the CnC file's). The buffers must keep their memory reachable
     * (wrap a ByteBuffer of the segment, not its bare address): counter objects keep only {@link #values()}.
     */
    CounterRegistry(final AtomicBuffer metadata, final AtomicBuffer values)
    {
        if ((values.addressOffset() & (CounterRegistryDescriptor.BLOCK_ALIGNMENT - 1)) != 0)
        {
            throw new IllegalArgumentException("counter values must start on a " +
                CounterRegistryDescriptor.BLOCK_ALIGNMENT + "-byte boundary");
        }
        this.metadata = metadata;
        this.values = values;
    }

    /**
     * A registry in memory of its own (no CnC file), freed when it becomes unreachable.
     *
     * @param counters    how many counters (metadata records) it can hold.
     * @param valuesBytes how many bytes of blocks it can hold (see {@link CounterRegistryDescriptor#blockLength}).
     */
    public static CounterRegistry inArena(final int counters, final int valuesBytes)
    {
        final int metadataLength = BitUtil.align(CounterRegistryDescriptor.metadataLength(counters),
            CounterRegistryDescriptor.BLOCK_ALIGNMENT);
        final int valuesLength = BitUtil.align(Math.max(1, valuesBytes), CounterRegistryDescriptor.BLOCK_ALIGNMENT);
        final MemorySegment memory = Arena.ofAuto().allocate(
            metadataLength + valuesLength, CounterRegistryDescriptor.BLOCK_ALIGNMENT);
        // over the segment's ByteBuffer, which every view keeps: the memory lives as long as any counter does
        final UnsafeBuffer all = new UnsafeBuffer(memory.asByteBuffer());
        return new CounterRegistry(
            new UnsafeBuffer(all, 0, metadataLength), new UnsafeBuffer(all, metadataLength, valuesLength));
    }

    /** A registry just big enough for {@code blocks} blocks of {@code slots} slots and {@code counters} counters. */
    public static CounterRegistry inArena(final int counters, final int slots, final int blocks)
    {
        return inArena(counters, blocks * CounterRegistryDescriptor.blockLength(slots));
    }

    /** The values section; a block's owner thread writes its slots, anyone may read (opaque). */
    public AtomicBuffer values()
    {
        return values;
    }

    /**
     * Allocates {@code blocks} consecutive blocks of {@code slots} longs, each on its own cache lines
     * (start-up only).
     *
     * @return the offset of the first block in {@link #values()}; block {@code b} starts
     *         {@code b * blockLength(slots)} bytes later.
     * @throws IllegalStateException when the region is full.
     */
    public synchronized int allocateBlocks(final int slots, final int blocks)
    {
        final int length = blocks * CounterRegistryDescriptor.blockLength(slots);
        if (valuesUsed + length > values.capacity())
        {
            throw new IllegalStateException("the counters region is full: " + length + " more bytes of values wanted, " +
                (values.capacity() - valuesUsed) + " of " + values.capacity() + " left");
        }
        final int offset = valuesUsed;
        valuesUsed += length;
        return offset;
    }

    /**
     * Describes one counter whose value is the sum of {@code slotCount} slots, the first at
     * {@code valueOffset}, each {@code slotStride} bytes after the last (start-up only).
     *
     * @param lcore the lcore of a per-lcore counter, else {@link CounterRegistryDescriptor#NONE}.
     * @param port  the port of a per-port counter, else {@link CounterRegistryDescriptor#NONE}.
     * @return the counter's id (its record's index).
     */
    public synchronized int register(
        final CncMetric metric, final int lcore, final int port, final int valueOffset, final int slotCount,
        final int slotStride)
    {
        final byte[] name = metric.metricName().getBytes(StandardCharsets.US_ASCII);
        final int id = records;
        final int record = CounterRegistryDescriptor.recordOffset(id);
        if (record + CounterRegistryDescriptor.RECORD_LENGTH > metadata.capacity())
        {
            throw new IllegalStateException("the counters region holds " +
                metadata.capacity() / CounterRegistryDescriptor.RECORD_LENGTH + " counters; " + metric + " is one more");
        }
        if (name.length > CounterRegistryDescriptor.MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("counter name longer than " +
                CounterRegistryDescriptor.MAX_NAME_LENGTH + ": " + metric.metricName());
        }
        if (valueOffset < 0 || slotCount < 1 || valueOffset + (long)(slotCount - 1) * slotStride + Long.BYTES > valuesUsed)
        {
            throw new IllegalArgumentException("slots of " + metric + " lie outside the allocated blocks");
        }
        metadata.putInt(record + CounterRegistryDescriptor.TYPE_ID_OFFSET, metric.typeId());
        metadata.putInt(record + CounterRegistryDescriptor.KIND_OFFSET, metric.kind().code());
        metadata.putInt(record + CounterRegistryDescriptor.LCORE_OFFSET, lcore);
        metadata.putInt(record + CounterRegistryDescriptor.PORT_OFFSET, port);
        metadata.putInt(record + CounterRegistryDescriptor.VALUE_OFFSET_OFFSET, valueOffset);
        metadata.putInt(record + CounterRegistryDescriptor.SLOT_COUNT_OFFSET, slotCount);
        metadata.putInt(record + CounterRegistryDescriptor.SLOT_STRIDE_OFFSET, slotStride);
        metadata.putInt(record + CounterRegistryDescriptor.NAME_LENGTH_OFFSET, name.length);
        metadata.putBytes(record + CounterRegistryDescriptor.NAME_OFFSET, name);
        // release: publishes the record; pairs with getIntVolatile in CounterRegistryReader.forEach
        metadata.putIntRelease(record + CounterRegistryDescriptor.STATE_OFFSET, CounterRegistryDescriptor.RECORD_READY);
        records = id + 1;
        return id;
    }

    /**
     * Allocates {@code blocks} blocks of one slot per metric and registers each metric as the sum of its
     * slot over the blocks (one block per writing thread; start-up only).
     *
     * @param metrics what slot k of every block counts, in slot order.
     * @param lcore   the lcore of per-lcore metrics, else {@link CounterRegistryDescriptor#NONE}.
     * @param port    the port of per-port metrics, else {@link CounterRegistryDescriptor#NONE}.
     * @return the offset of the first block in {@link #values()}; slot k of block b is at
     *         {@code offset + b * blockLength(metrics.length) + k * 8}.
     */
    public synchronized int allocate(final CncMetric[] metrics, final int lcore, final int port, final int blocks)
    {
        return allocate(metrics, metrics.length, lcore, port, blocks);
    }

    /**
     * {@link #allocate(CncMetric[], int, int, int)} with blocks of {@code slots} longs, of which the first
     * {@code metrics.length} are registered and the rest are the owner's own (values it keeps beside its
     * counters, e.g. the inputs of a gauge another thread computes; no record describes them).
     *
     * @return the offset of the first block in {@link #values()}; slot k of block b is at
     *         {@code offset + b * blockLength(slots) + k * 8}.
     */
    public synchronized int allocate(
        final CncMetric[] metrics, final int slots, final int lcore, final int port, final int blocks)
    {
        if (slots < metrics.length)
        {
            throw new IllegalArgumentException(slots + " slots cannot hold " + metrics.length + " metrics");
        }
        final int offset = allocateBlocks(slots, blocks);
        for (int k = 0; k < metrics.length; k++)
        {
            register(metrics[k], lcore, port, offset + k * Long.BYTES, blocks,
                CounterRegistryDescriptor.blockLength(slots));
        }
        return offset;
    }

    /** A view for readers in this process (tests, {@code stats}). */
    public CounterRegistryReader reader()
    {
        return new CounterRegistryReader(metadata, values);
    }
}
