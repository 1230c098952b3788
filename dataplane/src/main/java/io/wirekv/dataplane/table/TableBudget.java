package io.wirekv.dataplane.table;

/**
 * The table's memory budget, shared by every partition: slab pages and index arrays are paid for
 * from it, so memory stays bounded by the configuration as a whole. Taken and given back by writer
 * threads only (a CAS per page or index array, never per item); readers never touch it.
 */
final class TableBudget
{
    private final long limitBytes;
    /** Written by partition writer threads (CAS, addAndGet); read by them too. */
    private final PaddedCounter usedBytes;

    /** @param committedBytes paid for up front (the partitions' floor pages). */
    TableBudget(final long limitBytes, final long committedBytes)
    {
        this.limitBytes = limitBytes;
        usedBytes = new PaddedCounter(committedBytes);
    }

    boolean tryTake(final long bytes)
    {
        long used;
        do
        {
            used = usedBytes.getVolatile();
            if (used + bytes > limitBytes)
            {
                return false;
            }
        }
        while (!usedBytes.compareAndSet(used, used + bytes));
        return true;
    }

    void give(final long bytes)
    {
        usedBytes.addAndGet(-bytes);
    }

    long availableBytes()
    {
        return limitBytes - usedBytes.getVolatile();
    }
}
