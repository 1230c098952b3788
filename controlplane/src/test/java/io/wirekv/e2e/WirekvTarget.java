package io.wirekv.e2e;

import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import org.agrona.concurrent.SystemEpochClock;

/**
 * An in-process {@link WirekvServer} on 127.0.0.1, kernel backend, free ports, 256 MiB, back-off idle; the
 * bypass targets ({@link DpdkWirekvTarget}, {@link XdpWirekvTarget}) extend it with their own client links.
 */
public class WirekvTarget implements Target
{
    private final WirekvServer server;
    private final String host;
    private final String name;

    WirekvTarget(final WirekvServer server, final String host, final String name)
    {
        this.server = server;
        this.host = host;
        this.name = name;
    }

    /** The server, for subclasses' client links. */
    final WirekvServer server()
    {
        return server;
    }

    /**
     * The loopback test configuration: {@link ServerConfig#defaults()} with port 0, 256 MiB, BACKOFF idle.
     * The suite compares protocol behaviour, not eviction policy, so neither server may evict: memcached's
     * 64 MB global LRU holds the suite's data, while wirekv, whose memory is split into per-partition slab
     * pages, started evicting recently touched keys under the suite's large values at 64 MiB.
     */
    public static ServerConfig testConfig()
    {
        return testConfig("127.0.0.1");
    }

    /** {@link #testConfig()} served on another address (a veth's, for the xdp backend). */
    static ServerConfig testConfig(final String listenAddress)
    {
        final ServerConfig d = ServerConfig.defaults();
        return new ServerConfig(
            "e2e", listenAddress, 0, d.backend(), d.lcores(), d.lcoreCpus(), d.writers(), Math.max(1, d.tcpThreads()),
            d.partitions(), 256L * 1024 * 1024, d.memoryMode(), d.itemSizeMaxBytes(), d.udpMaxPayloadBytes(),
            d.burstSize(), d.udpSlotsPerLcore(), ServerConfig.IdleMode.BACKOFF, d.preferHugepages());
    }

    /** Starts wirekv; throws whatever {@link WirekvServer#start} throws. */
    public static WirekvTarget start()
    {
        final ServerConfig config = testConfig();
        return new WirekvTarget(WirekvServer.start(config, SystemEpochClock.INSTANCE, System.out), config.listenAddress(),
            "wirekv");
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String host()
    {
        return host;
    }

    @Override
    public int tcpPort()
    {
        return server.tcpPort();
    }

    @Override
    public int udpPort()
    {
        return server.udpPort();
    }

    @Override
    public void close()
    {
        server.close();
    }
}
