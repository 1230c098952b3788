package io.wirekv.e2e;

import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.testnet.TestNetwork;
import org.agrona.concurrent.SystemEpochClock;

import java.util.List;

/**
 * wirekv on the {@code xdp} backend: served on the host end of a veth pair whose other end is in a
 * private network namespace; the test's clients (UDP and TCP sockets) are made inside the namespace, so
 * every request crosses the veth and meets wirekv's XDP program.
 */
final class XdpWirekvTarget implements Target
{
    private final TestNetwork network;
    private final WirekvServer server;

    private XdpWirekvTarget(final TestNetwork network, final WirekvServer server)
    {
        this.network = network;
        this.server = server;
    }

    static XdpWirekvTarget start()
    {
        final TestNetwork network = TestNetwork.create();
        try
        {
            final ServerConfig base = WirekvTarget.testConfig();
            final ServerConfig config = new ServerConfig(base.instanceName(), network.hostAddress(), 0, base.backend(),
                base.lcores(), base.lcoreCpus(), base.writers(), base.tcpThreads(), base.partitions(), base.memoryBytes(),
                base.memoryMode(), base.itemSizeMaxBytes(), base.udpMaxPayloadBytes(), base.burstSize(),
                base.udpSlotsPerLcore(), base.idle(), base.preferHugepages(), base.colocate())
                .withBackend(ServerConfig.Backend.XDP,
                    new BypassSettings(List.of(), "", "", network.hostInterface(), "auto", true, false));
            return new XdpWirekvTarget(network, WirekvServer.start(config, SystemEpochClock.INSTANCE, System.out));
        }
        catch (final RuntimeException ex)
        {
            network.close();
            throw ex;
        }
    }

    @Override
    public String name()
    {
        return "wirekv-xdp";
    }

    @Override
    public String host()
    {
        return network.hostAddress();
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
    public TcpWire openTcpWire()
    {
        return network.insideNamespace(() -> new TcpWire(host(), tcpPort()));
    }

    @Override
    public UdpWire openUdpWire()
    {
        return network.insideNamespace(() -> new UdpWire(host(), udpPort()));
    }

    @Override
    public void close()
    {
        try
        {
            server.close();
        }
        finally
        {
            network.close();
        }
    }
}
