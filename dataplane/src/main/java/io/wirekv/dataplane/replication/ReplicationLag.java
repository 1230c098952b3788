package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.PartitionLog;

/**
 * The backup's lag as the primary's gauges show it ({@code repl_lag_records}, {@code repl_lag_ms}): the records
 * appended and not yet acknowledged, and how long the oldest of them has waited.
 * <p>
 * How the wait is known without a timestamp per record: per partition, a ring of marks (sequence, the time the
 * sender first saw it appended), at most one per {@link #MARK_INTERVAL_NS}; marks the acknowledgements pass are
 * dropped, and the oldest record still waiting is younger than the mark before it and no younger than the first
 * mark left, whose age is reported (low by at most one mark interval and one duty cycle). A full ring takes no new
 * marks: the oldest waits stay right, and only once the backup passes every mark does the figure restart from then.
 * (It once reported the time since the backup was last wholly caught up, which under a steady load never came.)
 * <pre>
 *   sequences  ... | s(k) | s(k+1) | ... |      acked < s(k): the oldest waiting record was appended after
 *   timesNs    ... | t(k) | t(k+1) | ... |      mark k-1 and by t(k): it has waited about now - t(k)
 * </pre>
 * Threading: the replication thread only. Allocation-free after construction.
 */
final class ReplicationLag
{
    /** Marks per partition: a second of marks at the finest spacing. */
    static final int MARKS = 1024;
    static final long MARK_INTERVAL_NS = 1_000_000;

    private final ReplicationCounters counters;
    private final long[][] sequences;
    private final long[][] timesNs;
    private final int[] first;
    private final int[] count;

    ReplicationLag(final ReplicationCounters counters, final int partitions)
    {
        this.counters = counters;
        this.sequences = new long[partitions][MARKS];
        this.timesNs = new long[partitions][MARKS];
        this.first = new int[partitions];
        this.count = new int[partitions];
    }

    /** The partition's stream starts again (a new connection, a full sync): its marks are forgotten. */
    void reset(final int partition)
    {
        first[partition] = 0;
        count[partition] = 0;
    }

    /** Publishes both gauges from the logs' appended sequences and the backup's acknowledgements. */
    void publish(final PartitionLog[] logs, final long[] acked, final long nowNs)
    {
        long records = 0;
        long oldestWaitNs = 0;
        for (int p = 0; p < logs.length; p++)
        {
            final long appended = logs[p].appendedSequence();
            if (appended > acked[p])
            {
                records += appended - acked[p];
            }
            oldestWaitNs = Math.max(oldestWaitNs, oldestWaitNs(p, appended, acked[p], nowNs));
        }
        counters.senderGauge(ReplicationCounters.LAG_RECORDS, records);
        counters.senderGauge(ReplicationCounters.LAG_MS, oldestWaitNs / 1_000_000);
    }

    /** How long the partition's oldest unacknowledged record has waited, in ns; 0 when none waits. */
    long oldestWaitNs(final int p, final long appended, final long acked, final long nowNs)
    {
        final long[] sequence = sequences[p];
        final long[] time = timesNs[p];
        while (count[p] > 0 && sequence[first[p]] <= acked)
        {
            first[p] = (first[p] + 1) & (MARKS - 1);
            count[p]--;
        }
        if (appended <= acked)
        {
            return 0;
        }
        final int last = (first[p] + count[p] - 1) & (MARKS - 1);
        if (count[p] == 0 ||
            (count[p] < MARKS && appended > sequence[last] && nowNs - time[last] >= MARK_INTERVAL_NS))
        {
            final int at = (first[p] + count[p]) & (MARKS - 1);
            sequence[at] = appended;
            time[at] = nowNs;
            count[p]++;
        }
        return nowNs - time[first[p]];
    }
}
