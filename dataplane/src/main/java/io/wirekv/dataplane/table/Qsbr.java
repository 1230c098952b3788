package io.wirekv.dataplane.table;

import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The table's QSBR domain: a global epoch advanced by writers when they retire memory, and the registry
 * of reader slots. Memory retired with tag {@code e} may be freed once {@link #safeEpoch()} {@code >= e}.
 */
final class Qsbr
{
    /** Written by partition writer threads (incrementAndGet, after the unlinking store); read by readers at quiescence. */
    private final PaddedCounter epoch = new PaddedCounter(1);
    private volatile ReaderSlot[] readers = new ReaderSlot[0];
    /** Each reader's hit/miss block; taken at register, given back at deregister. */
    private final ReaderCounters counters;

    Qsbr(final ReaderCounters counters)
    {
        this.counters = counters;
    }

    long epochAcquire()
    {
        return epoch.getVolatile(); // volatile load (acquire): pairs with incrementAndGet in retireTag
    }

    /** Tag for memory unlinked just before this call (full fence: orders the unlink before the new epoch). */
    long retireTag()
    {
        return epoch.incrementAndGet(); // volatile RMW: pairs with getAcquire in epochAcquire (reader)
    }

    /** Smallest epoch every registered reader has passed; {@code Long.MAX_VALUE} with no readers. */
    long safeEpoch()
    {
        long min = Long.MAX_VALUE;
        final ReaderSlot[] slots = readers; // volatile: pairs with the volatile write in register
        for (final ReaderSlot slot : slots)
        {
            final long e = slot.epochAcquire();
            if (e < min)
            {
                min = e;
            }
        }
        return min;
    }

    ReaderSlot[] readers()
    {
        return readers;
    }

    /**
     * Takes the calling thread's online readers offline, for a writer on their thread that is about to wait for
     * a grace period: they cannot pass a quiescent state while their own thread waits. Only valid where the
     * writer runs between those readers' duty cycles, holding no item they read (see
     * {@link PartitionWriter#sharesThreadWithReaders}); {@link #unparkThisThread()} brings them back.
     */
    void parkThisThread()
    {
        final Thread thread = Thread.currentThread();
        for (final ReaderSlot slot : readers) // volatile: pairs with the volatile write in register
        {
            if (slot.owner == thread && !slot.closed && slot.epochAcquire() != ReaderSlot.OFFLINE)
            {
                slot.parkedByWriter = true;
                slot.offline();
            }
        }
    }

    /** Brings back online the readers {@link #parkThisThread()} took offline. */
    void unparkThisThread()
    {
        final Thread thread = Thread.currentThread();
        for (final ReaderSlot slot : readers) // volatile: pairs with the volatile write in register
        {
            if (slot.owner == thread && slot.parkedByWriter)
            {
                slot.parkedByWriter = false;
                slot.online();
            }
        }
    }

    synchronized ReaderSlot register(final String name)
    {
        final ReaderSlot slot = new ReaderSlot(this, name, epochAcquire(), counters, counters.acquire());
        final ReaderSlot[] old = readers;
        final ReaderSlot[] next = Arrays.copyOf(old, old.length + 1);
        next[old.length] = slot;
        readers = next; // volatile: pairs with the volatile read in safeEpoch
        VarHandle.fullFence(); // StoreLoad: registration visible to writers before this thread reads the index
        return slot;
    }

    synchronized void deregister(final ReaderSlot slot)
    {
        final ReaderSlot[] old = readers;
        int index = -1;
        for (int i = 0; i < old.length; i++)
        {
            if (old[i] == slot)
            {
                index = i;
                break;
            }
        }
        if (index < 0)
        {
            return;
        }
        final ReaderSlot[] next = new ReaderSlot[old.length - 1];
        System.arraycopy(old, 0, next, 0, index);
        System.arraycopy(old, index + 1, next, index, old.length - index - 1);
        readers = next; // volatile: pairs with the volatile read in safeEpoch
        counters.release(slot.counterBlock); // its counts stay in the block: the sums never step back
    }
}
