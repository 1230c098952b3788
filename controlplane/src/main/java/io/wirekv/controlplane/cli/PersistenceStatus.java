package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.cnc.CncReader;
import io.wirekv.controlplane.cnc.CounterSnapshot;
import io.wirekv.dataplane.cnc.CncMetric;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code wirekv status}'s persistence lines, from the log's counters in the CnC file: mode, log bytes, the last
 * sync, the sync lag (records appended and not yet durable), syncs, failures and refused writes; the last snapshot
 * (when, partition and sequence), snapshots taken and log segments deleted.
 */
final class PersistenceStatus
{
    private PersistenceStatus()
    {
    }

    /** The persistence lines, then replication's ({@link ReplicationStatus}): the stream is the logs. */
    static String describe(final CncReader cnc, final Map<String, String> config, final long nowMs)
    {
        return persistence(cnc, config, nowMs) + ReplicationStatus.describe(cnc, nowMs);
    }

    private static String persistence(final CncReader cnc, final Map<String, String> config, final long nowMs)
    {
        final Map<CncMetric, Long> values = new HashMap<>();
        for (final CounterSnapshot.Sample s : CounterSnapshot.take(cnc, nowMs).samples())
        {
            final CncMetric metric = CncMetric.byTypeId(s.typeId());
            if (null != metric && (metric.metricName().startsWith("log_") || metric.metricName().startsWith("snapshot")))
            {
                values.merge(metric, s.value(), Long::sum);
            }
        }
        final String mode = config.getOrDefault("persistence", "none");
        if ("none".equals(mode) || values.isEmpty())
        {
            return String.format("persistence  %s%n", "none".equals(mode) ? "none (a cache)" : mode);
        }
        final long lastSync = values.getOrDefault(CncMetric.LOG_LAST_SYNC_MS, 0L);
        final long lastSnapshot = values.getOrDefault(CncMetric.SNAPSHOT_LAST_MS, 0L);
        final String snapshot = lastSnapshot == 0 ? "none since start" : String.format(
            "%s ago, partition %d at sequence %d; %d taken since start, %d log segments deleted",
            CncCommands.age(nowMs - lastSnapshot), values.getOrDefault(CncMetric.SNAPSHOT_LAST_PARTITION, 0L),
            values.getOrDefault(CncMetric.SNAPSHOT_LAST_SEQUENCE, 0L), values.getOrDefault(CncMetric.SNAPSHOTS_TAKEN, 0L),
            values.getOrDefault(CncMetric.LOG_SEGMENTS_DELETED, 0L));
        return String.format("persistence  %s, data.dir %s%n" +
                "log          %d bytes, last sync %s, sync lag %d records, %d syncs, %d sync errors, %d writes refused%n" +
                "snapshot     last: " + snapshot.replace("%", "%%") + "%n",
            mode, config.getOrDefault("data.dir", "?"), values.getOrDefault(CncMetric.LOG_BYTES, 0L),
            lastSync == 0 ? "never" : CncCommands.age(nowMs - lastSync) + " ago",
            values.getOrDefault(CncMetric.LOG_SYNC_LAG, 0L), values.getOrDefault(CncMetric.LOG_SYNCS, 0L),
            values.getOrDefault(CncMetric.LOG_SYNC_ERRORS, 0L), values.getOrDefault(CncMetric.LOG_WRITE_REFUSALS, 0L));
    }
}
