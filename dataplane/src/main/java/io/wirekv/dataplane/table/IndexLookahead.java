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
     * item's key is read. Keeps in {@code items[i]} (when {@code items} is not null) the address of that item, else
     * 0: for {@link #loadValueEnd} once every key's item is on its way. Returns what it read, summed, or 0.
     */
    static int loadItemKey(final PartitionIndex index, final long hash, final int keyLength, final long[] items,
        final int i)
    {
        long found = 0;
        int sum = 0;
        final long tag = IndexDescriptor.tagOf(hash);
        long pos = hash & index.mask;
        for (int n = 0; n < SLOTS; n++)
        {
            final long value = (long)PartitionIndexWriter.SLOT.getAcquire(NATIVE, index.address + (pos << 3));
            if (value == EMPTY)
            {
                break;
            }
            if (value != TOMBSTONE && (value >>> IndexDescriptor.TAG_SHIFT) == tag)
            {
                final long address = value & ADDRESS_MASK;
                sum = NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF;
                if (sum == keyLength && keyLength != 0) // else another key: nothing past its length byte
                {
                    found = address;
                    sum += NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_OFFSET + keyLength - 1);
                }
                break;
            }
            pos = (pos + 1) & index.mask;
        }
        if (null != items)
        {
            items[i] = found;
        }
        return sum;
    }

    /**
     * For a read, which copies the value out next: the last byte of the value of the item {@link #loadItemKey} found
     * (0: none). A small item's value often ends on a cache line its key does not touch (a 16-byte key's 32-byte
     * value does for about half the item addresses), which the copy would then miss on, one key after another. The
     * value length comes from the item's header, loaded by then; the byte read is the item's own, whose memory stays
     * while the reader has not passed a quiescent point, as for any lookup.
     */
    static int loadValueEnd(final long address, final int keyLength)
    {
        if (0 == address)
        {
            return 0;
        }
        final int valueLength = NATIVE.get(ValueLayout.JAVA_INT, address + VALUE_LENGTH_OFFSET);
        return valueLength <= 0 ? 0 :
            NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_OFFSET + keyLength + valueLength - 1);
    }
}
