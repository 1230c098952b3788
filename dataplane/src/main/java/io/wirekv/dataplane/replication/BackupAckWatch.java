package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.PartitionLog;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

/**
 * A sync-mode primary's watch on its backup's ACKs, on the replication thread beside the sender: a connected backup
 * whose ACKs have not covered a partition's appended records for longer than {@code replication.sync.timeout}
 * (stalled, starved of CPU, far behind, or in a long full sync) makes the writers answer the held writes
 * {@code SERVER_ERROR} ({@code HeldReplies}); this puts the reason in the error log, once per stall. The link stays
 * up: heartbeats still come, and the sender's silence timeout drops a backup that sends nothing at all.
 * Threading: the replication thread only; allocation-free unless a stall is reported.
 */
final class BackupAckWatch implements Agent
{
    private final ReplicationState state;
    private final PartitionLog[] logs;
    private final ErrorHandler errors;
    /** Per partition: the covered sequence last seen, when it last moved (or was complete), whether reported. */
    private final long[] coveredSeen;
    private final long[] progressNs;
    private final boolean[] reported;

    BackupAckWatch(final ReplicationState state, final java.util.List<PartitionLog> logs, final ErrorHandler errors)
    {
        this.state = state;
        this.logs = logs.toArray(PartitionLog[]::new);
        this.errors = errors;
        this.coveredSeen = new long[this.logs.length];
        this.progressNs = new long[this.logs.length];
        this.reported = new boolean[this.logs.length];
    }

    @Override
    public int doWork()
    {
        final long nowNs = System.nanoTime();
        final boolean watching = state.holdsForBackup() && state.connected();
        final long timeoutMs = state.settings().syncTimeoutMs();
        for (int p = 0; p < logs.length; p++)
        {
            final long covered = state.covered(p); // what the held replies wait for (durable when the backup syncs)
            if (!watching || covered >= logs[p].appendedSequence() || covered != coveredSeen[p])
            {
                coveredSeen[p] = covered;
                progressNs[p] = nowNs;
                reported[p] = false;
            }
            else if (!reported[p] && nowNs - progressNs[p] > timeoutMs * 1_000_000L)
            {
                reported[p] = true;
                errors.onError(new ReplicationException("replication: sync mode: the backup " +
                    "at " + state.peer() + " is connected but has not acknowledged partition " + p + "'s records for " +
                    "more than " + timeoutMs + " ms (replication.sync.timeout): writes waiting that long are answered " +
                    "SERVER_ERROR, not acknowledged; the backup is stalled, starved of CPU, far behind or in a long " +
                    "full sync (see wirekv replication on both nodes)"));
            }
        }
        return 0; // watching is no work: the thread's idle strategy still sleeps
    }

    @Override
    public String roleName()
    {
        return "wirekv-replication-ack-watch";
    }
}
