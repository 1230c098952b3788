package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncMetric;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/grafana/wirekv-dashboard.json plots only series the exporter really serves, by their exported names. */
class GrafanaDashboardTest
{
    private static final Path DASHBOARD = Path.of(System.getProperty("user.dir")).getParent()
        .resolve("deploy/grafana/wirekv-dashboard.json");

    @Test
    void shouldQueryOnlyMetricsTheExporterServes() throws Exception
    {
        final String json = Files.readString(DASHBOARD);
        final Set<String> exported = new HashSet<>(Set.of("wirekv_up", "wirekv_heartbeat_age_seconds"));
        for (final CncMetric metric : CncMetric.values())
        {
            exported.add("wirekv_" + metric.metricName() + (metric.kind() == CncMetric.Kind.COUNTER ? "_total" : ""));
        }
        final Set<String> queried = new TreeSet<>();
        final Matcher m = Pattern.compile("\"expr\": \"([^\"]*)\"").matcher(json);
        while (m.find())
        {
            final Matcher name = Pattern.compile("wirekv_[a-z_]+").matcher(m.group(1));
            while (name.find())
            {
                queried.add(name.group());
            }
        }
        assertTrue(queried.size() >= 15, "the dashboard plots the important series: " + queried);
        final Set<String> unknown = new TreeSet<>(queried);
        unknown.removeAll(exported);
        assertEquals(Set.of(), unknown, "series the exporter does not serve");
    }
}
