package io.wirekv.dataplane.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

abstract class ReaderSlotPad0
{
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class ReaderSlotFields extends ReaderSlotPad0
{
    /** Written by the owning reader thread only (release); read by writers (acquire). */
    long quiescentEpoch;
    /** Written by the owning reader thread only (opaque); read by stats (opaque). */
    long hits;
    long misses;
}

abstract class ReaderSlotPad1 extends ReaderSlotFields
{
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * One registered reader's padded QSBR slot and hit/miss counters, on cache lines written only by the
 * owning reader thread.
 */
final class ReaderSlot extends ReaderSlotPad1 implements QsbrReader
{
    static final long OFFLINE = Long.MAX_VALUE;

    private static final VarHandle EPOCH;
    private static final VarHandle HITS;
    private static final VarHandle MISSES;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            EPOCH = lookup.findVarHandle(ReaderSlotFields.class, "quiescentEpoch", long.class);
            HITS = lookup.findVarHandle(ReaderSlotFields.class, "hits", long.class);
            MISSES = lookup.findVarHandle(ReaderSlotFields.class, "misses", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Qsbr qsbr;
    private final String name;
    /** The thread that registered the slot and reads through it. */
    final Thread owner;
    /** Set offline by a writer on the owner thread while it waits for a grace period (owner thread only). */
    boolean parkedByWriter;
    volatile boolean closed;

    ReaderSlot(final Qsbr qsbr, final String name, final long epoch)
    {
        this.qsbr = qsbr;
        this.name = name;
        this.owner = Thread.currentThread();
        this.quiescentEpoch = epoch;
    }

    String name()
    {
        return name;
    }

    long epochAcquire()
    {
        return (long)EPOCH.getAcquire(this); // acquire: pairs with setRelease in quiescent/offline
    }

    @Override
    public void quiescent()
    {
        // release: all prior reads of items are done; pairs with getAcquire in Qsbr.safeEpoch
        EPOCH.setRelease(this, qsbr.epochAcquire());
    }

    @Override
    public void offline()
    {
        EPOCH.setRelease(this, OFFLINE); // release: pairs with getAcquire in Qsbr.safeEpoch
    }

    @Override
    public void online()
    {
        EPOCH.setVolatile(this, qsbr.epochAcquire()); // volatile: pairs with getAcquire in Qsbr.safeEpoch
        VarHandle.fullFence(); // StoreLoad: the slot is visible before this thread loads any index slot
    }

    void countHit()
    {
        HITS.setOpaque(this, hits + 1); // opaque: single writer; pairs with getOpaque in hitsOpaque
    }

    void countMiss()
    {
        MISSES.setOpaque(this, misses + 1); // opaque: single writer; pairs with getOpaque in missesOpaque
    }

    long hitsOpaque()
    {
        return (long)HITS.getOpaque(this); // opaque: pairs with setOpaque in countHit
    }

    long missesOpaque()
    {
        return (long)MISSES.getOpaque(this); // opaque: pairs with setOpaque in countMiss
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            qsbr.deregister(this);
        }
    }

    @Override
    public String toString()
    {
        return "ReaderSlot{" + name + ", epoch=" + epochAcquire() + "}";
    }
}
