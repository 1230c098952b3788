package io.wirekv.dataplane.log;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The server's one sync thread (never an lcore or a writer, also with {@code --colocate}): takes the highest
 * appended sequence of each partition log with new records, forces the segment ranges that hold them
 * ({@code msync}, i.e. {@code fdatasync} of the range) and publishes the durable sequence, which releases the
 * writers' held replies. Many writes share one sync (group commit) while the writers keep appending.
 * {@code sync} mode loops as soon as there is something new; {@code async} syncs once per interval. A failed
 * sync or segment creation fails that partition's log (its writes answer SERVER_ERROR) and is retried about once
 * a second; every failure also goes to the error handler (the CnC file's error log, {@code wirekv errors}).
 */
public final class LogSyncer implements AutoCloseable
{
    /** How a range of a segment reaches the disk; tests inject a slow or failing one. */
    @FunctionalInterface
    public interface SyncAction
    {
        /** Forces {@code [from, to)} of {@code segment}; throws an unchecked exception when the sync fails. */
        void force(LogSegment segment, long from, long to);
    }

    /** The real sync: {@link LogSegment#force}. */
    public static final SyncAction MSYNC = LogSegment::force;
    static final long RETRY_INTERVAL_MS = 1000;

    private final List<PartitionLog> logs;
    private final PersistenceSettings.Mode mode;
    private final long intervalNs;
    private final SyncAction action;
    private final LogCounters counters;
    private final ErrorHandler errors;
    private final long[] nextRetryMs;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Starts the thread.
     * @param errors where failures go (the CnC error log); called on the syncer thread.
     */
    public LogSyncer(final List<PartitionLog> logs, final PersistenceSettings settings, final SyncAction action,
        final LogCounters counters, final ErrorHandler errors)
    {
        this.logs = List.copyOf(logs);
        this.mode = settings.mode();
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(settings.asyncIntervalMs());
        this.action = action;
        this.counters = counters;
        this.errors = errors;
        this.nextRetryMs = new long[logs.size()];
        this.thread = Thread.ofPlatform().name("wirekv-log-syncer").daemon(true).start(this::run);
    }

    private void run()
    {
        final IdleStrategy idle = new BackoffIdleStrategy(16, 16, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MICROSECONDS.toNanos(50));
        while (running)
        {
            final long made = syncRound();
            if (mode == PersistenceSettings.Mode.ASYNC)
            {
                LockSupport.parkNanos(intervalNs);
            }
            else
            {
                idle.idle(made > 0 ? 1 : 0);
            }
        }
        syncRound(); // what was appended before close: at least as durable as async promises
    }

    /** One pass over every partition log; returns records made durable. */
    long syncRound()
    {
        long made = 0;
        long lag = 0;
        long bytes = 0;
        final long nowMs = System.currentTimeMillis();
        for (int i = 0; i < logs.size(); i++)
        {
            final PartitionLog log = logs.get(i);
            if (null != log.failure())
            {
                if (nowMs < nextRetryMs[i])
                {
                    continue;
                }
                nextRetryMs[i] = nowMs + RETRY_INTERVAL_MS;
                final String stillFailing = log.retry();
                if (null != stillFailing)
                {
                    errors.onError(new LogFailureException("partition " + log.partition() + ": " + stillFailing));
                }
            }
            try
            {
                made += log.sync(action);
            }
            catch (final RuntimeException ex)
            {
                nextRetryMs[i] = nowMs + RETRY_INTERVAL_MS;
                errors.onError(new LogFailureException("partition " + log.partition() + ": " + log.failure(), ex));
            }
            lag += log.lag();
            bytes += log.logBytes();
        }
        counters.gauge(LogCounters.SYNC_LAG, lag);
        counters.gauge(LogCounters.LOG_BYTES, bytes);
        if (made > 0)
        {
            counters.gauge(LogCounters.LAST_SYNC_MS, nowMs);
        }
        return made;
    }

    /** Stops the thread after a last sync round. */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** A log failure as the error log records it (de-duplicated by its text). */
    public static final class LogFailureException extends RuntimeException
    {
        public LogFailureException(final String message)
        {
            super(message, null, false, false);
        }

        public LogFailureException(final String message, final Throwable cause)
        {
            super(message, cause, false, false);
        }
    }
}
