package io.wirekv.controlplane.load;

/**
 * The value of key {@code i}: its length is uniform in [min, max] by a hash of {@code i} and the
 * run's version, and its bytes are letters that start at a point also chosen by that hash, so a
 * reply can be checked against nothing but the key it names. Every SET of a key writes the same
 * bytes, so concurrent SETs never make a correct GET look wrong. Allocation-free.
 */
public final class BenchValues
{
    private final int min;
    private final int span;
    private final long version;

    public BenchValues(final int valueSizeMin, final int valueSizeMax, final int version)
    {
        this.min = valueSizeMin;
        this.span = valueSizeMax - valueSizeMin + 1;
        this.version = version;
    }

    public int size(final int key)
    {
        return min + (int)((hash(key) >>> 33) % span);
    }

    /** Writes key's value at {@code offset}; returns the offset after it. */
    public int put(final byte[] buf, final int offset, final int key)
    {
        final int size = size(key);
        final int start = (int)((hash(key) >>> 7) % 26);
        for (int i = 0; i < size; i++)
        {
            buf[offset + i] = (byte)('a' + (start + i) % 26);
        }
        return offset + size;
    }

    /** @return true when [offset, offset+length) is exactly key's value. */
    public boolean matches(final byte[] buf, final int offset, final int length, final int key)
    {
        if (length != size(key))
        {
            return false;
        }
        final int start = (int)((hash(key) >>> 7) % 26);
        for (int i = 0; i < length; i++)
        {
            if (buf[offset + i] != (byte)('a' + (start + i) % 26))
            {
                return false;
            }
        }
        return true;
    }

    private long hash(final int key)
    {
        long x = (key + 0x9E3779B97F4A7C15L * (version + 1)) * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 31;
        x *= 0x94D049BB133111EBL;
        return (x ^ (x >>> 29)) & Long.MAX_VALUE;
    }
}
