package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.cnc.CncReader;
import io.wirekv.controlplane.cnc.CounterSnapshot;
import io.wirekv.dataplane.cnc.CncMetric;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code wirekv status}'s replication lines, from replication's counters in the CnC file: the run-time role, epoch,
 * whether a stream is up, fencing, the lag (records and ms), records sent or applied, full syncs, partial resumes
 * and dropped connections. Per-partition sequences are in {@code wirekv replication} (through the command ring).
 */
final class ReplicationStatus
{
    private static final String[] ROLES = {"none", "primary", "backup"};

    private ReplicationStatus()
    {
    }

    static String describe(final CncReader cnc, final long nowMs)
    {
        final Map<CncMetric, Long> values = new HashMap<>();
        for (final CounterSnapshot.Sample s : CounterSnapshot.take(cnc, nowMs).samples())
        {
            final CncMetric metric = CncMetric.byTypeId(s.typeId());
            if (null != metric && metric.metricName().startsWith("repl_"))
            {
                values.merge(metric, s.value(), Long::sum);
            }
        }
        final int role = (int)(long)values.getOrDefault(CncMetric.REPL_ROLE, 0L);
        if (role <= 0 || role >= ROLES.length)
        {
            return String.format("replication  none%n");
        }
        return String.format("replication  %s, epoch %d, %s%s%n" +
                "repl lag     %d records, %d ms; %d records sent, %d applied, %d full syncs, %d partial resumes, " +
                "%d connection drops, %d writes refused%n",
            ROLES[role], values.getOrDefault(CncMetric.REPL_EPOCH, 0L),
            values.getOrDefault(CncMetric.REPL_CONNECTED, 0L) != 0 ? "connected" : "not connected",
            values.getOrDefault(CncMetric.REPL_FENCED, 0L) != 0 ? ", FENCED (a newer primary exists; run wirekv " +
                "demote)" : "",
            values.getOrDefault(CncMetric.REPL_LAG_RECORDS, 0L), values.getOrDefault(CncMetric.REPL_LAG_MS, 0L),
            values.getOrDefault(CncMetric.REPL_RECORDS_SENT, 0L), values.getOrDefault(CncMetric.REPL_RECORDS_APPLIED, 0L),
            values.getOrDefault(CncMetric.REPL_FULL_SYNCS, 0L), values.getOrDefault(CncMetric.REPL_PARTIAL_RESUMES, 0L),
            values.getOrDefault(CncMetric.REPL_CONNECTION_DROPS, 0L) + values.getOrDefault(CncMetric.REPL_STREAM_DROPS, 0L),
            values.getOrDefault(CncMetric.REPL_WRITES_REFUSED, 0L));
    }
}
