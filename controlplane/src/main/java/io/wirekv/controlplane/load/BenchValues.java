package io.wirekv.controlplane.load;

/**
 * The value of key {@code i}: its length is uniform in [min, max] by a hash of {@code i} and the
 * run's version, and its bytes are letters drawn from a xorshift stream seeded by that hash, so a
 * reply can be checked against nothing but the key it names, and another key's value (or another
 * run's) does not pass. Every SET of a key writes the same
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
        long x = hash(key) | 1;
        for (int i = 0; i < size; i++)
        {
            if ((i & 7) == 0)
            {
                x = next(x);
            }
            buf[offset + i] = letter(x, i);
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
        long x = hash(key) | 1;
        for (int i = 0; i < length; i++)
        {
            if ((i & 7) == 0)
            {
                x = next(x);
            }
            if (buf[offset + i] != letter(x, i))
            {
                return false;
            }
        }
        return true;
    }

    private static long next(final long state)
    {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        return x ^ (x << 17);
    }

    private static byte letter(final long x, final int i)
    {
        return (byte)('a' + (int)(((x >>> ((i & 7) << 3)) & 0xFF) % 26));
    }

    private long hash(final int key)
    {
        long x = (key + 0x9E3779B97F4A7C15L * (version + 1)) * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 31;
        x *= 0x94D049BB133111EBL;
        return (x ^ (x >>> 29)) & Long.MAX_VALUE;
    }
}
