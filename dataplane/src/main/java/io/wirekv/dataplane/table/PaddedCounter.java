package io.wirekv.dataplane.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@code long} alone on its cache lines, for a counter that several threads update atomically (the CAS
 * sequence, the QSBR epoch, the memory budget, the shared-page cursor): no other hot field shares its line,
 * so its updates do not slow the threads that read neighbouring fields. The padding is in superclasses on both
 * sides because the JVM lays out a superclass's fields before a subclass's and never reorders across them
 * (the layout of JCTools' and Agrona's padded classes); 128 bytes each side also cover the adjacent-line
 * prefetcher. Each field of this type says, where it is declared, which threads write it.
 * <p>
 * Replaces JCTools' {@code PaddedAtomicLong}, which reaches {@code sun.misc.Unsafe} and makes the JVM warn at
 * every start. Every read-modify-write is a volatile (sequentially consistent) atomic, as on
 * {@link java.util.concurrent.atomic.AtomicLong}.
 */
final class PaddedCounter extends PaddedCounterRhsPadding
{
    private static final VarHandle VALUE;

    static
    {
        try
        {
            VALUE = MethodHandles.lookup().findVarHandle(PaddedCounterValue.class, "value", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    PaddedCounter(final long initialValue)
    {
        VALUE.setVolatile(this, initialValue);
    }

    long getVolatile()
    {
        return (long)VALUE.getVolatile(this);
    }

    void setVolatile(final long newValue)
    {
        VALUE.setVolatile(this, newValue);
    }

    long incrementAndGet()
    {
        return (long)VALUE.getAndAdd(this, 1L) + 1L;
    }

    long getAndAdd(final long delta)
    {
        return (long)VALUE.getAndAdd(this, delta);
    }

    long addAndGet(final long delta)
    {
        return (long)VALUE.getAndAdd(this, delta) + delta;
    }

    boolean compareAndSet(final long expected, final long newValue)
    {
        return VALUE.compareAndSet(this, expected, newValue);
    }

    @Override
    public String toString()
    {
        return Long.toString(getVolatile());
    }
}

/** Left padding: 128 bytes before {@link PaddedCounterValue#value}. */
abstract class PaddedCounterLhsPadding
{
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class PaddedCounterValue extends PaddedCounterLhsPadding
{
    /** Accessed only through {@link PaddedCounter}'s VarHandle. */
    long value;
}

/** Right padding: 128 bytes after {@link PaddedCounterValue#value}. */
abstract class PaddedCounterRhsPadding extends PaddedCounterValue
{
    long q00, q01, q02, q03, q04, q05, q06, q07;
    long q08, q09, q10, q11, q12, q13, q14, q15;
}
