package io.wirekv.dataplane.server;

import io.wirekv.dataplane.cnc.CncFile;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.guard.UdpGuard;
import io.wirekv.dataplane.guard.ValidatedSources;
import io.wirekv.dataplane.digest.TableDigests;
import io.wirekv.dataplane.housekeeping.CncSources;
import io.wirekv.dataplane.housekeeping.Housekeeping;
import io.wirekv.dataplane.housekeeping.LifecycleLog;
import io.wirekv.dataplane.latency.RequestLatency;
import io.wirekv.dataplane.lcore.UdpLcoreAgent;
import io.wirekv.dataplane.log.Durability;
import io.wirekv.dataplane.lcore.UdpLcoreSettings;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.port.DpdkPorts;
import io.wirekv.dataplane.port.KernelPorts;
import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.port.PortSet;
import io.wirekv.dataplane.port.XdpPorts;
import io.wirekv.dataplane.proto.ProtocolSettings;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.replication.ReplicationCounters;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.ClockTicker;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import io.wirekv.dataplane.tcp.ConnectionLimit;
import io.wirekv.dataplane.tcp.TcpAgent;
import io.wirekv.dataplane.writer.WriterAgent;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running appliance: table, writer threads, UDP lcores and TCP threads, started from a
 * validated {@link ServerConfig}. {@link #close()} stops every thread and frees all memory.
 * <pre>
 *   UDP lcore i ─┐                         ┌─► writer 0 (partitions 0, W, 2W, ...)
 *   TCP thread j ┴─ request/reply rings ───┴─► writer w (partitions w, w+W, ...)
 * </pre>
 * Reader indices in the {@link WriteRings}: lcores first, then TCP threads.
 */
public final class WirekvServer implements AutoCloseable
{
    /** Extra room beyond the item size for a record's or a reply's header and key around a value. */
    private static final int FRAMING_BYTES = 64 * 1024;
    /** Colocated, TCP polls its selector every 16th duty cycle of lcore 0 (see TcpAgent). */
    private static final int COLOCATED_TCP_SELECT_INTERVAL = 16;

    private final ServerConfig config;
    private final CachedEpochClock tableClock;
    private final ClockTicker clockTicker;
    private final Table table;
    private final WriteRings rings;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<UdpLcoreAgent> lcores = new ArrayList<>();
    private final List<AgentRunner> lcoreRunners = new ArrayList<>();
    private final List<Agent> agents = new ArrayList<>();
    private final List<TcpAgent> tcpAgents = new ArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private PortSet ports;
    private final PrintStream log;
    private final AtomicBoolean isClosed = new AtomicBoolean();
    private final AtomicBoolean shutdownRequested = new AtomicBoolean();
    // CnC file and housekeeping thread (io.wirekv.dataplane.housekeeping)
    private final ThreadErrorHandler errorHandler;
    /** Created first and closed last: every thread's counters live in it (its counter registry). */
    private final CncFile cnc;
    private String statusText = "";
    private UdpGuard udpGuard;
    private final List<String> guardNotes = new ArrayList<>();
    private Housekeeping housekeeping;
    /** The log (persistence async/sync), or null (none). */
    private final Durability durability;
    /** Replication (role primary/backup), or null (none). */
    private final io.wirekv.dataplane.replication.Replication replication;

    private WirekvServer(final ServerConfig config, final EpochClock clock, final PrintStream log, final String configText)
        throws IOException
    {
        this.config = config;
        this.log = log;
        this.errorHandler = new ThreadErrorHandler(log);
        LifecycleLog.event(log, "INFO", config.instanceName(), "start", "pid=" + ProcessHandle.current().pid());
        final int readers = config.lcores() + config.tcpThreads();
        // Operators read wall-clock times, so the file uses the system clock even when a test injects one.
        this.cnc = Housekeeping.createFile(config.instanceName(), counterCount(config), counterValuesBytes(config, readers),
            null != configText ? configText : describeConfig(config), org.agrona.concurrent.SystemEpochClock.INSTANCE);
        // A cached clock given by a test is the table's clock as it is; a live clock is cached and ticked.
        this.tableClock = clock instanceof CachedEpochClock cached ? cached : new CachedEpochClock();
        this.clockTicker = clock instanceof CachedEpochClock ? null : new ClockTicker(clock, tableClock);
        tableClock.update(clock.time());
        final int maxCommandBytes = config.itemSizeMaxBytes() + FRAMING_BYTES;
        try
        {
            this.table = new Table(new TableConfig(
                config.partitions(), config.memoryBytes(), config.memoryMode(), config.itemSizeMaxBytes(),
                config.preferHugepages()), tableClock, cnc.counters(), readers);
        }
        catch (final RuntimeException ex)
        {
            cnc.close();
            throw ex;
        }
        try
        {
            // recovery rebuilds the table before any socket opens; an incomplete full sync's partition starts empty
            final List<String> notes = io.wirekv.dataplane.replication.Replication.prepare(config.replication(),
                config.persistence(), config.partitions());
            this.durability = Durability.start(config.persistence(), table, cnc.counters(), errorHandler);
            this.replication = io.wirekv.dataplane.replication.Replication.create(config.replication(), notes, table,
                durability, cnc.counters(), config.instanceName(), config.writers(), errorHandler);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(durability(), table, cnc);
            throw ex;
        }
        try
        {
            this.rings = new WriteRings(readers, config.writers(), maxCommandBytes, maxCommandBytes);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(replication, durability, table, cnc);
            throw ex;
        }

        try
        {
            startAgents(config, log, readers, maxCommandBytes);
        }
        catch (final IOException | RuntimeException ex)
        {
            agents.forEach(WirekvServer::closeUnstarted); // no thread has started yet
            CloseHelper.quietCloseAll(ports, rings, replication, durability, table, cnc);
            throw ex;
        }
        startHousekeeping();
    }

    /** Counters the dataplane registers in the CnC file (the housekeeping thread's come on top). */
    private static int counterCount(final ServerConfig config)
    {
        return ServerStats.COUNTERS + Table.counterCount() + Durability.counterCount() + ReplicationCounters.counterCount() +
            config.lcores() * (PortCounters.count() + NetCounters.count() + UdpLcoreAgent.counterCount());
    }

    /** Bytes of counter value blocks the dataplane allocates in the CnC file. */
    private static int counterValuesBytes(final ServerConfig config, final int readers)
    {
        return ServerStats.valuesBytes(readers + config.writers()) + Table.valuesBytes(config.partitions(), readers) +
            Durability.valuesBytes(config.partitions()) + ReplicationCounters.valuesBytes(config.partitions()) +
            config.lcores() * (PortCounters.valuesBytes() + NetCounters.valuesBytes() + UdpLcoreAgent.valuesBytes());
    }

    /**
     * The CnC file's housekeeping thread; a failure here stops the started server. Operators read
     * wall-clock times, so the file uses the system clock even when a test injects the table's clock; the
     * heartbeat follows the table clock's ticks (writer 0's duty cycle) when the server ticks it.
     */
    private void startHousekeeping()
    {
        final EpochClock clock = org.agrona.concurrent.SystemEpochClock.INSTANCE;
        try
        {
            final CncSources sources = new CncSources(
                lcores.stream().map(UdpLcoreAgent::packetPort).toArray(PacketPort[]::new),
                i -> lcores.get(i).malformedFrames(), table.counters(), clock.time(),
                i -> lcores.get(i).droppedNotAllowed(), i -> lcores.get(i).repliesCapped() + lcores.get(i).repliesRateLimited());
            housekeeping = Housekeeping.start(cnc, sources, statusText, clock,
                null != clockTicker ? tableClock::time : clock::time, config.listenAddress(), tcpPort(),
                () -> Thread.ofPlatform().name("wirekv-admin-shutdown").start(this::close),
                null == durability ? null : durability::snapshotAllText, new TableDigests(table), replication,
                errorHandler);
            errorHandler.errorLog = housekeeping.errorLog();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
        if (null != housekeeping.replaced())
        {
            log.println("wirekv: replaced " + housekeeping.replaced());
        }
        LifecycleLog.event(log, "INFO", config.instanceName(), "ready", "pid=" + ProcessHandle.current().pid() +
            " udp=" + udpPort() + " tcp=" + tcpPort() + " cnc=" + housekeeping.cncPath());
    }

    /** The configuration as {@code component = value} lines, when the caller gave no concluded text. */
    private static String describeConfig(final ServerConfig config)
    {
        final StringBuilder sb = new StringBuilder();
        for (final java.lang.reflect.RecordComponent c : ServerConfig.class.getRecordComponents())
        {
            try
            {
                sb.append(String.format("  %-18s = %s%n", c.getName(), c.getAccessor().invoke(config)));
            }
            catch (final ReflectiveOperationException ex)
            {
                sb.append(String.format("  %-18s = ?%n", c.getName()));
            }
        }
        return sb.toString();
    }

    private void startAgents(final ServerConfig config, final PrintStream log, final int readers, final int maxCommandBytes)
        throws IOException
    {
        final CounterRegistry counters = cnc.counters();
        final ServerStats stats = new ServerStats(counters, readers + config.writers(), System.currentTimeMillis());

        final List<Agent> writers = new ArrayList<>();
        for (int w = 0; w < config.writers(); w++)
        {
            writers.add(new WriterAgent(
                w, table, rings, new WriteApplier(table, stats, readers + w), maxCommandBytes,
                0 == w ? clockTicker : null, null != durability ? durability.logsOfWriter(w, config.writers()) : null,
                null != durability && durability.holdsReplies(), replication));
        }
        agents.addAll(writers);
        if (config.colocate())
        {
            // the writers run on lcore 0's thread between its duty cycles (and the colocated TCP agents')
            for (int p = 0; p < table.partitionCount(); p++)
            {
                table.writer(p).sharesThreadWithReaders();
            }
        }
        StartupChecks.ensureCpusAllowed(config.lcoreCpus());
        final int port = 0 == config.port() ?
            StartupChecks.freePortForUdpAndTcp(config.listenAddress()) :
            StartupChecks.nobodyHolds(config.listenAddress(), config.port());
        ports = openPorts(config, port);
        final ProtocolSettings settings = new ProtocolSettings(
            config.itemSizeMaxBytes(), config.udpMaxPayloadBytes(), Version.VERSION,
            new ProtocolSettings.ServerFacts(config.memoryBytes(), config.tcpThreads() > 0 ? port : -1, port,
                config.listenAddress(), readers + config.writers(), config.memoryMode() == MemoryMode.CACHE,
                config.exposure().maxConnections()),
            config.shutdownCommand() ? this::shutdownFromProtocol : null, config.auth().authenticator());
        final ValidatedSources validated = new ValidatedSources(config.exposure().validatedSources(), System.nanoTime());
        udpGuard = ExposureGuards.udpGuard(config, validated, guardNotes);
        final ConnectionLimit connectionLimit = new ConnectionLimit(config.exposure().maxConnections());
        final UdpLcoreSettings lcoreSettings = new UdpLcoreSettings(
            config.udpMaxPayloadBytes(), config.burstSize(), config.udpSlotsPerLcore(), config.itemSizeMaxBytes());
        for (int i = 0; i < config.lcores(); i++)
        {
            final int cpu = config.lcoreCpus().isEmpty() ? UdpLcoreAgent.NO_CPU : config.lcoreCpus().get(i);
            final UdpLcoreAgent lcore = new UdpLcoreAgent(
                i, ports.openPort(i, counters), cpu, lcoreSettings, table, settings, stats, rings, counters, udpGuard);
            lcores.add(lcore);
            agents.add(lcore);
        }
        for (int j = 0; j < config.tcpThreads(); j++)
        {
            // TCP shares the UDP port number, as memcached's -p/-U; threads share it through SO_REUSEPORT.
            final TcpAgent tcp = new TcpAgent(
                config.lcores() + j, new InetSocketAddress(config.listenAddress(), port), table, settings, stats, rings,
                connectionLimit, validated, maxCommandBytes, maxCommandBytes,
                config.colocate() ? COLOCATED_TCP_SELECT_INTERVAL : 1);
            tcpAgents.add(tcp);
            agents.add(tcp);
        }

        // Threads: one per agent; colocated, lcore 0's thread also runs every writer and TCP agent.
        for (int i = 0; i < lcores.size(); i++)
        {
            final List<Agent> onThisThread = new ArrayList<>(List.of(lcores.get(i)));
            if (config.colocate() && 0 == i)
            {
                onThisThread.addAll(writers);
                onThisThread.add(new WriterReplySender(lcores.get(i)));
                onThisThread.addAll(tcpAgents);
            }
            final AgentRunner runner = runnerFor(onThisThread, errorHandler);
            lcoreRunners.add(runner);
            runners.add(runner);
        }
        if (!config.colocate())
        {
            writers.forEach(writer -> runners.add(runnerFor(List.of(writer), errorHandler)));
            tcpAgents.forEach(tcp -> runners.add(runnerFor(List.of(tcp), errorHandler)));
        }
        final java.io.ByteArrayOutputStream status = new java.io.ByteArrayOutputStream();
        report(new PrintStream(status, true, java.nio.charset.StandardCharsets.UTF_8));
        statusText = status.toString(java.nio.charset.StandardCharsets.UTF_8);
        log.print(statusText);
        for (final AgentRunner runner : runners)
        {
            AgentRunner.startOnThread(runner);
        }
        io.wirekv.dataplane.replication.Replication.startThread(replication, errorHandler); // null-safe
    }

    /**
     * Starts every thread and returns once UDP and TCP are accepting requests. Prints the
     * concluded configuration and what was found (lcores, cpus, memory) to {@code log}.
     */
    public static WirekvServer start(final ServerConfig config, final EpochClock clock, final PrintStream log)
    {
        return start(config, clock, log, null);
    }

    /**
     * As {@link #start(ServerConfig, EpochClock, PrintStream)}, with the concluded configuration text
     * (key = value lines, with origins) that the CnC file publishes for {@code wirekv config}.
     */
    public static WirekvServer start(
        final ServerConfig config, final EpochClock clock, final PrintStream log, final String configText)
    {
        try
        {
            return new WirekvServer(config, clock, log, configText);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind " + config.listenAddress() + ":" + config.port() +
                ": " + ex.getMessage() + " (is another server using the port? choose one with --port)", ex);
        }
    }

    /** The bound UDP port (differs from config.port() when that was 0). */
    public int udpPort()
    {
        return lcores.isEmpty() ? -1 : lcores.getFirst().port();
    }

    /** The bound TCP port, or -1 when TCP is disabled. */
    public int tcpPort()
    {
        return tcpAgents.isEmpty() ? -1 : tcpAgents.getFirst().port();
    }

    /** Frames the lcores dropped because they were not single-datagram requests. */
    public long malformedFrames()
    {
        long total = 0;
        for (final UdpLcoreAgent lcore : lcores)
        {
            total += lcore.malformedFrames();
        }
        return total;
    }

    /** Datagrams every lcore dropped as from sources outside {@code udp.allow}. */
    public long udpDroppedNotAllowed()
    {
        return lcores.stream().mapToLong(UdpLcoreAgent::droppedNotAllowed).sum();
    }

    /** Replies every lcore capped as over an unvalidated source's budget. */
    public long udpRepliesCapped()
    {
        return lcores.stream().mapToLong(UdpLcoreAgent::repliesCapped).sum();
    }

    /** Replies every lcore dropped as over an unvalidated source's reply rate. */
    public long udpRepliesRateLimited()
    {
        return lcores.stream().mapToLong(UdpLcoreAgent::repliesRateLimited).sum();
    }

    /** The TCP agents (their connection memory, for tests). */
    public List<TcpAgent> tcpAgents()
    {
        return List.copyOf(tcpAgents);
    }

    /** The lcores' packet ports, in lcore order (for their counters). */
    public List<PacketPort> udpPorts()
    {
        return lcores.stream().map(UdpLcoreAgent::packetPort).toList();
    }

    /**
     * Every reader thread's request latency histograms (lcores, then TCP threads), for the metrics
     * exporter to sum; each is recorded by its own agent and may be read from any thread.
     */
    public List<RequestLatency> requestLatencies()
    {
        final List<RequestLatency> all = new ArrayList<>();
        lcores.forEach(lcore -> all.add(lcore.latency()));
        tcpAgents.forEach(tcp -> all.add(tcp.latency()));
        return List.copyOf(all);
    }

    /** Java thread ids of the lcore threads, for allocation and CPU accounting. */
    public long[] lcoreThreadIds()
    {
        return lcoreRunners.stream().mapToLong(runner -> runner.thread().threadId()).toArray();
    }

    public ServerConfig config()
    {
        return config;
    }

    public Table table()
    {
        return table;
    }

    /**
     * The protocol's {@code shutdown} command (enabled by {@code shutdown.command}, memcached's -A): called on the
     * reader thread that parsed it, so it only starts {@link #close()} on a thread of its own, once.
     */
    private void shutdownFromProtocol()
    {
        if (shutdownRequested.compareAndSet(false, true))
        {
            LifecycleLog.event(log, "INFO", config.instanceName(), "shutdown-command", "");
            Thread.ofPlatform().name("wirekv-protocol-shutdown").start(this::close);
        }
    }

    /** Blocks until {@link #close()} is called from another thread (or a shutdown hook). */
    public void awaitShutdown() throws InterruptedException
    {
        closed.await();
    }

    @Override
    public void close()
    {
        if (!isClosed.compareAndSet(false, true))
        {
            return; // the shutdown hook and the normal exit path may both close
        }
        LifecycleLog.event(log, "INFO", config.instanceName(), "shutdown", "");
        // Replication and readers first, so that no write is forwarded to a writer that has stopped.
        CloseHelper.close(null == replication ? null : replication::stopThread);
        CloseHelper.closeAll(runners.reversed()); // each lcore closes its own port
        // Later errors go to the log only. Housekeeping reads the table, which is still open; closing it stops
        // its thread. The CnC file holds every counter, so it is unmapped (and removed) last, once no thread
        // that writes one runs.
        errorHandler.errorLog = null;
        CloseHelper.close(errorHandler, housekeeping);
        reportCounters();
        CloseHelper.closeAll(ports, rings, replication, durability, table, cnc); // writers stopped: a last sync, unlock
        LifecycleLog.event(log, "INFO", config.instanceName(), "stopped", "");
        closed.countDown();
    }

    /** UDP packet I/O for the configured backend; TCP always goes through the kernel. */
    private static PortSet openPorts(final ServerConfig config, final int port)
    {
        return switch (config.backend())
        {
            case KERNEL -> new KernelPorts(config.listenAddress(), port);
            case DPDK -> DpdkPorts.open(config.bypass(), config.instanceName(), config.lcores(), port,
                config.burstSize(), config.udpMaxPayloadBytes());
            case XDP -> XdpPorts.open(config.bypass(), config.lcores(), port, config.burstSize(),
                config.udpMaxPayloadBytes());
        };
    }

    private AgentRunner runnerFor(final List<Agent> agentsOnThread, final ErrorHandler errorHandler)
    {
        final Agent agent = 1 == agentsOnThread.size() ? agentsOnThread.getFirst() : new CompositeAgent(agentsOnThread);
        return new AgentRunner(idleStrategy(), errorHandler, null, agent);
    }

    private static void closeUnstarted(final Agent agent)
    {
        try
        {
            agent.onClose();
        }
        catch (final RuntimeException ignore)
        {
            // best effort while failing to start
        }
    }

    private IdleStrategy idleStrategy()
    {
        return switch (config.idle())
        {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            // no spins: see IdleMode.BACKOFF
            case BACKOFF -> new BackoffIdleStrategy(0, 64, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(100));
        };
    }

    private void report(final PrintStream log)
    {
        log.printf("%s instance '%s'%n", Version.describe(), config.instanceName());
        log.printf("  udp          %s%n", ports.describe());
        log.printf("  tcp          %s:%d (kernel), max.connections %d%n", config.listenAddress(), tcpPort(),
            config.exposure().maxConnections());
        log.printf("  udp guard    %s%n", udpGuard.describe());
        log.printf("  auth         %s%n", config.auth().sasl() ? "SASL PLAIN (binary protocol only; text refused), " +
            "users from " + config.auth().passwordFile() : "none (memcached without -S)");
        guardNotes.forEach(note -> log.printf("  note         %s%n", note));
        for (final UdpLcoreAgent lcore : lcores)
        {
            log.printf("  lcore %d      %s%n", lcore.index(), lcore.describe());
        }
        log.printf("  writers      %d over %d partitions; tcp threads %d%s%n",
            config.writers(), config.partitions(), config.tcpThreads(),
            config.colocate() ? "; writers and tcp colocated on lcore 0's thread" : "");
        log.printf("  memory       %d MiB table (%s mode), item max %d KiB, rings %d MiB%n",
            config.memoryBytes() >> 20, config.memoryMode().name().toLowerCase(), config.itemSizeMaxBytes() >> 10,
            rings.mappedBytes() >> 20);
        log.printf("  table memory %s%n", table.describeMemory());
        log.printf("  idle         %s, burst %d, udp payload %d%n",
            config.idle().name().toLowerCase(), config.burstSize(), config.udpMaxPayloadBytes());
        if (null == durability)
        {
            log.printf("  persistence: %s%n", config.persistence().describe());
        }
        else
        {
            durability.describe().forEach(line -> log.printf("  %s%n", line));
        }
        (null == replication ? List.of("replication: none") : replication.describe())
            .forEach(line -> log.printf("  %s%n", line));
    }

    /** Replication, or null with replication.role = none. */
    public io.wirekv.dataplane.replication.Replication replication()
    {
        return replication;
    }

    /** The log (persistence async or sync), or null without persistence. */
    public Durability durability()
    {
        return durability;
    }

    /** Each lcore's port counters (and its L2/L3 stack's on the bypass backends), once, at shutdown. */
    private void reportCounters()
    {
        for (final UdpLcoreAgent lcore : lcores)
        {
            final PacketPort port = lcore.packetPort();
            log.printf("  lcore %d port   %s%n", lcore.index(), port.counters());
            if (port instanceof BypassPort bypass)
            {
                log.printf("  lcore %d stack  %s%n", lcore.index(), bypass.netCounters());
                log.printf("  lcore %d device %s%n", lcore.index(), bypass.deviceStats());
            }
        }
    }

    /** Agent errors are programming errors: print once per distinct error, never per packet. */
    private static final class ThreadErrorHandler implements ErrorHandler
    {
        private final PrintStream log;
        private final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** The CnC file's error log once it exists; every agent error is also recorded there. */
        volatile org.agrona.concurrent.errors.DistinctErrorLog errorLog;

        ThreadErrorHandler(final PrintStream log)
        {
            this.log = log;
        }

        @Override
        public void onError(final Throwable throwable)
        {
            final org.agrona.concurrent.errors.DistinctErrorLog cncErrors = errorLog;
            if (null != cncErrors)
            {
                cncErrors.record(throwable);
            }
            if (seen.add(throwable.getClass().getName() + ":" + throwable.getMessage()))
            {
                log.println("wirekv: error on a dataplane thread (reported once): " + throwable);
                throwable.printStackTrace(log);
            }
        }
    }
}
