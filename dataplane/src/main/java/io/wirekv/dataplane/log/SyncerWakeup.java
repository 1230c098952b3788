package io.wirekv.dataplane.log;

import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Sync mode: lets an idle sync thread sleep, and the writer that appends the next record end the sleep, so that an
 * idle server's sync thread costs no CPU (it polled with a back-off before: a tenth of a CPU here) and a record still
 * starts a group-commit round at once rather than when a parked thread's timer fires.
 * <p>
 * The sync thread announces its sleep (the {@code sleeping} flag), fences, and looks for records once more before it
 * parks; a writer publishes its record, fences, and unparks the thread if it announced a sleep. With both fences one
 * of them sees the other's store (Dekker), so no record waits for the timeout; the timeout only bounds the idle
 * thread's other chores (prefaulting, spares, retries). A writer that finds the thread awake pays one fence and one
 * read of a line that stays in its cache while the thread works.
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
     * Sync thread: sleeps at most {@code maxNs}, unless {@code logs} already hold records it has not synced (looked at
     * after the announcement, so a writer that appended before it is seen here and one that appends after it wakes
     * the thread).
     */
    void sleep(final List<PartitionLog> logs, final long maxNs)
    {
        sleeping = true;
        VarHandle.fullFence(); // the flag before the look at the logs (pairs with the one in wakeIfSleeping)
        if (!anyUnsynced(logs))
        {
            LockSupport.parkNanos(this, maxNs);
        }
        sleeping = false;
    }

    private static boolean anyUnsynced(final List<PartitionLog> logs)
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
