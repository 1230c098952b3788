package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncCounterKey;
import io.wirekv.dataplane.housekeeping.CncMetric;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every counter of a CnC file at one moment, in file order. Each value is one volatile 8-byte load,
 * so no value is torn; values of different counters are not a consistent cut (they may lag the
 * dataplane by one housekeeping period anyway).
 *
 * @param timeMs when the snapshot was taken, epoch ms.
 */
public record CounterSnapshot(long timeMs, List<Sample> samples)
{
    /**
     * One counter.
     *
     * @param counterId the Agrona counter id in the file.
     * @param typeId    the frozen metric id ({@link CncMetric}).
     * @param name      base name, e.g. rx_packets.
     * @param gauge     true for a gauge, false for a counter that only grows.
     * @param labels    e.g. lcore=0, port=0 (in order), empty for whole-server metrics.
     * @param label     the full label, e.g. {@code rx_packets{lcore="0",port="0"}}.
     * @param value     the value.
     */
    public record Sample(int counterId, int typeId, String name, boolean gauge, Map<String, String> labels,
        String label, long value)
    {
        /** Help text of the metric, from its definition where this CLI knows it. */
        public String help()
        {
            final CncMetric metric = CncMetric.byTypeId(typeId);
            return metric == null ? name : metric.help();
        }
    }

    public static CounterSnapshot take(final CncReader reader, final long nowMs)
    {
        final CountersReader counters = reader.counters();
        final List<Sample> samples = new ArrayList<>();
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final int kind = CncCounterKey.kind(keyBuffer, 0);
            final int lcore = CncCounterKey.lcore(keyBuffer, 0);
            final int port = CncCounterKey.port(keyBuffer, 0);
            final Map<String, String> labels = new LinkedHashMap<>();
            if (lcore != CncCounterKey.NONE)
            {
                labels.put("lcore", Integer.toString(lcore));
            }
            if (port != CncCounterKey.NONE)
            {
                labels.put("port", Integer.toString(port));
            }
            samples.add(new Sample(counterId, typeId, CncCounterKey.name(keyBuffer, 0),
                kind == CncCounterKey.KIND_GAUGE, labels, label, counters.getCounterValue(counterId)));
        });
        return new CounterSnapshot(nowMs, samples);
    }

    /** Values by counter id, to compute rates against a later snapshot. */
    public Map<Integer, Long> valuesById()
    {
        final Map<Integer, Long> values = new HashMap<>();
        for (final Sample s : samples)
        {
            values.put(s.counterId(), s.value());
        }
        return values;
    }
}
