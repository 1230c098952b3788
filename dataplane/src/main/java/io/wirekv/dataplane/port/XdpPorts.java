package io.wirekv.dataplane.port;

import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.net.NetStack;
import io.wirekv.nativebindings.xdp.XdpAttachMode;
import io.wirekv.nativebindings.xdp.XdpProgramAttachment;
import io.wirekv.nativebindings.xdp.XskBindMode;
import io.wirekv.nativebindings.xdp.XskDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The {@code xdp} backend: wirekv's XDP program on one interface redirects the service's UDP datagrams
 * to an AF_XDP socket per queue ({@link XskFrameQueue}, lcore {@code i} owns queue {@code i}); everything
 * else (ARP, ICMP, TCP, other ports) stays with the kernel, so the interface keeps its address, its
 * neighbours and its ssh. The appliance speaks with the interface's MAC and (unless configured) its
 * first IPv4 address; {@link BypassPort}'s stack only sees the service's datagrams.
 * <p>
 * <b>veth.</b> A veth peer with TX checksum offload on (the default) sends UDP with the checksum left for
 * "hardware" to fill in ({@code CHECKSUM_PARTIAL}); XDP sees the frame as it is, so the stack counts those
 * datagrams as bad checksums and drops them. On veth (containers, tests) turn the offload off on the sending
 * side: {@code ethtool -K <peer> tx off}. Real NICs put complete checksums on the wire.
 */
public final class XdpPorts implements PortSet
{
    /** Ethernet + 802.1Q + IPv4 + UDP headers in front of a reply payload. */
    private static final int MAX_HEADERS = 46;
    /** UMEM frames per queue (the fill ring takes half). */
    private static final int FRAMES_PER_QUEUE = 4096;

    private final String interfaceName;
    private final XdpProgramAttachment program;
    private final NetAddress local;
    private final int queues;
    private final int udpPort;
    private final int burstSize;
    private final int frameSize;
    private final XskBindMode bindMode;
    private final boolean needWakeup;
    private final boolean busyPoll;

    private XdpPorts(
        final String interfaceName, final XdpProgramAttachment program, final NetAddress local, final int queues,
        final int udpPort, final int burstSize, final int frameSize, final BypassSettings settings)
    {
        this.interfaceName = interfaceName;
        this.program = program;
        this.local = local;
        this.queues = queues;
        this.udpPort = udpPort;
        this.burstSize = burstSize;
        this.frameSize = frameSize;
        this.bindMode = bindMode(settings.xdpMode());
        this.needWakeup = settings.xdpNeedWakeup();
        this.busyPoll = settings.xdpBusyPoll();
    }

    /**
     * Checks the interface, then attaches the XDP program to it (native XDP, else generic).
     *
     * @param settings      the interface, mode, wakeup and busy-poll settings, and an IPv4 address (empty: the
     *                      interface's own).
     * @param queues        queues served, one per lcore: queues 0..queues-1 of the interface.
     * @param udpPort       the service port.
     * @param burstSize     frames per burst.
     * @param udpMaxPayload the largest reply datagram payload, checked against the frame size.
     * @return the ports, program attached.
     * @throws IllegalArgumentException naming the setting to fix.
     * @throws io.wirekv.nativebindings.NativeException when the program cannot be attached, with the reason.
     */
    public static XdpPorts open(
        final BypassSettings settings, final int queues, final int udpPort, final int burstSize, final int udpMaxPayload)
    {
        final String interfaceName = settings.xdpInterface();
        if (interfaceName.isEmpty())
        {
            throw new IllegalArgumentException(
                "xdp.interface: empty; name the network interface to serve on, e.g. eth1 (see `ip link`)");
        }
        final NetworkInterface nic = networkInterface(interfaceName);
        final long mac = mac(nic);
        final int ipv4 = settings.ipv4().isEmpty() ? firstIpv4(nic) : NetAddress.parseIpv4(settings.ipv4());
        final int rxQueues = rxQueues(interfaceName);
        if (queues > rxQueues)
        {
            throw new IllegalArgumentException("lcores: " + queues + " lcores need " + queues + " queues, but " +
                interfaceName + " has " + rxQueues + "; use at most " + rxQueues + " lcores, or give the interface more " +
                "(`ethtool -L " + interfaceName + " combined " + queues + "`)");
        }
        final int frameSize = udpMaxPayload + MAX_HEADERS + XskDescriptor.XDP_PACKET_HEADROOM <= 2048 ? 2048 : 4096;
        if (udpMaxPayload + MAX_HEADERS > frameSize - XskDescriptor.XDP_PACKET_HEADROOM)
        {
            throw new IllegalArgumentException("udp.max.payload = " + udpMaxPayload + ": replies must fit one " +
                (frameSize - XskDescriptor.XDP_PACKET_HEADROOM) + "-byte AF_XDP frame with their headers; use at most " +
                (frameSize - XskDescriptor.XDP_PACKET_HEADROOM - MAX_HEADERS));
        }
        bindMode(settings.xdpMode()); // validate before attaching anything
        final XdpProgramAttachment program = XdpProgramAttachment.attach(interfaceName, udpPort, ipv4, XdpAttachMode.AUTO);
        return new XdpPorts(
            interfaceName, program, new NetAddress(mac, ipv4), queues, udpPort, burstSize, frameSize, settings);
    }

    private static XskBindMode bindMode(final String mode)
    {
        return switch (mode.toLowerCase(Locale.ROOT))
        {
            case "auto" -> XskBindMode.AUTO;
            case "zero-copy" -> XskBindMode.ZERO_COPY;
            case "copy" -> XskBindMode.COPY;
            default -> throw new IllegalArgumentException("xdp.mode: '" + mode + "'; use auto, zero-copy or copy");
        };
    }

    private static NetworkInterface networkInterface(final String name)
    {
        try
        {
            final NetworkInterface nic = NetworkInterface.getByName(name);
            if (nic == null)
            {
                throw new IllegalArgumentException("xdp.interface: no interface '" + name + "' (see `ip link`)");
            }
            return nic;
        }
        catch (final SocketException ex)
        {
            throw new UncheckedIOException("xdp.interface: cannot read interface '" + name + "'", ex);
        }
    }

    private static long mac(final NetworkInterface nic)
    {
        try
        {
            final byte[] address = nic.getHardwareAddress();
            if (address == null || address.length != 6)
            {
                throw new IllegalArgumentException("xdp.interface: '" + nic.getName() + "' has no Ethernet address");
            }
            long mac = 0;
            for (final byte b : address)
            {
                mac = (mac << 8) | (b & 0xFF);
            }
            return mac;
        }
        catch (final SocketException ex)
        {
            throw new UncheckedIOException("xdp.interface: cannot read the MAC of '" + nic.getName() + "'", ex);
        }
    }

    private static int firstIpv4(final NetworkInterface nic)
    {
        final Enumeration<InetAddress> addresses = nic.getInetAddresses();
        while (addresses.hasMoreElements())
        {
            if (addresses.nextElement() instanceof Inet4Address v4)
            {
                final byte[] b = v4.getAddress();
                return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
            }
        }
        throw new IllegalArgumentException("ipv4: empty, and interface '" + nic.getName() + "' has no IPv4 address; " +
            "give it one (`ip addr add ... dev " + nic.getName() + "`) or set ipv4");
    }

    /** Receive queues the kernel shows for the interface (at least 1). */
    static int rxQueues(final String interfaceName)
    {
        final Path dir = Path.of("/sys/class/net", interfaceName, "queues");
        if (!Files.isDirectory(dir))
        {
            return 1;
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            return (int)Math.max(1, entries.filter(p -> p.getFileName().toString().startsWith("rx-")).count());
        }
        catch (final IOException ex)
        {
            return 1;
        }
    }

    @Override
    public PacketPort openPort(final int lcore)
    {
        final XskFrameQueue.Config config = new XskFrameQueue.Config(interfaceName, lcore)
            .frames(FRAMES_PER_QUEUE, frameSize)
            .bindMode(bindMode)
            .needWakeup(needWakeup)
            .attachment(program);
        if (busyPoll)
        {
            config.busyPoll(20, burstSize);
        }
        final NetCounters netCounters = new NetCounters();
        return new BypassPort(XskFrameQueue.open(config), new NetStack(local, udpPort, netCounters, false), netCounters,
            local.mac(), udpPort, burstSize);
    }

    /**
     * @return the attached program (its mode and counters).
     */
    public XdpProgramAttachment program()
    {
        return program;
    }

    @Override
    public String describe()
    {
        return "xdp " + interfaceName + ", " + queues + " queue(s), mac " + NetAddress.macToString(local.mac()) +
            ", ipv4 " + NetAddress.ipv4ToString(local.ipv4()) + ", udp port " + udpPort + ", " + program.describe();
    }

    @Override
    public void close()
    {
        program.close();
    }
}
