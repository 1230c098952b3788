package io.wirekv.dataplane.server;

import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.guard.UdpAllowList;
import io.wirekv.dataplane.guard.UdpGuard;
import io.wirekv.dataplane.guard.ValidatedSources;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the amplification guard from the configuration at start-up. An empty {@code udp.allow} means
 * the default: loopback plus the subnet the appliance serves on, found from the interface that holds
 * the serving address:
 * <ul>
 *   <li>{@code kernel}: the interface holding {@code listen} (every interface's subnets for
 *       {@code 0.0.0.0});</li>
 *   <li>{@code xdp}: the subnets of {@code xdp.interface};</li>
 *   <li>{@code dpdk}: the port has no kernel interface; the subnet of a kernel interface that holds
 *       {@code bypass.address}'s network if there is one, else {@code bypass.address/24}, which the
 *       start-up report says so the operator can set {@code udp.allow} instead.</li>
 * </ul>
 */
final class ExposureGuards
{
    static final String LOOPBACK = "127.0.0.0/8";
    /** The dpdk backend's assumed prefix when no kernel interface tells it. */
    static final int DPDK_ASSUMED_PREFIX = 24;

    private ExposureGuards()
    {
    }

    /**
     * @param validated the table TCP threads fill and lcores read.
     * @param notes     receives what was concluded (for the start-up report).
     */
    static UdpGuard udpGuard(final ServerConfig config, final ValidatedSources validated, final List<String> notes)
    {
        final ExposureSettings exposure = config.exposure();
        final List<String> allow = exposure.udpAllow().isEmpty() ? defaultAllowList(config, notes) : exposure.udpAllow();
        // Only the kernel backend receives through the kernel, which drops 127/8 sources arriving from a wire.
        return new UdpGuard(UdpAllowList.of(allow), exposure.unvalidatedReplyFactor(), validated,
            config.backend() == ServerConfig.Backend.KERNEL, exposure.unvalidatedReplyRate());
    }

    static List<String> defaultAllowList(final ServerConfig config, final List<String> notes)
    {
        final Set<String> cidrs = new LinkedHashSet<>();
        cidrs.add(LOOPBACK);
        try
        {
            switch (config.backend())
            {
                case KERNEL ->
                {
                    final InetAddress listen = InetAddress.getByName(config.listenAddress());
                    if (listen.isAnyLocalAddress())
                    {
                        for (final NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces()))
                        {
                            addSubnets(nif, null, cidrs);
                        }
                    }
                    else
                    {
                        addSubnets(NetworkInterface.getByInetAddress(listen), listen, cidrs);
                    }
                }
                case XDP -> addSubnets(NetworkInterface.getByName(config.bypass().xdpInterface()), null, cidrs);
                case DPDK ->
                {
                    final InetAddress address = InetAddress.getByName(config.bypass().ipv4());
                    final String assumed = subnet(address, DPDK_ASSUMED_PREFIX);
                    cidrs.add(assumed);
                    notes.add("udp.allow: dpdk has no kernel interface to read bypass.address's prefix from; " +
                        "assumed " + assumed + " (set udp.allow to say otherwise)");
                }
                default -> throw new IllegalStateException("unknown backend " + config.backend());
            }
        }
        catch (final SocketException | UnknownHostException ex)
        {
            throw new UncheckedIOException("cannot read the serving interface's subnet for udp.allow's default; " +
                "set udp.allow explicitly", ex);
        }
        return new ArrayList<>(cidrs);
    }

    /** The IPv4 subnets of an interface (only the one holding {@code only} when it is given). */
    private static void addSubnets(final NetworkInterface nif, final InetAddress only, final Set<String> cidrs)
    {
        if (null == nif)
        {
            return; // the address is not local (a test's), nothing beyond loopback is known
        }
        for (final InterfaceAddress ia : nif.getInterfaceAddresses())
        {
            if (ia.getAddress() instanceof Inet4Address v4 && (null == only || only.equals(v4)))
            {
                cidrs.add(subnet(v4, ia.getNetworkPrefixLength()));
            }
        }
    }

    private static String subnet(final InetAddress address, final int prefix)
    {
        final byte[] b = address.getAddress();
        final int ipv4 = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        return UdpAllowList.ipv4ToString(ipv4 & UdpAllowList.mask(prefix)) + "/" + prefix;
    }
}
