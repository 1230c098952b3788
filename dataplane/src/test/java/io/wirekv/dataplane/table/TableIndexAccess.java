package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;

/** Test-only views of a partition's index, from its writer's thread. */
public final class TableIndexAccess
{
    private TableIndexAccess()
    {
    }

    /**
     * The slots an insert of {@code key} would probe in the partition's current index: from the key's home slot to
     * the first empty one, both counted (the key must not be in the index, which must hold no tombstones).
     */
    public static long insertProbeSteps(
        final Table table, final int partition, final MemorySegment key, final long keyOffset, final int keyLength)
    {
        final PartitionIndex index = table.writer(partition).indexRef().index;
        long pos = Table.keyHash(key, keyOffset, keyLength) & index.mask;
        long steps = 1;
        while (NATIVE.get(ValueLayout.JAVA_LONG, index.address + (pos << 3)) != IndexDescriptor.EMPTY)
        {
            pos = (pos + 1) & index.mask;
            steps++;
        }
        return steps;
    }

    /** The number of slots of the partition's current index. */
    public static int capacity(final Table table, final int partition)
    {
        return table.writer(partition).indexRef().index.capacity;
    }
}
