package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.UdpFrame;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.server.ServerConfig;

import java.time.Duration;
import java.util.Locale;

/**
 * Where {@code wirekv bench} builds its UDP requests: in kernel sockets ({@code kernel}), or straight in
 * packet buffers of a kernel-bypass device ({@code xdp}: an AF_XDP socket on an interface; {@code dpdk}:
 * an ethdev, e.g. {@code net_memif} to reach a DPDK appliance in another process, or {@code net_null}
 * to measure the generator alone). With {@code --threads N} a bypass backend opens N queues, thread i on
 * queue i, all sending from one address and port: replies are told apart by request id (a slice of the
 * id space per thread), which works when the device answers on the queue a request came in on (memif,
 * ring pairs); replies the device spreads elsewhere are counted misrouted and stop the run (see
 * {@link Bench}). The bypass settings use the appliance's own names and meaning
 * ({@link BypassSettings}); {@link BypassSettings#ipv4()} is the bench's source address.
 *
 * @param kind       the backend.
 * @param bypass     EAL arguments, device, source IPv4 ({@code dpdk}); interface, mode, optional source
 *                   IPv4 ({@code xdp}).
 * @param targetMac  the target's MAC (48 bits) when given ({@code --target-mac}), else -1: resolved by ARP.
 * @param localPort  the bench's source UDP port on a bypass backend (replies come to it); 0 picks a free one.
 * @param noReplies  measure the sending side only ({@code --no-replies}): replies are not expected, nothing
 *                   counts as lost, no warm-up, and without {@code --target-mac} no ARP either.
 * @param arpTimeout how long to wait for the target's ARP reply.
 * @param dpdkQueues queues to open on a {@code dpdk} device ({@code --dpdk-queues}), at least one per thread; 0 opens
 *                   one per thread. A {@code net_memif} peer needs as many queue pairs as it has queues: DPDK's memif
 *                   garbles a queue its peer leaves unconnected, so a 1-thread bench against a 2-lcore appliance
 *                   opens 2.
 */
public record BenchBackend(
    ServerConfig.Backend kind,
    BypassSettings bypass,
    long targetMac,
    int localPort,
    boolean noReplies,
    Duration arpTimeout,
    int dpdkQueues)
{
    /** Largest UDP payload in one untagged 1500-byte Ethernet frame: the bypass backends do not fragment. */
    public static final int BYPASS_MAX_UDP_PAYLOAD = 1500 - 20 - 8;
    /** Most queues {@code --dpdk-queues} may ask for (DPDK's memif allows 255 queue pairs). */
    public static final int MAX_DPDK_QUEUES = 255;
    /** Where frames go with {@code --no-replies} and no {@code --target-mac}: a locally administered unicast MAC. */
    public static final long PLACEHOLDER_MAC = 0x02_00_00_00_00_00L;

    /** @throws IllegalArgumentException naming the flag. */
    public BenchBackend
    {
        if (kind == null || bypass == null || arpTimeout == null)
        {
            throw new IllegalArgumentException("a backend, its settings and an ARP timeout are needed");
        }
        if (localPort < 0 || localPort > 65535)
        {
            throw new IllegalArgumentException("--local-port must be 0 (pick one) or 1..65535, got " + localPort);
        }
        if (arpTimeout.isNegative() || arpTimeout.isZero() || arpTimeout.compareTo(Duration.ofMinutes(1)) > 0)
        {
            throw new IllegalArgumentException("--arp-timeout must be more than 0 and at most 1m, got " + arpTimeout);
        }
        if (dpdkQueues < 0 || dpdkQueues > MAX_DPDK_QUEUES)
        {
            throw new IllegalArgumentException("--dpdk-queues must be 0 (one per thread) or 1.." + MAX_DPDK_QUEUES +
                ", got " + dpdkQueues);
        }
        if (dpdkQueues != 0 && kind != ServerConfig.Backend.DPDK)
        {
            throw new IllegalArgumentException("--dpdk-queues needs --backend dpdk");
        }
    }

    /** Queues to open on the device for {@code threads} generator threads. */
    public int queues(final int threads)
    {
        return Math.max(dpdkQueues, threads);
    }

    /** Kernel sockets, replies expected: what {@code wirekv bench} does without backend flags. */
    public static BenchBackend kernel()
    {
        return new BenchBackend(ServerConfig.Backend.KERNEL, BypassSettings.defaults(), -1, 0, false, Duration.ofSeconds(1), 0);
    }

    public boolean bypassed()
    {
        return kind != ServerConfig.Backend.KERNEL;
    }

    public String label()
    {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Checks the combination with the trial settings, before anything is opened.
     *
     * @throws IllegalArgumentException naming the flags and the fix.
     */
    public void check(final BenchSpec spec)
    {
        if (!bypassed())
        {
            return;
        }
        final String backend = "--backend " + label();
        if (spec.transport() != BenchSpec.Transport.UDP)
        {
            throw new IllegalArgumentException(backend + " builds UDP datagrams itself and has no TCP stack: use " +
                "--transport udp, or --backend kernel for TCP");
        }
        if (kind == ServerConfig.Backend.XDP && bypass.xdpInterface().isBlank())
        {
            throw new IllegalArgumentException(backend + " needs --xdp-interface IF, the interface the target is " +
                "reached through (`ip -br link` lists them)");
        }
        if (kind == ServerConfig.Backend.DPDK && bypass.dpdkDevice().isBlank())
        {
            throw new IllegalArgumentException(backend + " needs --dpdk-device NAME, e.g. net_memif0 with " +
                "--eal-args '--vdev=net_memif0,...', net_null0 with --eal-args '--vdev=net_null0 --no-huge', or a PCI address");
        }
        if (kind == ServerConfig.Backend.DPDK && bypass.ipv4().isBlank())
        {
            throw new IllegalArgumentException(backend + " needs --bypass-address A.B.C.D, the bench's source IPv4 " +
                "(DPDK takes the device from the kernel, so no interface address applies)");
        }
        if (dpdkQueues != 0 && dpdkQueues < spec.threads())
        {
            throw new IllegalArgumentException("--dpdk-queues " + dpdkQueues + " is fewer than --threads " + spec.threads() +
                ": each thread needs a queue of its own");
        }
        final int largest = spec.maxRequestBytes() + UdpFrame.HEADER_LENGTH;
        if (largest > BYPASS_MAX_UDP_PAYLOAD)
        {
            throw new IllegalArgumentException(backend + ": a request of up to " + largest + " bytes does not fit one " +
                "1500-byte Ethernet frame (" + BYPASS_MAX_UDP_PAYLOAD + " bytes of UDP payload; the bypass backends do " +
                "not fragment): lower --value-size, --key-size or --multiget");
        }
    }

    /** One line for the start of a run. */
    public String describe()
    {
        return switch (kind)
        {
            case KERNEL -> "kernel udp sockets";
            case XDP -> "xdp " + bypass.xdpInterface() + " (" + bypass.xdpMode() + ")";
            case DPDK -> "dpdk " + bypass.dpdkDevice() + " (eal " + String.join(" ", bypass.dpdkEalArgs()) + ")";
        };
    }
}
