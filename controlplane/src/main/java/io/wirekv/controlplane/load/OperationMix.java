package io.wirekv.controlplane.load;

/**
 * The next request of a load worker: GET or SET with the spec's ratio, and a uniformly chosen key.
 * xorshift64*: cheap, allocation-free, and reproducible from the seed. One per worker thread.
 */
final class OperationMix
{
    private final double getRatio;
    private final int keySpace;
    private long state;

    OperationMix(final LoadSpec spec, final long seed)
    {
        this.getRatio = spec.getRatio();
        this.keySpace = spec.keySpace();
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed; // xorshift must not start at 0
    }

    /** Decides the next request's kind; call {@link #nextKey()} for its key. */
    boolean nextIsGet()
    {
        return (nextLong() >>> 11) * 0x1.0p-53 < getRatio;
    }

    int nextKey()
    {
        return (int)((nextLong() >>> 1) % keySpace);
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
