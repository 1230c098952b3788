package io.wirekv.dataplane.port;

import io.wirekv.dataplane.cnc.CounterRegistry;

import io.wirekv.dataplane.net.ArpTable;
import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.net.NetStack;
import io.wirekv.nativebindings.xdp.XdpAttachMode;
import io.wirekv.nativebindings.xdp.XdpProgramAttachment;
import io.wirekv.nativebindings.xdp.XskBindMode;

import org.agrona.concurrent.SystemNanoClock;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Locale;

/**
 * The {@code xdp} backend: wirekv's XDP program on the interface sends UDP for the service port (and
 * address) to an AF_XDP socket per queue, and passes everything else (ARP, ICMP, TCP, other ports) to
 * the kernel, which keeps doing its job for the interface; lcore i serves queue i through
 * {@link BypassPort}, with the interface's own MAC and IPv4 address.
 * <p>
 * On a veth, the sending side must compute its UDP checksums ({@code ethtool -K PEER tx off}): with
 * transmit offload on, a veth delivers them partial (pseudo-header only, the kernel's promise to finish
 * later), AF_XDP shows them as they are, and the stack drops them as {@code drop_bad_udp_checksum}.
 * Frames from a real wire always carry complete checksums.
 */
public final class XdpPorts implements PortSet
{
    /** Ethernet + 802.1Q + IPv4 + UDP headers in front of a reply payload. */
    private static final int MAX_HEADERS = 46;

    private final BypassSettings settings;
    private final XdpProgramAttachment attachment;
    private final NetAddress local;
    private final int udpPort;
    private final int burstSize;
    private final int udpMaxPayload;

    private XdpPorts(
        final BypassSettings settings, final XdpProgramAttachment attachment, final NetAddress local, final int udpPort,
        final int burstSize, final int udpMaxPayload)
    {
        this.settings = settings;
        this.attachment = attachment;
        this.local = local;
        this.udpPort = udpPort;
        this.burstSize = burstSize;
        this.udpMaxPayload = udpMaxPayload;
    }

    /**
     * Finds the interface's addresses and attaches the XDP program (native mode, else generic; reported).
     *
     * @param settings      interface, mode, wakeup and busy-poll options, optional address.
     * @param queues        queues served, one per lcore (0..queues-1).
     * @param udpPort       the service port.
     * @param burstSize     frames per burst.
     * @param udpMaxPayload the largest reply datagram payload (checked against the frame size).
     * @return the ports' shared part.
     * @throws IllegalArgumentException naming the setting to fix.
     */
    public static XdpPorts open(
        final BypassSettings settings, final int queues, final int udpPort, final int burstSize, final int udpMaxPayload)
    {
        final String name = settings.xdpInterface();
        final NetworkInterface nif;
        try
        {
            nif = NetworkInterface.getByName(name);
        }
        catch (final SocketException ex)
        {
            throw new IllegalArgumentException("xdp.interface = " + name + ": " + ex.getMessage(), ex);
        }
        if (null == nif)
        {
            throw new IllegalArgumentException("xdp.interface = " + name + ": no such interface; `ip -br link` lists them");
        }
        final NetAddress local = new NetAddress(mac(nif), ipv4(settings, nif));
        final XdpProgramAttachment attachment = XdpProgramAttachment.attach(name, udpPort, local.ipv4(), XdpAttachMode.AUTO);
        return new XdpPorts(settings, attachment, local, udpPort, burstSize, udpMaxPayload);
    }

    @Override
    public PacketPort openPort(final int lcore, final CounterRegistry counters)
    {
        final XskFrameQueueConfig config = new XskFrameQueueConfig(settings.xdpInterface(), lcore)
            .bindMode(bindMode(settings.xdpMode()))
            .needWakeup(settings.xdpNeedWakeup())
            .attachment(attachment);
        if (settings.xdpBusyPoll())
        {
            config.busyPoll(20, burstSize);
        }
        final XskFrameQueue queue = XskFrameQueue.open(config);
        if (udpMaxPayload + MAX_HEADERS > queue.frameCapacity())
        {
            queue.close();
            throw new IllegalArgumentException("udp.max.payload = " + udpMaxPayload + ": replies must fit one " +
                queue.frameCapacity() + "-byte UMEM frame with their headers; use at most " +
                (queue.frameCapacity() - MAX_HEADERS));
        }
        final NetCounters netCounters = new NetCounters(counters, lcore);
        // The program sends only our UDP here; anything else that arrives is passed over, not answered.
        final NetStack stack = new NetStack(local, udpPort, netCounters, false, new ArpTable(ArpTable.DEFAULT_CAPACITY),
            settings.reassembly(), SystemNanoClock.INSTANCE);
        return new BypassPort(queue, stack, netCounters, new PortCounters(counters, lcore), local.mac(), udpPort, burstSize);
    }

    @Override
    public String describe()
    {
        return "xdp " + settings.xdpInterface() + ", mac " + NetAddress.macToString(local.mac()) + ", ipv4 " +
            NetAddress.ipv4ToString(local.ipv4()) + ", udp port " + udpPort + ", " +
            settings.reassembly().describe() + ", " + attachment.describe();
    }

    @Override
    public void close()
    {
        attachment.close();
    }

    private static XskBindMode bindMode(final String mode)
    {
        return switch (mode.toLowerCase(Locale.ROOT))
        {
            case "zero-copy" -> XskBindMode.ZERO_COPY;
            case "copy" -> XskBindMode.COPY;
            default -> XskBindMode.AUTO;
        };
    }

    private static long mac(final NetworkInterface nif)
    {
        try
        {
            final byte[] bytes = nif.getHardwareAddress();
            if (null == bytes || bytes.length != 6)
            {
                throw new IllegalArgumentException("xdp.interface = " + nif.getName() + ": has no Ethernet address");
            }
            long mac = 0;
            for (final byte b : bytes)
            {
                mac = (mac << 8) | (b & 0xFF);
            }
            return mac;
        }
        catch (final SocketException ex)
        {
            throw new IllegalArgumentException("xdp.interface = " + nif.getName() + ": " + ex.getMessage(), ex);
        }
    }

    private static int ipv4(final BypassSettings settings, final NetworkInterface nif)
    {
        if (!settings.ipv4().isEmpty())
        {
            return NetAddress.parseIpv4(settings.ipv4());
        }
        for (final InetAddress address : Collections.list(nif.getInetAddresses()))
        {
            if (address instanceof Inet4Address v4)
            {
                final byte[] b = v4.getAddress();
                return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
            }
        }
        throw new IllegalArgumentException("xdp.interface = " + nif.getName() + ": has no IPv4 address; add one " +
            "(ip addr add 10.0.0.1/24 dev " + nif.getName() + ") or set bypass.address");
    }
}
