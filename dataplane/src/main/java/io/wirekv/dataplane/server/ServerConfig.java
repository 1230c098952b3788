package io.wirekv.dataplane.server;

import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.replication.ReplicationSettings;
import io.wirekv.dataplane.table.MemoryMode;

import java.util.List;

/**
 * The concluded, validated configuration of one appliance. Built by the control plane from the
 * config file and flags (which validates every key before any thread starts); the dataplane
 * trusts it.
 *
 * @param instanceName      names the instance (CnC directory, logs).
 * @param listenAddress     IPv4 address for UDP and TCP, e.g. 127.0.0.1.
 * @param port              UDP and TCP port (memcached's -p/-U); 0 picks a free port (tests).
 * @param backend           packet I/O backend for UDP.
 * @param lcores            UDP lcore threads (SO_REUSEPORT sockets on the kernel backend).
 * @param lcoreCpus         CPU per lcore, same length as lcores; empty = do not pin.
 * @param writers           writer threads; partition p belongs to writer p % writers.
 * @param tcpThreads        NIO threads serving TCP; 0 disables TCP.
 * @param partitions        table partitions, a power of two, at least writers.
 * @param memoryBytes       table memory budget.
 * @param memoryMode        cache (evict) or store (refuse).
 * @param itemSizeMaxBytes  largest item.
 * @param udpMaxPayloadBytes largest reply datagram payload, frame header included.
 * @param burstSize         datagrams per recvmmsg/sendmmsg batch.
 * @param udpSlotsPerLcore  datagrams an lcore can hold while their writes are in flight.
 * @param idle              what an idle lcore or writer does.
 * @param preferHugepages   back table arenas with hugepages where reserved.
 * @param colocate          run the writers and TCP threads inside lcore 0's duty cycle, so one
 *                          thread serves everything (one-core deployments, one-core benchmarks).
 * @param bypass            devices and options of the {@code dpdk} and {@code xdp} backends.
 * @param exposure          the UDP allow-list and reply budget, and the TCP connection limit.
 * @param shutdownCommand   memcached's -A: the protocol's {@code shutdown} command stops the server; off by default,
 *                          when it answers {@code ERROR: shutdown not enabled}.
 * @param auth              SASL authentication (memcached's -S); off by default.
 * @param persistence       the log: none (a cache), async or sync, its data.dir and segment size.
 * @param replication       none, primary or backup; async or sync; listen and peer addresses (needs persistence).
 */
public record ServerConfig(
    String instanceName,
    String listenAddress,
    int port,
    Backend backend,
    int lcores,
    List<Integer> lcoreCpus,
    int writers,
    int tcpThreads,
    int partitions,
    long memoryBytes,
    MemoryMode memoryMode,
    int itemSizeMaxBytes,
    int udpMaxPayloadBytes,
    int burstSize,
    int udpSlotsPerLcore,
    IdleMode idle,
    boolean preferHugepages,
    boolean colocate,
    BypassSettings bypass,
    ExposureSettings exposure,
    boolean shutdownCommand,
    AuthSettings auth,
    PersistenceSettings persistence,
    ReplicationSettings replication)
{
    /** A configuration without replication. */
    public ServerConfig(
        final String instanceName, final String listenAddress, final int port, final Backend backend, final int lcores,
        final List<Integer> lcoreCpus, final int writers, final int tcpThreads, final int partitions,
        final long memoryBytes, final MemoryMode memoryMode, final int itemSizeMaxBytes, final int udpMaxPayloadBytes,
        final int burstSize, final int udpSlotsPerLcore, final IdleMode idle, final boolean preferHugepages,
        final boolean colocate, final BypassSettings bypass, final ExposureSettings exposure,
        final boolean shutdownCommand, final AuthSettings auth, final PersistenceSettings persistence)
    {
        this(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads, partitions,
            memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, exposure, shutdownCommand, auth, persistence, ReplicationSettings.none());
    }

    /** This configuration with another replication setting. */
    public ServerConfig withReplication(final ReplicationSettings replication)
    {
        return new ServerConfig(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads,
            partitions, memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, exposure, shutdownCommand, auth, persistence, replication);
    }

    /** A configuration without authentication (memcached without -S) and without persistence (a cache). */
    public ServerConfig(
        final String instanceName, final String listenAddress, final int port, final Backend backend, final int lcores,
        final List<Integer> lcoreCpus, final int writers, final int tcpThreads, final int partitions,
        final long memoryBytes, final MemoryMode memoryMode, final int itemSizeMaxBytes, final int udpMaxPayloadBytes,
        final int burstSize, final int udpSlotsPerLcore, final IdleMode idle, final boolean preferHugepages,
        final boolean colocate, final BypassSettings bypass, final ExposureSettings exposure,
        final boolean shutdownCommand)
    {
        this(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads, partitions,
            memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, exposure, shutdownCommand, AuthSettings.defaults(), PersistenceSettings.none());
    }

    /** This configuration with another persistence (log) setting. */
    public ServerConfig withPersistence(final PersistenceSettings persistence)
    {
        return new ServerConfig(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads,
            partitions, memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, exposure, shutdownCommand, auth, persistence, replication);
    }

    /** A configuration with the default exposure (guard on, memcached's connection limit) and {@code shutdown} refused. */
    public ServerConfig(
        final String instanceName, final String listenAddress, final int port, final Backend backend, final int lcores,
        final List<Integer> lcoreCpus, final int writers, final int tcpThreads, final int partitions,
        final long memoryBytes, final MemoryMode memoryMode, final int itemSizeMaxBytes, final int udpMaxPayloadBytes,
        final int burstSize, final int udpSlotsPerLcore, final IdleMode idle, final boolean preferHugepages,
        final boolean colocate, final BypassSettings bypass)
    {
        this(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads, partitions,
            memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, ExposureSettings.defaults(), false);
    }

    /** A configuration for the kernel backend (no bypass devices). */
    public ServerConfig(
        final String instanceName, final String listenAddress, final int port, final Backend backend, final int lcores,
        final List<Integer> lcoreCpus, final int writers, final int tcpThreads, final int partitions,
        final long memoryBytes, final MemoryMode memoryMode, final int itemSizeMaxBytes, final int udpMaxPayloadBytes,
        final int burstSize, final int udpSlotsPerLcore, final IdleMode idle, final boolean preferHugepages,
        final boolean colocate)
    {
        this(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads, partitions,
            memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, BypassSettings.defaults());
    }

    /** This configuration served by another backend, with its devices. */
    public ServerConfig withBackend(final Backend backend, final BypassSettings bypass)
    {
        return new ServerConfig(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads,
            partitions, memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, exposure, shutdownCommand, auth, persistence, replication);
    }

    /** This configuration with the protocol's {@code shutdown} command enabled or refused. */
    public ServerConfig withShutdownCommand(final boolean enabled)
    {
        return new ServerConfig(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads,
            partitions, memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, exposure, enabled, auth, persistence, replication);
    }

    /** This configuration with another authentication setting (SASL on or off). */
    public ServerConfig withAuth(final AuthSettings auth)
    {
        return new ServerConfig(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads,
            partitions, memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, exposure, shutdownCommand, auth, persistence, replication);
    }

    /** This configuration with another exposure (allow-list, reply budget, connection limit). */
    public ServerConfig withExposure(final ExposureSettings exposure)
    {
        return new ServerConfig(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads,
            partitions, memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, colocate, bypass, exposure, shutdownCommand, auth, persistence, replication);
    }

    /** A configuration with a thread per agent (not colocated). */
    public ServerConfig(
        final String instanceName, final String listenAddress, final int port, final Backend backend, final int lcores,
        final List<Integer> lcoreCpus, final int writers, final int tcpThreads, final int partitions,
        final long memoryBytes, final MemoryMode memoryMode, final int itemSizeMaxBytes, final int udpMaxPayloadBytes,
        final int burstSize, final int udpSlotsPerLcore, final IdleMode idle, final boolean preferHugepages)
    {
        this(instanceName, listenAddress, port, backend, lcores, lcoreCpus, writers, tcpThreads, partitions,
            memoryBytes, memoryMode, itemSizeMaxBytes, udpMaxPayloadBytes, burstSize, udpSlotsPerLcore, idle,
            preferHugepages, false);
    }

    public enum Backend
    {
        KERNEL, XDP, DPDK
    }

    public enum IdleMode
    {
        /** Production: spin, never yield the core. */
        BUSY_SPIN,
        /**
         * Shared machines and tests: yield, then park with exponential back-off (1 to 100 us). No spins: on a shared
         * core a spinning poller keeps every thread it waits for (the syncer, the replication thread, a backup on
         * the same core) off the CPU until its time slice ends, while a yield hands the core over at once; and a
         * kernel-socket poll is a syscall either way. Measured: a sync replicated write's round trip halved
         * ({@code deploy/bench-replication.sh}, README "Sixth pass").
         */
        BACKOFF
    }

    /**
     * The embedded defaults: a small kernel-backend instance on loopback. Four partitions: with one
     * writer more buy nothing (each partition still needs a 64 KiB slab unit per size class it holds).
     */
    public static ServerConfig defaults()
    {
        return new ServerConfig(
            "default", "127.0.0.1", 11211, Backend.KERNEL, 1, List.of(), 1, 1, 4,
            64L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, IdleMode.BACKOFF, true);
    }
}
