package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The outcome of a load run, per protocol: counts and the whole run's latency histogram (ns).
 *
 * @param udp         UDP results, or null when no UDP threads ran.
 * @param tcp         TCP results, or null when no TCP threads ran.
 * @param elapsedNs   length of the measured phase.
 * @param warmUpKeys  keys stored by the warm-up (0 when skipped).
 */
public record LoadReport(Result udp, Result tcp, long elapsedNs, long warmUpKeys)
{
    /**
     * One protocol's totals. {@code sent == ok + errors + timeouts}; ok = hits + misses + stored.
     */
    public record Result(String protocol, long sent, long hits, long misses, long stored, long errors, long timeouts,
        Histogram latencyNs, String failure)
    {
        public long ok()
        {
            return hits + misses + stored;
        }

        public double requestsPerSecond(final long elapsedNs)
        {
            return elapsedNs <= 0 ? 0 : ok() * 1e9 / elapsedNs;
        }

        static Result of(final String protocol, final LoadStats s, final Histogram h, final String failure)
        {
            return new Result(protocol, s.sent(), s.hits(), s.misses(), s.stored(), s.errors(), s.timeouts(), h, failure);
        }
    }

    /** Requests that got the reply they asked for, both protocols. */
    public long totalOk()
    {
        return (udp == null ? 0 : udp.ok()) + (tcp == null ? 0 : tcp.ok());
    }

    /** The final summary, as {@code wirekv demo} prints it. */
    public void print(final PrintWriter out)
    {
        out.printf(Locale.ROOT, "summary over %.1f s%s:%n", elapsedNs / 1e9,
            warmUpKeys > 0 ? " (after a warm-up that stored " + warmUpKeys + " keys)" : "");
        out.printf(Locale.ROOT, "  %-4s %12s %12s %10s %10s %10s %8s %9s%n", "", "requests/s", "sent", "hits", "misses",
            "stored", "errors", "timeouts");
        for (final Result r : new Result[] {udp, tcp})
        {
            if (r != null)
            {
                out.printf(Locale.ROOT, "  %-4s %,12.0f %,12d %,10d %,10d %,10d %,8d %,9d%n", r.protocol(),
                    r.requestsPerSecond(elapsedNs), r.sent(), r.hits(), r.misses(), r.stored(), r.errors(), r.timeouts());
            }
        }
        out.printf(Locale.ROOT, "  latency (us) %8s %8s %8s %8s %8s%n", "p50", "p90", "p99", "p99.9", "max");
        for (final Result r : new Result[] {udp, tcp})
        {
            if (r != null)
            {
                final Histogram h = r.latencyNs();
                out.printf(Locale.ROOT, "  %-12s %8s %8s %8s %8s %8s%n", r.protocol(),
                    us(h, 50), us(h, 90), us(h, 99), us(h, 99.9), h.getTotalCount() == 0 ? "-" : fmt(h.getMaxValue()));
            }
        }
        for (final Result r : new Result[] {udp, tcp})
        {
            if (r != null && r.failure() != null)
            {
                out.println("  " + r.protocol() + ": " + r.failure());
            }
        }
        out.flush();
    }

    /**
     * The report as one JSON object, for benchmark scripts: elapsed seconds, warm-up keys, and per
     * protocol the counts, requests/s and latency percentiles in microseconds.
     */
    public String toJson()
    {
        final StringBuilder sb = new StringBuilder("{");
        sb.append(String.format(Locale.ROOT, "\"elapsed_s\":%.3f,\"warm_up_keys\":%d", elapsedNs / 1e9, warmUpKeys));
        for (final Result r : new Result[] {udp, tcp})
        {
            if (r == null)
            {
                continue;
            }
            final Histogram h = r.latencyNs();
            sb.append(String.format(Locale.ROOT, ",\"%s\":{\"requests_per_s\":%.1f,\"sent\":%d,\"ok\":%d,\"hits\":%d," +
                "\"misses\":%d,\"stored\":%d,\"errors\":%d,\"timeouts\":%d,\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f," +
                "\"p99\":%.1f,\"p99_9\":%.1f,\"max\":%.1f}}", r.protocol(), r.requestsPerSecond(elapsedNs), r.sent(),
                r.ok(), r.hits(), r.misses(), r.stored(), r.errors(), r.timeouts(), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
                h.getMaxValue() / 1e3));
        }
        return sb.append("}\n").toString();
    }

    /** Convenience for a PrintStream. */
    public void print(final PrintStream out)
    {
        print(new PrintWriter(out, true));
    }

    private static String us(final Histogram h, final double percentile)
    {
        return h.getTotalCount() == 0 ? "-" : fmt(h.getValueAtPercentile(percentile));
    }

    private static String fmt(final long ns)
    {
        return String.format(Locale.ROOT, "%.1f", ns / 1000.0);
    }
}
