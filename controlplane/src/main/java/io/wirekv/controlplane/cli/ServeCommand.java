package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.cnc.MetricsServer;
import io.wirekv.controlplane.config.ConcludedConfig;
import io.wirekv.controlplane.config.ConfigKey;
import io.wirekv.controlplane.config.ConfigLoader;
import io.wirekv.controlplane.config.ConfigValidator;
import io.wirekv.controlplane.config.Machine;
import io.wirekv.controlplane.config.Setting;
import io.wirekv.controlplane.systemd.SystemdNotifier;
import io.wirekv.dataplane.replication.ReplicationConnector;
import io.wirekv.dataplane.replication.TcpReplicationConnector;
import io.wirekv.dataplane.replication.rdma.RdmaConnector;
import io.wirekv.dataplane.replication.rdma.ReplicationTransportSelector;
import io.wirekv.dataplane.replication.rdma.TransportChoice;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code wirekv serve}: concludes the configuration (defaults, then the file, then flags),
 * validates every key before any thread starts, prints it, starts the server and serves until
 * SIGTERM or SIGINT, when a shutdown hook closes the server.
 */
@Command(name = "serve", sortOptions = false,
    description = {"Run the appliance in the foreground until SIGTERM or SIGINT.",
        "Settings come from the defaults, then --config FILE, then flags (flags",
        "win). Every setting is checked before anything starts, and the concluded",
        "configuration is printed with where each value came from."})
final class ServeCommand implements Callable<Integer>
{
    /** How often a start-up that has not served yet says where it is. */
    private static final long STARTUP_REPORT_MS = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--config", paramLabel = "FILE", description = "configuration file (key = value lines; see wirekv.conf.sample)")
    Path configFile;

    @Option(names = "--listen", paramLabel = "ADDR", description = "IPv4 address to serve on (listen; default 127.0.0.1)")
    String listen;

    @Option(names = "--port", paramLabel = "N", description = "UDP and TCP port, 0 = any free port (port; default 11211)")
    String port;

    @Option(names = "--backend", paramLabel = "kernel|xdp|dpdk", description = "UDP packet I/O (backend; default kernel)")
    String backend;

    @Option(names = "--eal-args", paramLabel = "ARGS", description = "dpdk: EAL arguments in one string, e.g. " +
        "'--vdev=net_memif0 --no-huge' (dpdk.eal.args)")
    String ealArgs;

    @Option(names = "--dpdk-device", paramLabel = "NAME", description = "dpdk: ethdev to serve on, e.g. net_memif0 or " +
        "0000:01:00.0 (dpdk.device)")
    String dpdkDevice;

    @Option(names = "--bypass-address", paramLabel = "IPV4", description = "dpdk: IPv4 address to answer on; xdp: " +
        "default the interface's (bypass.address)")
    String bypassAddress;

    @Option(names = "--xdp-interface", paramLabel = "IFNAME", description = "xdp: network interface to serve on (xdp.interface)")
    String xdpInterface;

    @Option(names = "--memory", paramLabel = "SIZE", description = "table memory, e.g. 64m, 4g; a bare number is MiB " +
        "as with memcached's -m (64 = 64m) (memory; default 64m)")
    String memory;

    @Option(names = "--lcores", paramLabel = "N", description = "UDP lcore threads (lcores; default 1)")
    String lcores;

    @Option(names = "--cpus", paramLabel = "LIST", description = "cpu per lcore, e.g. 2,3 or 2-5 (cpus; default: not pinned)")
    String cpus;

    @Option(names = "--writers", paramLabel = "N", description = "writer threads (writers; default 1)")
    String writers;

    @Option(names = "--tcp-threads", paramLabel = "N", description = "TCP threads, 0 = no TCP (tcp.threads; default 1)")
    String tcpThreads;

    @Option(names = "--partitions", paramLabel = "N", description = "table partitions, a power of two >= writers (partitions; default 4)")
    String partitions;

    @Option(names = "--mode", paramLabel = "cache|store", description = "evict when full, or refuse writes (mode; default cache)")
    String mode;

    @Option(names = "--item-size-max", paramLabel = "SIZE", description = "largest item (item.size.max; default 1m)")
    String itemSizeMax;

    @Option(names = "--idle", paramLabel = "busy-spin|backoff", description = "idle strategy of lcores and writers (idle; default backoff)")
    String idle;

    @Option(names = "--instance", paramLabel = "NAME", description = "instance name (instance; default 'default')")
    String instance;

    @Option(names = "--no-hugepages", description = "do not use hugepages for table memory (hugepages = false)")
    boolean noHugepages;

    @Option(names = "--colocate", description = "run writers and TCP inside lcore 0's thread: one thread serves " +
        "everything, for one-core machines (colocate = true)")
    boolean colocate;

    @Option(names = "--enable-shutdown", description = "let the protocol's 'shutdown' command stop the server, as " +
        "memcached's -A (shutdown.command = true)")
    boolean enableShutdown;

    @Option(names = "--enable-sasl", description = "SASL PLAIN on the binary protocol, as memcached's -S; the text " +
        "protocol is then refused (auth.sasl = true)")
    boolean enableSasl;

    @Option(names = "--sasl-password-file", paramLabel = "FILE", description = "the users for --enable-sasl, one " +
        "user:password per line (auth.sasl.password.file)")
    String saslPasswordFile;

    @Option(names = "--udp-allow", paramLabel = "CIDRS", description = "UDP sources served, e.g. 10.0.0.0/8,192.0.2.7; " +
        "0.0.0.0/0 = all (udp.allow; default loopback and the serving subnet)")
    String udpAllow;

    @Option(names = "--max-connections", paramLabel = "N", description = "most TCP connections, like memcached's -c " +
        "(max.connections; default 1024)")
    String maxConnections;

    @Option(names = "--metrics-port", paramLabel = "N", description = "Prometheus /metrics port on metrics.listen, " +
        "0 = off (metrics.port; default 0)")
    String metricsPort;

    @Option(names = "--persistence", paramLabel = "none|async|sync", description = "keep writes in a log: none " +
        "(a cache), async (synced every persistence.async.interval) or sync (reply after the sync) (persistence; " +
        "default none)")
    String persistence;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "directory of the log, for async and sync (data.dir)")
    String dataDir;

    @Option(names = "--replication-role", paramLabel = "none|primary|backup", description = "replication: primary " +
        "pushes its log to --replication-peer, backup applies a primary's stream and refuses writes " +
        "(replication.role; default none; needs --persistence async or sync)")
    String replicationRole;

    @Option(names = "--replication-mode", paramLabel = "async|sync", description = "sync: a write's reply waits for " +
        "the backup (replication.mode; default async)")
    String replicationMode;

    @Option(names = "--replication-listen", paramLabel = "HOST:PORT", description = "where this node accepts a " +
        "primary's stream (replication.listen; required for a backup)")
    String replicationListen;

    @Option(names = "--replication-peer", paramLabel = "HOST:PORT", description = "the backup a primary pushes to " +
        "(replication.peer)")
    String replicationPeer;

    @Option(names = "--recover-truncate", description = "start even when a log is damaged in the middle: keep what " +
        "precedes the damage and drop the rest of that partition's log (reported at start-up)")
    boolean recoverTruncate;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "set any configuration key, e.g. --set udp.max.payload=1400")
    List<String> sets;

    @Option(names = "--check", description = "validate and print the configuration, then exit without serving")
    boolean check;

    /**
     * A warning when this process may run on one CPU only (e.g. started under {@code taskset -c 0}) and the dataplane
     * has more than one polling thread, or null: they would take turns on that CPU, each spinning through the others'
     * time.
     * Measured here with one lcore, one writer and one TCP thread under {@code taskset -c 0}: 62-81k SET/s over TCP,
     * against 109-117k for the same server with {@code --colocate}.
     */
    static String crowdedCpuWarning(final io.wirekv.dataplane.server.ServerConfig config, final int cpus)
    {
        final int pollers = config.colocate() ? config.lcores() : config.lcores() + config.writers() + config.tcpThreads();
        if (cpus != 1 || pollers <= 1)
        {
            return null;
        }
        return "this process may run on one cpu and the dataplane has " + pollers + " polling threads (lcores, " +
            "writers, tcp.threads), which will take turns on it" +
            (config.colocate() ? "; use lcores=1" : "; set colocate=true (--colocate) to run them in one thread");
    }

    /**
     * The concluded configuration with its replication transport ({@code replication.transport}): TCP, or RDMA on the
     * device discovery found. With replication on, prints the start-up line that says which and why; {@code rdma}
     * without a usable device stops start-up.
     */
    private static ServerConfig withReplicationTransport(final ConcludedConfig concluded, final PrintWriter out)
    {
        final ServerConfig config = concluded.config();
        if (!config.replication().enabled())
        {
            return config;
        }
        final TransportChoice choice;
        try
        {
            choice = ReplicationTransportSelector.select(concluded.replicationTransport());
        }
        catch (final IllegalStateException ex)
        {
            throw new UserException("cannot start the server: " + ex.getMessage());
        }
        out.println(choice.reportLine());
        out.flush();
        final ReplicationConnector transport = choice.isRdma() ? RdmaConnector.verbs(choice) :
            TcpReplicationConnector.INSTANCE;
        return config.withReplication(config.replication().withTransport(transport));
    }

    @Override
    public Integer call() throws InterruptedException
    {
        final ConcludedConfig concluded = ConfigValidator.validate(settings(), Machine.current());
        final PrintWriter out = spec.commandLine().getOut();
        out.print(concluded.describe());
        out.flush();
        if (check)
        {
            out.println("configuration OK");
            return 0;
        }

        final ServerConfig replicated = withReplicationTransport(concluded, out);
        final String crowded = crowdedCpuWarning(concluded.config(), Runtime.getRuntime().availableProcessors());
        if (null != crowded)
        {
            System.err.println("wirekv: warning: " + crowded);
        }
        final WirekvServer server;
        // a start-up that takes long (recovery, a slow disk, a starved CPU) says where it is every 10 s
        try (StartupWatch ignored = StartupWatch.start(Thread.currentThread(), System.out, STARTUP_REPORT_MS))
        {
            final ServerConfig config = recoverTruncate ? replicated.withPersistence(
                recoverTruncateOn(replicated.persistence())) : replicated;
            server = WirekvServer.start(config, SystemEpochClock.INSTANCE, System.out, concluded.describe());
        }
        catch (final RuntimeException ex)
        {
            WirekvCli.debug(ex);
            throw new UserException("cannot start the server: " + ex.getMessage());
        }
        final MetricsServer metrics = startMetrics(concluded, server);
        final Thread hook = new Thread(() -> closeOnSignal(server, metrics, System.out), "wirekv-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final ServerConfig served = concluded.config();
        final String udp = served.backend() == ServerConfig.Backend.KERNEL ? served.listenAddress() :
            served.backend().name().toLowerCase(java.util.Locale.ROOT) + " " + (served.backend() == ServerConfig.Backend.DPDK ?
                served.bypass().dpdkDevice() + " " + served.bypass().ipv4() : served.bypass().xdpInterface());
        final String serving = "serving udp " + udp + ":" + server.udpPort() +
            (server.tcpPort() < 0 ? ", tcp disabled" : ", tcp " + concluded.config().listenAddress() + ":" + server.tcpPort());
        // One full collection before announcing readiness: start-up's garbage goes now, and what start-up built to keep
        // (index arrays, rings, pools) is promoted now, not copied by a young collection under load (seen: the
        // first young collection, in the first minute of load, copied 65 MB in 835 ms)
        System.gc();
        out.println("wirekv: " + serving + "; stop with SIGTERM or Ctrl-C");
        out.flush();
        // Type=notify: systemd counts the unit as started only now, with ports bound and lcores running.
        final String notifyProblem = SystemdNotifier.fromEnvironment().ready(serving);
        if (notifyProblem != null)
        {
            System.err.println("wirekv: warning: " + notifyProblem);
        }
        server.awaitShutdown();
        CloseHelper.quietClose(metrics); // 'wirekv shutdown' closes the server without a signal
        return 0;
    }

    /** The Prometheus exporter: a reader of the instance's CnC file, like 'wirekv stat'; null when disabled. */
    private static MetricsServer startMetrics(final ConcludedConfig concluded, final WirekvServer server)
    {
        if (concluded.metricsPort() == 0)
        {
            return null;
        }
        try
        {
            final MetricsServer metrics = MetricsServer.start(CncFileDescriptor.baseDirectory(),
                concluded.config().instanceName(), concluded.metricsListen(), concluded.metricsPort(),
                server.requestLatencies());
            System.out.println("wirekv: metrics at http://" + concluded.metricsListen() + ":" + metrics.port() + "/metrics");
            return metrics;
        }
        catch (final RuntimeException ex)
        {
            server.close();
            throw new UserException(ex.getMessage());
        }
    }

    private static void closeOnSignal(final WirekvServer server, final MetricsServer metrics, final PrintStream log)
    {
        log.println("wirekv: shutting down");
        SystemdNotifier.fromEnvironment().stopping("shutting down");
        CloseHelper.quietClose(metrics);
        server.close();
        log.println("wirekv: stopped");
        log.flush();
    }

    /** File settings overlaid by flags; each remembers where it came from. */
    Map<String, Setting> settings()
    {
        final Map<String, Setting> settings = new LinkedHashMap<>();
        if (configFile != null)
        {
            settings.putAll(ConfigLoader.load(configFile));
        }
        flag(settings, ConfigKey.LISTEN, listen);
        flag(settings, ConfigKey.PORT, port);
        flag(settings, ConfigKey.BACKEND, backend);
        flag(settings, ConfigKey.DPDK_EAL_ARGS, ealArgs);
        flag(settings, ConfigKey.DPDK_DEVICE, dpdkDevice);
        flag(settings, ConfigKey.BYPASS_ADDRESS, bypassAddress);
        flag(settings, ConfigKey.XDP_INTERFACE, xdpInterface);
        flag(settings, ConfigKey.MEMORY, memory);
        flag(settings, ConfigKey.LCORES, lcores);
        flag(settings, ConfigKey.CPUS, cpus);
        flag(settings, ConfigKey.WRITERS, writers);
        flag(settings, ConfigKey.TCP_THREADS, tcpThreads);
        flag(settings, ConfigKey.PARTITIONS, partitions);
        flag(settings, ConfigKey.MODE, mode);
        flag(settings, ConfigKey.ITEM_SIZE_MAX, itemSizeMax);
        flag(settings, ConfigKey.IDLE, idle);
        flag(settings, ConfigKey.INSTANCE, instance);
        flag(settings, ConfigKey.UDP_ALLOW, udpAllow);
        flag(settings, ConfigKey.MAX_CONNECTIONS, maxConnections);
        flag(settings, ConfigKey.METRICS_PORT, metricsPort);
        flag(settings, ConfigKey.PERSISTENCE, persistence);
        flag(settings, ConfigKey.DATA_DIR, dataDir);
        flag(settings, ConfigKey.REPLICATION_ROLE, replicationRole);
        flag(settings, ConfigKey.REPLICATION_MODE, replicationMode);
        flag(settings, ConfigKey.REPLICATION_LISTEN, replicationListen);
        flag(settings, ConfigKey.REPLICATION_PEER, replicationPeer);
        if (noHugepages)
        {
            flag(settings, ConfigKey.HUGEPAGES, "false");
        }
        if (colocate)
        {
            flag(settings, ConfigKey.COLOCATE, "true");
        }
        if (enableShutdown)
        {
            flag(settings, ConfigKey.SHUTDOWN_COMMAND, "true");
        }
        if (enableSasl)
        {
            flag(settings, ConfigKey.AUTH_SASL, "true");
        }
        flag(settings, ConfigKey.AUTH_SASL_PASSWORD_FILE, saslPasswordFile);
        if (sets != null)
        {
            for (final String s : sets)
            {
                final int eq = s.indexOf('=');
                if (eq <= 0)
                {
                    throw new UserException("--set " + s + ": expected KEY=VALUE, e.g. --set udp.max.payload=1400");
                }
                final String key = s.substring(0, eq).trim();
                settings.put(key, new Setting(key, s.substring(eq + 1).trim(), "--set " + key));
            }
        }
        return settings;
    }

    private static io.wirekv.dataplane.log.PersistenceSettings recoverTruncateOn(
        final io.wirekv.dataplane.log.PersistenceSettings p)
    {
        return p.withRecoverTruncate();
    }

    private static void flag(final Map<String, Setting> settings, final ConfigKey key, final String value)
    {
        if (value != null)
        {
            settings.put(key.key(), new Setting(key.key(), value.trim(), key.flag()));
        }
    }
}
