package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.cnc.AdminClient;
import io.wirekv.controlplane.cnc.CncException;
import io.wirekv.controlplane.cnc.CncReader;
import io.wirekv.controlplane.cnc.CounterSnapshot;
import io.wirekv.controlplane.cnc.InstanceDirectory;
import io.wirekv.dataplane.cnc.AdminProtocol;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's commands that work through an instance's CnC file: {@code status}, {@code stat},
 * {@code top}, {@code errors}, {@code config}, {@code shutdown}, {@code admin get|set|delete|flush}, and
 * {@code completion}. Read-only commands need nothing from the appliance but its file, so they work while
 * the dataplane is stuck. The {@code admin} commands go through the file's command ring (they are named
 * apart from {@code get/set/delete}, which are memcached clients of a server address).
 */
final class CncCommands
{
    private CncCommands()
    {
    }

    static String age(final long ms)
    {
        return ms < 10_000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0);
    }

    static String uptime(final long ms)
    {
        final long s = ms / 1000;
        return s >= 86400 ? String.format("%dd %02dh %02dm %02ds", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60) :
            String.format("%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60);
    }

    static String staleWarning(final long heartbeatAgeMs)
    {
        return "heartbeat " + age(heartbeatAgeMs) + " old (over " + CncReader.STALE_HEARTBEAT_MS / 1000 +
            " s): the dataplane is stuck or paused; values are not moving";
    }

    @Command(name = "status", description = {"Show an instance's health, uptime, backend, ports, lcores, memory, log.",
        "Instance, pid, uptime, health (from the heartbeat), backend, ports, lcores and their cpus, memory and mode.",
        "Without --instance and with no instance 'default', lists the instances found.",
        "Exits 1 when the instance is stalled or gone."})
    static final class Status implements Callable<Integer>
    {
        private static final Pattern CONFIG_LINE = Pattern.compile("(?m)^\\s*(\\S+)\\s*=\\s*(\\S*)");

        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Override
        public Integer call()
        {
            final PrintWriter out = spec.commandLine().getOut();
            if (!target.isExplicit() &&
                !java.nio.file.Files.exists(io.wirekv.dataplane.cnc.CncFileDescriptor.cncFile(target.base(), target.instance())))
            {
                final List<InstanceDirectory.Found> found = InstanceDirectory.list(target.base());
                if (found.isEmpty())
                {
                    throw new CncException("no running instance: no CnC file in " + target.base() +
                        " (start one with 'wirekv serve')");
                }
                out.println("no instance 'default'; instances in " + target.base() + ":");
                for (final InstanceDirectory.Found f : found)
                {
                    out.printf("  %-24s pid %-8s %s%n", f.instance(), f.pid() < 0 ? "?" : Long.toString(f.pid()), f.state());
                }
                out.flush();
                return 0;
            }
            try (CncReader cnc = target.open(false))
            {
                cnc.checkAlive();
                final long now = System.currentTimeMillis();
                final long heartbeatAge = now - cnc.heartbeatMs();
                final CncReader.Health health = cnc.health(now);
                final Map<String, String> config = configValues(cnc.configText());
                out.printf("instance     %s%n", cnc.instance());
                out.printf("pid          %d%n", cnc.pid());
                out.printf("uptime       %s (since %s)%n", uptime(now - cnc.startTimeMs()),
                    Instant.ofEpochMilli(cnc.startTimeMs()));
                out.printf("health       %s%n", health == CncReader.Health.OK ?
                    "ok (heartbeat " + age(heartbeatAge) + " ago)" : "STALLED: " + staleWarning(heartbeatAge));
                out.printf("backend      %s%n", config.getOrDefault("backend", "?").toLowerCase(java.util.Locale.ROOT));
                out.printf("mode         %s%n", config.getOrDefault("mode",
                    config.getOrDefault("memoryMode", "?")).toLowerCase(java.util.Locale.ROOT));
                out.printf("cnc          %s%n", cnc.path());
                out.print(cnc.statusText().replaceAll("(?m)^  ", "") + PersistenceStatus.describe(cnc, config, now));
                out.flush();
                return health == CncReader.Health.OK ? 0 : 1;
            }
        }

        static Map<String, String> configValues(final String configText)
        {
            final Map<String, String> values = new java.util.HashMap<>();
            final Matcher m = CONFIG_LINE.matcher(configText);
            while (m.find())
            {
                values.putIfAbsent(m.group(1), m.group(2));
            }
            return values;
        }
    }

    /** stat and top: the same sampling loop, different order. */
    abstract static class StatBase implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Option(names = "--interval", paramLabel = "DURATION", description = "time between samples (default 1s)")
        Duration interval = Duration.ofSeconds(1);

        @Option(names = "--once", description = "print one sample (rates over one interval) and exit")
        boolean once;

        @Option(names = "--count", paramLabel = "N", description = "print N samples and exit (default: until Ctrl-C)")
        int count;

        @Option(names = "--json", description = "one JSON object per sample, one per line, for scripts")
        boolean json;

        abstract boolean sortByRate();

        abstract int limit();

        @Override
        public Integer call() throws InterruptedException
        {
            final PrintWriter out = spec.commandLine().getOut();
            final int samples = once ? 1 : count;
            try (CncReader cnc = target.open(false))
            {
                cnc.checkAlive();
                CounterSnapshot previous = CounterSnapshot.take(cnc, System.currentTimeMillis());
                for (int n = 0; samples == 0 || n < samples; n++)
                {
                    Thread.sleep(interval.toMillis());
                    if (!cnc.isFilePresent())
                    {
                        throw new CncException("instance '" + target.instance() + "' has shut down");
                    }
                    cnc.checkAlive();
                    final long now = System.currentTimeMillis();
                    final CounterSnapshot current = CounterSnapshot.take(cnc, now);
                    final long heartbeatAge = now - cnc.heartbeatMs();
                    if (json)
                    {
                        out.println(json(cnc, previous, current, heartbeatAge));
                    }
                    else
                    {
                        text(out, cnc, previous, current, heartbeatAge);
                    }
                    out.flush();
                    previous = current;
                }
            }
            return 0;
        }

        private record Row(CounterSnapshot.Sample sample, double rate)
        {
        }

        private List<Row> rows(final CounterSnapshot previous, final CounterSnapshot current)
        {
            final Map<Integer, Long> before = previous.valuesById();
            final double seconds = Math.max(1, current.timeMs() - previous.timeMs()) / 1000.0;
            final List<Row> rows = new ArrayList<>();
            for (final CounterSnapshot.Sample s : current.samples())
            {
                final long was = before.getOrDefault(s.counterId(), s.value());
                rows.add(new Row(s, s.gauge() ? Double.NaN : (s.value() - was) / seconds));
            }
            if (sortByRate())
            {
                // busiest first; gauges (no rate) last; ties by value
                rows.sort(Comparator.comparingDouble((Row r) -> Double.isNaN(r.rate()) ? -1 : r.rate())
                    .thenComparingLong(r -> r.sample().value()).reversed());
            }
            return limit() > 0 && rows.size() > limit() ? rows.subList(0, limit()) : rows;
        }

        private void text(
            final PrintWriter out, final CncReader cnc, final CounterSnapshot previous, final CounterSnapshot current,
            final long heartbeatAge)
        {
            out.printf("%s instance %s pid %d, interval %d ms, heartbeat %s ago%n", Instant.ofEpochMilli(current.timeMs()),
                cnc.instance(), cnc.pid(), current.timeMs() - previous.timeMs(), age(heartbeatAge));
            if (heartbeatAge > CncReader.STALE_HEARTBEAT_MS)
            {
                out.println("WARNING: " + staleWarning(heartbeatAge));
            }
            out.printf("  %-48s %18s %14s%n", "COUNTER", "VALUE", "RATE/s");
            for (final Row r : rows(previous, current))
            {
                out.printf("  %-48s %18d %14s%n", r.sample().label(), r.sample().value(),
                    Double.isNaN(r.rate()) ? "-" : String.format("%.1f", r.rate()));
            }
        }

        private String json(
            final CncReader cnc, final CounterSnapshot previous, final CounterSnapshot current, final long heartbeatAge)
        {
            final StringBuilder sb = new StringBuilder("{");
            sb.append("\"instance\":").append(quote(cnc.instance()));
            sb.append(",\"pid\":").append(cnc.pid());
            sb.append(",\"time_ms\":").append(current.timeMs());
            sb.append(",\"interval_ms\":").append(current.timeMs() - previous.timeMs());
            sb.append(",\"uptime_ms\":").append(current.timeMs() - cnc.startTimeMs());
            sb.append(",\"heartbeat_age_ms\":").append(heartbeatAge);
            sb.append(",\"heartbeat_stale\":").append(heartbeatAge > CncReader.STALE_HEARTBEAT_MS);
            sb.append(",\"counters\":[");
            boolean first = true;
            for (final Row r : rows(previous, current))
            {
                final CounterSnapshot.Sample s = r.sample();
                sb.append(first ? "" : ",").append("{\"name\":").append(quote(s.name()));
                sb.append(",\"labels\":{");
                boolean firstLabel = true;
                for (final Map.Entry<String, String> l : s.labels().entrySet())
                {
                    sb.append(firstLabel ? "" : ",").append(quote(l.getKey())).append(':').append(quote(l.getValue()));
                    firstLabel = false;
                }
                sb.append("},\"type\":").append(s.gauge() ? "\"gauge\"" : "\"counter\"");
                sb.append(",\"value\":").append(s.value());
                if (!Double.isNaN(r.rate()))
                {
                    sb.append(",\"rate\":").append(String.format(java.util.Locale.ROOT, "%.3f", r.rate()));
                }
                sb.append('}');
                first = false;
            }
            return sb.append("]}").toString();
        }

        static String quote(final String s)
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
                    default ->
                    {
                        if (c < 0x20)
                        {
                            sb.append(String.format("\\u%04x", (int)c));
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

    @Command(name = "stat", description = {"Live counters once a second: totals and rates, per lcore and port.",
        "Read from the CnC file; until Ctrl-C, or --once / --count N.",
        "Works while the dataplane is stuck, and says so when the heartbeat is stale.",
        "Values lag the dataplane by up to 100 ms."})
    static final class Stat extends StatBase
    {
        @Override
        boolean sortByRate()
        {
            return false;
        }

        @Override
        int limit()
        {
            return 0;
        }
    }

    @Command(name = "top", description = {"Live counters sorted by rate, busiest first (--limit N rows)."})
    static final class Top extends StatBase
    {
        @Option(names = "--limit", paramLabel = "N", description = "rows per sample (default 20; 0 = all)")
        int limit = 20;

        @Override
        boolean sortByRate()
        {
            return true;
        }

        @Override
        int limit()
        {
            return limit;
        }
    }

    @Command(name = "errors", description = {"Print the instance's distinct error log.",
        "Each error once, with how often it was seen and when first and last."})
    static final class Errors implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Override
        public Integer call()
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (CncReader cnc = target.open(false))
            {
                final StringBuilder sb = new StringBuilder();
                final int distinct = cnc.readErrors((count, first, last, text) ->
                    sb.append(String.format("%d observations, first %s, last %s%n  %s%n", count,
                        Instant.ofEpochMilli(first), Instant.ofEpochMilli(last),
                        text.strip().replace("\n", "\n  "))));
                out.printf("%d distinct errors in instance '%s'%s%n", distinct, cnc.instance(),
                    cnc.isProcessAlive() ? "" : " (its process is gone: stale CnC file)");
                out.print(sb);
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "config", description = {"Print the configuration the instance runs with.",
        "The concluded configuration, and where each value came from."})
    static final class Config implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Override
        public Integer call()
        {
            try (CncReader cnc = target.open(false))
            {
                final PrintWriter out = spec.commandLine().getOut();
                out.print(cnc.configText());
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "shutdown", description = {"Stop the instance and wait until it has stopped.",
        "Through its CnC command ring; waits until it has removed its CnC file."})
    static final class Shutdown implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "how long to wait (default 10s)")
        Duration timeout = Duration.ofSeconds(10);

        @Override
        public Integer call() throws InterruptedException
        {
            try (CncReader cnc = target.open(true))
            {
                final AdminClient.Response r = new AdminClient(cnc).send(
                    AdminProtocol.SHUTDOWN, new byte[0], new byte[0], 0, 0, timeout);
                if (r.status() != AdminProtocol.STATUS_OK)
                {
                    throw new CncException(r.text());
                }
                final PrintWriter err = spec.commandLine().getErr(); // progress; stdout gets only the result
                err.println("shutdown: instance '" + cnc.instance() + "' (pid " + cnc.pid() + ") accepted; waiting up to " +
                    timeout.toMillis() + " ms for it to stop");
                err.flush();
                final long deadline = System.nanoTime() + timeout.toNanos();
                while (cnc.isFilePresent() && cnc.isProcessAlive())
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new CncException("instance '" + cnc.instance() + "' (pid " + cnc.pid() +
                            ") accepted the shutdown but has not stopped within " + timeout.toMillis() + " ms");
                    }
                    Thread.sleep(20);
                }
                final PrintWriter out = spec.commandLine().getOut();
                out.println("instance '" + cnc.instance() + "' (pid " + cnc.pid() + ") stopped");
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "admin", description = {"Get, set, delete or flush keys through the instance's admin channel.",
        "Through its CnC command ring (no server address needed): get, set, delete, flush.",
        "('wirekv get/set/delete' are memcached clients of an address.)"},
        subcommands = {AdminGet.class, AdminSet.class, AdminDelete.class, AdminFlush.class})
    static final class Admin implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Override
        public Integer call()
        {
            spec.commandLine().usage(spec.commandLine().getErr());
            return 2;
        }
    }

    /** Shared by the admin subcommands. */
    abstract static class AdminBase implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "how long to wait for the answer (default 5s)")
        Duration timeout = Duration.ofSeconds(5);

        AdminClient.Response send(final int command, final String key, final byte[] value, final int flags, final int exptime)
        {
            try (CncReader cnc = target.open(true))
            {
                return new AdminClient(cnc).send(command, key.getBytes(StandardCharsets.UTF_8), value, flags, exptime,
                    timeout);
            }
        }

        int report(final AdminClient.Response r, final String key)
        {
            if (r.status() == AdminProtocol.STATUS_ERROR)
            {
                throw new CncException(r.text());
            }
            if (r.status() == AdminProtocol.STATUS_NOT_FOUND)
            {
                spec.commandLine().getErr().println("NOT_FOUND");
                spec.commandLine().getErr().flush();
                return 1;
            }
            spec.commandLine().getOut().println(r.text());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "get", description = {"Print the value stored under KEY.", "Exits 1 with 'NOT_FOUND' on stderr when the key is missing."})
    static final class AdminGet extends AdminBase
    {
        @Parameters(paramLabel = "KEY", description = "the key")
        String key;

        @Option(names = "--show-flags", description = "print 'flags N' on stderr too")
        boolean showFlags;

        @Override
        public Integer call()
        {
            final AdminClient.Response r = send(AdminProtocol.GET, key, new byte[0], 0, 0);
            if (r.status() == AdminProtocol.STATUS_OK && showFlags)
            {
                spec.commandLine().getErr().println("flags " + Integer.toUnsignedString(r.flags()));
            }
            return report(r, key);
        }
    }

    @Command(name = "set", description = "Store VALUE under KEY; prints STORED.")
    static final class AdminSet extends AdminBase
    {
        @Parameters(index = "0", paramLabel = "KEY", description = "the key")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE", description = "the value")
        String value;

        @Option(names = "--flags", paramLabel = "N", description = "memcached client flags (default 0)")
        long flags;

        @Option(names = "--ttl", paramLabel = "SECONDS", description = "expiry in seconds, 0 = never (default 0)")
        int ttl;

        @Override
        public Integer call()
        {
            if (flags < 0 || flags > 0xFFFF_FFFFL)
            {
                throw new UserException("--flags must be 0 to 4294967295");
            }
            return report(send(AdminProtocol.SET, key, value.getBytes(StandardCharsets.UTF_8), (int)flags, ttl), key);
        }
    }

    @Command(name = "delete", description = "Delete KEY; prints DELETED, or NOT_FOUND (exit 1).")
    static final class AdminDelete extends AdminBase
    {
        @Parameters(paramLabel = "KEY", description = "the key")
        String key;

        @Override
        public Integer call()
        {
            return report(send(AdminProtocol.DELETE, key, new byte[0], 0, 0), key);
        }
    }

    @Command(name = "flush", description = "Invalidate every item (memcached's flush_all); prints OK.")
    static final class AdminFlush extends AdminBase
    {
        @Override
        public Integer call()
        {
            return report(send(AdminProtocol.FLUSH, "", new byte[0], 0, 0), "");
        }
    }

    @Command(name = "completion", description = {"Print a bash/zsh completion script for wirekv.",
        "Use: source <(wirekv completion)"})
    static final class Completion implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Override
        public Integer call()
        {
            final CommandLine root = WirekvCli.commandLine();
            final PrintWriter out = spec.commandLine().getOut();
            out.print(AutoComplete.bash("wirekv", root));
            out.flush();
            return 0;
        }
    }
}
