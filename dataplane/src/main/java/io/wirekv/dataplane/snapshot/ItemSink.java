package io.wirekv.dataplane.snapshot;

import java.lang.foreign.MemorySegment;

/**
 * Receives the items of a snapshot from {@link SnapshotReader}, one call per item, in file order. The key and value
 * are ranges of the reader's buffer, valid only during the call (copy them, e.g. into the table with
 * {@code PartitionWriter.publish} and the explicit CAS and storedAt). Times are absolute unix seconds.
 */
@FunctionalInterface
public interface ItemSink
{
    void item(
        MemorySegment key, long keyOffset, int keyLength, int clientFlags, long expiresAtSeconds, long cas,
        long storedAtSeconds, int metaBits, MemorySegment value, long valueOffset, int valueLength);

    /**
     * Called once before the first {@link #item}, when the file's trailer frame checks out on its own, with the item
     * count it states (bounded by the file size): a sizing hint read ahead of the full verification, so the file may
     * still be refused later and deliver fewer items.
     */
    default void expect(final long items)
    {
    }
}
