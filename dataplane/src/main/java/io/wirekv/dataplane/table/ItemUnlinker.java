package io.wirekv.dataplane.table;

/**
 * Takes an item out of its partition's index and retires it, found through the item's own key: what eviction,
 * the expiry sweep and slab draining need from the index, so that the slab classes ({@link SlabAllocator},
 * {@link SlabEvictor}) do not reach into the writer. Implemented by {@link PartitionIndexWriter}. Writer thread
 * only.
 */
interface ItemUnlinker
{
    /**
     * Unlinks the item at {@code address} if its index slot still points at it, and retires it (freed after a
     * grace period); true if it was linked.
     */
    boolean unlinkItem(long address);
}
