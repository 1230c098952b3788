package io.wirekv.controlplane.load;

/**
 * A worker's stream of choices: GET or SET, which keys, whether to verify. xorshift64*:
 * cheap, allocation-free, reproducible from the seed. One per worker thread. A warm-up stream
 * instead takes the keys in order, {@code firstKey}, {@code firstKey + stride}, ... (thread i of n
 * stores keys i, i + n, ...), so the threads together store every key once.
 */
final class BenchOps
{
    private final double getRatio;
    private final double verifyFraction;
    private final KeyChooser chooser;
    private final int stride;
    private final int keySpace;
    private long state;
    private long nextInOrder;

    BenchOps(final BenchSpec spec, final KeyChooser chooser, final long seed)
    {
        this(spec, chooser, seed, 0, 0);
    }

    /**
     * @param stride 0 for random keys; else keys in order from {@code firstKey} in steps of {@code stride}.
     */
    BenchOps(final BenchSpec spec, final KeyChooser chooser, final long seed, final int firstKey, final int stride)
    {
        this.getRatio = spec.getRatio();
        this.verifyFraction = spec.verifyFraction();
        this.chooser = chooser;
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        this.stride = stride;
        this.keySpace = spec.keySpace();
        this.nextInOrder = firstKey;
    }

    boolean nextIsGet()
    {
        return nextDouble() < getRatio;
    }

    boolean nextVerify()
    {
        return verifyFraction > 0 && nextDouble() < verifyFraction;
    }

    int nextKey()
    {
        if (stride > 0)
        {
            final int key = (int)(nextInOrder % keySpace);
            nextInOrder += stride;
            return key;
        }
        final long r = nextLong();
        return chooser.keyOf(chooser.next((r >>> 11) * 0x1.0p-53, r));
    }

    private double nextDouble()
    {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    private long nextLong()
    {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return x * 0x2545F4914F6CDD1DL;
    }
}
