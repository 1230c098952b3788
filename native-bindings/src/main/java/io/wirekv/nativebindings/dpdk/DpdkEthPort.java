package io.wirekv.nativebindings.dpdk;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One DPDK ethdev port, configured with {@code N} RX and {@code M} TX queues and started, with its own
 * mbuf pool: the minimal owner of the native objects that a dataplane port builds on (it knows nothing
 * about packets, lcores or counters).
 * <p>
 * <b>Lifetime.</b> {@link #open} configures, sets up every queue and starts the port;
 * {@link #close()} stops and closes it ({@code rte_eth_dev_close} releases the device: a closed port id
 * cannot be opened again in this process) and frees the pool. Close every port before the {@link Eal}.
 * Return every mbuf before closing: mbufs still held, or still queued in a software device's ring,
 * point into the freed pool.
 * <p>
 * <b>Threading.</b> Setup and {@link #close()} on one thread. Each RX/TX queue is used by exactly one
 * thread (its lcore), which should have called {@link Eal#registerThread()}; different queues may be
 * polled by different threads concurrently. {@link #readStats(EthStats)} may run on any thread.
 * <p>
 * <b>Hot path.</b> {@link #rxBurst}, {@link #txBurst}, {@link #txBurstOrFree}, {@link #allocMbuf()},
 * {@link #freeMbuf(long)} neither allocate nor throw; mbufs are {@code long} addresses, read and written
 * with {@link MbufDescriptor}; burst arrays are native segments of pointers the caller allocates once.
 */
public final class DpdkEthPort implements AutoCloseable
{
    /** {@code SOCKET_ID_ANY}. */
    public static final int SOCKET_ID_ANY = -1;
    /** {@code RTE_ETH_MQ_RX_RSS}. */
    static final int RTE_ETH_MQ_RX_RSS = 1;
    /** {@code RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP}: what a UDP service hashes on. */
    static final long RSS_IPV4_UDP = (1L << 2) | (1L << 3) | (1L << 5);

    /**
     * What {@link #open} sets up.
     *
     * @param rxQueues      RX queues (one per lcore).
     * @param txQueues      TX queues (one per lcore).
     * @param rxDescriptors RX ring size per queue (a power of two the driver accepts, e.g. 1024).
     * @param txDescriptors TX ring size per queue.
     * @param mbufCount     mbufs in the pool; must cover every RX ring, every lcore's cache and packets in
     *                      flight ({@code 2^k - 1} is the most memory-efficient).
     * @param mbufCacheSize per-lcore mempool cache (at most 512 and {@code mbufCount / 1.5}).
     * @param dataRoomSize  bytes per mbuf buffer including the 128-byte headroom (2176 for 2 KiB of data).
     */
    public record Config(
        int rxQueues, int txQueues, int rxDescriptors, int txDescriptors, int mbufCount, int mbufCacheSize,
        int dataRoomSize)
    {
        /**
         * @param queues RX and TX queues.
         * @return 1024-entry rings, 8191 mbufs (+ 2048 per queue beyond 2), cache 256, 2 KiB data each.
         */
        public static Config defaults(final int queues)
        {
            return new Config(queues, queues, 1024, 1024, 8191 + 2048 * Math.max(0, queues - 2), 256,
                RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE);
        }
    }

    /**
     * {@code rte_eth_link}, decoded.
     *
     * @param speedMbps  link speed in Mbps (0 when unknown).
     * @param up         link status.
     * @param fullDuplex duplex.
     * @param autoneg    autonegotiated.
     */
    public record Link(int speedMbps, boolean up, boolean fullDuplex, boolean autoneg)
    {
    }

    /**
     * The parts of {@code rte_eth_dev_info} wirekv uses.
     *
     * @param driverName          e.g. {@code "net_ring"}, {@code "net_ixgbe"}.
     * @param maxRxQueues         RX queues the device offers.
     * @param maxTxQueues         TX queues the device offers.
     * @param maxMtu              largest MTU.
     * @param rxOffloadCapa       {@code RTE_ETH_RX_OFFLOAD_*} the device supports.
     * @param txOffloadCapa       {@code RTE_ETH_TX_OFFLOAD_*} the device supports.
     * @param flowTypeRssOffloads {@code RTE_ETH_RSS_*} hash types the device supports (0: no RSS).
     */
    public record DeviceInfo(
        String driverName, int maxRxQueues, int maxTxQueues, int maxMtu, long rxOffloadCapa, long txOffloadCapa,
        long flowTypeRssOffloads)
    {
    }

    private final int portId;
    private final String name;
    private final Config config;
    private final MemorySegment pool;
    private final long poolAddress;
    private boolean closed;

    private DpdkEthPort(final int portId, final String name, final Config config, final MemorySegment pool)
    {
        this.portId = portId;
        this.name = name;
        this.config = config;
        this.pool = pool;
        this.poolAddress = pool.address();
    }

    /**
     * @param deviceName an ethdev name, e.g. {@code "net_ring0"} (from {@code --vdev=net_ring0}) or a PCI
     *                   address {@code "0000:01:00.0"}.
     * @return the port id.
     * @throws NativeException when no port has that name.
     */
    public static int portIdByName(final String deviceName)
    {
        return NativeException.check(RteEthdev.rte_eth_dev_get_port_by_name(deviceName),
            "rte_eth_dev_get_port_by_name(" + deviceName + ")",
            "no DPDK port has that name: pass --vdev=" + deviceName + " (virtual device) or bind the NIC to vfio-pci " +
            "and check -a/--allow; " + RteEthdev.rte_eth_dev_count_avail() + " port(s) are available");
    }

    /**
     * Opens the port with the given name; see {@link #open(int, String, Config)}.
     *
     * @param deviceName e.g. {@code "net_ring0"}.
     * @param config     queues, rings, pool.
     * @return the started port.
     */
    public static DpdkEthPort open(final String deviceName, final Config config)
    {
        return open(portIdByName(deviceName), deviceName, config);
    }

    /**
     * Creates the port's mbuf pool (on the port's NUMA socket), configures the port with the default
     * {@code rte_eth_conf} (no offloads; RSS over IPv4/UDP when there are several RX queues and the device hashes), sets up every queue, and starts it. Setup only; the EAL
     * must be running. On failure nothing stays allocated (the port stays configured but stopped).
     *
     * @param portId a probed, unused port.
     * @param name   its name, for messages and the pool's name.
     * @param config queues, rings, pool.
     * @return the started port.
     * @throws NativeException with the failed call, DPDK's reason and what to do.
     */
    public static DpdkEthPort open(final int portId, final String name, final Config config)
    {
        final DeviceInfo info = deviceInfo(portId);
        if (config.rxQueues() < 1 || config.rxQueues() > info.maxRxQueues() ||
            config.txQueues() < 1 || config.txQueues() > info.maxTxQueues())
        {
            throw new NativeException("open(" + name + ")", Errno.EINVAL,
                "asked for " + config.rxQueues() + " RX / " + config.txQueues() + " TX queues; " + info.driverName() +
                " offers 1.." + info.maxRxQueues() + " RX / 1.." + info.maxTxQueues() + " TX");
        }

        final int portSocket = RteEthdev.rte_eth_dev_socket_id(portId);
        final int socket = portSocket >= 0 ? portSocket : SOCKET_ID_ANY;
        final String poolName = "wirekv_mb_p" + portId;
        final MemorySegment pool = RteMbuf.rte_pktmbuf_pool_create(
            poolName, config.mbufCount(), config.mbufCacheSize(), 0, config.dataRoomSize(), socket);
        if (pool.address() == 0)
        {
            final int errnum = RteEal.rte_errno();
            throw new NativeException("rte_pktmbuf_pool_create(" + poolName + ", n=" + config.mbufCount() + ")", errnum,
                "DPDK says: " + RteEal.rte_strerror(errnum) + ". ENOMEM: raise -m / reserve more hugepages or lower " +
                "mbufCount; EEXIST: the port was opened before in this process");
        }

        boolean started = false;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment conf = arena.allocate(EthdevDescriptor.CONF_SIZE, 8);
            final long rssTypes = info.flowTypeRssOffloads() & RSS_IPV4_UDP;
            if (config.rxQueues() > 1 && rssTypes != 0)
            {
                // Spread flows over the queues by the NIC's hash of addresses and ports (the default key).
                conf.set(JAVA_INT, EthdevDescriptor.CONF_RXMODE_MQ_MODE_OFFSET, RTE_ETH_MQ_RX_RSS);
                conf.set(JAVA_LONG, EthdevDescriptor.CONF_RSS_HF_OFFSET, rssTypes);
            }
            check(RteEthdev.rte_eth_dev_configure(portId, config.rxQueues(), config.txQueues(), conf),
                "rte_eth_dev_configure(" + name + ", rx=" + config.rxQueues() + ", tx=" + config.txQueues() + ")",
                "the driver refused the queue counts or the default configuration");
            for (int q = 0; q < config.rxQueues(); q++)
            {
                check(RteEthdev.rte_eth_rx_queue_setup(portId, q, config.rxDescriptors(), socket, MemorySegment.NULL, pool),
                    "rte_eth_rx_queue_setup(" + name + ", queue=" + q + ", descriptors=" + config.rxDescriptors() + ")",
                    "the ring size must be one the driver accepts; the pool must hold more mbufs than all RX rings");
            }
            for (int q = 0; q < config.txQueues(); q++)
            {
                check(RteEthdev.rte_eth_tx_queue_setup(portId, q, config.txDescriptors(), socket, MemorySegment.NULL),
                    "rte_eth_tx_queue_setup(" + name + ", queue=" + q + ", descriptors=" + config.txDescriptors() + ")",
                    "the ring size must be one the driver accepts");
            }
            check(RteEthdev.rte_eth_dev_start(portId), "rte_eth_dev_start(" + name + ")", "");
            started = true;
            return new DpdkEthPort(portId, name, config, pool);
        }
        finally
        {
            if (!started)
            {
                RteMbuf.rte_mempool_free(pool);
            }
        }
    }

    /**
     * @param portId a probed port.
     * @return what the driver reports.
     * @throws NativeException when the port does not exist.
     */
    @SuppressWarnings("restricted")
    public static DeviceInfo deviceInfo(final int portId)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment info = arena.allocate(EthdevDescriptor.DEV_INFO_SIZE, 8);
            check(RteEthdev.rte_eth_dev_info_get(portId, info), "rte_eth_dev_info_get(port " + portId + ")",
                "no such port");
            final MemorySegment driver = info.get(ADDRESS, EthdevDescriptor.DEV_INFO_DRIVER_NAME_OFFSET);
            return new DeviceInfo(
                driver.address() == 0 ? "" : driver.reinterpret(256).getString(0),
                Short.toUnsignedInt(info.get(JAVA_SHORT, EthdevDescriptor.DEV_INFO_MAX_RX_QUEUES_OFFSET)),
                Short.toUnsignedInt(info.get(JAVA_SHORT, EthdevDescriptor.DEV_INFO_MAX_TX_QUEUES_OFFSET)),
                Short.toUnsignedInt(info.get(JAVA_SHORT, EthdevDescriptor.DEV_INFO_MAX_MTU_OFFSET)),
                info.get(JAVA_LONG, EthdevDescriptor.DEV_INFO_RX_OFFLOAD_CAPA_OFFSET),
                info.get(JAVA_LONG, EthdevDescriptor.DEV_INFO_TX_OFFLOAD_CAPA_OFFSET),
                info.get(JAVA_LONG, EthdevDescriptor.DEV_INFO_FLOW_TYPE_RSS_OFFLOADS_OFFSET));
        }
    }

    /**
     * @return the ethdev port id.
     */
    public int portId()
    {
        return portId;
    }

    /**
     * @return the device name it was opened by.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return what it was opened with.
     */
    public Config config()
    {
        return config;
    }

    /**
     * @return the mbuf pool's address (for {@link RteMbuf} calls).
     */
    public long poolAddress()
    {
        return poolAddress;
    }

    /**
     * Takes up to {@code n} received packets off an RX queue. Hot path.
     *
     * @param queue an RX queue, polled by this thread only.
     * @param mbufs native segment of at least {@code n} pointer slots.
     * @param n     the most to take (a burst, e.g. 32).
     * @return how many were taken; the caller owns them and frees or sends each.
     */
    public int rxBurst(final int queue, final MemorySegment mbufs, final int n)
    {
        return RteEthdev.wirekv_rx_burst(portId, queue, mbufs, n);
    }

    /**
     * Hands up to {@code n} packets to a TX queue. Hot path.
     *
     * @param queue a TX queue, used by this thread only.
     * @param mbufs native segment holding {@code n} mbuf pointers.
     * @param n     how many to send.
     * @return how many the driver took (from the front); the caller still owns the rest.
     */
    public int txBurst(final int queue, final MemorySegment mbufs, final int n)
    {
        return RteEthdev.wirekv_tx_burst(portId, queue, mbufs, n);
    }

    /**
     * Sends up to {@code n} packets and frees those the driver did not take, so no buffer is ever
     * ambiguous; the caller counts {@code n - result} as dropped. Hot path.
     *
     * @param queue a TX queue, used by this thread only.
     * @param mbufs native segment holding {@code n} mbuf pointers.
     * @param n     how many to send.
     * @return how many were sent.
     */
    public int txBurstOrFree(final int queue, final MemorySegment mbufs, final int n)
    {
        final int sent = RteEthdev.wirekv_tx_burst(portId, queue, mbufs, n);
        for (int i = sent; i < n; i++)
        {
            RteMbuf.wirekv_pktmbuf_free(mbufs.getAtIndex(JAVA_LONG, i));
        }
        return sent;
    }

    /**
     * @return a reset mbuf from the port's pool, or 0 when the pool is empty. Hot path.
     */
    public long allocMbuf()
    {
        return RteMbuf.wirekv_pktmbuf_alloc(poolAddress);
    }

    /**
     * @param mbufs native segment of at least {@code n} pointer slots; receives the mbufs.
     * @param n     how many.
     * @return true when all {@code n} were allocated, false when the pool had fewer (none taken). Hot path.
     */
    public boolean allocMbufs(final MemorySegment mbufs, final int n)
    {
        return RteMbuf.wirekv_pktmbuf_alloc_bulk(poolAddress, mbufs, n) == 0;
    }

    /**
     * @param mbuf an mbuf's address (0 is ignored); returned to its own pool. Hot path.
     */
    public void freeMbuf(final long mbuf)
    {
        RteMbuf.wirekv_pktmbuf_free(mbuf);
    }

    /**
     * @param mbufs native segment holding {@code n} mbuf pointers. Hot path.
     * @param n     how many.
     */
    public void freeMbufs(final MemorySegment mbufs, final int n)
    {
        RteMbuf.wirekv_pktmbuf_free_bulk(mbufs, n);
    }

    /**
     * @return free mbufs in the pool (ring and lcore caches); for checks and stats, not per packet.
     */
    public int availableMbufs()
    {
        return RteMbuf.rte_mempool_avail_count(poolAddress);
    }

    /**
     * @return mbufs taken out of the pool (held by the application or queued in the device's rings).
     */
    public int inUseMbufs()
    {
        return RteMbuf.rte_mempool_in_use_count(poolAddress);
    }

    /**
     * Fills {@code stats} with the port's counters; allocates nothing.
     *
     * @param stats a reusable holder.
     * @return 0, or a negative errno.
     */
    public int readStats(final EthStats stats)
    {
        return RteEthdev.rte_eth_stats_get(portId, stats.segment());
    }

    /**
     * Zeroes the port's counters. Setup or admin path.
     */
    public void resetStats()
    {
        check(RteEthdev.rte_eth_stats_reset(portId), "rte_eth_stats_reset(" + name + ")", "");
    }

    /**
     * @return the port's MAC address as 48 bits, first byte on the wire in bits 47..40.
     */
    public long macAddress()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mac = arena.allocate(EthdevDescriptor.ETHER_ADDR_SIZE, 2);
            check(RteEthdev.rte_eth_macaddr_get(portId, mac), "rte_eth_macaddr_get(" + name + ")", "");
            long value = 0;
            for (int i = 0; i < EthdevDescriptor.ETHER_ADDR_SIZE; i++)
            {
                value = (value << 8) | Byte.toUnsignedInt(mac.get(JAVA_BYTE, i));
            }
            return value;
        }
    }

    /**
     * @param mac 48 bits as from {@link #macAddress()}.
     * @return e.g. {@code "02:70:63:61:70:00"}.
     */
    public static String formatMac(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            sb.append(String.format(Locale.ROOT, "%02x", (mac >>> shift) & 0xFF));
            if (shift > 0)
            {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /**
     * @return the link state now ({@code rte_eth_link_get_nowait}: does not wait for autonegotiation).
     */
    public Link link()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment link = arena.allocate(EthdevDescriptor.LINK_SIZE, 8);
            check(RteEthdev.rte_eth_link_get_nowait(portId, link), "rte_eth_link_get_nowait(" + name + ")", "");
            final long word = link.get(JAVA_LONG, 0);
            return new Link(
                link.get(JAVA_INT, EthdevDescriptor.LINK_SPEED_OFFSET),
                ((word >>> EthdevDescriptor.LINK_STATUS_BIT) & 1) == RteEthdev.RTE_ETH_LINK_UP,
                ((word >>> EthdevDescriptor.LINK_DUPLEX_BIT) & 1) == RteEthdev.RTE_ETH_LINK_FULL_DUPLEX,
                ((word >>> EthdevDescriptor.LINK_AUTONEG_BIT) & 1) == 1);
        }
    }

    /**
     * @return what the driver reports for this port.
     */
    public DeviceInfo deviceInfo()
    {
        return deviceInfo(portId);
    }

    /**
     * Stops and closes the port, then frees its pool. Idempotent.
     *
     * @throws NativeException when the driver fails to stop or close (the pool is freed anyway).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            check(RteEthdev.rte_eth_dev_stop(portId), "rte_eth_dev_stop(" + name + ")", "");
            check(RteEthdev.rte_eth_dev_close(portId), "rte_eth_dev_close(" + name + ")", "");
        }
        finally
        {
            RteMbuf.rte_mempool_free(pool);
        }
    }

    @Override
    public String toString()
    {
        return "DpdkEthPort{" + name + ", port " + portId + ", rx " + config.rxQueues() + ", tx " + config.txQueues() + "}";
    }

    private static void check(final int result, final String call, final String hint)
    {
        if (result < 0)
        {
            final int errnum = -result;
            throw new NativeException(call, errnum,
                hint.isEmpty() ? "DPDK says: " + RteEal.rte_strerror(errnum) : hint + " (DPDK says: " + RteEal.rte_strerror(errnum) + ")");
        }
    }
}
