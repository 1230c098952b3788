package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import io.wirekv.dataplane.cnc.CounterRegistryReader;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every counter of a CnC file at one moment, ordered by metric type id, then lcore and port. Each value
 * is the sum of its slots, each one opaque 8-byte load, so no slot is torn; values of different counters
 * are not a consistent cut (the table's gauges lag the dataplane by up to one housekeeping period).
 *
 * @param timeMs when the snapshot was taken, epoch ms.
 */
public record CounterSnapshot(long timeMs, List<Sample> samples)
{
    /**
     * One counter.
     *
     * @param counterId the counter's record index in the file.
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
        final CounterRegistryReader counters = reader.counters();
        final List<Sample> samples = new ArrayList<>();
        counters.forEach((counterId, typeId, kind, lcore, port, name, value) ->
        {
            final Map<String, String> labels = new LinkedHashMap<>();
            if (lcore != CounterRegistryDescriptor.NONE)
            {
                labels.put("lcore", Integer.toString(lcore));
            }
            if (port != CounterRegistryDescriptor.NONE)
            {
                labels.put("port", Integer.toString(port));
            }
            samples.add(new Sample(counterId, typeId, name, kind == CounterRegistryDescriptor.KIND_GAUGE, labels,
                CncMetric.label(name, lcore, port), value));
        });
        // Threads register in start-up order; readers list metric by metric, as the ids are numbered.
        samples.sort(Comparator.comparingInt(Sample::typeId)
            .thenComparingInt(s -> Integer.parseInt(s.labels().getOrDefault("lcore", "-1")))
            .thenComparingInt(s -> Integer.parseInt(s.labels().getOrDefault("port", "-1"))));
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
