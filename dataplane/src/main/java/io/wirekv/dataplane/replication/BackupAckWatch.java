package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.PartitionLog;
import org.agrona.ErrorHandler;

/**
 * A primary's view of its backup's ACKs, per partition, for the {@link ReplicationSenderAgent}: the lag gauges
 * ({@code repl_lag_records}, {@code repl_lag_ms}) and, in sync mode, the stall report: a connected backup whose ACKs
 * have not covered a partition's appended records for longer than {@code replication.sync.timeout} (stalled, starved
 * of CPU, far behind, or in a long full sync) makes the writers answer the held writes {@code SERVER_ERROR}, and the
 * reason goes to the error log once per stall. The link stays up (heartbeats still come; a backup that sends nothing
 * is dropped by the sender's silence timeout). Threading: the replication thread only; allocation-free unless a stall
 * is reported.
 */
final class BackupAckWatch
{
    private final ReplicationState state;
    private final ReplicationCounters counters;
    private final PartitionLog[] logs;
    private final ErrorHandler errors;
    private final long[] unackedSinceNs;
    private final long[] coverProgressNs;
    private final long[] coveredSeen;
    private final boolean[] stallReported;

    BackupAckWatch(final ReplicationState state, final ReplicationCounters counters, final PartitionLog[] logs,
        final ErrorHandler errors)
    {
        this.state = state;
        this.counters = counters;
        this.logs = logs;
        this.errors = errors;
        this.unackedSinceNs = new long[logs.length];
        this.coverProgressNs = new long[logs.length];
        this.coveredSeen = new long[logs.length];
        this.stallReported = new boolean[logs.length];
    }

    /** A new stream: the backup covers {@code covered} of {@code p} as of {@code nowNs}. */
    void connected(final int p, final long covered, final long nowNs)
    {
        unackedSinceNs[p] = nowNs;
        coverProgressNs[p] = nowNs;
        coveredSeen[p] = covered;
        stallReported[p] = false;
    }

    /** Once per duty cycle while streaming: the lag gauges from {@code acked} (applied per partition), then stalls. */
    void publish(final long[] acked, final long nowNs)
    {
        long records = 0;
        long oldestNs = nowNs;
        for (int p = 0; p < logs.length; p++)
        {
            final long lag = logs[p].appendedSequence() - acked[p];
            if (lag <= 0)
            {
                unackedSinceNs[p] = nowNs;
            }
            else
            {
                records += lag;
                oldestNs = Math.min(oldestNs, unackedSinceNs[p]);
            }
        }
        counters.senderGauge(ReplicationCounters.LAG_RECORDS, records);
        counters.senderGauge(ReplicationCounters.LAG_MS, (nowNs - oldestNs) / 1_000_000);
        if (state.holdsForBackup())
        {
            checkStalls(nowNs);
        }
    }

    private void checkStalls(final long nowNs)
    {
        final long timeoutMs = state.settings().syncTimeoutMs();
        for (int p = 0; p < logs.length; p++)
        {
            final long covered = state.covered(p); // what the held replies wait for (durable when the backup syncs)
            if (covered >= logs[p].appendedSequence() || covered > coveredSeen[p])
            {
                coveredSeen[p] = covered;
                coverProgressNs[p] = nowNs;
                stallReported[p] = false;
            }
            else if (!stallReported[p] && nowNs - coverProgressNs[p] > timeoutMs * 1_000_000L)
            {
                stallReported[p] = true;
                errors.onError(new ReplicationSenderAgent.ReplicationException("replication: sync mode: the backup " +
                    "at " + state.peer() + " is connected but has not acknowledged partition " + p + "'s records for " +
                    "more than " + timeoutMs + " ms (replication.sync.timeout): writes waiting that long are answered " +
                    "SERVER_ERROR, not acknowledged; the backup is stalled, starved of CPU, far behind or in a long " +
                    "full sync (see wirekv replication on both nodes)"));
            }
        }
    }
}
