package io.wirekv.dataplane.log;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Sync mode: how a writer ends its sync thread's sleep when it appends a record, so that a group-commit round starts
 * at once instead of when a parked thread's timer fires (50-150 us here: as long as the disk's flush itself).
 * <p>
 * The sync thread announces its sleep ({@link #sleeping} true), fences, and looks for records once more before
 * it parks; a writer publishes its record, fences, and unparks the thread if it announced a sleep. With both
 * fences one of them sees the other's store (Dekker), so no record waits for the timeout; the timeout only bounds
 * the idle thread's other chores (prefaulting, spares, retries). A writer that finds the thread awake pays one fence
 * and one read of a line that stays in its cache while the thread works.
 */
final class SyncerWakeup
{
    private final Thread syncThread;
    private volatile boolean sleeping;

    SyncerWakeup(final Thread syncThread)
    {
        this.syncThread = syncThread;
    }

    /** Writer, after publishing an appended record. */
    void wakeIfSleeping()
    {
        VarHandle.fullFence(); // the record's publication before the read of the flag (pairs with the one in sleep)
        if (sleeping)
        {
            sleeping = false; // one unpark per sleep, whichever writer comes first
            LockSupport.unpark(syncThread);
        }
    }

    /**
     * Sync thread: sleeps at most {@code maxNs}, unless {@code log}s already hold records it has not synced (looked at
     * after the announcement, so a writer that appended before it is seen here and one that appends after it wakes
     * the thread).
     */
    void sleep(final java.util.List<PartitionLog> logs, final long maxNs)
    {
        sleeping = true;
        VarHandle.fullFence(); // the flag before the look at the logs (pairs with the one in wakeIfSleeping)
        if (!anyUnsynced(logs))
        {
            LockSupport.parkNanos(this, maxNs);
        }
        sleeping = false;
    }

    private static boolean anyUnsynced(final java.util.List<PartitionLog> logs)
    {
        for (int i = 0; i < logs.size(); i++)
        {
            if (logs.get(i).hasUnsyncedRecords())
            {
                return true;
            }
        }
        return false;
    }
}
