package io.wirekv.dataplane.log;

import org.agrona.ErrorHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The server's sync threads (never an lcore or a writer, also with {@code --colocate}): each owns some partition
 * logs (partition {@code p} goes to thread {@code p % threads}), takes the highest appended sequence of each of its
 * logs with new records, forces the segment ranges that hold them, flushes the disk once if the action needs it
 * ({@link DiskFlush}) and publishes the durable sequences, which release the writers' held replies. Many writes
 * share one sync (group commit) while the writers keep appending; a thread starts its next round as soon as the
 * previous one returned, so what was appended during a sync goes into the next.
 * <p>
 * How many threads: with a {@link SyncAction#flushesPerRound flush per round}, one, whose round writes every
 * partition back and then flushes once. Otherwise each range is msync'd, which on ext4 costs a journal commit per
 * file; issued at the same time from different threads, ext4 makes them share commits, so {@code sync} mode then
 * uses up to {@link #MAX_SYNC_THREADS}. {@code async}: one thread, once per interval. After each round (and every
 * 50 ms in async mode) a thread keeps the next pages of its writers' segments faulted in
 * ({@link PartitionLog#prefault}), so appending takes the writer no page fault. A separate thread makes the spare
 * segments the writers roll to ({@link PartitionLog#makeSpare}), which takes long enough to hold replies.
 * <p>
 * A failed sync or segment creation fails that partition's log (its writes answer SERVER_ERROR) and is retried about
 * once a second; every failure also goes to the error handler (the CnC file's error log, {@code wirekv errors}).
 * Thread 0 publishes the gauges (sync lag, log bytes, last sync) for all logs.
 */
public final class LogSyncer implements AutoCloseable
{
    /** How a range of a segment reaches the disk; tests inject a slow or failing one. */
    @FunctionalInterface
    public interface SyncAction
    {
        /**
         * Forces {@code [from, to)} of {@code segment}: durable on return, or once {@link #flush} returned after it.
         * Throws an unchecked exception when the sync fails.
         */
        void force(LogSegment segment, long from, long to);

        /** A hint before the round's forces: start writing {@code [from, to)} back (the partitions' writes overlap). */
        default void startWriteBack(final LogSegment segment, final long from, final long to)
        {
        }

        /** After the round's forces: makes them durable; throws an unchecked exception when that fails. */
        default void flush()
        {
        }

        /** Whether {@link #force} leaves its ranges to {@link #flush}: then one thread syncs every partition. */
        default boolean flushesPerRound()
        {
            return false;
        }
    }

    /** A sync durable by itself: {@link LogSegment#force} ({@code msync}). */
    public static final SyncAction MSYNC = LogSegment::force;
    /** Sync mode's thread count is min(partitions, this): beyond it, little more sharing of journal commits. */
    public static final int MAX_SYNC_THREADS = 4;
    static final long RETRY_INTERVAL_MS = 1000;
    /** Sync: idle rounds a sync thread yields its CPU for before it sleeps until a writer appends. */
    static final int YIELDS_BEFORE_SLEEP = 16;
    /** Sync: the longest such sleep, which bounds how late an idle thread's prefaulting, spares and retries run. */
    static final long SYNC_SLEEP_MAX_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Async: how often between syncs the thread tops up the writers' faulted-in pages. */
    static final long PREFAULT_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How often the spare thread looks for a log that wants a spare segment. */
    static final long SPARE_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final List<PartitionLog> logs;
    private final PersistenceSettings.Mode mode;
    private final long intervalNs;
    private final SyncAction action;
    private final LogCounters counters;
    private final ErrorHandler errors;
    private final SyncLoop[] loops;
    private final Thread spareMaker;
    private volatile boolean running = true;

    /**
     * Starts the threads: min(logs, {@link #MAX_SYNC_THREADS}) in sync mode, one in async mode.
     * @param errors where failures go (the CnC error log); called on the sync threads.
     */
    public LogSyncer(final List<PartitionLog> logs, final PersistenceSettings settings, final SyncAction action,
        final LogCounters counters, final ErrorHandler errors)
    {
        this(logs, settings, action, counters, errors, settings.mode() == PersistenceSettings.Mode.SYNC &&
            !action.flushesPerRound() ? Math.min(logs.size(), MAX_SYNC_THREADS) : 1);
    }

    /** With {@code threads} sync threads (at least 1, at most one per log). */
    public LogSyncer(final List<PartitionLog> logs, final PersistenceSettings settings, final SyncAction action,
        final LogCounters counters, final ErrorHandler errors, final int threads)
    {
        this.logs = List.copyOf(logs);
        this.mode = settings.mode();
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(settings.asyncIntervalMs());
        this.action = action;
        this.counters = counters;
        this.errors = errors;
        final int count = Math.max(1, Math.min(threads, this.logs.size()));
        this.loops = new SyncLoop[count];
        for (int t = 0; t < count; t++)
        {
            final List<PartitionLog> mine = new ArrayList<>();
            for (int i = t; i < this.logs.size(); i += count)
            {
                mine.add(this.logs.get(i));
            }
            loops[t] = new SyncLoop(mine, t == 0);
        }
        for (int t = 0; t < count; t++)
        {
            loops[t].thread = Thread.ofPlatform().name("wirekv-log-syncer-" + t).daemon(true).start(loops[t]);
        }
        spareMaker = Thread.ofPlatform().name("wirekv-log-spares").daemon(true).start(this::makeSpares);
    }

    /** The spare thread: makes the spare segments the sync threads asked for, looking every 10 ms. */
    private void makeSpares()
    {
        while (running)
        {
            for (int i = 0; i < logs.size(); i++)
            {
                logs.get(i).makeSpare();
            }
            LockSupport.parkNanos(SPARE_CHECK_NS);
        }
    }

    /** Sync thread {@code t} (tests). */
    Thread thread(final int t)
    {
        return loops[t].thread;
    }

    /** The number of sync threads. */
    public int threads()
    {
        return loops.length;
    }

    /** One pass of every thread's round on the calling thread (tests, with the threads idle); records made durable. */
    long syncRound()
    {
        long made = 0;
        for (final SyncLoop loop : loops)
        {
            made += loop.round();
        }
        return made;
    }

    /** Stops the threads, each after a last sync round. */
    @Override
    public void close()
    {
        running = false;
        for (final SyncLoop loop : loops)
        {
            LockSupport.unpark(loop.thread);
        }
        LockSupport.unpark(spareMaker);
        for (final SyncLoop loop : loops)
        {
            try
            {
                loop.thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        try
        {
            spareMaker.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** One thread's logs and its loop. */
    private final class SyncLoop implements Runnable
    {
        private final List<PartitionLog> mine;
        private final long[] nextRetryMs;
        private final boolean[] skip;
        private final boolean[] published;
        private final boolean publishesGauges;
        /** When this thread last made records durable (read by thread 0 for the gauge). */
        private volatile long lastSyncMs;
        private Thread thread;

        SyncLoop(final List<PartitionLog> mine, final boolean publishesGauges)
        {
            this.mine = mine;
            this.nextRetryMs = new long[mine.size()];
            this.skip = new boolean[mine.size()];
            this.published = new boolean[mine.size()];
            this.publishesGauges = publishesGauges;
        }

        @Override
        public void run()
        {
            final SyncerWakeup wakeup = new SyncerWakeup(Thread.currentThread()); // used in sync mode only
            if (mode == PersistenceSettings.Mode.SYNC)
            {
                for (final PartitionLog log : mine)
                {
                    log.wakeSyncerOnAppend(wakeup);
                }
            }
            int idleRounds = 0;
            while (running)
            {
                final long made = round();
                if (mode == PersistenceSettings.Mode.ASYNC)
                {
                    awaitInterval();
                }
                else if (made > 0)
                {
                    idleRounds = 0;
                }
                else if (++idleRounds <= YIELDS_BEFORE_SLEEP)
                {
                    Thread.yield();
                }
                else
                {
                    wakeup.sleep(mine, SYNC_SLEEP_MAX_NS); // until a writer appends
                }
            }
            round(); // what was appended before close: at least as durable as async promises
        }

        /** Async: sleeps out the interval, keeping the writers' next log pages faulted in meanwhile. */
        private void awaitInterval()
        {
            final long deadlineNs = System.nanoTime() + intervalNs;
            for (long left = intervalNs; running && left > 0; left = deadlineNs - System.nanoTime())
            {
                LockSupport.parkNanos(Math.min(left, PREFAULT_CHECK_NS));
                prefaultOnly();
            }
        }

        private synchronized void prefaultOnly()
        {
            for (final PartitionLog log : mine)
            {
                if (null == log.failure())
                {
                    log.prefault(false);
                }
            }
        }

        /**
         * One pass over this thread's logs: every log with new records written back, one flush (if the action needs
         * it), then the durable sequences published. Returns records made durable.
         */
        synchronized long round() // only contended when a test calls syncRound beside the thread
        {
            final long nowMs = System.currentTimeMillis();
            for (int i = 0; i < mine.size(); i++)
            {
                skip[i] = !retryDue(i, nowMs);
                if (!skip[i])
                {
                    mine.get(i).startWriteBack(action);
                }
            }
            for (int i = 0; i < mine.size(); i++)
            {
                final PartitionLog log = mine.get(i);
                try
                {
                    if (!skip[i])
                    {
                        log.writeBack(action);
                    }
                }
                catch (final RuntimeException ex)
                {
                    nextRetryMs[i] = nowMs + RETRY_INTERVAL_MS;
                    errors.onError(new LogFailureException("partition " + log.partition() + ": " + log.failure(), ex));
                }
            }
            boolean flushed = true;
            if (anyAwaitsFlush())
            {
                try
                {
                    action.flush();
                }
                catch (final RuntimeException ex)
                {
                    flushed = false;
                    for (int i = 0; i < mine.size(); i++)
                    {
                        mine.get(i).flushFailed(ex);
                        nextRetryMs[i] = nowMs + RETRY_INTERVAL_MS;
                    }
                    errors.onError(new LogFailureException("sync: " + ex.getMessage(), ex));
                }
            }
            long made = 0;
            for (int i = 0; i < mine.size(); i++)
            {
                final long durable = flushed ? mine.get(i).publishDurable() : 0;
                published[i] = durable > 0;
                made += durable;
            }
            for (int i = 0; i < mine.size(); i++) // after every partition's replies are released
            {
                mine.get(i).prefault(published[i]);
                mine.get(i).prepareSpare();
            }
            if (made > 0)
            {
                lastSyncMs = nowMs;
            }
            if (publishesGauges)
            {
                publishGauges();
            }
            return made;
        }

        private boolean anyAwaitsFlush()
        {
            for (int i = 0; i < mine.size(); i++)
            {
                if (mine.get(i).awaitsFlush())
                {
                    return true;
                }
            }
            return false;
        }

        /** Whether log {@code i} is to be synced this round: it works, or it failed and its retry is due (then retried). */
        private boolean retryDue(final int i, final long nowMs)
        {
            final PartitionLog log = mine.get(i);
            if (null == log.failure())
            {
                return true;
            }
            if (nowMs < nextRetryMs[i])
            {
                return false;
            }
            nextRetryMs[i] = nowMs + RETRY_INTERVAL_MS;
            final String stillFailing = log.retry();
            if (null != stillFailing)
            {
                errors.onError(new LogFailureException("partition " + log.partition() + ": " + stillFailing));
            }
            return true;
        }
    }

    private void publishGauges()
    {
        long lag = 0;
        long bytes = 0;
        for (int i = 0; i < logs.size(); i++)
        {
            lag += logs.get(i).lag();
            bytes += logs.get(i).logBytes();
        }
        long last = 0;
        for (final SyncLoop loop : loops)
        {
            last = Math.max(last, loop.lastSyncMs);
        }
        counters.gauge(LogCounters.SYNC_LAG, lag);
        counters.gauge(LogCounters.LOG_BYTES, bytes);
        if (last > 0)
        {
            counters.gauge(LogCounters.LAST_SYNC_MS, last);
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
