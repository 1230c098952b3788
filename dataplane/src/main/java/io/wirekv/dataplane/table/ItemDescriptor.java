package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;

/**
 * Layout of one item in a slab chunk. All fields little-endian; chunks are 4-byte aligned (24-byte header).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        cas (u64)                              |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 expiresAtSeconds (u32, 0 = never)             |  8
 *  +---------------------------------------------------------------+
 *  |                 storedAtSeconds (u32)                         | 12
 *  +---------------------------------------------------------------+
 *  |                 valueLength (u32)                             | 16
 *  +---------------+---------------+---------------+---------------+
 *  | keyLength u8  | metaBits u8   | state u8 (W)  | clock u8 (C)  | 20
 *  +---------------+---------------+---------------+---------------+
 *  |      key (keyLength bytes) ... value (valueLength bytes) ...  | 24
 *  +---------------------------------------------------------------+
 *  |      clientFlags (u32, unaligned): only if metaBits has        |
 *  |      {@link #META_HAS_FLAGS}; absent flags are 0               |
 *  +---------------------------------------------------------------+
 * </pre>
 * The client flags are a trailer because most items have none: a 16-byte key with a 32-byte value takes a 72-byte
 * chunk instead of 76, and the key stays at a fixed offset for the index's probes.
 * The field marked (W) is private to the partition's writer thread (slab state); readers never read it. The
 * CLOCK reference byte (C) is {@link #CLOCK_WRITTEN} at publication and cleared by the writer's CLOCK hand, and a
 * reader's hit sets it to {@link #CLOCK_READ} (a plain store of a hint: a lost race moves one eviction, nothing
 * else); either gives the item a second chance, and the two tell {@link SlabRebalancer} a read item from a new
 * one. A fetch sets the meta byte's {@link ItemView#META_FETCHED} bit the same way ({@link ReadMarks}). Every
 * other field is written once, before publication, and never again.
 * A free chunk on its class's free list ({@link #STATE_LISTED}) reuses bytes 0..7 and 8..15 as the list's next
 * and previous links (doubly linked, so that a slab leaving its class unlinks its free chunks in O(chunks in
 * the slab), not O(free list)).
 * <p>
 * Why 4-byte alignment is safe for lock-free readers: the only 8-byte fields (the CAS, and the free-list links
 * of a free chunk) may sit at an address that is 4 but not 8 modulo 8, so they are accessed with unaligned
 * accessors. Atomicity of those accesses is not needed: the CAS is written before the item is published
 * (the index slot's release store orders it) and never changed after, and the links belong to chunks no
 * reader can reach (freed after a grace period) and are touched by the writer alone. Every 4-byte header field
 * stays naturally aligned (the flags trailer, written before publication, is read with an unaligned accessor), and
 * the index slot, the one word readers and the writer race on, is a separate, aligned
 * array ({@link IndexDescriptor}). The 4 bytes that 8-byte alignment cost (a reserved word, and rounding each
 * chunk to 8) are 5-10% of a small item.
 */
final class ItemDescriptor
{
    static final int CAS_OFFSET = 0;
    static final int EXPIRES_AT_OFFSET = CAS_OFFSET + Long.BYTES;
    static final int STORED_AT_OFFSET = EXPIRES_AT_OFFSET + Integer.BYTES;
    static final int VALUE_LENGTH_OFFSET = STORED_AT_OFFSET + Integer.BYTES;
    static final int KEY_LENGTH_OFFSET = VALUE_LENGTH_OFFSET + Integer.BYTES;
    static final int META_BITS_OFFSET = KEY_LENGTH_OFFSET + Byte.BYTES;
    static final int STATE_OFFSET = META_BITS_OFFSET + Byte.BYTES;
    static final int CLOCK_OFFSET = STATE_OFFSET + Byte.BYTES;
    static final int KEY_OFFSET = CLOCK_OFFSET + Byte.BYTES;
    static final int HEADER_LENGTH = KEY_OFFSET;

    /** Offsets of the free-list links in a listed free chunk. */
    static final int FREE_NEXT_OFFSET = 0;
    static final int FREE_PREV_OFFSET = FREE_NEXT_OFFSET + Long.BYTES;

    static final byte STATE_FREE = 0;
    static final byte STATE_LIVE = 1;
    static final byte STATE_RETIRED = 2;
    /** Free and on the class's free list (a free chunk not listed, e.g. not yet reached by bump allocation, is 0). */
    static final byte STATE_LISTED = 3;

    /** CLOCK reference byte values (0: not referenced since the hand last passed). */
    static final byte CLOCK_WRITTEN = 1;
    static final byte CLOCK_READ = 2;

    static final int ALIGNMENT = 4;

    /** metaBits: the client flags follow the value (the table's own bit: {@link ItemView#metaBits} hides it). */
    static final int META_HAS_FLAGS = 0x80;

    private ItemDescriptor()
    {
    }

    static long itemLength(final int keyLength, final long valueLength, final int clientFlags)
    {
        return HEADER_LENGTH + keyLength + valueLength + (clientFlags != 0 ? Integer.BYTES : 0);
    }

    /** The length of the item at {@code address}, from its own fields. */
    static long itemLength(final long address)
    {
        final int keyLength = NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF;
        final boolean hasFlags = (NATIVE.get(ValueLayout.JAVA_BYTE, address + META_BITS_OFFSET) & META_HAS_FLAGS) != 0;
        return HEADER_LENGTH + keyLength + NATIVE.get(ValueLayout.JAVA_INT, address + VALUE_LENGTH_OFFSET) +
            (hasFlags ? Integer.BYTES : 0);
    }
}
