package io.wirekv.controlplane.load;

import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.net.PeerLink;
import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.port.DpdkPorts;
import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.port.PortSet;
import io.wirekv.dataplane.port.XdpPorts;
import io.wirekv.dataplane.server.ServerConfig;

import java.net.DatagramSocket;
import java.net.SocketException;

/**
 * The {@code xdp} and {@code dpdk} backends: requests are written straight into the device's packet
 * buffers through a {@link BypassPort} per generator thread (queue {@code i} for thread {@code i}),
 * the same L2/L3 stack the appliance uses. The ports are opened once per run (a device is not reopened
 * between trials) and a worker attaches its thread to its port for a trial.
 * <p>
 * The source UDP port is {@link BenchBackend#localPort()}, or a free ephemeral port reserved with a
 * kernel socket held for the run (on {@code xdp} the XDP program takes that port's UDP for the AF_XDP
 * sockets, so the kernel socket never sees a datagram). The target's MAC is {@code --target-mac}, or
 * resolved at open: by ARP through the port ({@code dpdk}, {@link ArpResolver}) or through the kernel's
 * neighbour table ({@code xdp}, {@link KernelNeighbours}); with {@code --no-replies} and no MAC, frames
 * go to {@link BenchBackend#PLACEHOLDER_MAC} and nothing is resolved.
 */
final class BypassBenchPorts implements BenchPorts
{
    private static final int BURST = BenchUdpWorker.BURST;

    private final PortSet portSet;
    private final BypassPort[] ports;
    private final DatagramSocket reservation;
    private final long targetLink;
    private final String description;

    private BypassBenchPorts(final PortSet portSet, final BypassPort[] ports, final DatagramSocket reservation,
        final long targetLink, final String description)
    {
        this.portSet = portSet;
        this.ports = ports;
        this.reservation = reservation;
        this.targetLink = targetLink;
        this.description = description;
    }

    /**
     * Opens the device, a port per thread, and finds the target's link address.
     *
     * @throws IllegalArgumentException naming the flag to fix (device, interface, address, ARP).
     */
    static BypassBenchPorts open(final BenchSpec spec, final BenchBackend backend, final int targetIpv4)
    {
        DatagramSocket reservation = null;
        PortSet set = null;
        final BypassPort[] ports = new BypassPort[spec.threads()];
        try
        {
            int localPort = backend.localPort();
            if (localPort == 0)
            {
                reservation = new DatagramSocket(0);
                localPort = reservation.getLocalPort();
            }
            set = backend.kind() == ServerConfig.Backend.DPDK ?
                DpdkPorts.open(backend.bypass(), "bench-" + ProcessHandle.current().pid(), backend.queues(spec.threads()), localPort, BURST,
                    BenchBackend.BYPASS_MAX_UDP_PAYLOAD) :
                XdpPorts.open(backend.bypass(), spec.threads(), localPort, BURST, BenchBackend.BYPASS_MAX_UDP_PAYLOAD);
            for (int i = 0; i < ports.length; i++)
            {
                ports[i] = (BypassPort)set.openPort(i);
            }
            final long link = targetLink(backend, ports, targetIpv4, spec);
            final String description = set.describe() + ", target " + spec.target() + " at " + PeerLink.toString(link) +
                (backend.targetMac() >= 0 ? " (--target-mac)" : backend.noReplies() ? " (placeholder: --no-replies)" : " (ARP)");
            return new BypassBenchPorts(set, ports, reservation, link, description);
        }
        catch (final SocketException ex)
        {
            close(set, ports, reservation);
            throw new IllegalArgumentException("--local-port: cannot reserve a free UDP port: " + ex.getMessage() +
                "; give one with --local-port N", ex);
        }
        catch (final RuntimeException ex)
        {
            close(set, ports, reservation);
            throw ex;
        }
    }

    private static long targetLink(final BenchBackend backend, final BypassPort[] ports, final int targetIpv4,
        final BenchSpec spec)
    {
        if (backend.targetMac() >= 0)
        {
            return PeerLink.untagged(backend.targetMac());
        }
        if (backend.noReplies())
        {
            return PeerLink.untagged(BenchBackend.PLACEHOLDER_MAC);
        }
        final long timeoutNs = backend.arpTimeout().toNanos();
        final long link = backend.kind() == ServerConfig.Backend.DPDK ?
            ArpResolver.resolve(ports, targetIpv4, timeoutNs) :
            KernelNeighbours.resolve(backend.bypass().xdpInterface(), targetIpv4, timeoutNs);
        if (link < 0)
        {
            throw new IllegalArgumentException("--target " + spec.target() + ": no ARP reply for " +
                NetAddress.ipv4ToString(targetIpv4) + " within " + backend.arpTimeout().toMillis() + " ms on " +
                (backend.kind() == ServerConfig.Backend.DPDK ? backend.bypass().dpdkDevice() :
                    backend.bypass().xdpInterface()) + ": is the target up and on the same link (no router between)? " +
                "Give its MAC with --target-mac aa:bb:cc:dd:ee:ff, or a longer --arp-timeout");
        }
        return link;
    }

    @Override
    public PacketPort acquire(final int thread)
    {
        final BypassPort port = ports[thread];
        port.attachThread();
        return port;
    }

    @Override
    public void release(final PacketPort port)
    {
        port.detachThread();
    }

    @Override
    public boolean sharedSource()
    {
        return true;
    }

    @Override
    public long targetLink()
    {
        return targetLink;
    }

    @Override
    public String describe()
    {
        return description;
    }

    @Override
    public void close()
    {
        close(portSet, ports, reservation);
    }

    private static void close(final PortSet set, final BypassPort[] ports, final DatagramSocket reservation)
    {
        for (final BypassPort p : ports)
        {
            if (p != null)
            {
                p.close();
            }
        }
        if (set != null)
        {
            set.close();
        }
        if (reservation != null)
        {
            reservation.close();
        }
    }
}
