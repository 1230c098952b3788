package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.Arithmetic;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

/**
 * memcached's store semantics (set/add/replace/append/prepend/cas, delete, incr/decr, touch), built only on a
 * partition's table primitives ({@link PartitionWriter#find}, {@link PartitionWriter#publish},
 * {@link PartitionWriter#unlink}, {@link PartitionWriter#compareCas}). Each check and the write it guards run on
 * the partition's one writer thread, so nothing can come between them.
 * <p>
 * Expiry arguments are absolute unix seconds (see {@link PartitionWriter}); results are {@link Status} codes,
 * with the resulting item, where there is one, in the caller's {@link ItemView}.
 * <p>
 * Threading: one instance per writer thread (it keeps scratch space for the old item and for incr/decr's
 * digits); it allocates nothing per call.
 */
public final class StoreSemantics
{
    public static final int MODE_SET = 0;
    public static final int MODE_ADD = 1;
    public static final int MODE_REPLACE = 2;
    public static final int MODE_APPEND = 3;
    public static final int MODE_PREPEND = 4;
    public static final int MODE_CAS = 5;

    /** The item a write reads before replacing it (the caller's view is left alone unless the write succeeds). */
    private final ItemView old = new ItemView();
    private final Arithmetic arithmetic = new Arithmetic();
    private final byte[] digits = new byte[24];
    private final MemorySegment digitsSegment = MemorySegment.ofArray(digits);

    /**
     * set/add/replace/append/prepend/cas exactly as memcached: add fails on a live key,
     * replace/append/prepend on a missing one (NOT_STORED), cas gives EXISTS on mismatch and
     * NOT_FOUND on a missing key; append/prepend keep the old flags and expiry.
     *
     * @param compareCas used only by {@link #MODE_CAS}.
     */
    public int store(
        final PartitionWriter writer,
        final int mode, final MemorySegment key, final long keyOffset, final int keyLength,
        final MemorySegment value, final long valueOffset, final int valueLength,
        final int clientFlags, final long expiresAtSeconds, final long compareCas, final ItemView out)
    {
        return store(writer, mode, key, keyOffset, keyLength, Table.keyHash(key, keyOffset, keyLength),
            value, valueOffset, valueLength, clientFlags, expiresAtSeconds, compareCas, out);
    }

    /** {@link #store(PartitionWriter, int, MemorySegment, long, int, MemorySegment, long, int, int, long, long,
     * ItemView) store} with the key's {@link Table#keyHash}, already computed. */
    public int store(
        final PartitionWriter writer,
        final int mode, final MemorySegment key, final long keyOffset, final int keyLength, final long hash,
        final MemorySegment value, final long valueOffset, final int valueLength,
        final int clientFlags, final long expiresAtSeconds, final long compareCas, final ItemView out)
    {
        if (mode == MODE_SET)
        {
            return writer.publish(key, keyOffset, keyLength, hash, value, valueOffset, valueLength, value, valueOffset, 0,
                clientFlags, expiresAtSeconds, 0, 0, out);
        }
        if (mode == MODE_CAS)
        {
            final int compared = writer.compareCas(key, keyOffset, keyLength, hash, compareCas, old);
            if (compared != Status.MATCHED)
            {
                return compared;
            }
            return writer.publish(key, keyOffset, keyLength, hash, value, valueOffset, valueLength, value, valueOffset, 0,
                clientFlags, expiresAtSeconds, 0, 0, out);
        }
        final boolean exists = writer.find(key, keyOffset, keyLength, hash, old);
        switch (mode)
        {
            case MODE_ADD:
                if (exists)
                {
                    return Status.NOT_STORED;
                }
                return writer.publish(key, keyOffset, keyLength, hash, value, valueOffset, valueLength, value, valueOffset, 0,
                    clientFlags, expiresAtSeconds, 0, 0, out);

            case MODE_REPLACE:
                if (!exists)
                {
                    return Status.NOT_STORED;
                }
                return writer.publish(key, keyOffset, keyLength, hash, value, valueOffset, valueLength, value, valueOffset, 0,
                    clientFlags, expiresAtSeconds, 0, 0, out);

            case MODE_APPEND:
            case MODE_PREPEND:
            {
                if (!exists)
                {
                    return Status.NOT_STORED;
                }
                if (mode == MODE_APPEND)
                {
                    return writer.publish(key, keyOffset, keyLength, hash, old.segment(), old.valueOffset(), old.valueLength(),
                        value, valueOffset, valueLength, old.clientFlags(), old.expiresAtSeconds(), 0, 0, out);
                }
                return writer.publish(key, keyOffset, keyLength, hash, value, valueOffset, valueLength,
                    old.segment(), old.valueOffset(), old.valueLength(), old.clientFlags(), old.expiresAtSeconds(), 0, 0,
                    out);
            }

            default:
                throw new IllegalArgumentException("unknown store mode " + mode);
        }
    }

    /** delete: DELETED, NOT_FOUND, or EXISTS when compareCas != 0 and does not match. */
    public int delete(
        final PartitionWriter writer, final MemorySegment key, final long keyOffset, final int keyLength,
        final long compareCas)
    {
        return delete(writer, key, keyOffset, keyLength, Table.keyHash(key, keyOffset, keyLength), compareCas);
    }

    /** {@link #delete(PartitionWriter, MemorySegment, long, int, long) delete} with the key's precomputed hash. */
    public int delete(
        final PartitionWriter writer, final MemorySegment key, final long keyOffset, final int keyLength,
        final long hash, final long compareCas)
    {
        if (compareCas != 0)
        {
            final int compared = writer.compareCas(key, keyOffset, keyLength, hash, compareCas, old);
            if (compared != Status.MATCHED)
            {
                return compared;
            }
        }
        else if (!writer.find(key, keyOffset, keyLength, hash, old))
        {
            return Status.NOT_FOUND;
        }
        writer.unlink(key, keyOffset, keyLength, hash);
        return Status.DELETED;
    }

    /**
     * incr/decr as memcached: unsigned 64-bit, incr wraps, decr stops at 0; the value must be
     * decimal digits (NON_NUMERIC otherwise); a shorter result is padded with spaces to the old
     * length as memcached does in place. Result item in {@code out}: STORED or NOT_FOUND.
     * <p>
     * The value is parsed as memcached's {@code safe_strtoull}: optional leading white space, an optional
     * sign, 1..20 digits without overflow, then white space or the end; a negative number is refused.
     * The new item keeps flags and expiry and gets a new CAS.
     */
    public int arithmetic(
        final PartitionWriter writer,
        final MemorySegment key, final long keyOffset, final int keyLength, final boolean increment, final long delta,
        final ItemView out)
    {
        return arithmetic(writer, key, keyOffset, keyLength, Table.keyHash(key, keyOffset, keyLength), increment,
            delta, out);
    }

    /** {@link #arithmetic(PartitionWriter, MemorySegment, long, int, boolean, long, ItemView) arithmetic} with the
     * key's precomputed hash. */
    public int arithmetic(
        final PartitionWriter writer,
        final MemorySegment key, final long keyOffset, final int keyLength, final long hash, final boolean increment,
        final long delta, final ItemView out)
    {
        if (!writer.find(key, keyOffset, keyLength, hash, old))
        {
            return Status.NOT_FOUND;
        }
        final int oldLength = old.valueLength();
        if (!arithmetic.parse(old.segment(), old.valueOffset(), oldLength))
        {
            return Status.NON_NUMERIC;
        }
        final long value = arithmetic.value();
        final long result;
        if (increment)
        {
            result = value + delta;
        }
        else
        {
            result = Long.compareUnsigned(delta, value) > 0 ? 0 : value - delta;
        }
        final int length = Arithmetic.format(result, digits);
        final int pad = length <= oldLength ? oldLength - length : 0;
        // memcached 1.6.18: the result is never "fetched" (mg h0 after an incr), in place or not
        final int oldMeta = length <= oldLength ? old.metaBits() & ~ItemView.META_FETCHED : 0;
        return writer.publish(key, keyOffset, keyLength, hash, digitsSegment, 0, length, digitsSegment, 0, 0, pad,
            old.clientFlags(), old.expiresAtSeconds(), -1, 0, oldMeta, out);
    }

    /**
     * touch/gat: sets a new expiry; TOUCHED (item in out) or NOT_FOUND. As memcached 1.6, the CAS value is
     * unchanged (the item is republished with its own CAS, flags, value and stored-at time).
     */
    public int touch(
        final PartitionWriter writer,
        final MemorySegment key, final long keyOffset, final int keyLength, final long expiresAtSeconds, final ItemView out)
    {
        return touch(writer, key, keyOffset, keyLength, Table.keyHash(key, keyOffset, keyLength), expiresAtSeconds, out);
    }

    /** {@link #touch(PartitionWriter, MemorySegment, long, int, long, ItemView) touch} with the key's precomputed
     * hash. */
    public int touch(
        final PartitionWriter writer, final MemorySegment key, final long keyOffset, final int keyLength,
        final long hash, final long expiresAtSeconds, final ItemView out)
    {
        if (!writer.find(key, keyOffset, keyLength, hash, old))
        {
            return Status.NOT_FOUND;
        }
        final int status = writer.publish(key, keyOffset, keyLength, hash,
            old.segment(), old.valueOffset(), old.valueLength(), old.segment(), 0, 0, 0,
            old.clientFlags(), expiresAtSeconds, old.storedAtSeconds(), old.cas(), old.metaBits() | ItemView.META_FETCHED,
            out); // memcached's touch fetches the item (a bump)
        return status == Status.STORED ? Status.TOUCHED : status;
    }
}
