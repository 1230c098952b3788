package io.wirekv.controlplane.load;

/**
 * Chooses key indexes, uniformly or by a Zipf law of parameter θ (Gray et al., "Quickly generating
 * billion-record synthetic databases", SIGMOD 1994, as YCSB's ZipfianGenerator does it): rank r
 * (0 = hottest) has probability proportional to 1/(r+1)^θ. {@link #keyOf} scatters ranks over the key
 * space (key = rank × 2654435761 mod keySpace, a bijection because that prime exceeds any key space),
 * so hot keys are not neighbours. The zeta constant is computed once at construction (see {@link #zeta}).
 * <p>
 * Threading: the zeta table is immutable; {@link #next} takes the caller's random state, so one
 * chooser can be shared by all threads. Allocation-free per call.
 */
public final class KeyChooser
{
    private final int keySpace;
    private final double theta;
    private final double alpha;
    private final double zetaN;
    private final double eta;
    private final double halfPowTheta;

    /**
     * @param keySpace number of keys, at least 1.
     * @param theta    0 for uniform, else 0 &lt; θ &lt; 1.
     */
    public KeyChooser(final int keySpace, final double theta)
    {
        this.keySpace = keySpace;
        this.theta = theta;
        if (theta > 0)
        {
            final double zeta = zeta(keySpace, theta);
            final double zeta2 = 1.0 + 1.0 / Math.pow(2, theta);
            this.zetaN = zeta;
            this.alpha = 1.0 / (1.0 - theta);
            this.eta = (1 - Math.pow(2.0 / keySpace, 1 - theta)) / (1 - zeta2 / zeta);
            this.halfPowTheta = 1.0 + Math.pow(0.5, theta);
        }
        else
        {
            this.zetaN = 0;
            this.alpha = 0;
            this.eta = 0;
            this.halfPowTheta = 0;
        }
    }

    /**
     * Σ 1/i^θ for i = 1..n: summed exactly up to {@link #EXACT_TERMS}, then by Euler–Maclaurin
     * (integral plus end-point correction; relative error far below 1e-9 at that point), so a key
     * space of 100 million costs what one of a million does.
     */
    static double zeta(final int n, final double theta)
    {
        final int exact = Math.min(n, EXACT_TERMS);
        double zeta = 0;
        for (int i = 1; i <= exact; i++)
        {
            zeta += 1.0 / Math.pow(i, theta);
        }
        if (n > exact)
        {
            final double m = exact;
            zeta += (Math.pow(n, 1 - theta) - Math.pow(m, 1 - theta)) / (1 - theta) +
                0.5 * (Math.pow(n, -theta) - Math.pow(m, -theta));
        }
        return zeta;
    }

    /** Terms of the zeta sum added one by one before the closed form takes over. */
    static final int EXACT_TERMS = 1 << 20;

    /**
     * @param uniform01 a uniform random number in [0, 1).
     * @param random64  a uniform random long (used for uniform choice).
     * @return the rank of the next key: 0..keySpace-1; rank 0 is the most frequent under Zipf.
     */
    public int next(final double uniform01, final long random64)
    {
        if (theta == 0)
        {
            return (int)((random64 >>> 1) % keySpace);
        }
        final double uz = uniform01 * zetaN;
        if (uz < 1.0)
        {
            return 0;
        }
        if (uz < halfPowTheta)
        {
            return Math.min(1, keySpace - 1);
        }
        final int rank = (int)(keySpace * Math.pow(eta * uniform01 - eta + 1, alpha));
        return Math.min(rank, keySpace - 1);
    }

    /** The key index of a rank. */
    public int keyOf(final int rank)
    {
        return (int)((rank * 2654435761L) % keySpace);
    }

    public int keySpace()
    {
        return keySpace;
    }
}
