package io.wirekv.controlplane.load;

import io.wirekv.testsupport.MiniJson;

import io.wirekv.e2e.MemcachedProcess;
import io.wirekv.controlplane.cli.WirekvCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON report matches its documented schema (bench-report-schema.md: every row's field is
 * present with its type, and no undocumented field appears), and the chart is well-formed SVG;
 * both produced through the real {@code wirekv bench} command line.
 */
class BenchReportSchemaTest
{
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([a-z|\\\\]+) \\|", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void shouldWriteJsonWithEveryDocumentedFieldForSingleAndSearchRuns() throws Exception
    {
        final Map<String, String> schema = documentedSchema();
        assertTrue(schema.size() > 40, "the schema table was read: " + schema.keySet());
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final Path single = dir.resolve("single.json");
            final Path singleChart = dir.resolve("single.svg");
            run("bench", "--target", memcached.address().toString(), "--duration", "500ms", "--keys", "500",
                "--value-size", "16-64", "--zipf", "0.9", "--idle", "yield", "--tcp-threads", "1", "--warmup", "300ms",
                "--server-pid", Long.toString(memcached.pid()), "--json", single.toString(), "--chart", singleChart.toString());
            final Path search = dir.resolve("search.json");
            final Path searchChart = dir.resolve("search.svg");
            // p99 <= 1 ns never passes: trials at the high and the low rate, best rate 0
            run("bench", "--target", memcached.address().toString(), "--transport", "tcp", "--protocol", "meta",
                "--keys", "500", "--search", "--search-low", "500", "--search-high", "2000", "--trial-duration", "300ms",
                "--max-p99", "0.001us", "--idle", "park", "--json", search.toString(), "--chart", searchChart.toString());

            final Object singleJson = MiniJson.parse(Files.readString(single));
            final Object searchJson = MiniJson.parse(Files.readString(search));
            checkAgainst(schema, singleJson, "single");
            checkAgainst(schema, searchJson, "search");

            assertEquals("wirekv-bench/1", at(singleJson, "schema"));
            assertEquals("single", at(singleJson, "mode"));
            assertEquals("kernel", at(singleJson, "backend"));
            assertEquals(Boolean.FALSE, at(singleJson, "config.no_replies"));
            assertEquals(null, at(singleJson, "search"));
            assertEquals("search", at(searchJson, "mode"));
            assertEquals(0L, at(searchJson, "search.best_rate_per_s"));
            final List<?> trials = (List<?>)at(searchJson, "trials");
            assertEquals(2, trials.size(), "high then low: both fail");
            for (final Object t : trials)
            {
                assertEquals(Boolean.FALSE, ((Map<?, ?>)t).get("passed"));
                assertEquals(0L, ((Map<?, ?>)t).get("in_flight_at_end"));
            }
            assertEquals(500L, at(singleJson, "warm_up.keys"));
            assertEquals(1L, at(singleJson, "config.tcp_threads"));
            assertEquals(memcached.pid(), at(singleJson, "config.server_pid"));
            final List<?> sides = (List<?>)at(singleJson, "trials");
            assertEquals(2, sides.size(), "a mixed run: the UDP side, then the TCP side");
            assertEquals(List.of("udp", "tcp"), sides.stream().map(t -> ((Map<?, ?>)t).get("transport")).toList());
            assertEquals(memcached.pid(), ((Map<?, ?>)((Map<?, ?>)sides.getFirst()).get("server_cpu")).get("pid"));
            assertTrue(((Number)at(singleJson, "warm_up.load_seconds")).doubleValue() >= 0.3);
            assertEquals(null, ((Map<?, ?>)trials.getFirst()).get("server_cpu"), "no --server-pid: null");
            assertEquals(0L, ((Map<?, ?>)((List<?>)at(singleJson, "trials")).getFirst()).get("misrouted"),
                "a socket per thread: no reply reaches another thread");

            for (final Path svg : new Path[] {singleChart, searchChart})
            {
                final Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
                assertEquals("svg", doc.getDocumentElement().getNodeName());
                assertTrue(doc.getElementsByTagName("polyline").getLength() >= 1, svg + " has a line");
            }
        }
    }

    @Test
    void shouldRefuseBadOptionsWithTheReason()
    {
        final StringWriter err = new StringWriter();
        final int code = WirekvCli.run(new String[] {"bench", "--target", "127.0.0.1:1", "--zipf", "1.5"},
            new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(1, code);
        assertTrue(err.toString().contains("--zipf"), err.toString());

        final StringWriter out = new StringWriter();
        assertEquals(0, WirekvCli.run(new String[] {"bench", "--help"}, new PrintWriter(out), new PrintWriter(err)));
        for (final String option : new String[] {"--rate", "--outstanding", "--search", "--max-p99", "--json", "--chart",
            "--multiget", "--verify-fraction", "--zipf", "--cpus"})
        {
            assertTrue(out.toString().contains(option), option + " in --help");
        }
    }

    private static void run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = WirekvCli.run(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, "wirekv " + String.join(" ", args) + "\n" + out + err);
        // progress on stderr, results on stdout: a script reading stdout sees no progress lines
        // (the report's one-line summaries, "warm-up: N keys in T s" and "search: highest rate ...", are results)
        assertTrue(err.toString().contains("warm-up: stored "), "progress on stderr:\n" + err);
        assertTrue(!out.toString().contains("warm-up: stored") && !out.toString().contains("warm-up: storing"),
            "no progress on stdout:\n" + out);
        assertTrue(out.toString().contains("bench: "), "the results on stdout:\n" + out);
    }

    /** field path -> documented type, from the schema's table. */
    static Map<String, String> documentedSchema() throws Exception
    {
        try (InputStream in = BenchReport.class.getResourceAsStream(BenchReport.SCHEMA_RESOURCE))
        {
            assertNotNull(in, "schema document on the classpath");
            final String md = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            final Map<String, String> rows = new java.util.LinkedHashMap<>();
            final Matcher m = ROW.matcher(md);
            while (m.find())
            {
                rows.put(m.group(1), m.group(2).replace("\\", ""));
            }
            return rows;
        }
    }

    private static void checkAgainst(final Map<String, String> schema, final Object root, final String what)
    {
        final List<String> seen = new ArrayList<>();
        collect(root, "", seen);
        for (final String path : seen)
        {
            assertTrue(schema.containsKey(path), what + ": field " + path + " is not documented in the schema");
        }
        for (final Map.Entry<String, String> row : schema.entrySet())
        {
            final List<Object> values = values(root, row.getKey());
            final boolean underNull = parentIsNull(root, row.getKey());
            if (!underNull)
            {
                assertFalse(values.isEmpty(), what + ": documented field " + row.getKey() + " is missing");
            }
            for (final Object v : values)
            {
                assertTrue(hasType(v, row.getValue()),
                    what + ": " + row.getKey() + " should be " + row.getValue() + " but is " + v);
            }
        }
    }

    private static boolean parentIsNull(final Object root, final String path)
    {
        final int dot = path.lastIndexOf('.');
        if (dot < 0)
        {
            return false;
        }
        final List<Object> parents = values(root, path.substring(0, dot));
        return !parents.isEmpty() && parents.stream().allMatch(p -> p == null);
    }

    private static boolean hasType(final Object v, final String types)
    {
        for (final String type : types.split("\\|"))
        {
            final boolean ok = switch (type)
            {
                case "string" -> v instanceof String;
                case "integer" -> v instanceof Long;
                case "number" -> v instanceof Long || v instanceof Double;
                case "boolean" -> v instanceof Boolean;
                case "array" -> v instanceof List;
                case "object" -> v instanceof Map;
                case "null" -> v == null;
                default -> throw new AssertionError("unknown type in the schema: " + type);
            };
            if (ok)
            {
                return true;
            }
        }
        return false;
    }

    private static void collect(final Object node, final String prefix, final List<String> out)
    {
        if (node instanceof Map<?, ?> map)
        {
            for (final Map.Entry<?, ?> e : map.entrySet())
            {
                final String path = prefix.isEmpty() ? (String)e.getKey() : prefix + "." + e.getKey();
                out.add(path);
                final Object v = e.getValue();
                if (v instanceof Map)
                {
                    collect(v, path, out);
                }
                else if (v instanceof List<?> list)
                {
                    for (final Object item : list)
                    {
                        if (item instanceof Map)
                        {
                            collect(item, path + "[]", out);
                        }
                    }
                }
            }
        }
    }

    /** Every value at a path such as "trials[].latency_us.p99" (empty when absent). */
    private static List<Object> values(final Object root, final String path)
    {
        List<Object> nodes = new ArrayList<>();
        nodes.add(root);
        for (final String part : path.split("\\."))
        {
            final boolean each = part.endsWith("[]");
            final String key = each ? part.substring(0, part.length() - 2) : part;
            final List<Object> next = new ArrayList<>();
            for (final Object n : nodes)
            {
                if (n instanceof Map<?, ?> map && map.containsKey(key))
                {
                    final Object v = map.get(key);
                    if (each && v instanceof List<?> list)
                    {
                        next.addAll(list);
                    }
                    else if (!each)
                    {
                        next.add(v);
                    }
                }
            }
            nodes = next;
        }
        return nodes;
    }

    private static Object at(final Object root, final String path)
    {
        final List<Object> v = values(root, path);
        assertEquals(1, v.size(), path);
        return v.get(0);
    }
}
