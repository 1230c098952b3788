package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.latency.LatencyHistogram;
import io.wirekv.dataplane.latency.RequestLatency;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link CounterSnapshot} in Prometheus' text exposition format (version 0.0.4): one family
 * per Prometheus name ({@link PrometheusNames} maps the CnC names: base units, {@code _total} on
 * counters, labels instead of families of names), {@code # HELP} and {@code # TYPE} lines first, the
 * CnC metric's own labels (command, reason...) then lcore and port. Adds {@code wirekv_heartbeat_age_seconds}
 * (how stale the file is), {@code wirekv_up} (1 while the heartbeat is fresh), {@code wirekv_build_info},
 * the server-side latency histogram {@code wirekv_request_duration_seconds} when the server's
 * recorders are given, and the JVM's own metrics ({@link JvmMetrics}).
 */
public final class PrometheusText
{
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The latency histogram's family name. */
    public static final String REQUEST_DURATION = "wirekv_request_duration_seconds";

    private PrometheusText()
    {
    }

    /** The CnC file's counters and the exporter's own gauges (no histogram, no JVM metrics). */
    public static String render(final CounterSnapshot snapshot, final long heartbeatAgeMs)
    {
        final StringBuilder sb = new StringBuilder();
        renderCounters(sb, snapshot, heartbeatAgeMs);
        return sb.toString();
    }

    /**
     * Everything a scrape of a running server returns: the CnC counters, build information, the
     * request latency histogram summed over {@code latencies} (every reader thread's; none when empty), and this JVM's
     * memory, GC, thread and process metrics (the exporter runs inside the server's process).
     */
    public static String render(final CounterSnapshot snapshot, final long heartbeatAgeMs,
        final List<RequestLatency> latencies)
    {
        final StringBuilder sb = new StringBuilder();
        renderCounters(sb, snapshot, heartbeatAgeMs);
        BuildInfo.render(sb);
        renderLatency(sb, latencies);
        JvmMetrics.render(sb);
        return sb.toString();
    }

    private static void renderCounters(final StringBuilder sb, final CounterSnapshot snapshot, final long heartbeatAgeMs)
    {
        final Map<String, Family> families = new LinkedHashMap<>();
        for (final CounterSnapshot.Sample s : snapshot.samples())
        {
            final PrometheusNames.Mapping mapping = PrometheusNames.of(s.name(), s.gauge(), s.help());
            final Family family = families.computeIfAbsent(mapping.family(), k -> new Family(mapping.help(), s.gauge()));
            if (family.gauge != s.gauge())
            {
                continue; // a newer appliance's metric that clashes with a family: skip rather than mistype it
            }
            final Map<String, String> labels = new LinkedHashMap<>(mapping.labels());
            labels.putAll(s.labels());
            family.samples.add(new Sample(labels, mapping.scale() == 1.0 ? Long.toString(s.value()) :
                Double.toString(s.value() * mapping.scale())));
        }
        for (final Map.Entry<String, Family> entry : families.entrySet())
        {
            final Family family = entry.getValue();
            header(sb, entry.getKey(), family.help, family.gauge ? "gauge" : "counter");
            for (final Sample s : family.samples)
            {
                sb.append(entry.getKey());
                labels(sb, s.labels());
                sb.append(' ').append(s.value()).append('\n');
            }
        }
        header(sb, "wirekv_heartbeat_age_seconds", "Seconds since the appliance's last heartbeat", "gauge");
        sb.append("wirekv_heartbeat_age_seconds ").append(heartbeatAgeMs / 1000.0).append('\n');
        header(sb, "wirekv_up", "1 while the heartbeat is fresh, 0 when it is stale", "gauge");
        sb.append("wirekv_up ").append(heartbeatAgeMs <= CncReader.STALE_HEARTBEAT_MS ? 1 : 0).append('\n');
    }

    /** One histogram per family, the sum of every reader thread's; _count is the +Inf bucket it read. */
    private static void renderLatency(final StringBuilder sb, final List<RequestLatency> latencies)
    {
        if (latencies.isEmpty())
        {
            return;
        }
        header(sb, REQUEST_DURATION, "Time from a request's arrival (its burst or TCP read) to its reply " +
            "leaving, by command family: read (answered on the receiving thread) or write (through a writer)",
            "histogram");
        for (final RequestLatency.Family family : RequestLatency.Family.values())
        {
            final long[] buckets = new long[LatencyHistogram.BUCKETS];
            long sumNs = 0;
            for (final RequestLatency latency : latencies)
            {
                latency.histogram(family).readBuckets(buckets);
                sumNs += latency.histogram(family).sumNs();
            }
            long cumulative = 0;
            for (int i = 0; i < LatencyHistogram.BUCKETS; i++)
            {
                cumulative += buckets[i];
                final long bound = LatencyHistogram.upperBoundNs(i);
                sb.append(REQUEST_DURATION).append("_bucket{family=\"").append(family.label()).append("\",le=\"")
                    .append(bound == Long.MAX_VALUE ? "+Inf" : seconds(bound)).append("\"} ").append(cumulative).append('\n');
            }
            sb.append(REQUEST_DURATION).append("_sum{family=\"").append(family.label()).append("\"} ")
                .append(sumNs / 1e9).append('\n');
            sb.append(REQUEST_DURATION).append("_count{family=\"").append(family.label()).append("\"} ")
                .append(cumulative).append('\n');
        }
    }

    /** ns as seconds without float noise: 500 ns is 0.0000005, not 5.0E-7 from a rounding division. */
    private static String seconds(final long ns)
    {
        return new java.math.BigDecimal(ns).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    static void header(final StringBuilder sb, final String name, final String help, final String type)
    {
        sb.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static void labels(final StringBuilder sb, final Map<String, String> labels)
    {
        if (labels.isEmpty())
        {
            return;
        }
        sb.append('{');
        boolean comma = false;
        for (final Map.Entry<String, String> label : labels.entrySet())
        {
            sb.append(comma ? "," : "").append(label.getKey()).append("=\"").append(escapeLabel(label.getValue())).append('"');
            comma = true;
        }
        sb.append('}');
    }

    private static String escapeHelp(final String text)
    {
        return text.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String escapeLabel(final String text)
    {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private record Sample(Map<String, String> labels, String value)
    {
    }

    private static final class Family
    {
        final String help;
        final boolean gauge;
        final List<Sample> samples = new ArrayList<>();

        Family(final String help, final boolean gauge)
        {
            this.help = help;
            this.gauge = gauge;
        }
    }
}
