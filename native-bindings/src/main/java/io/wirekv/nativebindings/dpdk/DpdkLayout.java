package io.wirekv.nativebindings.dpdk;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks, at start-up, that the struct offsets and sizes wirekv compiled in ({@link MbufDescriptor},
 * {@link EthdevDescriptor}) are those of the DPDK headers the shim was built against: the shim exports
 * each {@code sizeof}/{@code offsetof} under a numeric key ({@code wirekv_layout(key)}, keys shared
 * with {@code enum wirekv_layout_key} in wirekv_dpdk_shim.c, append only).
 * <p>
 * A mismatch (a DPDK upgrade, a different {@code RTE_ETHDEV_QUEUE_STAT_CNTRS}, another architecture)
 * fails loudly with every differing field listed, instead of reading the wrong bytes per packet.
 */
public final class DpdkLayout
{
    /** Shim ABI revision this Java code speaks ({@code WIREKV_SHIM_ABI}). */
    public static final int SHIM_ABI = 1;

    /** A value the Java side relies on: its shim key, its name, and the value compiled into Java. */
    record Entry(int key, String name, long expected)
    {
    }

    static final List<Entry> ENTRIES = List.of(
        new Entry(0, "WIREKV_SHIM_ABI", SHIM_ABI),
        new Entry(2, "sizeof(void *)", 8),

        new Entry(10, "sizeof(struct rte_mbuf)", MbufDescriptor.SIZE),
        new Entry(11, "rte_mbuf.buf_addr", MbufDescriptor.BUF_ADDR_OFFSET),
        new Entry(12, "rte_mbuf.data_off", MbufDescriptor.DATA_OFF_OFFSET),
        new Entry(13, "rte_mbuf.refcnt", MbufDescriptor.REFCNT_OFFSET),
        new Entry(14, "rte_mbuf.nb_segs", MbufDescriptor.NB_SEGS_OFFSET),
        new Entry(15, "rte_mbuf.port", MbufDescriptor.PORT_OFFSET),
        new Entry(16, "rte_mbuf.ol_flags", MbufDescriptor.OL_FLAGS_OFFSET),
        new Entry(17, "rte_mbuf.packet_type", MbufDescriptor.PACKET_TYPE_OFFSET),
        new Entry(18, "rte_mbuf.pkt_len", MbufDescriptor.PKT_LEN_OFFSET),
        new Entry(19, "rte_mbuf.data_len", MbufDescriptor.DATA_LEN_OFFSET),
        new Entry(20, "rte_mbuf.vlan_tci", MbufDescriptor.VLAN_TCI_OFFSET),
        new Entry(21, "rte_mbuf.hash.rss", MbufDescriptor.HASH_RSS_OFFSET),
        new Entry(22, "rte_mbuf.buf_len", MbufDescriptor.BUF_LEN_OFFSET),
        new Entry(23, "rte_mbuf.pool", MbufDescriptor.POOL_OFFSET),
        new Entry(24, "rte_mbuf.next", MbufDescriptor.NEXT_OFFSET),
        new Entry(25, "RTE_PKTMBUF_HEADROOM", MbufDescriptor.HEADROOM),

        new Entry(40, "sizeof(struct rte_eth_stats)", EthdevDescriptor.STATS_SIZE),
        new Entry(41, "rte_eth_stats.ipackets", EthdevDescriptor.STATS_IPACKETS_OFFSET),
        new Entry(42, "rte_eth_stats.opackets", EthdevDescriptor.STATS_OPACKETS_OFFSET),
        new Entry(43, "rte_eth_stats.ibytes", EthdevDescriptor.STATS_IBYTES_OFFSET),
        new Entry(44, "rte_eth_stats.obytes", EthdevDescriptor.STATS_OBYTES_OFFSET),
        new Entry(45, "rte_eth_stats.imissed", EthdevDescriptor.STATS_IMISSED_OFFSET),
        new Entry(46, "rte_eth_stats.ierrors", EthdevDescriptor.STATS_IERRORS_OFFSET),
        new Entry(47, "rte_eth_stats.oerrors", EthdevDescriptor.STATS_OERRORS_OFFSET),
        new Entry(48, "rte_eth_stats.rx_nombuf", EthdevDescriptor.STATS_RX_NOMBUF_OFFSET),
        new Entry(49, "rte_eth_stats.q_ipackets", EthdevDescriptor.STATS_Q_IPACKETS_OFFSET),
        new Entry(50, "rte_eth_stats.q_opackets", EthdevDescriptor.STATS_Q_OPACKETS_OFFSET),
        new Entry(51, "RTE_ETHDEV_QUEUE_STAT_CNTRS", EthdevDescriptor.QUEUE_STAT_COUNTERS),

        new Entry(60, "sizeof(struct rte_ether_addr)", EthdevDescriptor.ETHER_ADDR_SIZE),

        new Entry(70, "sizeof(struct rte_eth_link)", EthdevDescriptor.LINK_SIZE),
        new Entry(71, "rte_eth_link.link_speed", EthdevDescriptor.LINK_SPEED_OFFSET),
        new Entry(72, "rte_eth_link.link_duplex (bit)", EthdevDescriptor.LINK_DUPLEX_BIT),
        new Entry(73, "rte_eth_link.link_autoneg (bit)", EthdevDescriptor.LINK_AUTONEG_BIT),
        new Entry(74, "rte_eth_link.link_status (bit)", EthdevDescriptor.LINK_STATUS_BIT),

        new Entry(80, "sizeof(struct rte_eth_conf)", EthdevDescriptor.CONF_SIZE),
        new Entry(81, "rte_eth_conf.rxmode.mq_mode", EthdevDescriptor.CONF_RXMODE_MQ_MODE_OFFSET),
        new Entry(82, "rte_eth_conf.rxmode.mtu", EthdevDescriptor.CONF_RXMODE_MTU_OFFSET),
        new Entry(83, "rte_eth_conf.rxmode.offloads", EthdevDescriptor.CONF_RXMODE_OFFLOADS_OFFSET),
        new Entry(84, "rte_eth_conf.txmode.offloads", EthdevDescriptor.CONF_TXMODE_OFFLOADS_OFFSET),
        new Entry(85, "rte_eth_conf.rx_adv_conf.rss_conf.rss_key", EthdevDescriptor.CONF_RSS_KEY_OFFSET),
        new Entry(86, "rte_eth_conf.rx_adv_conf.rss_conf.rss_key_len", EthdevDescriptor.CONF_RSS_KEY_LEN_OFFSET),
        new Entry(87, "rte_eth_conf.rx_adv_conf.rss_conf.rss_hf", EthdevDescriptor.CONF_RSS_HF_OFFSET),

        new Entry(100, "sizeof(struct rte_eth_dev_info)", EthdevDescriptor.DEV_INFO_SIZE),
        new Entry(101, "rte_eth_dev_info.driver_name", EthdevDescriptor.DEV_INFO_DRIVER_NAME_OFFSET),
        new Entry(102, "rte_eth_dev_info.max_rx_queues", EthdevDescriptor.DEV_INFO_MAX_RX_QUEUES_OFFSET),
        new Entry(103, "rte_eth_dev_info.max_tx_queues", EthdevDescriptor.DEV_INFO_MAX_TX_QUEUES_OFFSET),
        new Entry(104, "rte_eth_dev_info.rx_offload_capa", EthdevDescriptor.DEV_INFO_RX_OFFLOAD_CAPA_OFFSET),
        new Entry(105, "rte_eth_dev_info.tx_offload_capa", EthdevDescriptor.DEV_INFO_TX_OFFLOAD_CAPA_OFFSET),
        new Entry(106, "rte_eth_dev_info.flow_type_rss_offloads", EthdevDescriptor.DEV_INFO_FLOW_TYPE_RSS_OFFLOADS_OFFSET),
        new Entry(107, "rte_eth_dev_info.max_mtu", EthdevDescriptor.DEV_INFO_MAX_MTU_OFFSET),

        new Entry(122, "LCORE_ID_ANY", 0xFFFF_FFFFL),
        new Entry(123, "SOCKET_ID_ANY", -1));

    private DpdkLayout()
    {
    }

    /**
     * Compares every value wirekv relies on with the shim's; call once at start-up, before the first
     * DPDK call that passes a struct. Does not need the EAL.
     *
     * @throws IllegalStateException listing each mismatch, when wirekv and the installed DPDK disagree.
     * @throws io.wirekv.nativebindings.NativeException when the shim or DPDK cannot be loaded.
     */
    public static void verify()
    {
        DpdkShim.library();
        final List<String> mismatches = mismatches();
        if (!mismatches.isEmpty())
        {
            throw new IllegalStateException(
                "wirekv's DPDK struct layouts do not match the DPDK its shim was built against (" +
                RteEal.rte_version() + "): " + String.join("; ", mismatches) +
                ". DPDK upgrade? rebuild wirekv, and update MbufDescriptor/EthdevDescriptor from the new headers.");
        }
    }

    /**
     * @return one line per value that differs, e.g. {@code "rte_mbuf.data_len: wirekv 40, DPDK 42"}; empty
     * when all agree.
     */
    public static List<String> mismatches()
    {
        final List<String> mismatches = new ArrayList<>();
        for (final Entry entry : ENTRIES)
        {
            final long actual = RteEal.wirekv_layout(entry.key());
            if (actual != entry.expected())
            {
                mismatches.add(entry.name() + ": wirekv " + entry.expected() + ", DPDK " +
                    (actual == Long.MIN_VALUE ? "unknown to the shim (key " + entry.key() + ")" : Long.toString(actual)));
            }
        }
        return mismatches;
    }

    /**
     * @return the version the shim was built against, as {@code RTE_VERSION} (year, month, minor, release
     * in the bytes from high to low).
     */
    public static long rteVersionNumber()
    {
        return RteEal.wirekv_layout(1);
    }
}
