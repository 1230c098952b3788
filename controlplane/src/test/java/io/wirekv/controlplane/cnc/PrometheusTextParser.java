package io.wirekv.controlplane.cnc;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus' text exposition format 0.0.4, written from the format's specification
 * (no Prometheus parser library is available to this build offline). It rejects what Prometheus rejects:
 * bad metric or label names, bad escapes, unparsable values, a TYPE after its samples or given twice,
 * a family whose samples are not grouped together, and the same series twice. A histogram's
 * {@code _bucket}/{@code _sum}/{@code _count} samples (a summary's {@code _sum}/{@code _count}) belong to
 * its family; each histogram series must have an {@code le} on every bucket, cumulative counts that never
 * decrease with {@code le}, a {@code +Inf} bucket, and a {@code _count} equal to it.
 */
final class PrometheusTextParser
{
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value)
    {
    }

    static final class Family
    {
        String type = "untyped";
        String help;
        final List<Sample> samples = new ArrayList<>();
        boolean typed;
    }

    private PrometheusTextParser()
    {
    }

    static Map<String, Family> parse(final String text)
    {
        if (!text.isEmpty() && !text.endsWith("\n"))
        {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        final Map<String, Family> families = new LinkedHashMap<>();
        final Set<String> series = new HashSet<>();
        final Set<String> closed = new HashSet<>();
        String current = null;
        int lineNo = 0;
        for (final String line : text.split("\n", -1))
        {
            lineNo++;
            if (line.isEmpty())
            {
                continue;
            }
            final String where = "line " + lineNo + ": " + line;
            if (line.startsWith("#"))
            {
                final String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE")))
                {
                    final String name = parts[2];
                    require(METRIC_NAME.matcher(name).matches(), "bad metric name in " + where);
                    final Family f = families.computeIfAbsent(name, k -> new Family());
                    require(!closed.contains(name) && f.samples.isEmpty() || name.equals(current) && f.samples.isEmpty(),
                        "HELP/TYPE after the family's samples, " + where);
                    if (parts[1].equals("TYPE"))
                    {
                        require(parts.length == 4 && TYPES.contains(parts[3]), "bad type in " + where);
                        require(!f.typed, "second TYPE for " + name);
                        f.type = parts[3];
                        f.typed = true;
                    }
                    else
                    {
                        require(f.help == null, "second HELP for " + name);
                        f.help = parts.length == 4 ? unescape(parts[3], false, where) : "";
                    }
                    if (current != null && !current.equals(name))
                    {
                        closed.add(current);
                    }
                    current = name;
                }
                continue; // other comments are ignored
            }
            final Sample sample = sample(line, where);
            final String family = familyOf(sample.name(), families);
            require(!closed.contains(family), "samples of " + family + " are not grouped together, " + where);
            if (current != null && !current.equals(family))
            {
                closed.add(current);
            }
            current = family;
            families.computeIfAbsent(family, k -> new Family()).samples.add(sample);
            require(series.add(sample.name() + sample.labels()), "series given twice, " + where);
        }
        families.forEach((name, f) ->
        {
            if (f.type.equals("histogram"))
            {
                checkHistogram(name, f);
            }
        });
        return families;
    }

    /** A _bucket, _sum or _count sample's family when that family is a histogram (or summary); else its own name. */
    private static String familyOf(final String sampleName, final Map<String, Family> families)
    {
        for (final String suffix : new String[] {"_bucket", "_sum", "_count"})
        {
            if (sampleName.endsWith(suffix))
            {
                final Family f = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                if (f != null && (f.type.equals("histogram") || f.type.equals("summary") && !suffix.equals("_bucket")))
                {
                    return sampleName.substring(0, sampleName.length() - suffix.length());
                }
            }
        }
        return sampleName;
    }

    private static void checkHistogram(final String name, final Family f)
    {
        final Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        final Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (final Sample s : f.samples)
        {
            final Map<String, String> series = new LinkedHashMap<>(s.labels());
            if (s.name().equals(name + "_bucket"))
            {
                require(series.remove("le") != null, "bucket without le: " + s);
                buckets.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
            }
            else if (s.name().equals(name + "_count"))
            {
                counts.put(series, s.value());
            }
            else
            {
                require(s.name().equals(name + "_sum"), "not a histogram sample of " + name + ": " + s);
            }
        }
        require(!buckets.isEmpty(), "histogram " + name + " without buckets");
        buckets.forEach((series, list) ->
        {
            double lastBound = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            for (final Sample b : list)
            {
                final String le = b.labels().get("le");
                final double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                require(bound > lastBound, "buckets of " + name + series + " not in increasing le at " + le);
                require(b.value() >= lastCount, "bucket counts of " + name + series + " decrease at le=" + le);
                lastBound = bound;
                lastCount = b.value();
            }
            require(lastBound == Double.POSITIVE_INFINITY, "no +Inf bucket in " + name + series);
            require(counts.containsKey(series) && counts.get(series) == lastCount,
                name + "_count" + series + " is not the +Inf bucket's " + lastCount);
        });
    }

    private static Sample sample(final String line, final String where)
    {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ')
        {
            i++;
        }
        final String name = line.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), "bad metric name in " + where);
        final Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{')
        {
            i++;
            while (line.charAt(i) != '}')
            {
                final int eq = line.indexOf('=', i);
                require(eq > i, "bad label in " + where);
                final String label = line.substring(i, eq);
                require(LABEL_NAME.matcher(label).matches() && !label.startsWith("__"), "bad label name in " + where);
                require(line.charAt(eq + 1) == '"', "label value not quoted in " + where);
                int j = eq + 2;
                final StringBuilder raw = new StringBuilder();
                while (line.charAt(j) != '"')
                {
                    if (line.charAt(j) == '\\')
                    {
                        raw.append(line.charAt(j)).append(line.charAt(j + 1));
                        j += 2;
                    }
                    else
                    {
                        raw.append(line.charAt(j++));
                    }
                }
                require(labels.put(label, unescape(raw.toString(), true, where)) == null, "label twice in " + where);
                i = j + 1;
                if (line.charAt(i) == ',')
                {
                    i++;
                }
                else
                {
                    require(line.charAt(i) == '}', "expected , or } in " + where);
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', "no value in " + where);
        final String[] rest = line.substring(i + 1).trim().split(" +");
        require(rest.length == 1 || rest.length == 2, "bad value/timestamp in " + where);
        final double value = switch (rest[0])
        {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default ->
            {
                require(rest[0].matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?"), "bad value in " + where);
                yield Double.parseDouble(rest[0]);
            }
        };
        if (rest.length == 2)
        {
            require(rest[1].matches("-?[0-9]+"), "bad timestamp in " + where);
        }
        return new Sample(name, labels, value);
    }

    private static String unescape(final String s, final boolean quote, final String where)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c != '\\')
            {
                sb.append(c);
                continue;
            }
            require(i + 1 < s.length(), "dangling escape in " + where);
            final char e = s.charAt(++i);
            switch (e)
            {
                case '\\' -> sb.append('\\');
                case 'n' -> sb.append('\n');
                case '"' ->
                {
                    require(quote, "\\\" is not an escape in HELP, " + where);
                    sb.append('"');
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e + " in " + where);
            }
        }
        return sb.toString();
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
