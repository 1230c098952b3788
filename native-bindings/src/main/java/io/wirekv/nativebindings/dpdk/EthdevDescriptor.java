package io.wirekv.nativebindings.dpdk;

/**
 * The ethdev structs of DPDK 22.11 (x86_64 / aarch64) that wirekv reads or fills: offsets and sizes,
 * checked against the real headers by {@link DpdkLayout#verify()} at start-up.
 * <p>
 * {@code struct rte_eth_stats} ({@value #STATS_SIZE} bytes), all {@code uint64_t}:
 * <pre>
 *  0 ipackets   8 opackets  16 ibytes  24 obytes  32 imissed  40 ierrors  48 oerrors  56 rx_nombuf
 *  64 q_ipackets[16]  192 q_opackets[16]  320 q_ibytes[16]  448 q_obytes[16]  576 q_errors[16]  704
 * </pre>
 * {@code struct rte_eth_link} ({@value #LINK_SIZE} bytes, 8-aligned, read as one 64-bit word):
 * <pre>
 *  0 link_speed (uint32, Mbps)   bits 32.. of the word: link_duplex:1 @32, link_autoneg:1 @33, link_status:1 @34
 * </pre>
 * {@code struct rte_ether_addr}: {@value #ETHER_ADDR_SIZE} bytes, network order.
 * <p>
 * {@code struct rte_eth_conf} ({@value #CONF_SIZE} bytes; all zeroes is the default configuration):
 * <pre>
 *  0 link_speeds  8 rxmode { 8 mq_mode, 12 mtu, 16 max_lro_pkt_size, 24 offloads, ... }
 *  64 txmode { 64 mq_mode, 72 offloads, ... }  ...  128 rx_adv_conf.rss_conf { 128 rss_key, 136 rss_key_len, 144 rss_hf }
 * </pre>
 * {@code struct rte_eth_dev_info} ({@value #DEV_INFO_SIZE} bytes): the fields read here are listed below.
 */
public final class EthdevDescriptor
{
    /** {@code sizeof(struct rte_eth_stats)}. */
    public static final int STATS_SIZE = 704;
    /** {@code ipackets}. */
    public static final int STATS_IPACKETS_OFFSET = 0;
    /** {@code opackets}. */
    public static final int STATS_OPACKETS_OFFSET = STATS_IPACKETS_OFFSET + 8;
    /** {@code ibytes}. */
    public static final int STATS_IBYTES_OFFSET = STATS_OPACKETS_OFFSET + 8;
    /** {@code obytes}. */
    public static final int STATS_OBYTES_OFFSET = STATS_IBYTES_OFFSET + 8;
    /** {@code imissed}: dropped by the hardware, RX ring full. */
    public static final int STATS_IMISSED_OFFSET = STATS_OBYTES_OFFSET + 8;
    /** {@code ierrors}. */
    public static final int STATS_IERRORS_OFFSET = STATS_IMISSED_OFFSET + 8;
    /** {@code oerrors}. */
    public static final int STATS_OERRORS_OFFSET = STATS_IERRORS_OFFSET + 8;
    /** {@code rx_nombuf}: RX mbuf allocation failures. */
    public static final int STATS_RX_NOMBUF_OFFSET = STATS_OERRORS_OFFSET + 8;
    /** {@code q_ipackets[RTE_ETHDEV_QUEUE_STAT_CNTRS]}. */
    public static final int STATS_Q_IPACKETS_OFFSET = STATS_RX_NOMBUF_OFFSET + 8;
    /** {@code RTE_ETHDEV_QUEUE_STAT_CNTRS}: queues with their own counters. */
    public static final int QUEUE_STAT_COUNTERS = 16;
    /** {@code q_opackets[RTE_ETHDEV_QUEUE_STAT_CNTRS]}. */
    public static final int STATS_Q_OPACKETS_OFFSET = STATS_Q_IPACKETS_OFFSET + 8 * QUEUE_STAT_COUNTERS;

    /** {@code sizeof(struct rte_ether_addr)}. */
    public static final int ETHER_ADDR_SIZE = 6;

    /** {@code sizeof(struct rte_eth_link)}. */
    public static final int LINK_SIZE = 8;
    /** {@code link_speed}: Mbps. */
    public static final int LINK_SPEED_OFFSET = 0;
    /** Bit of {@code link_duplex} in the struct read as a native-endian 64-bit word. */
    public static final int LINK_DUPLEX_BIT = 32;
    /** Bit of {@code link_autoneg}. */
    public static final int LINK_AUTONEG_BIT = 33;
    /** Bit of {@code link_status}. */
    public static final int LINK_STATUS_BIT = 34;

    /** {@code sizeof(struct rte_eth_conf)}. */
    public static final int CONF_SIZE = 2272;
    /** {@code rxmode.mq_mode} ({@code enum rte_eth_rx_mq_mode}, an int; {@code RTE_ETH_MQ_RX_RSS} = 1). */
    public static final int CONF_RXMODE_MQ_MODE_OFFSET = 8;
    /** {@code rxmode.mtu} ({@code uint32_t}; 0 keeps the driver's default). */
    public static final int CONF_RXMODE_MTU_OFFSET = CONF_RXMODE_MQ_MODE_OFFSET + 4;
    /** {@code rxmode.offloads} ({@code RTE_ETH_RX_OFFLOAD_*}). */
    public static final int CONF_RXMODE_OFFLOADS_OFFSET = CONF_RXMODE_MTU_OFFSET + 12;
    /** {@code txmode.offloads} ({@code RTE_ETH_TX_OFFLOAD_*}). */
    public static final int CONF_TXMODE_OFFLOADS_OFFSET = 72;
    /** {@code rx_adv_conf.rss_conf.rss_key} ({@code uint8_t *}; NULL for the driver's key). */
    public static final int CONF_RSS_KEY_OFFSET = 128;
    /** {@code rx_adv_conf.rss_conf.rss_key_len} ({@code uint8_t}). */
    public static final int CONF_RSS_KEY_LEN_OFFSET = CONF_RSS_KEY_OFFSET + 8;
    /** {@code rx_adv_conf.rss_conf.rss_hf} ({@code uint64_t}, {@code RTE_ETH_RSS_*}). */
    public static final int CONF_RSS_HF_OFFSET = CONF_RSS_KEY_LEN_OFFSET + 8;

    /** {@code sizeof(struct rte_eth_dev_info)}. */
    public static final int DEV_INFO_SIZE = 376;
    /** {@code const char *driver_name}. */
    public static final int DEV_INFO_DRIVER_NAME_OFFSET = 8;
    /** {@code uint16_t max_mtu}. */
    public static final int DEV_INFO_MAX_MTU_OFFSET = 22;
    /** {@code uint16_t max_rx_queues}. */
    public static final int DEV_INFO_MAX_RX_QUEUES_OFFSET = 44;
    /** {@code uint16_t max_tx_queues}. */
    public static final int DEV_INFO_MAX_TX_QUEUES_OFFSET = DEV_INFO_MAX_RX_QUEUES_OFFSET + 2;
    /** {@code uint64_t rx_offload_capa}. */
    public static final int DEV_INFO_RX_OFFLOAD_CAPA_OFFSET = 72;
    /** {@code uint64_t tx_offload_capa}. */
    public static final int DEV_INFO_TX_OFFLOAD_CAPA_OFFSET = DEV_INFO_RX_OFFLOAD_CAPA_OFFSET + 8;
    /** {@code uint64_t flow_type_rss_offloads}. */
    public static final int DEV_INFO_FLOW_TYPE_RSS_OFFLOADS_OFFSET = 112;

    private EthdevDescriptor()
    {
    }
}
