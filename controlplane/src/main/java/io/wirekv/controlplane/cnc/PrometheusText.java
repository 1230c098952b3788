package io.wirekv.controlplane.cnc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link CounterSnapshot} in Prometheus' text exposition format (version 0.0.4): one family
 * per metric name, {@code # HELP} and {@code # TYPE} lines first, counters named {@code wirekv_<name>_total},
 * gauges {@code wirekv_<name>}, lcore and port as labels. Adds {@code wirekv_heartbeat_age_seconds}
 * (how stale the file is) and {@code wirekv_up} (1 while the heartbeat is fresh).
 */
public final class PrometheusText
{
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PREFIX = "wirekv_";

    private PrometheusText()
    {
    }

    public static String render(final CounterSnapshot snapshot, final long heartbeatAgeMs)
    {
        final Map<String, List<CounterSnapshot.Sample>> families = new LinkedHashMap<>();
        for (final CounterSnapshot.Sample s : snapshot.samples())
        {
            families.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
        }
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<String, List<CounterSnapshot.Sample>> family : families.entrySet())
        {
            final CounterSnapshot.Sample first = family.getValue().getFirst();
            final String name = PREFIX + family.getKey() + (first.gauge() ? "" : "_total");
            sb.append("# HELP ").append(name).append(' ').append(escapeHelp(first.help())).append('\n');
            sb.append("# TYPE ").append(name).append(' ').append(first.gauge() ? "gauge" : "counter").append('\n');
            for (final CounterSnapshot.Sample s : family.getValue())
            {
                sb.append(name);
                if (!s.labels().isEmpty())
                {
                    sb.append('{');
                    boolean comma = false;
                    for (final Map.Entry<String, String> label : s.labels().entrySet())
                    {
                        sb.append(comma ? "," : "").append(label.getKey()).append("=\"")
                            .append(escapeLabel(label.getValue())).append('"');
                        comma = true;
                    }
                    sb.append('}');
                }
                sb.append(' ').append(s.value()).append('\n');
            }
        }
        sb.append("# HELP wirekv_heartbeat_age_seconds Seconds since the appliance's last heartbeat\n");
        sb.append("# TYPE wirekv_heartbeat_age_seconds gauge\n");
        sb.append("wirekv_heartbeat_age_seconds ").append(heartbeatAgeMs / 1000.0).append('\n');
        sb.append("# HELP wirekv_up 1 while the heartbeat is fresh, 0 when it is stale\n");
        sb.append("# TYPE wirekv_up gauge\n");
        sb.append("wirekv_up ").append(heartbeatAgeMs <= CncReader.STALE_HEARTBEAT_MS ? 1 : 0).append('\n');
        return sb.toString();
    }

    private static String escapeHelp(final String text)
    {
        return text.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabel(final String text)
    {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
