/*
 * wirekv DPDK shim: exports, under wirekv_ names, what DPDK's headers define as static inline
 * (the per-packet burst and mbuf calls, rte_errno, rte_lcore_id) so the Java side can reach them
 * through FFM, plus the sizeof/offsetof values the Java side relies on (checked at start-up by
 * io.wirekv.nativebindings.dpdk.DpdkLayout.verify(): a DPDK upgrade fails loudly, not silently).
 *
 * Everything here is a thin wrapper: no state, no allocation, no locking. Built by
 * build-shim.sh during the Maven build against the installed DPDK (pkg-config libdpdk).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_config.h>
#include <rte_version.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ether.h>
#include <rte_ethdev.h>

#define WIREKV_EXPORT __attribute__((visibility("default")))

/* ---- per-packet calls ------------------------------------------------------------------------ */

WIREKV_EXPORT uint16_t wirekv_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
    return rte_eth_rx_burst(port, queue, pkts, n);
}

WIREKV_EXPORT uint16_t wirekv_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
    return rte_eth_tx_burst(port, queue, pkts, n);
}

WIREKV_EXPORT struct rte_mbuf *wirekv_pktmbuf_alloc(struct rte_mempool *pool)
{
    return rte_pktmbuf_alloc(pool);
}

/* 0 on success (all n allocated and reset), -ENOENT when the pool has fewer than n: none taken. */
WIREKV_EXPORT int wirekv_pktmbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs, unsigned int n)
{
    return rte_pktmbuf_alloc_bulk(pool, mbufs, n);
}

WIREKV_EXPORT void wirekv_pktmbuf_free(struct rte_mbuf *m)
{
    rte_pktmbuf_free(m);
}

WIREKV_EXPORT void wirekv_pktmbuf_free_bulk(struct rte_mbuf **mbufs, unsigned int n)
{
    rte_pktmbuf_free_bulk(mbufs, n);
}

WIREKV_EXPORT void *wirekv_pktmbuf_mtod(struct rte_mbuf *m)
{
    return rte_pktmbuf_mtod(m, void *);
}

WIREKV_EXPORT uint16_t wirekv_pktmbuf_data_len(const struct rte_mbuf *m)
{
    return rte_pktmbuf_data_len(m);
}

WIREKV_EXPORT uint32_t wirekv_pktmbuf_pkt_len(const struct rte_mbuf *m)
{
    return rte_pktmbuf_pkt_len(m);
}

/* Sets the length of a single-segment mbuf: data_len and pkt_len both become len. */
WIREKV_EXPORT void wirekv_pktmbuf_set_len(struct rte_mbuf *m, uint16_t len)
{
    m->data_len = len;
    m->pkt_len = len;
}

WIREKV_EXPORT uint16_t wirekv_pktmbuf_tailroom(const struct rte_mbuf *m)
{
    return rte_pktmbuf_tailroom(m);
}

/* ---- per-lcore state ------------------------------------------------------------------------- */

WIREKV_EXPORT int wirekv_rte_errno(void)
{
    return rte_errno;
}

WIREKV_EXPORT unsigned int wirekv_lcore_id(void)
{
    return rte_lcore_id();
}

WIREKV_EXPORT const char *wirekv_rte_version(void)
{
    return rte_version();
}

/* ---- layout ---------------------------------------------------------------------------------- */

/*
 * Keys of wirekv_layout(); the Java side (DpdkLayout) holds the same numbers. Append only: never
 * renumber, so an old Java build against a new shim still reads the right values.
 */
enum wirekv_layout_key
{
    WIREKV_LAYOUT_SHIM_ABI = 0,
    WIREKV_LAYOUT_RTE_VERSION = 1,
    WIREKV_LAYOUT_POINTER_SIZE = 2,

    WIREKV_LAYOUT_MBUF_SIZE = 10,
    WIREKV_LAYOUT_MBUF_BUF_ADDR = 11,
    WIREKV_LAYOUT_MBUF_DATA_OFF = 12,
    WIREKV_LAYOUT_MBUF_REFCNT = 13,
    WIREKV_LAYOUT_MBUF_NB_SEGS = 14,
    WIREKV_LAYOUT_MBUF_PORT = 15,
    WIREKV_LAYOUT_MBUF_OL_FLAGS = 16,
    WIREKV_LAYOUT_MBUF_PACKET_TYPE = 17,
    WIREKV_LAYOUT_MBUF_PKT_LEN = 18,
    WIREKV_LAYOUT_MBUF_DATA_LEN = 19,
    WIREKV_LAYOUT_MBUF_VLAN_TCI = 20,
    WIREKV_LAYOUT_MBUF_HASH_RSS = 21,
    WIREKV_LAYOUT_MBUF_BUF_LEN = 22,
    WIREKV_LAYOUT_MBUF_POOL = 23,
    WIREKV_LAYOUT_MBUF_NEXT = 24,
    WIREKV_LAYOUT_PKTMBUF_HEADROOM = 25,

    WIREKV_LAYOUT_ETH_STATS_SIZE = 40,
    WIREKV_LAYOUT_ETH_STATS_IPACKETS = 41,
    WIREKV_LAYOUT_ETH_STATS_OPACKETS = 42,
    WIREKV_LAYOUT_ETH_STATS_IBYTES = 43,
    WIREKV_LAYOUT_ETH_STATS_OBYTES = 44,
    WIREKV_LAYOUT_ETH_STATS_IMISSED = 45,
    WIREKV_LAYOUT_ETH_STATS_IERRORS = 46,
    WIREKV_LAYOUT_ETH_STATS_OERRORS = 47,
    WIREKV_LAYOUT_ETH_STATS_RX_NOMBUF = 48,
    WIREKV_LAYOUT_ETH_STATS_Q_IPACKETS = 49,
    WIREKV_LAYOUT_ETH_STATS_Q_OPACKETS = 50,
    WIREKV_LAYOUT_ETHDEV_QUEUE_STAT_CNTRS = 51,

    WIREKV_LAYOUT_ETHER_ADDR_SIZE = 60,

    WIREKV_LAYOUT_ETH_LINK_SIZE = 70,
    WIREKV_LAYOUT_ETH_LINK_SPEED = 71,
    WIREKV_LAYOUT_ETH_LINK_DUPLEX_BIT = 72,
    WIREKV_LAYOUT_ETH_LINK_AUTONEG_BIT = 73,
    WIREKV_LAYOUT_ETH_LINK_STATUS_BIT = 74,

    WIREKV_LAYOUT_ETH_CONF_SIZE = 80,
    WIREKV_LAYOUT_ETH_CONF_RXMODE_MQ_MODE = 81,
    WIREKV_LAYOUT_ETH_CONF_RXMODE_MTU = 82,
    WIREKV_LAYOUT_ETH_CONF_RXMODE_OFFLOADS = 83,
    WIREKV_LAYOUT_ETH_CONF_TXMODE_OFFLOADS = 84,
    WIREKV_LAYOUT_ETH_CONF_RSS_KEY = 85,
    WIREKV_LAYOUT_ETH_CONF_RSS_KEY_LEN = 86,
    WIREKV_LAYOUT_ETH_CONF_RSS_HF = 87,

    WIREKV_LAYOUT_ETH_DEV_INFO_SIZE = 100,
    WIREKV_LAYOUT_ETH_DEV_INFO_DRIVER_NAME = 101,
    WIREKV_LAYOUT_ETH_DEV_INFO_MAX_RX_QUEUES = 102,
    WIREKV_LAYOUT_ETH_DEV_INFO_MAX_TX_QUEUES = 103,
    WIREKV_LAYOUT_ETH_DEV_INFO_RX_OFFLOAD_CAPA = 104,
    WIREKV_LAYOUT_ETH_DEV_INFO_TX_OFFLOAD_CAPA = 105,
    WIREKV_LAYOUT_ETH_DEV_INFO_FLOW_TYPE_RSS_OFFLOADS = 106,
    WIREKV_LAYOUT_ETH_DEV_INFO_MAX_MTU = 107,

    WIREKV_LAYOUT_MAX_ETHPORTS = 120,
    WIREKV_LAYOUT_MAX_LCORE = 121,
    WIREKV_LAYOUT_LCORE_ID_ANY = 122,
    WIREKV_LAYOUT_SOCKET_ID_ANY = 123,
};

/* Bumped when a wirekv_ function changes signature or a key changes meaning. */
#define WIREKV_SHIM_ABI 1

/* The bit a one-bit field of struct rte_eth_link occupies in its 64-bit image (bit-fields have no offsetof). */
static int64_t link_bit(int field)
{
    struct rte_eth_link link;
    uint64_t image = 0;
    memset(&link, 0, sizeof(link));
    switch (field)
    {
        case 0: link.link_duplex = 1; break;
        case 1: link.link_autoneg = 1; break;
        default: link.link_status = 1; break;
    }
    memcpy(&image, &link, sizeof(image) < sizeof(link) ? sizeof(image) : sizeof(link));
    return image == 0 ? -1 : (int64_t)__builtin_ctzll(image);
}

/* The value for a key of enum wirekv_layout_key, or INT64_MIN for a key this shim does not know. */
WIREKV_EXPORT int64_t wirekv_layout(int key)
{
    switch (key)
    {
        case WIREKV_LAYOUT_SHIM_ABI: return WIREKV_SHIM_ABI;
        case WIREKV_LAYOUT_RTE_VERSION: return RTE_VERSION;
        case WIREKV_LAYOUT_POINTER_SIZE: return sizeof(void *);

        case WIREKV_LAYOUT_MBUF_SIZE: return sizeof(struct rte_mbuf);
        case WIREKV_LAYOUT_MBUF_BUF_ADDR: return offsetof(struct rte_mbuf, buf_addr);
        case WIREKV_LAYOUT_MBUF_DATA_OFF: return offsetof(struct rte_mbuf, data_off);
        case WIREKV_LAYOUT_MBUF_REFCNT: return offsetof(struct rte_mbuf, refcnt);
        case WIREKV_LAYOUT_MBUF_NB_SEGS: return offsetof(struct rte_mbuf, nb_segs);
        case WIREKV_LAYOUT_MBUF_PORT: return offsetof(struct rte_mbuf, port);
        case WIREKV_LAYOUT_MBUF_OL_FLAGS: return offsetof(struct rte_mbuf, ol_flags);
        case WIREKV_LAYOUT_MBUF_PACKET_TYPE: return offsetof(struct rte_mbuf, packet_type);
        case WIREKV_LAYOUT_MBUF_PKT_LEN: return offsetof(struct rte_mbuf, pkt_len);
        case WIREKV_LAYOUT_MBUF_DATA_LEN: return offsetof(struct rte_mbuf, data_len);
        case WIREKV_LAYOUT_MBUF_VLAN_TCI: return offsetof(struct rte_mbuf, vlan_tci);
        case WIREKV_LAYOUT_MBUF_HASH_RSS: return offsetof(struct rte_mbuf, hash.rss);
        case WIREKV_LAYOUT_MBUF_BUF_LEN: return offsetof(struct rte_mbuf, buf_len);
        case WIREKV_LAYOUT_MBUF_POOL: return offsetof(struct rte_mbuf, pool);
        case WIREKV_LAYOUT_MBUF_NEXT: return offsetof(struct rte_mbuf, next);
        case WIREKV_LAYOUT_PKTMBUF_HEADROOM: return RTE_PKTMBUF_HEADROOM;

        case WIREKV_LAYOUT_ETH_STATS_SIZE: return sizeof(struct rte_eth_stats);
        case WIREKV_LAYOUT_ETH_STATS_IPACKETS: return offsetof(struct rte_eth_stats, ipackets);
        case WIREKV_LAYOUT_ETH_STATS_OPACKETS: return offsetof(struct rte_eth_stats, opackets);
        case WIREKV_LAYOUT_ETH_STATS_IBYTES: return offsetof(struct rte_eth_stats, ibytes);
        case WIREKV_LAYOUT_ETH_STATS_OBYTES: return offsetof(struct rte_eth_stats, obytes);
        case WIREKV_LAYOUT_ETH_STATS_IMISSED: return offsetof(struct rte_eth_stats, imissed);
        case WIREKV_LAYOUT_ETH_STATS_IERRORS: return offsetof(struct rte_eth_stats, ierrors);
        case WIREKV_LAYOUT_ETH_STATS_OERRORS: return offsetof(struct rte_eth_stats, oerrors);
        case WIREKV_LAYOUT_ETH_STATS_RX_NOMBUF: return offsetof(struct rte_eth_stats, rx_nombuf);
        case WIREKV_LAYOUT_ETH_STATS_Q_IPACKETS: return offsetof(struct rte_eth_stats, q_ipackets);
        case WIREKV_LAYOUT_ETH_STATS_Q_OPACKETS: return offsetof(struct rte_eth_stats, q_opackets);
        case WIREKV_LAYOUT_ETHDEV_QUEUE_STAT_CNTRS: return RTE_ETHDEV_QUEUE_STAT_CNTRS;

        case WIREKV_LAYOUT_ETHER_ADDR_SIZE: return sizeof(struct rte_ether_addr);

        case WIREKV_LAYOUT_ETH_LINK_SIZE: return sizeof(struct rte_eth_link);
        case WIREKV_LAYOUT_ETH_LINK_SPEED: return offsetof(struct rte_eth_link, link_speed);
        case WIREKV_LAYOUT_ETH_LINK_DUPLEX_BIT: return link_bit(0);
        case WIREKV_LAYOUT_ETH_LINK_AUTONEG_BIT: return link_bit(1);
        case WIREKV_LAYOUT_ETH_LINK_STATUS_BIT: return link_bit(2);

        case WIREKV_LAYOUT_ETH_CONF_SIZE: return sizeof(struct rte_eth_conf);
        case WIREKV_LAYOUT_ETH_CONF_RXMODE_MQ_MODE: return offsetof(struct rte_eth_conf, rxmode.mq_mode);
        case WIREKV_LAYOUT_ETH_CONF_RXMODE_MTU: return offsetof(struct rte_eth_conf, rxmode.mtu);
        case WIREKV_LAYOUT_ETH_CONF_RXMODE_OFFLOADS: return offsetof(struct rte_eth_conf, rxmode.offloads);
        case WIREKV_LAYOUT_ETH_CONF_TXMODE_OFFLOADS: return offsetof(struct rte_eth_conf, txmode.offloads);
        case WIREKV_LAYOUT_ETH_CONF_RSS_KEY: return offsetof(struct rte_eth_conf, rx_adv_conf.rss_conf.rss_key);
        case WIREKV_LAYOUT_ETH_CONF_RSS_KEY_LEN: return offsetof(struct rte_eth_conf, rx_adv_conf.rss_conf.rss_key_len);
        case WIREKV_LAYOUT_ETH_CONF_RSS_HF: return offsetof(struct rte_eth_conf, rx_adv_conf.rss_conf.rss_hf);

        case WIREKV_LAYOUT_ETH_DEV_INFO_SIZE: return sizeof(struct rte_eth_dev_info);
        case WIREKV_LAYOUT_ETH_DEV_INFO_DRIVER_NAME: return offsetof(struct rte_eth_dev_info, driver_name);
        case WIREKV_LAYOUT_ETH_DEV_INFO_MAX_RX_QUEUES: return offsetof(struct rte_eth_dev_info, max_rx_queues);
        case WIREKV_LAYOUT_ETH_DEV_INFO_MAX_TX_QUEUES: return offsetof(struct rte_eth_dev_info, max_tx_queues);
        case WIREKV_LAYOUT_ETH_DEV_INFO_RX_OFFLOAD_CAPA: return offsetof(struct rte_eth_dev_info, rx_offload_capa);
        case WIREKV_LAYOUT_ETH_DEV_INFO_TX_OFFLOAD_CAPA: return offsetof(struct rte_eth_dev_info, tx_offload_capa);
        case WIREKV_LAYOUT_ETH_DEV_INFO_FLOW_TYPE_RSS_OFFLOADS:
            return offsetof(struct rte_eth_dev_info, flow_type_rss_offloads);
        case WIREKV_LAYOUT_ETH_DEV_INFO_MAX_MTU: return offsetof(struct rte_eth_dev_info, max_mtu);

        case WIREKV_LAYOUT_MAX_ETHPORTS: return RTE_MAX_ETHPORTS;
        case WIREKV_LAYOUT_MAX_LCORE: return RTE_MAX_LCORE;
        case WIREKV_LAYOUT_LCORE_ID_ANY: return LCORE_ID_ANY;
        case WIREKV_LAYOUT_SOCKET_ID_ANY: return SOCKET_ID_ANY;
        default: return INT64_MIN;
    }
}
