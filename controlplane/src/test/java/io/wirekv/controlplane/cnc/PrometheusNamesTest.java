package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncMetric;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CnC-to-Prometheus name table follows Prometheus' conventions for every metric the appliance has. */
class PrometheusNamesTest
{
    @Test
    void shouldNameEveryCncMetricDeliberately()
    {
        for (final CncMetric m : CncMetric.values())
        {
            assertTrue(PrometheusNames.isMapped(m.metricName()), m.metricName() + " has no entry in PrometheusNames");
        }
    }

    @Test
    void shouldFollowPrometheusNamingConventions()
    {
        final Map<String, Boolean> gaugeByFamily = new HashMap<>();
        final Set<String> series = new HashSet<>();
        for (final CncMetric m : CncMetric.values())
        {
            final boolean gauge = m.kind() == CncMetric.Kind.GAUGE;
            final PrometheusNames.Mapping p = PrometheusNames.of(m.metricName(), gauge, m.help());
            final String family = p.family();
            assertTrue(family.matches("wirekv_[a-z][a-z0-9_]*"), family);
            assertEquals(!gauge, family.endsWith("_total"), family + ": _total exactly on counters");
            assertFalse(family.matches(".*_(ms|us|ns|millis|kb|mb)(_.*)?"), family + ": base units (seconds, bytes)");
            final Boolean before = gaugeByFamily.putIfAbsent(family, gauge);
            assertTrue(before == null || before == gauge, family + " mixes counters and gauges");
            assertTrue(series.add(family + p.labels()), "two CnC metrics map to the same series " + family + p.labels());
            assertFalse(p.labels().containsKey("lcore") || p.labels().containsKey("port"), "lcore/port come from the file");
        }
    }

    @Test
    void shouldConvertMillisecondsToSecondsAndGroupNamesIntoLabels()
    {
        final PrometheusNames.Mapping grace = PrometheusNames.of("grace_period_age_ms", true, "");
        assertEquals("wirekv_grace_period_age_seconds", grace.family());
        assertEquals(0.001, grace.scale());
        final PrometheusNames.Mapping hits = PrometheusNames.of("get_hits", false, "");
        assertEquals("wirekv_commands_total", hits.family());
        assertEquals(Map.of("command", "get", "status", "hit"), hits.labels());
        final PrometheusNames.Mapping fragment = PrometheusNames.of("net_drop_fragment", false, "");
        assertEquals("wirekv_net_dropped_frames_total", fragment.family());
        assertEquals(Map.of("reason", "fragment"), fragment.labels());
        assertEquals("wirekv_read_bytes_total", PrometheusNames.of("bytes_read", false, "").family());
    }

    @Test
    void shouldKeepTheCncNameOfAMetricItDoesNotKnow()
    {
        assertEquals("wirekv_new_thing_total", PrometheusNames.of("new_thing", false, "h").family());
        assertEquals("wirekv_new_level", PrometheusNames.of("new_level", true, "h").family());
    }
}
