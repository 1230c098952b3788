package io.wirekv.controlplane.config;

import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.guard.UdpAllowList;
import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.replication.ReplicationSettings;
import io.wirekv.dataplane.net.ReassemblySettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.replication.rdma.ReplicationTransport;
import io.wirekv.dataplane.server.AuthSettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.ServerConfig.Backend;
import io.wirekv.dataplane.server.ServerConfig.IdleMode;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.TableConfig;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns raw settings (defaults, overlaid by the file, overlaid by flags) into a
 * {@link ServerConfig}, checking every key and every constraint between keys before any thread
 * starts. All problems are collected and reported together; each message reads
 * {@code key = value: what is wrong, and the fix (where it was set)}, e.g.
 * {@code partitions = 12: must be a power of two, e.g. 16 (wirekv.conf line 7)}.
 */
public final class ConfigValidator
{
    /** Backends this build can run. */
    public static final Set<Backend> AVAILABLE_BACKENDS = EnumSet.of(Backend.KERNEL, Backend.XDP, Backend.DPDK);
    /** Largest UDP payload in one 1500-byte Ethernet frame (the bypass backends send no IPv4 fragments). */
    static final int BYPASS_MAX_UDP_PAYLOAD = 1500 - 20 - 8;

    static final long MIN_MEMORY_BYTES = 1L << 20;
    /** The expiry wheel indexes its links (table/ExpiryLinks) by 64-byte granule with an int. */
    static final long MAX_MEMORY_BYTES = 127L << 30;
    static final long MIN_ITEM_SIZE_BYTES = 1L << 10;
    static final long MAX_ITEM_SIZE_BYTES = 1L << 30;
    static final int MIN_UDP_PAYLOAD = 64;
    static final int MAX_UDP_PAYLOAD = 65507;
    static final int MAX_BURST = 1024;
    static final int MAX_UDP_SLOTS = 65536;
    static final int MAX_REPLY_FACTOR = 1000;
    static final int MIN_VALIDATED_SOURCES = 8;
    static final int MAX_VALIDATED_SOURCES = 1 << 24;
    /** memcached accepts up to the file descriptor limit; one TCP agent holds this many slots. */
    static final int MAX_CONNECTIONS = 1 << 20;
    static final int MAX_LCORES = 1024;
    static final int MAX_WRITERS = 1024;
    static final int MAX_TCP_THREADS = 1024;
    static final int MAX_PARTITIONS = 1 << 16;

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

    private final Machine machine;
    private final List<String> problems = new ArrayList<>();
    private final Map<ConfigKey, Setting> settings = new EnumMap<>(ConfigKey.class);

    private ConfigValidator(final Machine machine)
    {
        this.machine = machine;
    }

    /**
     * @param overrides settings by key (file, then flags, already merged; later wins); keys
     *                  missing here take their default.
     * @param machine   CPUs and memory to check against.
     * @return the validated configuration and where each value came from.
     * @throws ConfigException listing every problem.
     */
    public static ConcludedConfig validate(final Map<String, Setting> overrides, final Machine machine)
    {
        return new ConfigValidator(machine).run(overrides);
    }

    private ConcludedConfig run(final Map<String, Setting> overrides)
    {
        for (final ConfigKey key : ConfigKey.values())
        {
            settings.put(key, new Setting(key.key(), key.defaultValue(), Setting.DEFAULT_ORIGIN));
        }
        for (final Map.Entry<String, Setting> e : overrides.entrySet())
        {
            final ConfigKey key = ConfigKey.byKey(e.getKey());
            if (key == null)
            {
                problems.add(ConfigLoader.unknownKey(e.getKey(), e.getValue().origin()));
                continue;
            }
            settings.put(key, e.getValue());
        }

        final String instance = value(ConfigKey.INSTANCE);
        if (!INSTANCE.matcher(instance).matches())
        {
            fail(ConfigKey.INSTANCE, "must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.', e.g. default");
        }
        final String listen = value(ConfigKey.LISTEN);
        if (!isIpv4(listen))
        {
            fail(ConfigKey.LISTEN, "must be an IPv4 address such as 127.0.0.1, or 0.0.0.0 for every interface");
        }
        final int port = intIn(ConfigKey.PORT, 0, 65535, "; 0 picks a free port");
        final Backend backend = backend();
        final long memory = memory();
        final MemoryMode mode = choice(ConfigKey.MODE, MemoryMode.class, "cache or store");
        final long itemSizeMax = itemSizeMax();
        final int lcores = intIn(ConfigKey.LCORES, 1, MAX_LCORES, "");
        final List<Integer> cpus = cpus(lcores);
        final int writers = intIn(ConfigKey.WRITERS, 1, MAX_WRITERS, "");
        final int partitions = partitions(writers);
        final int tcpThreads = intIn(ConfigKey.TCP_THREADS, 0, MAX_TCP_THREADS, "; 0 disables TCP");
        final int udpMaxPayload = intIn(ConfigKey.UDP_MAX_PAYLOAD, MIN_UDP_PAYLOAD, MAX_UDP_PAYLOAD, "");
        final int burst = intIn(ConfigKey.BURST_SIZE, 1, MAX_BURST, "");
        final int slots = intIn(ConfigKey.UDP_SLOTS, 1, MAX_UDP_SLOTS, "");
        if (slots > 0 && burst > 0 && slots < burst)
        {
            fail(ConfigKey.UDP_SLOTS, "must be at least burst.size (" + burst + "); raise udp.slots to " + burst +
                " or lower burst.size");
        }
        final IdleMode idle = idle();
        final Boolean hugepages = bool(ConfigKey.HUGEPAGES);
        final Boolean colocate = bool(ConfigKey.COLOCATE);
        final Boolean shutdownCommand = bool(ConfigKey.SHUTDOWN_COMMAND);
        final AuthSettings auth = auth();
        final BypassSettings bypass = bypass(backend, udpMaxPayload);
        final ExposureSettings exposure = exposure();
        final int metricsPort = intIn(ConfigKey.METRICS_PORT, 0, 65535, "; 0 disables the metrics endpoint");
        if (!isIpv4(value(ConfigKey.METRICS_LISTEN)))
        {
            fail(ConfigKey.METRICS_LISTEN, "must be an IPv4 address such as 127.0.0.1 (the default keeps metrics local)");
        }

        if (memory > 0 && itemSizeMax > 0 && itemSizeMax > memory)
        {
            fail(ConfigKey.ITEM_SIZE_MAX, "must not exceed memory (" + Sizes.format(memory) +
                "); lower item.size.max or raise memory");
        }
        else if (memory > 0 && itemSizeMax > 0 && partitions > 0 && itemSizeMax <= Integer.MAX_VALUE &&
            memory < TableConfig.minimumMemoryBytes(partitions, (int)itemSizeMax))
        {
            fail(ConfigKey.MEMORY, "must hold two slab pages (item.size.max rounded up to a power of two) per " +
                "partition: at least " + Sizes.format(TableConfig.minimumMemoryBytes(partitions, (int)itemSizeMax)) +
                " for " + partitions + " partitions; raise memory, or lower partitions or item.size.max");
        }

        final PersistenceSettings persistence = PersistenceRules.conclude(this, itemSizeMax);
        final ReplicationTransport transport = choice(ConfigKey.REPLICATION_TRANSPORT, ReplicationTransport.class,
            "auto, tcp or rdma");
        final ReplicationSettings replication = ReplicationRules.conclude(this, persistence);

        if (!problems.isEmpty())
        {
            throw new ConfigException(problems);
        }
        final ServerConfig config = new ServerConfig(
            instance, listen, port, backend, lcores, cpus, writers, tcpThreads, partitions, memory, mode,
            (int)itemSizeMax, udpMaxPayload, burst, slots, idle, hugepages, colocate, bypass, exposure, shutdownCommand,
            auth, persistence, replication);
        final Map<ConfigKey, String> origins = new EnumMap<>(ConfigKey.class);
        settings.forEach((k, s) -> origins.put(k, s.origin()));
        final Map<ConfigKey, String> controlValues = new EnumMap<>(ConfigKey.class);
        controlValues.put(ConfigKey.METRICS_PORT, Integer.toString(metricsPort));
        controlValues.put(ConfigKey.METRICS_LISTEN, value(ConfigKey.METRICS_LISTEN));
        controlValues.put(ConfigKey.REPLICATION_TRANSPORT, transport.configValue());
        return new ConcludedConfig(config, origins, controlValues);
    }

    /** auth.sasl and its password file, which must be a readable regular file when SASL is on. */
    private AuthSettings auth()
    {
        final Boolean sasl = bool(ConfigKey.AUTH_SASL);
        final String file = value(ConfigKey.AUTH_SASL_PASSWORD_FILE).trim();
        if (!Boolean.TRUE.equals(sasl))
        {
            return new AuthSettings(false, file);
        }
        if (file.isEmpty())
        {
            fail(ConfigKey.AUTH_SASL_PASSWORD_FILE, "must name the password file when auth.sasl = true " +
                "(one user:password per line); set it, or set auth.sasl = false");
        }
        else
        {
            final java.nio.file.Path path = java.nio.file.Path.of(file);
            if (!java.nio.file.Files.isRegularFile(path) || !java.nio.file.Files.isReadable(path))
            {
                fail(ConfigKey.AUTH_SASL_PASSWORD_FILE, "is not a readable file; create it (one user:password per " +
                    "line, readable by the server's user) or set auth.sasl = false");
            }
        }
        return new AuthSettings(true, file);
    }

    String value(final ConfigKey key)
    {
        return settings.get(key).value();
    }

    void fail(final ConfigKey key, final String why)
    {
        final Setting s = settings.get(key);
        problems.add(key.key() + " = " + s.value() + ": " + why + (s.isDefault() ? "" : " (" + s.origin() + ")"));
    }

    private int intIn(final ConfigKey key, final int min, final int max, final String hint)
    {
        final String text = value(key);
        try
        {
            final long v = Long.parseLong(text);
            if (v >= min && v <= max)
            {
                return (int)v;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        fail(key, "must be a whole number from " + min + " to " + max + hint);
        return -1;
    }

    private static boolean isIpv4(final String text)
    {
        final var m = IPV4.matcher(text);
        if (!m.matches())
        {
            return false;
        }
        for (int i = 1; i <= 4; i++)
        {
            if (Integer.parseInt(m.group(i)) > 255)
            {
                return false;
            }
        }
        return true;
    }

    private Backend backend()
    {
        final Backend backend = choice(ConfigKey.BACKEND, Backend.class, "kernel, xdp or dpdk");
        if (backend != null && !AVAILABLE_BACKENDS.contains(backend))
        {
            final String name = backend.name().toLowerCase(Locale.ROOT);
            fail(ConfigKey.BACKEND, "backend '" + name + "' is not available in this build yet; use --backend kernel");
        }
        return backend;
    }

    private ExposureSettings exposure()
    {
        final String allowText = value(ConfigKey.UDP_ALLOW).trim();
        final List<String> allow = allowText.isEmpty() ? List.of() : List.of(allowText.split("\\s*,\\s*"));
        try
        {
            UdpAllowList.of(allow);
        }
        catch (final IllegalArgumentException ex)
        {
            fail(ConfigKey.UDP_ALLOW, ex.getMessage() + "; write CIDR blocks separated by commas, e.g. " +
                "127.0.0.0/8,10.0.0.0/24, or leave it empty for loopback and the serving subnet");
        }
        final int factor = intIn(ConfigKey.UDP_UNVALIDATED_REPLY_FACTOR, 0, MAX_REPLY_FACTOR,
            "; 3 is QUIC's limit, 0 removes the cap (an open UDP amplifier unless udp.allow is narrow)");
        final int sources = intIn(ConfigKey.UDP_VALIDATED_SOURCES, MIN_VALIDATED_SOURCES, MAX_VALIDATED_SOURCES, "");
        if (sources > 0 && Integer.bitCount(sources) != 1)
        {
            fail(ConfigKey.UDP_VALIDATED_SOURCES, "must be a power of two, e.g. " + Integer.highestOneBit(sources) * 2);
        }
        final int maxConnections = intIn(ConfigKey.MAX_CONNECTIONS, 1, MAX_CONNECTIONS, "");
        final long replyRate = Sizes.parse(value(ConfigKey.UDP_UNVALIDATED_REPLY_RATE));
        if (replyRate < 0)
        {
            fail(ConfigKey.UDP_UNVALIDATED_REPLY_RATE, "'" + value(ConfigKey.UDP_UNVALIDATED_REPLY_RATE) +
                "' is not a byte rate; write bytes per second, e.g. 1m or 65536, or 0 for no limit");
        }
        return new ExposureSettings(allow, factor, sources, maxConnections, Math.max(0, replyRate));
    }

    private BypassSettings bypass(final Backend backend, final int udpMaxPayload)
    {
        final List<String> ealArgs = value(ConfigKey.DPDK_EAL_ARGS).isBlank() ?
            List.of() : List.of(value(ConfigKey.DPDK_EAL_ARGS).trim().split("\\s+"));
        final String device = value(ConfigKey.DPDK_DEVICE).trim();
        final String address = value(ConfigKey.BYPASS_ADDRESS).trim();
        final String xdpInterface = value(ConfigKey.XDP_INTERFACE).trim();
        final String xdpMode = value(ConfigKey.XDP_MODE).trim().toLowerCase(Locale.ROOT);
        final Boolean needWakeup = bool(ConfigKey.XDP_NEED_WAKEUP);
        final Boolean busyPoll = bool(ConfigKey.XDP_BUSY_POLL);
        if (!List.of("auto", "zero-copy", "copy").contains(xdpMode))
        {
            fail(ConfigKey.XDP_MODE, "must be auto, zero-copy or copy");
        }
        if (!address.isEmpty() && !isIpv4(address))
        {
            fail(ConfigKey.BYPASS_ADDRESS, "must be an IPv4 address such as 10.0.0.1");
        }
        final boolean bypassBackend = backend == Backend.DPDK || backend == Backend.XDP;
        if (bypassBackend && udpMaxPayload > BYPASS_MAX_UDP_PAYLOAD)
        {
            fail(ConfigKey.UDP_MAX_PAYLOAD, "must be at most " + BYPASS_MAX_UDP_PAYLOAD + " with backend " +
                backend.name().toLowerCase(Locale.ROOT) + ": a reply datagram must fit one 1500-byte Ethernet frame, " +
                "as the bypass backends do not fragment; 1400 is the default");
        }
        if (backend == Backend.DPDK)
        {
            if (device.isEmpty())
            {
                fail(ConfigKey.DPDK_DEVICE, "backend dpdk needs the ethdev to serve on, e.g. net_memif0 (with " +
                    "--vdev=net_memif0 in dpdk.eal.args) or a PCI address bound to vfio-pci (see deploy/README.md)");
            }
            if (address.isEmpty())
            {
                fail(ConfigKey.BYPASS_ADDRESS, "backend dpdk needs the IPv4 address to answer on, e.g. 10.0.0.1: " +
                    "DPDK takes the NIC from the kernel, so no interface address applies");
            }
        }
        if (backend == Backend.XDP && xdpInterface.isEmpty())
        {
            fail(ConfigKey.XDP_INTERFACE, "backend xdp needs the network interface to serve on, e.g. eth1 " +
                "(`ip -br link` lists them)");
        }
        return new BypassSettings(ealArgs, device, address, xdpInterface, xdpMode,
            needWakeup == null || needWakeup, busyPoll != null && busyPoll, reassembly());
    }

    private ReassemblySettings reassembly()
    {
        final int contexts = intIn(ConfigKey.UDP_REASSEMBLY_CONTEXTS, 0, ReassemblySettings.MAX_CONTEXTS,
            "; each takes 64 KiB per lcore, 0 drops every fragment");
        int perSource = intIn(ConfigKey.UDP_REASSEMBLY_PER_SOURCE, 1, ReassemblySettings.MAX_CONTEXTS, "");
        if (contexts >= 0 && perSource > Math.max(1, contexts))
        {
            if (settings.get(ConfigKey.UDP_REASSEMBLY_PER_SOURCE).isDefault())
            {
                perSource = Math.max(1, contexts); // the default share follows a smaller pool
            }
            else
            {
                fail(ConfigKey.UDP_REASSEMBLY_PER_SOURCE, "must be at most udp.reassembly.contexts (" + contexts + ")");
            }
        }
        final long timeoutMs = millis(ConfigKey.UDP_REASSEMBLY_TIMEOUT, 1, ReassemblySettings.MAX_TIMEOUT_NS / 1_000_000);
        if (contexts < 0 || perSource < 1 || perSource > Math.max(1, contexts) || timeoutMs < 0)
        {
            return ReassemblySettings.defaults(); // the problems are reported; start-up stops
        }
        return new ReassemblySettings(contexts, perSource, timeoutMs * 1_000_000);
    }

    /** A duration such as {@code 1s}, {@code 250ms} or {@code 250} (ms) in [min, max] ms, or -1 (reported). */
    private long millis(final ConfigKey key, final long min, final long max)
    {
        final String text = value(key).trim().toLowerCase(Locale.ROOT);
        final boolean seconds = text.endsWith("s") && !text.endsWith("ms");
        final String digits = text.endsWith("ms") ? text.substring(0, text.length() - 2) :
            seconds ? text.substring(0, text.length() - 1) : text;
        try
        {
            final long v = Long.parseLong(digits.trim()) * (seconds ? 1000 : 1);
            if (v >= min && v <= max)
            {
                return v;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        fail(key, "must be a duration from " + formatMillis(min) + " to " + formatMillis(max) + ", e.g. 1s or 250ms");
        return -1;
    }

    /** @return {@code 2s} for whole seconds, else {@code 250ms}. */
    static String formatMillis(final long ms)
    {
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    <E extends Enum<E>> E choice(final ConfigKey key, final Class<E> type, final String allowed)
    {
        final String text = value(key).toUpperCase(Locale.ROOT).replace('-', '_');
        for (final E e : type.getEnumConstants())
        {
            if (e.name().equals(text))
            {
                return e;
            }
        }
        fail(key, "must be " + allowed);
        return null;
    }

    private IdleMode idle()
    {
        return choice(ConfigKey.IDLE, IdleMode.class, "busy-spin or backoff");
    }

    private Boolean bool(final ConfigKey key)
    {
        switch (value(key).toLowerCase(Locale.ROOT))
        {
            case "true", "yes", "on" ->
            {
                return Boolean.TRUE;
            }
            case "false", "no", "off" ->
            {
                return Boolean.FALSE;
            }
            default ->
            {
                fail(key, "must be true or false");
                return null;
            }
        }
    }

    private long memory()
    {
        // memcached's convention (-m 64 = 64 MiB), for the flag and the file alike.
        final long bytes = Sizes.parseMemory(value(ConfigKey.MEMORY));
        if (bytes < 0)
        {
            fail(ConfigKey.MEMORY,
                "not a size; write MiB (a bare number, as memcached's -m) or a number with k, m or g, e.g. 64m");
        }
        else if (bytes < MIN_MEMORY_BYTES)
        {
            fail(ConfigKey.MEMORY, "must be at least 1m");
        }
        else if (bytes > machine.totalMemoryBytes())
        {
            fail(ConfigKey.MEMORY, "exceeds this machine's memory (" + (machine.totalMemoryBytes() >> 20) +
                "m; a bare number is MiB); use less, e.g. " + Sizes.format(Math.max(MIN_MEMORY_BYTES, (machine.totalMemoryBytes() / 2) >> 20 << 20)));
        }
        else if (bytes > MAX_MEMORY_BYTES)
        {
            fail(ConfigKey.MEMORY, "at most 127g per instance in this build (the expiry wheel's links are indexed by " +
                "64-byte granule); use 127g or less, or run one instance per NUMA node");
        }
        else
        {
            return bytes;
        }
        return -1;
    }

    private long itemSizeMax()
    {
        final long bytes = Sizes.parse(value(ConfigKey.ITEM_SIZE_MAX));
        if (bytes < 0)
        {
            fail(ConfigKey.ITEM_SIZE_MAX, "not a size; write bytes or a number with k, m or g, e.g. 1m");
        }
        else if (bytes < MIN_ITEM_SIZE_BYTES || bytes > MAX_ITEM_SIZE_BYTES)
        {
            fail(ConfigKey.ITEM_SIZE_MAX, "must be between 1k and 1g, e.g. 1m");
        }
        else
        {
            return bytes;
        }
        return -1;
    }

    private List<Integer> cpus(final int lcores)
    {
        final String text = value(ConfigKey.CPUS);
        if (text.isEmpty())
        {
            return List.of();
        }
        final List<Integer> cpus = new ArrayList<>();
        for (final String part : text.split(",", -1))
        {
            final String p = part.trim();
            final int dash = p.indexOf('-');
            try
            {
                if (dash > 0)
                {
                    final int from = Integer.parseInt(p.substring(0, dash).trim());
                    final int to = Integer.parseInt(p.substring(dash + 1).trim());
                    if (from < 0 || to < from || to - from > MAX_LCORES)
                    {
                        throw new NumberFormatException(p);
                    }
                    for (int c = from; c <= to; c++)
                    {
                        cpus.add(c);
                    }
                }
                else
                {
                    final int c = Integer.parseInt(p);
                    if (c < 0)
                    {
                        throw new NumberFormatException(p);
                    }
                    cpus.add(c);
                }
            }
            catch (final NumberFormatException ex)
            {
                fail(ConfigKey.CPUS, "must be a list of cpu ids such as 2,3 or 2-5");
                return List.of();
            }
        }
        final int available = machine.availableProcessors();
        for (int i = 0; i < cpus.size(); i++)
        {
            final int c = cpus.get(i);
            if (c >= available)
            {
                fail(ConfigKey.CPUS, "cpu " + c + " does not exist; this machine has cpus 0-" + (available - 1));
                return List.of();
            }
            if (cpus.indexOf(c) != i)
            {
                fail(ConfigKey.CPUS, "cpu " + c + " is listed twice; give each lcore its own cpu");
                return List.of();
            }
        }
        if (lcores > 0 && cpus.size() != lcores)
        {
            fail(ConfigKey.CPUS, "lists " + cpus.size() + " cpu" + (cpus.size() == 1 ? "" : "s") + " but lcores = " +
                lcores + "; give exactly one cpu per lcore, or leave cpus empty to not pin");
            return List.of();
        }
        return List.copyOf(cpus);
    }

    private int partitions(final int writers)
    {
        final int partitions = intIn(ConfigKey.PARTITIONS, 1, MAX_PARTITIONS, "");
        if (partitions < 0)
        {
            return partitions;
        }
        if (Integer.bitCount(partitions) != 1)
        {
            final int suggestion = Math.max(Integer.highestOneBit(partitions) << 1, writers > 0 ? ceilPow2(writers) : 1);
            fail(ConfigKey.PARTITIONS, "must be a power of two, e.g. " + suggestion);
        }
        else if (writers > 0 && partitions < writers)
        {
            fail(ConfigKey.PARTITIONS, "must be at least writers (" + writers + "), e.g. " + ceilPow2(writers) +
                "; or lower writers");
        }
        return partitions;
    }

    private static int ceilPow2(final int n)
    {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }
}
