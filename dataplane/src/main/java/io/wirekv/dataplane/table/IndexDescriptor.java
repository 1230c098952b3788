package io.wirekv.dataplane.table;

/**
 * Layout of a partition's index: an open-addressing (linear probing) array of {@code capacity} 8-byte
 * slots, capacity a power of two, 64-byte aligned.
 * <pre>
 *   63            48 47                                            0
 *  +----------------+-----------------------------------------------+
 *  | tag (16 bits)  | item address (48 bits, 4-byte aligned)        |   slot i
 *  +----------------+-----------------------------------------------+
 *   0 = EMPTY (ends a probe), 1 = TOMBSTONE (skipped by a probe)
 * </pre>
 * The tag is the top 16 bits of the key's hash, so most non-matching slots are rejected without
 * touching the item. A slot is written only by the partition's writer, with a release store; readers
 * load it with an acquire load. A slot never goes back from non-empty to EMPTY in the same array, and
 * at most {@link #MAX_LOAD_NUMERATOR}/{@link #LOAD_DENOMINATOR} of the slots are non-empty, so every
 * probe ends.
 */
final class IndexDescriptor
{
    static final int SLOT_LENGTH = Long.BYTES;
    static final int ALIGNMENT = 64;
    static final long EMPTY = 0L;
    static final long TOMBSTONE = 1L;
    static final int TAG_SHIFT = 48;
    static final long ADDRESS_MASK = (1L << TAG_SHIFT) - 1;

    /** Rebuild (grow or clean tombstones) past 3/4 full. */
    static final int GROW_NUMERATOR = 6;
    /** Hard limit when the budget cannot pay for a rebuild. */
    static final int MAX_LOAD_NUMERATOR = 7;
    static final int LOAD_DENOMINATOR = 8;

    static final int MIN_CAPACITY = 64;
    static final int INITIAL_CAPACITY = 1024;

    private IndexDescriptor()
    {
    }

    static long slot(final long tag, final long address)
    {
        return (tag << TAG_SHIFT) | address;
    }

    static long tagOf(final long hash)
    {
        return hash >>> TAG_SHIFT;
    }
}
