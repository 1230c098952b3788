package io.wirekv.dataplane.table;

import java.util.Arrays;

/**
 * The links of every partition's {@link ExpiryWheel}: doubly linked lists threaded through a side table of the
 * slab region, one node per 64-byte granule ({@link SizeClasses#MIN_CHUNK_BYTES}, the smallest chunk, so no two
 * chunks start in one granule), followed by each partition's bucket heads (sentinels).
 * <pre>
 *   index:   0 .. granules-1                        granules + p * BUCKETS + b
 *            one node per 64 B of slab pages        sentinel of partition p's bucket b (circular lists)
 *   next[i]  int   next node, or {@link #NONE} when the granule's chunk is in no list
 *   prev[i]  int   previous node
 *   bucket[i] byte bucket (0..255) of the list the node is in
 * </pre>
 * Nine bytes of heap per 64 bytes of slab memory, taken once at start-up, so adding and removing an item
 * allocate nothing and never fail. A granule belongs to the partition that owns its page (a page never changes
 * partition, see {@link SlabRegion}), and only that partition's writer thread touches its nodes and sentinels:
 * plain accesses, like the region's page table.
 */
final class ExpiryLinks
{
    static final int NONE = -1;
    static final int GRANULE_SHIFT = Integer.numberOfTrailingZeros(SizeClasses.MIN_CHUNK_BYTES);

    final int[] next;
    final int[] prev;
    final byte[] bucket;
    /** Index of partition 0's first sentinel. */
    final int sentinelBase;

    ExpiryLinks(final long regionBytes, final int partitions)
    {
        final long granules = regionBytes >>> GRANULE_SHIFT;
        final long nodes = granules + (long)partitions * ExpiryWheel.BUCKETS;
        if (nodes > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("memory: at most 127 GiB per table (the expiry wheel's links are " +
                "int-indexed by 64-byte granule); lower memory");
        }
        sentinelBase = (int)granules;
        next = new int[(int)nodes];
        prev = new int[(int)nodes];
        bucket = new byte[(int)nodes];
        Arrays.fill(next, 0, sentinelBase, NONE);
        Arrays.fill(prev, 0, sentinelBase, NONE);
        // each sentinel starts linked to itself (an empty list); a bulk copy, not a loop Lincheck would take for a spin
        final int[] self = java.util.stream.IntStream.range(sentinelBase, next.length).toArray();
        System.arraycopy(self, 0, next, sentinelBase, self.length);
        System.arraycopy(self, 0, prev, sentinelBase, self.length);
    }
}
