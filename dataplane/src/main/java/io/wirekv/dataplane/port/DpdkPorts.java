package io.wirekv.dataplane.port;

import io.wirekv.dataplane.cnc.CounterRegistry;

import io.wirekv.dataplane.net.ArpTable;
import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.net.NetStack;
import io.wirekv.dataplane.net.ReassemblySettings;
import io.wirekv.nativebindings.dpdk.DpdkEthPort;
import io.wirekv.nativebindings.dpdk.Eal;

import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code dpdk} backend: one ethdev with a queue pair per lcore (RSS spreads flows when the device
 * hashes), the appliance's own MAC (the device's) and IPv4 address (configured), and the L2/L3 stack
 * in {@link BypassPort}: DPDK hands us everything on the wire, so whatever is not ours is counted and
 * dropped.
 */
public final class DpdkPorts implements PortSet
{
    /** Ethernet + 802.1Q + IPv4 + UDP headers in front of a reply payload. */
    private static final int MAX_HEADERS = 46;

    private final DpdkEthPort ethPort;
    private final NetAddress local;
    private final int udpPort;
    private final int burstSize;
    private final ReassemblySettings reassembly;

    private DpdkPorts(
        final DpdkEthPort ethPort, final NetAddress local, final int udpPort, final int burstSize,
        final ReassemblySettings reassembly)
    {
        this.reassembly = reassembly;
        this.ethPort = ethPort;
        this.local = local;
        this.udpPort = udpPort;
        this.burstSize = burstSize;
    }

    /**
     * Starts the EAL (or joins the running one), opens and starts the device.
     *
     * @param settings        EAL arguments, device, IPv4 address.
     * @param instanceName    names the EAL's runtime files, so two instances on one host do not collide.
     * @param queues          queue pairs, one per lcore.
     * @param udpPort         the service port.
     * @param burstSize       frames per burst.
     * @param udpMaxPayload   the largest reply datagram payload, checked against the mbuf size.
     * @return the started ports.
     * @throws IllegalArgumentException naming the setting to fix.
     */
    public static DpdkPorts open(
        final BypassSettings settings, final String instanceName, final int queues, final int udpPort,
        final int burstSize, final int udpMaxPayload)
    {
        final int ipv4 = NetAddress.parseIpv4(settings.ipv4());
        if (settings.dpdkDevice().isEmpty())
        {
            throw new IllegalArgumentException("dpdk.device: empty; name the ethdev to serve on, e.g. net_memif0 " +
                "(with --vdev=net_memif0 in dpdk.eal.args) or a PCI address bound to vfio-pci");
        }
        final Eal eal = DpdkRuntime.eal(ealArgs(settings.dpdkEalArgs(), instanceName));
        final DpdkEthPort ethPort = DpdkEthPort.open(settings.dpdkDevice(), DpdkEthPort.Config.defaults(queues));
        final int frameCapacity = ethPort.config().dataRoomSize() - io.wirekv.nativebindings.dpdk.MbufDescriptor.HEADROOM;
        if (udpMaxPayload + MAX_HEADERS > frameCapacity)
        {
            ethPort.close();
            throw new IllegalArgumentException("udp.max.payload = " + udpMaxPayload + ": replies must fit one " +
                frameCapacity + "-byte mbuf with their headers; use at most " + (frameCapacity - MAX_HEADERS));
        }
        assert eal.mainLcore() >= 0;
        return new DpdkPorts(ethPort, new NetAddress(ethPort.macAddress(), ipv4), udpPort, burstSize,
            settings.reassembly());
    }

    /**
     * The configured arguments, plus a runtime-file prefix per instance unless one is given or the EAL
     * keeps no runtime files ({@code --in-memory}, {@code --no-shconf}).
     */
    static List<String> ealArgs(final List<String> configured, final String instanceName)
    {
        final List<String> args = new ArrayList<>(configured);
        if (args.stream().noneMatch(arg -> arg.startsWith("--file-prefix") || arg.equals("--in-memory") ||
            arg.equals("--no-shconf")))
        {
            args.add("--file-prefix=wirekv-" + instanceName);
        }
        return args;
    }

    @Override
    public PacketPort openPort(final int lcore, final CounterRegistry counters)
    {
        final NetCounters netCounters = new NetCounters(counters, lcore);
        final NetStack stack = new NetStack(local, udpPort, netCounters, true, new ArpTable(ArpTable.DEFAULT_CAPACITY),
            reassembly, SystemNanoClock.INSTANCE);
        return new BypassPort(new DpdkFrameQueue(ethPort, lcore, burstSize), stack, netCounters,
            new PortCounters(counters, lcore), local.mac(), udpPort, burstSize);
    }

    /**
     * @return the device (for its statistics).
     */
    public DpdkEthPort ethPort()
    {
        return ethPort;
    }

    @Override
    public String describe()
    {
        final String driver = ethPort.deviceInfo().driverName();
        final int queues = ethPort.config().rxQueues();
        return "dpdk " + ethPort.name() + " (" + driver + "), " + queues + " queue(s), mac " +
            DpdkEthPort.formatMac(local.mac()) + ", ipv4 " + NetAddress.ipv4ToString(local.ipv4()) + ", udp port " + udpPort +
            ", " + reassembly.describe() + queuesNote(driver, queues);
    }

    /**
     * A warning for a device whose peer must match its queue count, or "". DPDK's memif driver (22.11 here, and
     * upstream's current code alike) leaves a queue its peer did not connect pointing at the first ring in shared
     * memory, so with fewer queue pairs on the other side the extra queues read and write the first ring and garble
     * it (seen as frames "not for us" on the extra lcores, and wrong replies). The ethdev API does not say how many
     * the peer connected, so the start-up report says what the peer must do.
     */
    static String queuesNote(final String driver, final int queues)
    {
        return "net_memif".equals(driver) && queues > 1 ?
            "; the memif peer must connect with " + queues + " queue pairs (wirekv bench: --dpdk-queues " + queues +
            "), or the queues it leaves out garble its first one" :
            "";
    }

    @Override
    public void close()
    {
        ethPort.close();
    }
}
