package io.wirekv.controlplane.load;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@code wirekv bench}'s final report: a table for people and a JSON document for scripts. The
 * JSON schema ({@code wirekv-bench/1}) is documented field by field in
 * {@code controlplane/src/main/resources/io/wirekv/controlplane/load/bench-report-schema.md}
 * (also on the classpath next to this class); {@code BenchReportSchemaTest} checks that every field
 * documented there is present with the documented type.
 */
public final class BenchReport
{
    public static final String SCHEMA = "wirekv-bench/1";
    /** Classpath resource holding the JSON schema's documentation. */
    public static final String SCHEMA_RESOURCE = "bench-report-schema.md";

    private BenchReport()
    {
    }

    /** Prints one row per trial and, for a search, the verdict. */
    public static void print(final Bench.Run run, final PrintWriter out)
    {
        final BenchSpec s = run.spec();
        out.printf(Locale.ROOT, "wirekv bench %s over %s on %s (%s), %d thread(s), %s%n", s.target(), s.transport().label(),
            run.backend().label(), s.protocol().label(), s.threads(), run.plan().mode() == BenchPlan.Mode.SINGLE ?
                (s.openLoop() ? String.format(Locale.ROOT, "open loop at %,d req/s", s.ratePerSecond()) :
                    "closed loop, " + s.outstanding() + " outstanding per thread") : run.plan().mode().name().toLowerCase(Locale.ROOT));
        if (run.tcpSide() != null)
        {
            out.printf(Locale.ROOT, "  and %d TCP thread(s), closed loop, %d outstanding per thread, at the same time%n",
                run.tcpSide().threads(), run.tcpSide().outstanding());
        }
        if (run.warmUpKeys() > 0)
        {
            out.printf(Locale.ROOT, "warm-up: %,d keys in %.1f s%n", run.warmUpKeys(), run.warmUpNs() / 1e9);
        }
        if (run.warmUpLoadNs() > 0)
        {
            out.printf(Locale.ROOT, "warm-up load: %.1f s, not measured%n", run.warmUpLoadNs() / 1e9);
        }
        final boolean mixed = run.tcpSide() != null;
        out.printf(Locale.ROOT, "%s%12s %12s %12s %10s %9s %7s %7s %9s %9s %9s %9s %9s %s%n", mixed ? "transport " : "",
            "target/s", "offered/s", "achieved/s", "sent", "lost", "errors", "wrong", "p50 us", "p90 us", "p99 us",
            "p99.9 us", "max us", "");
        for (final BenchTrial t : run.trials())
        {
            out.printf(Locale.ROOT, "%s%12s %,12.0f %,12.0f %,10d %,9d %,7d %,7d %9.1f %9.1f %9.1f %9.1f %9.1f %s%n",
                mixed ? String.format(Locale.ROOT, "%-9s ", t.transport()) : "",
                t.targetRatePerSecond() == 0 ? "closed" : String.format(Locale.ROOT, "%,d", t.targetRatePerSecond()),
                t.offeredPerSecond(), t.throughputPerSecond(), t.sent(), t.lost(), t.errors(), t.wrongAnswers(),
                t.percentileUs(50), t.percentileUs(90), t.percentileUs(99), t.percentileUs(99.9), t.maxUs(),
                t.passed() == null ? "" : t.passed() ? "pass" : "FAIL");
        }
        for (final BenchTrial t : run.trials())
        {
            if (t.unsent() > 0)
            {
                out.printf(Locale.ROOT, "%,d request(s) at %s could not be sent (local socket buffer or device TX ring " +
                    "full): the generator, not the server, was the limit%n", t.unsent(),
                    t.targetRatePerSecond() == 0 ? "closed loop" : String.format(Locale.ROOT, "%,d req/s", t.targetRatePerSecond()));
            }
        }
        for (final BenchTrial t : run.trials())
        {
            if (t.misrouted() > 0)
            {
                out.printf(Locale.ROOT, "%,d repl%s at %s reached another thread's queue (misrouted, their requests " +
                    "counted lost)%n", t.misrouted(), t.misrouted() == 1 ? "y" : "ies",
                    t.targetRatePerSecond() == 0 ? "closed loop" : String.format(Locale.ROOT, "%,d req/s", t.targetRatePerSecond()));
            }
        }
        for (final BenchTrial t : run.trials())
        {
            if (t.failure() != null)
            {
                out.println(t.stoppedByMisrouting() ? t.failure() : "worker failure: " + t.failure());
                break;
            }
        }
        if (run.backend().noReplies())
        {
            for (final BenchTrial t : run.trials())
            {
                out.printf(Locale.ROOT, "generator ceiling (%s, no replies expected): target %s, sent %,.0f req/s " +
                    "(%,d in %.2f s by %d thread(s)), %,d unsent%n", run.backend().label(),
                    t.targetRatePerSecond() == 0 ? "as fast as possible" :
                        String.format(Locale.ROOT, "%,d req/s", t.targetRatePerSecond()),
                    t.offeredPerSecond(), t.sent(), t.elapsedNs() / 1e9, s.threads(), t.unsent());
            }
        }
        serverCpu(run, out);
        if (run.plan().mode() == BenchPlan.Mode.SEARCH)
        {
            out.printf(Locale.ROOT, "search: highest rate with loss <= %.4f%% and p99 <= %.1f us: %s%n",
                100 * run.plan().maxLoss(), run.plan().maxP99Ns() / 1e3,
                run.bestRatePerSecond() > 0 ? String.format(Locale.ROOT, "%,d req/s", run.bestRatePerSecond()) :
                    "none (even the lowest rate failed)");
        }
        out.flush();
    }

    /** One line per trial with {@code --server-pid} (a mixed trial's sides share one sample: printed once). */
    private static void serverCpu(final Bench.Run run, final PrintWriter out)
    {
        BenchServerCpu last = null;
        for (final BenchTrial t : run.trials())
        {
            final BenchServerCpu c = t.serverCpu();
            if (c == null || c == last)
            {
                continue;
            }
            last = c;
            out.printf(Locale.ROOT, "server pid %d: %.2f CPU-s in %.2f s (%.2f cores), %,.0f requests per server " +
                "CPU-second; busiest thread %s %.2f CPU-s%n", c.pid(), c.cpuSeconds(), c.windowNs() / 1e9, c.cores(),
                c.requestsPerCpuSecond(), c.busiestThread(), c.busiestThreadSeconds());
        }
    }

    /** The run as one JSON object (schema {@value #SCHEMA}). */
    public static String toJson(final Bench.Run run)
    {
        final BenchSpec s = run.spec();
        final BenchPlan p = run.plan();
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("{\n");
        field(sb, "  ", "schema", str(SCHEMA), true);
        field(sb, "  ", "date", str(run.date()), true);
        field(sb, "  ", "target", str(s.target().toString()), true);
        field(sb, "  ", "transport", str(s.transport().label()), true);
        field(sb, "  ", "backend", str(run.backend().label()), true);
        field(sb, "  ", "ports", str(run.ports()), true);
        field(sb, "  ", "protocol", str(s.protocol().label()), true);
        field(sb, "  ", "mode", str(p.mode().name().toLowerCase(Locale.ROOT)), true);
        sb.append("  \"config\": {\n");
        field(sb, "    ", "threads", Integer.toString(s.threads()), true);
        field(sb, "    ", "tcp_threads", Integer.toString(run.tcpSide() == null ? 0 : run.tcpSide().threads()), true);
        field(sb, "    ", "tcp_outstanding", Integer.toString(run.tcpSide() == null ? 0 : run.tcpSide().outstanding()), true);
        field(sb, "    ", "server_pid", Long.toString(p.serverPid()), true);
        field(sb, "    ", "cpus", cpus(s.cpus()), true);
        field(sb, "    ", "rate_per_s", Long.toString(s.ratePerSecond()), true);
        field(sb, "    ", "outstanding", Integer.toString(s.outstanding()), true);
        field(sb, "    ", "duration_s", num(s.duration().toNanos() / 1e9), true);
        field(sb, "    ", "max_requests", Long.toString(s.maxRequests()), true);
        field(sb, "    ", "timeout_ms", num(s.timeoutNs() / 1e6), true);
        field(sb, "    ", "key_space", Integer.toString(s.keySpace()), true);
        field(sb, "    ", "key_size", Integer.toString(s.keySizeBytes()), true);
        field(sb, "    ", "value_size_min", Integer.toString(s.valueSizeMin()), true);
        field(sb, "    ", "value_size_max", Integer.toString(s.valueSizeMax()), true);
        field(sb, "    ", "zipf_theta", num(s.zipfTheta()), true);
        field(sb, "    ", "get_ratio", num(s.getRatio()), true);
        field(sb, "    ", "multiget", Integer.toString(s.multiget()), true);
        field(sb, "    ", "verify_fraction", num(s.verifyFraction()), true);
        field(sb, "    ", "idle", str(s.idle().label()), true);
        field(sb, "    ", "no_replies", Boolean.toString(run.backend().noReplies()), true);
        field(sb, "    ", "seed", Long.toString(s.seed()), false);
        sb.append("  },\n");
        sb.append("  \"warm_up\": {");
        sb.append("\"keys\": ").append(run.warmUpKeys()).append(", \"seconds\": ").append(num(run.warmUpNs() / 1e9));
        sb.append(", \"load_seconds\": ").append(num(run.warmUpLoadNs() / 1e9));
        sb.append("},\n");
        sb.append("  \"trials\": [");
        final List<BenchTrial> trials = run.trials();
        for (int i = 0; i < trials.size(); i++)
        {
            sb.append(i == 0 ? "\n" : ",\n");
            trial(sb, trials.get(i));
        }
        sb.append("\n  ],\n");
        sb.append("  \"search\": ");
        if (p.mode() == BenchPlan.Mode.SEARCH)
        {
            sb.append("{\"max_loss\": ").append(num(p.maxLoss()))
                .append(", \"max_p99_us\": ").append(num(p.maxP99Ns() / 1e3))
                .append(", \"best_rate_per_s\": ").append(Math.max(0, run.bestRatePerSecond()))
                .append(", \"trial_duration_s\": ").append(num(p.trialDuration().toNanos() / 1e9))
                .append('}');
        }
        else
        {
            sb.append("null");
        }
        sb.append("\n}\n");
        return sb.toString();
    }

    private static void trial(final StringBuilder sb, final BenchTrial t)
    {
        sb.append("    {");
        sb.append("\"transport\": ").append(str(t.transport()));
        sb.append(", \"target_rate_per_s\": ").append(t.targetRatePerSecond());
        sb.append(", \"offered_per_s\": ").append(num(t.offeredPerSecond()));
        sb.append(", \"achieved_per_s\": ").append(num(t.throughputPerSecond()));
        sb.append(", \"elapsed_s\": ").append(num(t.elapsedNs() / 1e9));
        sb.append(", \"sent\": ").append(t.sent());
        sb.append(", \"received\": ").append(t.received());
        sb.append(", \"lost\": ").append(t.lost());
        sb.append(", \"in_flight_at_end\": ").append(t.sent() - t.received() - t.lost());
        sb.append(", \"loss_ratio\": ").append(num(t.lossRatio()));
        sb.append(", \"errors\": ").append(t.errors());
        sb.append(", \"wrong_answers\": ").append(t.wrongAnswers());
        sb.append(", \"verified\": ").append(t.verified());
        sb.append(", \"hits\": ").append(t.hits());
        sb.append(", \"misses\": ").append(t.misses());
        sb.append(", \"stored\": ").append(t.stored());
        sb.append(", \"late\": ").append(t.late());
        sb.append(", \"unsent\": ").append(t.unsent());
        sb.append(", \"misrouted\": ").append(t.misrouted());
        sb.append(", \"latency_us\": {\"p50\": ").append(num(t.percentileUs(50)))
            .append(", \"p90\": ").append(num(t.percentileUs(90)))
            .append(", \"p99\": ").append(num(t.percentileUs(99)))
            .append(", \"p99_9\": ").append(num(t.percentileUs(99.9)))
            .append(", \"max\": ").append(num(t.maxUs()))
            .append(", \"mean\": ").append(num(t.meanUs()))
            .append('}');
        sb.append(", \"passed\": ").append(t.passed() == null ? "null" : t.passed().toString());
        sb.append(", \"failure\": ").append(t.failure() == null ? "null" : str(t.failure()));
        final BenchServerCpu c = t.serverCpu();
        sb.append(", \"server_cpu\": ");
        if (c == null)
        {
            sb.append("null");
        }
        else
        {
            sb.append("{\"pid\": ").append(c.pid())
                .append(", \"cpu_s\": ").append(num(c.cpuSeconds()))
                .append(", \"window_s\": ").append(num(c.windowNs() / 1e9))
                .append(", \"cores\": ").append(num(c.cores()))
                .append(", \"requests\": ").append(c.requests())
                .append(", \"requests_per_cpu_s\": ").append(num(c.requestsPerCpuSecond()))
                .append(", \"busiest_thread\": ").append(str(c.busiestThread()))
                .append(", \"busiest_thread_cpu_s\": ").append(num(c.busiestThreadSeconds()))
                .append('}');
        }
        sb.append('}');
    }

    private static void field(final StringBuilder sb, final String indent, final String name, final String value,
        final boolean comma)
    {
        sb.append(indent).append('"').append(name).append("\": ").append(value).append(comma ? ",\n" : "\n");
    }

    private static String cpus(final int[] cpus)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < cpus.length; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(cpus[i]);
        }
        return sb.append(']').toString();
    }

    static String num(final double v)
    {
        if (Double.isNaN(v) || Double.isInfinite(v))
        {
            return "0";
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String str(final String s)
    {
        final StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
