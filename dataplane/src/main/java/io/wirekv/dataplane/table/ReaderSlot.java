package io.wirekv.dataplane.table;

import org.agrona.concurrent.AtomicBuffer;

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
}

abstract class ReaderSlotPad1 extends ReaderSlotFields
{
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * One registered reader's padded QSBR slot, on cache lines written only by the owning reader thread, and its
 * hit/miss counters: a block of {@link ReaderCounters} in the counter registry, also written only by the owner,
 * unless the table had no block left for it or it is closed (then it shares the atomic block of unregistered
 * readers).
 */
final class ReaderSlot extends ReaderSlotPad1 implements QsbrReader
{
    static final long OFFLINE = Long.MAX_VALUE;

    private static final VarHandle EPOCH;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            EPOCH = lookup.findVarHandle(ReaderSlotFields.class, "quiescentEpoch", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Qsbr qsbr;
    private final String name;
    private final ReaderCounters counters;
    private final AtomicBuffer counterValues;
    /** This reader's block in {@link ReaderCounters}. */
    final int counterBlock;
    /**
     * Counts go to the shared block (atomic adds): when the table had no block left for this reader, and once
     * it is closed, since its block may then belong to another thread (a thread-local or cached handle may still
     * count after close). Written at construction and by {@link #close()}, on the owner thread.
     */
    private boolean sharedCounters;
    /** The thread that registered the slot and reads through it. */
    final Thread owner;
    /** Set offline by a writer on the owner thread while it waits for a grace period (owner thread only). */
    boolean parkedByWriter;
    volatile boolean closed;

    ReaderSlot(final Qsbr qsbr, final String name, final long epoch, final ReaderCounters counters, final int counterBlock)
    {
        this.qsbr = qsbr;
        this.name = name;
        this.counters = counters;
        this.counterValues = counters.values();
        this.counterBlock = counterBlock;
        this.sharedCounters = counters.isShared(counterBlock);
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

    /** Owner thread only: one lookup, found ({@code hit}) or not. */
    void count(final boolean hit)
    {
        if (sharedCounters)
        {
            counters.countShared(hit);
        }
        else
        {
            // opaque store of a plain sum: this thread owns the block; pairs with getLongOpaque in ReaderCounters.sum
            // and CounterRegistryReader.value
            counterValues.addLongOpaque(counterBlock + (hit ? ReaderCounters.HITS : ReaderCounters.MISSES) * Long.BYTES, 1);
        }
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            sharedCounters = true; // before the block goes back: later counts on this thread go to the shared block
            qsbr.deregister(this);
        }
    }

    @Override
    public String toString()
    {
        return "ReaderSlot{" + name + ", epoch=" + epochAcquire() + "}";
    }
}
