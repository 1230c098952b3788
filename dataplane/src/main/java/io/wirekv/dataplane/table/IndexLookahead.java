package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.IndexDescriptor.ADDRESS_MASK;
import static io.wirekv.dataplane.table.IndexDescriptor.EMPTY;
import static io.wirekv.dataplane.table.IndexDescriptor.TOMBSTONE;
import static io.wirekv.dataplane.table.ItemDescriptor.KEY_LENGTH_OFFSET;
import static io.wirekv.dataplane.table.ItemDescriptor.KEY_OFFSET;
import static io.wirekv.dataplane.table.ItemDescriptor.VALUE_LENGTH_OFFSET;

/**
 * Loading ahead: the loads a lookup or a writer's probe makes for a key, issued early for a batch of keys. Looked
 * up one by one, a key costs two memory round trips in turn (index slot, then item) that the CPU cannot overlap
 * with the next key's, a request's worth of work away; loading every key's slot first ({@link #loadHomeSlot}),
 * then every key's item ({@link #loadItemKey}), then looking the keys up makes the batch's misses overlap (MICA's
 * interleaved lookups). Java has no prefetch instruction, so these are plain loads: callers sum the results into
 * a field so that the JIT keeps them. Reached through {@link Table#loadAhead}: by a writer for its batch of
 * records, and by a reader for a multi-key get's keys and for a received burst's gets.
 * <p>
 * Slots are read atomically (acquire), so an item address is always one the index held: an item, live or
 * retired, and retired memory is not freed while a reader has not passed a quiescent point, nor while its
 * writer runs.
 */
final class IndexLookahead
{
    /** Slots {@link #loadItemKey} looks at: a cache line of them. */
    private static final int SLOTS = 64 / IndexDescriptor.SLOT_LENGTH;

    private IndexLookahead()
    {
    }

    /** The first index slot a lookup or probe for {@code hash} reads. */
    static long loadHomeSlot(final PartitionIndex index, final long hash)
    {
        return (long)PartitionIndexWriter.SLOT.getAcquire(NATIVE, index.address + ((hash & index.mask) << 3));
    }

    /**
     * What a lookup or probe for a key of {@code keyLength} with {@code hash} compares: the key length and the
     * key's last byte (often on the item's next cache line) of the first item on the probe path whose tag is the
     * hash's, among the {@link #SLOTS} slots from the home slot (its cache line, which {@link #loadHomeSlot}
     * loaded). The last byte is read only when the item's key is as long as the one looked for, and nothing past the
     * item's key is read. Returns what it read, summed, or 0.
     */
    static int loadItemKey(final PartitionIndex index, final long hash, final int keyLength)
    {
        return loadItem(index, hash, keyLength, false);
    }

    /**
     * {@link #loadItemKey}, and for an item whose key is as long as the one looked for, its value's last byte too: a
     * read copies the value out next, and a small item's value often ends on a cache line its key does not touch
     * (a 16-byte key's 32-byte value does for about half the item addresses), which the copy would then miss on, one
     * key after another. The value length comes from the item's header (the key length's line); the byte read is the
     * item's own, whose memory stays while the reader has not passed a quiescent point, as for any lookup.
     */
    static int loadItemKeyAndValueEnd(final PartitionIndex index, final long hash, final int keyLength)
    {
        return loadItem(index, hash, keyLength, true);
    }

    private static int loadItem(final PartitionIndex index, final long hash, final int keyLength,
        final boolean withValue)
    {
        final long tag = IndexDescriptor.tagOf(hash);
        long pos = hash & index.mask;
        for (int i = 0; i < SLOTS; i++)
        {
            final long value = (long)PartitionIndexWriter.SLOT.getAcquire(NATIVE, index.address + (pos << 3));
            if (value == EMPTY)
            {
                return 0;
            }
            if (value != TOMBSTONE && (value >>> IndexDescriptor.TAG_SHIFT) == tag)
            {
                final long address = value & ADDRESS_MASK;
                final int itemKeyLength = NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF;
                if (itemKeyLength != keyLength || keyLength == 0)
                {
                    return itemKeyLength; // another key: nothing past its length byte
                }
                final int keyEnd = NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_OFFSET + keyLength - 1);
                final int valueLength = withValue ? NATIVE.get(ValueLayout.JAVA_INT, address + VALUE_LENGTH_OFFSET) : 0;
                return valueLength <= 0 ? itemKeyLength + keyEnd : itemKeyLength + keyEnd +
                    NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_OFFSET + keyLength + valueLength - 1);
            }
            pos = (pos + 1) & index.mask;
        }
        return 0;
    }
}
