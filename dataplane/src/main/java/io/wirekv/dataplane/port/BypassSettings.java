package io.wirekv.dataplane.port;

import io.wirekv.dataplane.net.ReassemblySettings;

import java.util.List;

/**
 * What the kernel-bypass backends need beyond the common configuration (validated by the control
 * plane before start-up).
 *
 * @param dpdkEalArgs   EAL arguments for the {@code dpdk} backend, e.g. {@code --vdev=net_memif0 --no-huge}
 *                      or PCI allow-lists ({@code -a 0000:01:00.0}).
 * @param dpdkDevice    the ethdev the appliance serves on: a vdev name ({@code net_memif0}) or a PCI address.
 * @param ipv4          the IPv4 address the appliance answers on with {@code dpdk} (ARP, ICMP, UDP); with
 *                      {@code xdp} the interface's own address is used when empty.
 * @param xdpInterface  the network interface for the {@code xdp} backend, e.g. {@code eth1}.
 * @param xdpMode       {@code auto} (zero-copy where the driver offers it, else copy), {@code zero-copy}
 *                      or {@code copy}.
 * @param xdpNeedWakeup use the need-wakeup flag (a syscall only when the kernel asks for one).
 * @param xdpBusyPoll   ask the kernel for preferred busy polling on the XSK sockets.
 * @param reassembly    IPv4 reassembly bounds per lcore (both backends: a UDP request larger than one frame
 *                      arrives in fragments).
 */
public record BypassSettings(
    List<String> dpdkEalArgs,
    String dpdkDevice,
    String ipv4,
    String xdpInterface,
    String xdpMode,
    boolean xdpNeedWakeup,
    boolean xdpBusyPoll,
    ReassemblySettings reassembly)
{
    public BypassSettings
    {
        dpdkEalArgs = List.copyOf(dpdkEalArgs);
    }

    /** As the canonical constructor, with the default reassembly bounds. */
    public BypassSettings(
        final List<String> dpdkEalArgs, final String dpdkDevice, final String ipv4, final String xdpInterface,
        final String xdpMode, final boolean xdpNeedWakeup, final boolean xdpBusyPoll)
    {
        this(dpdkEalArgs, dpdkDevice, ipv4, xdpInterface, xdpMode, xdpNeedWakeup, xdpBusyPoll,
            ReassemblySettings.defaults());
    }

    /** @return these settings with other reassembly bounds. */
    public BypassSettings withReassembly(final ReassemblySettings bounds)
    {
        return new BypassSettings(dpdkEalArgs, dpdkDevice, ipv4, xdpInterface, xdpMode, xdpNeedWakeup, xdpBusyPoll, bounds);
    }

    /** The embedded defaults: no device chosen (the kernel backend needs none). */
    public static BypassSettings defaults()
    {
        return new BypassSettings(List.of("--in-memory", "--no-telemetry"), "", "", "", "auto", true, false);
    }
}
