package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;

/**
 * Flyweight over one published, immutable item. Re-wrapped by {@link Table#get} and the
 * {@link PartitionWriter} lookups; never allocated per request.
 * <p>
 * Validity: on a reader thread the bytes stay valid until that thread's next
 * {@link QsbrReader#quiescent()}; on a writer thread until its next write to the same partition.
 * <p>
 * Offsets are absolute within {@link #segment()}, so a value is copied with
 * {@code MemorySegment.copy(view.segment(), view.valueOffset(), dst, dstOffset, view.valueLength())} into
 * off-heap memory (a reply buffer), and with the array overload
 * {@code MemorySegment.copy(view.segment(), JAVA_BYTE, view.valueOffset(), array, index, view.valueLength())}
 * into a {@code byte[]}. Not into a heap segment wrapping the array: the JDK copies small values into one with a
 * loop that measured at half the GET rate (TableBenchmark's class comment has the figures).
 * (The segment spans the address space; offsets are native addresses. See {@link ItemDescriptor}.)
 * <p>
 * All loads here are plain: the item was reached through an acquire load of its index slot (or is the
 * writer's own), and its fields never change after publication, but for the hints a read leaves
 * ({@link ReadMarks}: the CLOCK byte and {@link #META_FETCHED}).
 */
public final class ItemView
{
    /** Meta-protocol bit: the item was invalidated ({@code md I}/{@code ms I}); mg reports {@code X}. */
    public static final int META_STALE = 1;
    /** Meta-protocol bit: a win token ({@code W}) was already handed out; later mg report {@code Z}. */
    public static final int META_WIN_SENT = 2;
    /** Meta-protocol bit: the item was fetched since stored, set by the fetch (mg {@code h}, me {@code fetch=}). */
    public static final int META_FETCHED = 4;

    private long address;
    /** The item's key length, kept so that {@link #valueOffset()} needs no load from the item. */
    private int keyLength;

    public ItemView()
    {
    }

    void wrap(final long address)
    {
        wrap(address, NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF);
    }

    /**
     * Wraps an item whose key length the caller already knows (a lookup that matched the key): the value's
     * address is then known without waiting for the item's first cache line, so a value in the item's next
     * line is fetched at the same time instead of after it.
     */
    void wrap(final long address, final int keyLength)
    {
        this.address = address;
        this.keyLength = keyLength;
    }

    /** Native address of the item's header; 0 if never wrapped. */
    public long address()
    {
        return address;
    }

    public MemorySegment segment()
    {
        return NATIVE;
    }

    public long keyOffset()
    {
        return address + KEY_OFFSET;
    }

    public int keyLength()
    {
        return keyLength;
    }

    public long valueOffset()
    {
        return address + KEY_OFFSET + keyLength();
    }

    public int valueLength()
    {
        return NATIVE.get(ValueLayout.JAVA_INT, address + VALUE_LENGTH_OFFSET);
    }

    /** memcached's opaque 32-bit client flags. */
    public int clientFlags()
    {
        if ((NATIVE.get(ValueLayout.JAVA_BYTE, address + META_BITS_OFFSET) & META_HAS_FLAGS) == 0)
        {
            return 0;
        }
        return NATIVE.get(ValueLayout.JAVA_INT_UNALIGNED, address + KEY_OFFSET + keyLength + valueLength());
    }

    /** Absolute expiry in unix seconds; 0 means never. */
    public long expiresAtSeconds()
    {
        return NATIVE.get(ValueLayout.JAVA_INT, address + EXPIRES_AT_OFFSET) & 0xFFFF_FFFFL;
    }

    /** Unix seconds of the write that published this item (flush_all with a delay compares it). */
    public long storedAtSeconds()
    {
        return NATIVE.get(ValueLayout.JAVA_INT, address + STORED_AT_OFFSET) & 0xFFFF_FFFFL;
    }

    /** The item's CAS version: unique per write across the whole table, never 0. */
    public long cas()
    {
        return NATIVE.get(ValueLayout.JAVA_LONG_UNALIGNED, address + CAS_OFFSET);
    }

    /** {@link #META_STALE}, {@link #META_WIN_SENT}, {@link #META_FETCHED}. */
    public int metaBits()
    {
        return NATIVE.get(ValueLayout.JAVA_BYTE, address + META_BITS_OFFSET) & 0xFF & ~META_HAS_FLAGS;
    }

    /**
     * A 64-bit hash of what a client can observe of the item: key, value, client flags, absolute expiry and CAS (not
     * the store time nor the meta bits, which reads change). Equal items hash equal in any table, whatever their slab
     * placement; {@code wirekv digest} sums these per partition. Allocates nothing.
     */
    public long contentHash()
    {
        final long keyHash = KeyHash.hash(NATIVE, keyOffset(), keyLength);
        final long valueHash = KeyHash.hash(NATIVE, valueOffset(), valueLength());
        // asymmetric steps: swapping key and value, or two fields, gives another hash
        long h = KeyHash.fmix64(keyHash ^ Long.rotateLeft(valueHash, 23) * 0x9E3779B97F4A7C15L);
        h = KeyHash.fmix64(h ^ ((long)clientFlags() << 32 | expiresAtSeconds()));
        return KeyHash.fmix64(h ^ Long.rotateLeft(cas(), 41) * 0xC2B2AE3D27D4EB4FL);
    }

    /** Copies the value into a byte array (tests and tools; allocates). */
    public byte[] valueBytes()
    {
        final byte[] bytes = new byte[valueLength()];
        MemorySegment.copy(NATIVE, ValueLayout.JAVA_BYTE, valueOffset(), bytes, 0, bytes.length);
        return bytes;
    }

    /** Copies the key into a byte array (tests and tools; allocates). */
    public byte[] keyBytes()
    {
        final byte[] bytes = new byte[keyLength()];
        MemorySegment.copy(NATIVE, ValueLayout.JAVA_BYTE, keyOffset(), bytes, 0, bytes.length);
        return bytes;
    }
}
