package io.wirekv.e2e;

import io.wirekv.dataplane.guard.ExposureSettings;
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
final class XdpWirekvTarget extends WirekvTarget
{
    private final TestNetwork network;

    private XdpWirekvTarget(final TestNetwork network, final WirekvServer server)
    {
        super(server, network.hostAddress(), "wirekv-xdp");
        this.network = network;
    }

    static XdpWirekvTarget startOnVeth()
    {
        final TestNetwork network = TestNetwork.create();
        try
        {
            final ServerConfig config = WirekvTarget.testConfig(network.hostAddress()).withBackend(ServerConfig.Backend.XDP,
                new BypassSettings(List.of(), "", "", network.hostInterface(), "auto", true, false))
                // large replies to a client that cannot validate over TCP (a frame link or a test's socket): no reply cap;
                // the default udp.allow (the serving /24) still applies
                .withExposure(ExposureSettings.defaults().withUnvalidatedReplyFactor(0));
            return new XdpWirekvTarget(network, WirekvServer.start(config, SystemEpochClock.INSTANCE, System.out));
        }
        catch (final RuntimeException ex)
        {
            network.close();
            throw ex;
        }
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
            super.close();
        }
        finally
        {
            network.close();
        }
    }
}
