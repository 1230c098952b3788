package io.wirekv.e2e;

import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.DynamicTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * A check for after a differential run on a bypass backend: the sequences' large UDP requests came in as
     * fragments and were reassembled, none overlapped or was too large.
     */
    static DynamicTest reassembledSomething(final Target target)
    {
        return DynamicTest.dynamicTest("large UDP requests were reassembled from IPv4 fragments", () ->
        {
            long reassembled = 0;
            long givenUp = 0;
            final StringBuilder seen = new StringBuilder();
            for (final PacketPort port : ((WirekvTarget)target).server().udpPorts())
            {
                final NetCounters counters = ((BypassPort)port).netCounters();
                reassembled += counters.get(NetCounters.REASSEMBLED);
                givenUp += counters.get(NetCounters.REASSEMBLY_OVERLAPS) + counters.get(NetCounters.REASSEMBLY_TOO_LARGE);
                seen.append(counters).append('\n');
            }
            assertTrue(reassembled > 0, "no datagram was reassembled: " + seen);
            assertEquals(0, givenUp, "overlapping or too large fragments: " + seen);
        });
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
