package io.wirekv.controlplane.config;

import io.wirekv.dataplane.server.ServerConfig;

import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every key the configuration file accepts, with the {@code serve} flag that overrides it, its
 * default (read from {@link ServerConfig#defaults()}, so the two never drift apart) and a
 * one-line description. The order is the order of the sample file and of the start-up report.
 */
public enum ConfigKey
{
    INSTANCE("instance", "--instance", "name of this instance (CnC file, logs); letters, digits, '.', '_', '-'",
        ServerConfig::instanceName),
    LISTEN("listen", "--listen", "IPv4 address to serve UDP and TCP on; 0.0.0.0 = every interface",
        ServerConfig::listenAddress),
    PORT("port", "--port", "UDP and TCP port, like memcached's -p/-U; 0 picks a free port",
        c -> Integer.toString(c.port())),
    BACKEND("backend", "--backend", "UDP packet I/O: kernel (sockets), xdp (AF_XDP on xdp.interface) or dpdk (dpdk.device)",
        c -> c.backend().name().toLowerCase(Locale.ROOT)),
    DPDK_EAL_ARGS("dpdk.eal.args", "--eal-args", "dpdk: EAL arguments, space-separated, e.g. --vdev=net_memif0 -a 0000:01:00.0",
        c -> String.join(" ", c.bypass().dpdkEalArgs())),
    DPDK_DEVICE("dpdk.device", "--dpdk-device", "dpdk: the ethdev to serve on, a vdev name (net_memif0) or PCI address",
        c -> c.bypass().dpdkDevice()),
    BYPASS_ADDRESS("bypass.address", "--bypass-address", "dpdk: the IPv4 address the appliance answers on (ARP, ICMP, UDP); " +
        "xdp: empty = the interface's own", c -> c.bypass().ipv4()),
    XDP_INTERFACE("xdp.interface", "--xdp-interface", "xdp: the network interface; lcore i serves its queue i",
        c -> c.bypass().xdpInterface()),
    XDP_MODE("xdp.mode", null, "xdp: auto (zero-copy where the driver can, else copy), zero-copy or copy",
        c -> c.bypass().xdpMode()),
    XDP_NEED_WAKEUP("xdp.need.wakeup", null, "xdp: true = system calls only when the kernel asks (need_wakeup)",
        c -> Boolean.toString(c.bypass().xdpNeedWakeup())),
    XDP_BUSY_POLL("xdp.busy.poll", null, "xdp: true = preferred busy polling on the sockets (SO_PREFER_BUSY_POLL)",
        c -> Boolean.toString(c.bypass().xdpBusyPoll())),
    UDP_REASSEMBLY_CONTEXTS("udp.reassembly.contexts", null, "xdp/dpdk: UDP datagrams each lcore reassembles from IPv4 " +
        "fragments at once, 64 KiB each, 0..1024; 0 = drop fragments", c -> Integer.toString(c.bypass().reassembly().contexts())),
    UDP_REASSEMBLY_PER_SOURCE("udp.reassembly.per.source", null, "xdp/dpdk: of those, most for one source address, " +
        "1..udp.reassembly.contexts", c -> Integer.toString(c.bypass().reassembly().perSourceContexts())),
    UDP_REASSEMBLY_TIMEOUT("udp.reassembly.timeout", null, "xdp/dpdk: how long a fragmented datagram may wait for its " +
        "missing fragments, 1ms..30s, e.g. 1s or 250ms (a bare number is ms)",
        c -> ConfigValidator.formatMillis(c.bypass().reassembly().timeoutNs() / 1_000_000)),
    MEMORY("memory", "--memory", "table memory budget, e.g. 64m, 4g; a bare number is MiB (memcached's -m)",
        c -> Sizes.format(c.memoryBytes())),
    MODE("mode", "--mode", "cache (evict cold items when full) or store (refuse writes when full)",
        c -> c.memoryMode().name().toLowerCase(Locale.ROOT)),
    ITEM_SIZE_MAX("item.size.max", "--item-size-max", "largest item (key + value), 1k..1g and at most memory",
        c -> Sizes.format(c.itemSizeMaxBytes())),
    LCORES("lcores", "--lcores", "UDP lcore threads, each with its own socket (SO_REUSEPORT)",
        c -> Integer.toString(c.lcores())),
    CPUS("cpus", "--cpus", "CPU per lcore, e.g. 2,3 or 2-5; one per lcore; empty = do not pin",
        c -> c.lcoreCpus().stream().map(String::valueOf).collect(Collectors.joining(","))),
    WRITERS("writers", "--writers", "writer threads; partition p belongs to writer p % writers",
        c -> Integer.toString(c.writers())),
    PARTITIONS("partitions", "--partitions", "table partitions: a power of two, at least writers",
        c -> Integer.toString(c.partitions())),
    TCP_THREADS("tcp.threads", "--tcp-threads", "threads serving TCP; 0 disables TCP",
        c -> Integer.toString(c.tcpThreads())),
    UDP_MAX_PAYLOAD("udp.max.payload", null, "largest reply datagram payload in bytes, frame header included, 64..65507",
        c -> Integer.toString(c.udpMaxPayloadBytes())),
    BURST_SIZE("burst.size", null, "datagrams per recvmmsg/sendmmsg batch, 1..1024",
        c -> Integer.toString(c.burstSize())),
    UDP_SLOTS("udp.slots", null, "datagrams an lcore can hold while their writes are in flight, at least burst.size",
        c -> Integer.toString(c.udpSlotsPerLcore())),
    IDLE("idle", "--idle", "what idle lcores and writers do: busy-spin (production) or backoff (shared machines)",
        c -> c.idle() == ServerConfig.IdleMode.BUSY_SPIN ? "busy-spin" : "backoff"),
    HUGEPAGES("hugepages", "--no-hugepages", "back table memory with hugepages where reserved: true or false",
        c -> Boolean.toString(c.preferHugepages())),
    COLOCATE("colocate", "--colocate", "run writers and TCP inside lcore 0's thread (one thread serves all): true or false",
        c -> Boolean.toString(c.colocate())),
    SHUTDOWN_COMMAND("shutdown.command", "--enable-shutdown",
        "let the protocol's 'shutdown' command stop the server (memcached's -A): true or false",
        c -> Boolean.toString(c.shutdownCommand())),
    AUTH_SASL("auth.sasl", "--enable-sasl", "SASL PLAIN authentication on the binary protocol, as memcached's -S " +
        "(the text protocol is then refused): true or false", c -> Boolean.toString(c.auth().sasl())),
    AUTH_SASL_PASSWORD_FILE("auth.sasl.password.file", "--sasl-password-file", "auth.sasl: the users, one " +
        "user:password per line (memcached's MEMCACHED_SASL_PWDB format)", c -> c.auth().passwordFile()),
    UDP_ALLOW("udp.allow", "--udp-allow", "UDP sources served, comma-separated CIDR blocks (10.0.0.0/8, 192.0.2.7); " +
        "empty = loopback and the serving interface's subnet; 0.0.0.0/0 = every source",
        c -> String.join(",", c.exposure().udpAllow())),
    UDP_UNVALIDATED_REPLY_FACTOR("udp.unvalidated.reply.factor", null, "an unvalidated UDP source (no TCP connection " +
        "from its address) gets at most this many times its request back, 0..1000; 0 = no cap",
        c -> Integer.toString(c.exposure().unvalidatedReplyFactor())),
    UDP_UNVALIDATED_REPLY_RATE("udp.unvalidated.reply.rate", null, "reply bytes per second one unvalidated UDP " +
        "source may get from each lcore (token bucket, 1 s burst), e.g. 1m; 0 = no limit beyond the reply factor",
        c -> Long.toString(c.exposure().unvalidatedReplyRate())),
    UDP_VALIDATED_SOURCES("udp.validated.sources", null, "addresses remembered as validated by a TCP connection, " +
        "a power of two, 8..16777216", c -> Integer.toString(c.exposure().validatedSources())),
    MAX_CONNECTIONS("max.connections", "--max-connections", "most TCP connections open at once, like memcached's -c; " +
        "the next is answered ERROR Too many open connections and closed", c -> Integer.toString(c.exposure().maxConnections())),
    PERSISTENCE("persistence", "--persistence", "none (a cache: nothing survives a restart), async (log synced every " +
        "persistence.async.interval) or sync (a write's reply leaves after its log record is synced)",
        c -> c.persistence().mode().name().toLowerCase(Locale.ROOT)),
    DATA_DIR("data.dir", "--data-dir", "directory of the log (and snapshots); needed by async and sync; one instance " +
        "at a time (data.dir/LOCK)", c -> null == c.persistence().dataDir() ? "" : c.persistence().dataDir().toString()),
    PERSISTENCE_ASYNC_INTERVAL("persistence.async.interval", null, "async: how often the log is synced, 1ms..60s " +
        "(e.g. 1s, 200ms); at most this much acknowledged data is lost in a crash",
        c -> Durations.format(c.persistence().asyncIntervalMs())),
    LOG_SEGMENT_SIZE("log.segment.size", null, "bytes preallocated per log segment file, 1m..1g and at least " +
        "item.size.max + 64k", c -> Sizes.format(c.persistence().segmentSizeBytes())),
    SNAPSHOT_LOG_FACTOR("snapshot.log.factor", null, "a partition is snapshotted (and the log it covers deleted) when " +
        "its log bytes exceed this many times its live bytes, 1..100, and snapshot.min.log.size",
        c -> stripZeros(c.persistence().snapshotLogFactor())),
    SNAPSHOT_MIN_LOG_SIZE("snapshot.min.log.size", null, "no automatic snapshot of a partition whose log is smaller, " +
        "1m..1t", c -> Sizes.format(c.persistence().snapshotMinLogBytes())),
    REPLICATION_ROLE("replication.role", "--replication-role", "none, primary (pushes its log to replication.peer) " +
        "or backup (applies a primary's stream from replication.listen, serves reads, refuses writes); needs " +
        "persistence async or sync", c -> c.replication().role().name().toLowerCase(Locale.ROOT)),
    REPLICATION_MODE("replication.mode", "--replication-mode", "async (reply without waiting for the backup) or sync " +
        "(a write's reply leaves once the backup has it, and synced it with persistence = sync there)",
        c -> c.replication().mode().name().toLowerCase(Locale.ROOT)),
    REPLICATION_LISTEN("replication.listen", "--replication-listen", "host:port this node accepts a primary's stream " +
        "on; required for a backup, optional for a primary (demote then needs no restart)",
        c -> null == c.replication().listen() ? "" : c.replication().listen().toString()),
    REPLICATION_PEER("replication.peer", "--replication-peer", "host:port of the backup's replication.listen that a " +
        "primary pushes to", c -> null == c.replication().peer() ? "" : c.replication().peer().toString()),
    REPLICATION_SYNC_TIMEOUT("replication.sync.timeout", null, "sync: the longest a write's reply waits for the " +
        "backup's ACK, link up or down, before it is answered SERVER_ERROR (not acknowledged), 1ms..60s",
        c -> Durations.format(c.replication().syncTimeoutMs())),
    // Control-plane keys: not part of ServerConfig; their concluded values live in ConcludedConfig.
    METRICS_PORT("metrics.port", "--metrics-port", "Prometheus /metrics HTTP port; 0 disables the exporter",
        c -> "0", true),
    METRICS_LISTEN("metrics.listen", null, "IPv4 address the metrics endpoint binds to", c -> "127.0.0.1", true),
    // Concluded by the control plane, which runs RDMA discovery at start-up (ReplicationTransportSelector).
    REPLICATION_TRANSPORT("replication.transport", null, "replication stream transport: auto (RDMA where a device " +
        "has an ACTIVE port, else TCP; says which at start-up), tcp or rdma (stops start-up without a device)",
        c -> io.wirekv.dataplane.replication.rdma.ReplicationTransport.AUTO.configValue(), true);

    private final String key;
    private final String flag;
    private final String description;
    private final Function<ServerConfig, String> valueOf;
    private final boolean controlPlane;

    ConfigKey(final String key, final String flag, final String description, final Function<ServerConfig, String> valueOf)
    {
        this(key, flag, description, valueOf, false);
    }

    /** @param controlPlane true when the key is not in ServerConfig; valueOf then gives its default. */
    ConfigKey(final String key, final String flag, final String description, final Function<ServerConfig, String> valueOf,
        final boolean controlPlane)
    {
        this.key = key;
        this.flag = flag;
        this.description = description;
        this.valueOf = valueOf;
        this.controlPlane = controlPlane;
    }

    /** True for keys the control plane consumes itself (metrics), whose values ServerConfig does not hold. */
    public boolean isControlPlane()
    {
        return controlPlane;
    }

    /** The name used in the configuration file, e.g. {@code tcp.threads}. */
    public String key()
    {
        return key;
    }

    /** The {@code serve} flag that overrides it, or null when only the file (or --set) sets it. */
    public String flag()
    {
        return flag;
    }

    public String description()
    {
        return description;
    }

    /** This key's value in {@code config}, written as the file would write it (the default for control-plane keys). */
    public String valueIn(final ServerConfig config)
    {
        return valueOf.apply(config);
    }

    /** The embedded default, as the file would write it. */
    public String defaultValue()
    {
        return valueIn(ServerConfig.defaults());
    }

    /** @return the key named {@code name}, or null. */
    public static ConfigKey byKey(final String name)
    {
        for (final ConfigKey k : values())
        {
            if (k.key.equals(name))
            {
                return k;
            }
        }
        return null;
    }

    /** All keys, comma-separated, in file order. */
    public static String validKeys()
    {
        final StringBuilder sb = new StringBuilder();
        for (final ConfigKey k : values())
        {
            if (!sb.isEmpty())
            {
                sb.append(", ");
            }
            sb.append(k.key);
        }
        return sb.toString();
    }

    /**
     * The closest valid key to a misspelt one ({@code tcp_threads}, {@code partition}), or null
     * when nothing is close.
     */
    public static String suggest(final String unknown)
    {
        final String normalized = unknown.toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final ConfigKey k : values())
        {
            if (k.key.equals(normalized))
            {
                return k.key;
            }
            final int d = distance(normalized, k.key);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = k.key;
            }
        }
        for (final ConfigKey k : values())
        {
            if (normalized.length() >= 3 && (k.key.startsWith(normalized) || normalized.startsWith(k.key)))
            {
                return k.key;
            }
        }
        return bestDistance <= Math.max(2, normalized.length() / 3) ? best : null;
    }

    /** 2.0 as "2", 2.5 as "2.5". */
    static String stripZeros(final double value)
    {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static int distance(final String a, final String b)
    {
        final int[] prev = new int[b.length() + 1];
        final int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            System.arraycopy(cur, 0, prev, 0, cur.length);
        }
        return prev[b.length()];
    }
}
