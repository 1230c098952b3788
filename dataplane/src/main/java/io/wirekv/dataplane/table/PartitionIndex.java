package io.wirekv.dataplane.table;

/**
 * One published index array of a partition (see {@link IndexDescriptor}). The final fields are what
 * readers use; {@code used} and {@code live} are private to the partition's writer thread.
 */
final class PartitionIndex
{
    final long address;
    final int capacity;
    final long mask;
    final long bytes;
    /** Writer-private: non-empty slots (live + tombstones). */
    int used;
    /** Writer-private: slots holding an item. */
    int live;

    PartitionIndex(final long address, final int capacity)
    {
        this.address = address;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.bytes = (long)capacity * IndexDescriptor.SLOT_LENGTH;
    }
}
