package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.testsupport.MiniJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/grafana/wirekv-dashboard.json plots only series the exporter really serves: every series
 * selector in every panel expression and template query names a series a live scrape returns (or, for
 * the L2/L3 stack's counters, which the kernel backend has not, one the name table gives), every label
 * it matches or groups by is a label of that series (or Prometheus' own instance/job), and every exact
 * label value is one the exporter serves.
 */
class GrafanaDashboardTest
{
    private static final Path DASHBOARD = Path.of(System.getProperty("user.dir")).getParent()
        .resolve("deploy/grafana/wirekv-dashboard.json");
    /** Labels Prometheus adds to every scraped series. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    /** PromQL words that may stand bare in the dashboard's expressions. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
        "and", "or", "unless", "bool", "offset", "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk",
        "bottomk", "quantile", "count_values");

    private static WirekvServer server;
    private static MetricsServer metrics;
    /** Series name -> label name -> values served. */
    private static final Map<String, Map<String, Set<String>>> SERVED = new HashMap<>();

    @BeforeAll
    static void scrape() throws Exception
    {
        final String instance = CncTestSupport.uniqueInstance("grafana");
        server = CncTestSupport.startServer(instance, new ByteArrayOutputStream());
        metrics = MetricsServer.start(CncFileDescriptor.baseDirectory(), instance, "127.0.0.1", 0, server.requestLatencies());
        final String body;
        try (HttpClient client = HttpClient.newHttpClient())
        {
            body = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        }
        for (final PrometheusTextParser.Family family : PrometheusTextParser.parse(body).values())
        {
            for (final PrometheusTextParser.Sample s : family.samples)
            {
                serve(s.name(), s.labels());
            }
        }
        for (final CncMetric m : CncMetric.values())
        {
            if (m.scope() == CncMetric.Scope.LCORE_NET) // only the bypass backends have an L2/L3 stack
            {
                final PrometheusNames.Mapping p = PrometheusNames.of(m.metricName(), m.kind() == CncMetric.Kind.GAUGE, m.help());
                final Map<String, String> labels = new HashMap<>(p.labels());
                labels.put("lcore", "0");
                serve(p.family(), labels);
            }
        }
    }

    private static void serve(final String series, final Map<String, String> labels)
    {
        final Map<String, Set<String>> known = SERVED.computeIfAbsent(series, k -> new HashMap<>());
        labels.forEach((name, value) -> known.computeIfAbsent(name, k -> new HashSet<>()).add(value));
    }

    @AfterAll
    static void stop()
    {
        if (null != metrics)
        {
            metrics.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldQueryOnlySeriesAndLabelsTheExporterServes() throws Exception
    {
        final Object dashboard = MiniJson.parse(Files.readString(DASHBOARD));
        final List<String> expressions = new ArrayList<>();
        collect(dashboard, expressions);
        assertTrue(expressions.size() >= 25, "every target and template query: " + expressions);
        final Set<String> queried = new TreeSet<>();
        final List<String> problems = new ArrayList<>();
        for (final String expr : expressions)
        {
            problems.addAll(check(expr, queried));
        }
        assertEquals(List.of(), problems, "series, labels or values the exporter does not serve");
        for (final String important : new String[] {"wirekv_commands_total", "wirekv_request_duration_seconds_bucket",
            "wirekv_net_dropped_frames_total", "wirekv_up", "jvm_memory_used_bytes", "jvm_gc_collection_seconds_sum"})
        {
            assertTrue(queried.contains(important), "the dashboard plots " + important + ": " + queried);
        }
    }

    @Test
    void shouldCatchWhatTheExporterDoesNotServe()
    {
        // the checker is only as good as what it refuses
        assertEquals(1, check("rate(wirekv_cmd_get_total{instance=~\"$instance\"}[1m])", new TreeSet<>()).size());
        assertEquals(1, check("wirekv_commands_total{command=\"gets\"}", new TreeSet<>()).size());
        assertEquals(1, check("wirekv_commands_total{lcore=\"0\"}", new TreeSet<>()).size());
        assertEquals(1, check("sum by (reason) (rate(wirekv_commands_total[1m]))", new TreeSet<>()).size());
        assertTrue(check("label_values(wirekv_upp, instance)", new TreeSet<>()).size() >= 1);
        assertEquals(List.of(), check("label_values(wirekv_up, instance)", new TreeSet<>()));
        assertThrows(IllegalArgumentException.class, () -> check("wirekv_up{instance=~\"x\"", new TreeSet<>()));
    }

    /** Every "expr" and template "query" string anywhere in the dashboard. */
    @SuppressWarnings("unchecked")
    private static void collect(final Object node, final List<String> into)
    {
        if (node instanceof Map<?, ?> map)
        {
            for (final Map.Entry<String, Object> e : ((Map<String, Object>)map).entrySet())
            {
                if ((e.getKey().equals("expr") || e.getKey().equals("query")) && e.getValue() instanceof String s &&
                    !s.equals("prometheus"))
                {
                    into.add(s);
                }
                else
                {
                    collect(e.getValue(), into);
                }
            }
        }
        else if (node instanceof List<?> list)
        {
            list.forEach(item -> collect(item, into));
        }
    }

    /**
     * Checks one PromQL expression: identifiers followed by '(' are functions; after by/without/on/ignoring
     * a parenthesised list of labels; an identifier with {matchers} or a bare one is a series, except a bare
     * label name (label_values' second argument); [ranges] and strings are skipped.
     */
    private static List<String> check(final String expr, final Set<String> queried)
    {
        final List<String> problems = new ArrayList<>();
        final Set<String> seriesInExpr = new HashSet<>();
        final List<String> groupedBy = new ArrayList<>();
        final List<String> bare = new ArrayList<>();
        int i = 0;
        while (i < expr.length())
        {
            final char c = expr.charAt(i);
            if (c == '[')
            {
                i = expr.indexOf(']', i) + 1;
                require(i > 0, "unclosed [ in " + expr);
                continue;
            }
            if (!Character.isLetter(c) && c != '_')
            {
                i++;
                continue;
            }
            int end = i;
            while (end < expr.length() && (Character.isLetterOrDigit(expr.charAt(end)) || expr.charAt(end) == '_' ||
                expr.charAt(end) == ':'))
            {
                end++;
            }
            final String word = expr.substring(i, end);
            int next = end;
            while (next < expr.length() && expr.charAt(next) == ' ')
            {
                next++;
            }
            final char after = next < expr.length() ? expr.charAt(next) : 0;
            if (Set.of("by", "without", "on", "ignoring").contains(word) && after == '(')
            {
                final int close = expr.indexOf(')', next);
                require(close > 0, "unclosed ( in " + expr);
                for (final String label : expr.substring(next + 1, close).split(","))
                {
                    groupedBy.add(label.trim());
                }
                i = close + 1;
            }
            else if (after == '(' || KEYWORDS.contains(word))
            {
                i = end; // a function or aggregation, or an operator word
            }
            else if (after == '{')
            {
                final int close = expr.indexOf('}', next);
                require(close > 0, "unclosed { in " + expr);
                seriesInExpr.add(word);
                queried.add(word);
                checkSeries(word, expr.substring(next + 1, close), problems);
                i = close + 1;
            }
            else
            {
                bare.add(word);
                i = end;
            }
        }
        for (final String word : bare)
        {
            if (SERVED.containsKey(word))
            {
                seriesInExpr.add(word);
                queried.add(word);
            }
            else if (!TARGET_LABELS.contains(word))
            {
                problems.add(word + " is not a series the exporter serves (in " + expr + ")");
            }
        }
        for (final String label : groupedBy)
        {
            if (!TARGET_LABELS.contains(label) &&
                seriesInExpr.stream().noneMatch(s -> SERVED.containsKey(s) && SERVED.get(s).containsKey(label)))
            {
                problems.add("grouped by " + label + ", which none of " + seriesInExpr + " has (in " + expr + ")");
            }
        }
        return problems;
    }

    private static void checkSeries(final String series, final String matchers, final List<String> problems)
    {
        final Map<String, Set<String>> labels = SERVED.get(series);
        if (labels == null)
        {
            problems.add(series + " is not a series the exporter serves");
            return;
        }
        for (final String matcher : matchers.split(",(?=[a-zA-Z_]+ *(=|!=|=~|!~))"))
        {
            if (matcher.isBlank())
            {
                continue;
            }
            final java.util.regex.Matcher m = java.util.regex.Pattern
                .compile(" *([a-zA-Z_][a-zA-Z0-9_]*) *(=~|!~|!=|=) *\"(.*)\" *").matcher(matcher);
            require(m.matches(), "bad matcher " + matcher + " on " + series);
            final String label = m.group(1);
            if (TARGET_LABELS.contains(label))
            {
                continue;
            }
            if (!labels.containsKey(label))
            {
                problems.add(series + " has no label " + label + " (it has " + labels.keySet() + ")");
            }
            else if (m.group(2).equals("=") && !labels.get(label).contains(m.group(3)))
            {
                problems.add(series + "{" + label + "=\"" + m.group(3) + "\"} is never served (values: " +
                    labels.get(label) + ")");
            }
        }
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
