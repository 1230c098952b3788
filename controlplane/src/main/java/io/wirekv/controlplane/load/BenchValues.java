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
    /** Largest table of precomputed values a worker keeps (keys × largest value). */
    static final long CACHE_MAX_BYTES = 16L << 20;

    private final int min;
    private final int span;
    private final long version;
    /** Key i's value at {@code i × stride}, for keys below {@code cachedKeys}; computed once, copied per SET. */
    private final byte[] cache;
    private final int[] sizes;
    private final int stride;
    private final int cachedKeys;

    public BenchValues(final int valueSizeMin, final int valueSizeMax, final int version)
    {
        this(valueSizeMin, valueSizeMax, version, 0);
    }

    /**
     * @param keySpace the keys whose values are computed once, here, and then copied: a SET then costs the
     *                 generator one array copy instead of a pseudo-random letter per byte. No table (compute
     *                 each time) when it would take more than {@link #CACHE_MAX_BYTES}.
     */
    public BenchValues(final int valueSizeMin, final int valueSizeMax, final int version, final int keySpace)
    {
        this.min = valueSizeMin;
        this.span = valueSizeMax - valueSizeMin + 1;
        this.version = version;
        final boolean fits = keySpace > 0 && (long)keySpace * valueSizeMax <= CACHE_MAX_BYTES;
        this.stride = valueSizeMax;
        this.cachedKeys = fits ? keySpace : 0;
        this.cache = new byte[fits ? keySpace * valueSizeMax : 0];
        this.sizes = new int[cachedKeys];
        for (int key = 0; key < cachedKeys; key++)
        {
            sizes[key] = compute(cache, key * stride, key) - key * stride;
        }
    }

    public int size(final int key)
    {
        if (key >= 0 && key < cachedKeys)
        {
            return sizes[key];
        }
        return sizeOf(key);
    }

    private int sizeOf(final int key)
    {
        return min + (int)((hash(key) >>> 33) % span);
    }

    /** Writes key's value at {@code offset}; returns the offset after it. */
    public int put(final byte[] buf, final int offset, final int key)
    {
        if (key >= 0 && key < cachedKeys)
        {
            final int size = sizes[key];
            System.arraycopy(cache, key * stride, buf, offset, size);
            return offset + size;
        }
        return compute(buf, offset, key);
    }

    private int compute(final byte[] buf, final int offset, final int key)
    {
        final int size = sizeOf(key);
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
