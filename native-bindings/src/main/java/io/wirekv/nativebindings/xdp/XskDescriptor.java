package io.wirekv.nativebindings.xdp;

/**
 * Byte layouts of the AF_XDP structs wirekv reads and writes, from {@code <xdp/xsk.h>} (libxdp 1.3) and
 * {@code <linux/if_xdp.h>}, and the constants that go with them (x86_64 / aarch64: 8-byte pointers).
 * <p>
 * libxdp's ring helpers are {@code static inline}, so wirekv keeps libxdp's ring struct only to let
 * {@code xsk_umem__create} / {@code xsk_socket__create} fill it in, then reads the pointers out of it and
 * drives the ring from Java (see {@link XskProducerRing}, {@link XskConsumerRing}).
 * {@link XskSocket#create} checks these offsets against the kernel's {@code XDP_MMAP_OFFSETS} at start-up:
 * a libxdp whose ring struct moved fails loudly instead of reading the wrong words per packet.
 *
 * <pre>
 * struct xsk_ring_prod / xsk_ring_cons (DEFINE_XSK_RING), 48 bytes:
 *   0               4               8               12              16
 *   +---------------+---------------+---------------+---------------+
 *   | cached_prod   | cached_cons   | mask          | size          |   u32 each
 *   +---------------+---------------+---------------+---------------+
 *   | __u32 *producer               | __u32 *consumer               |   16, 24
 *   +-------------------------------+-------------------------------+
 *   | void *ring                    | __u32 *flags                  |   32, 40
 *   +-------------------------------+-------------------------------+
 *
 * struct xdp_desc (RX and TX ring entries), 16 bytes:      fill / completion ring entries: __u64 addr
 *   | __u64 addr (0) | __u32 len (8) | __u32 options (12) |
 *
 * struct xsk_umem_config, 20 bytes:
 *   | fill_size (0) | comp_size (4) | frame_size (8) | frame_headroom (12) | flags (16) |   u32 each
 *
 * struct xsk_socket_config, 20 bytes:
 *   | rx_size (0) | tx_size (4) | libxdp_flags (8) | xdp_flags (12) | __u16 bind_flags (16) | pad |
 *
 * struct xdp_statistics (getsockopt SOL_XDP XDP_STATISTICS), 48 bytes: six __u64 in this order
 *   rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full, rx_fill_ring_empty_descs, tx_ring_empty_descs
 *
 * struct xdp_mmap_offsets (getsockopt SOL_XDP XDP_MMAP_OFFSETS), 128 bytes: four struct xdp_ring_offset
 *   rx (0), tx (32), fr (64), cr (96); each { __u64 producer, consumer, desc, flags }
 * </pre>
 */
public final class XskDescriptor
{
    /** {@code sizeof(struct xsk_ring_prod)} == {@code sizeof(struct xsk_ring_cons)}. */
    public static final int RING_SIZE = 48;
    public static final int RING_CACHED_PROD_OFFSET = 0;
    public static final int RING_CACHED_CONS_OFFSET = RING_CACHED_PROD_OFFSET + 4;
    public static final int RING_MASK_OFFSET = RING_CACHED_CONS_OFFSET + 4;
    public static final int RING_SIZE_OFFSET = RING_MASK_OFFSET + 4;
    public static final int RING_PRODUCER_OFFSET = RING_SIZE_OFFSET + 4;
    public static final int RING_CONSUMER_OFFSET = RING_PRODUCER_OFFSET + 8;
    public static final int RING_RING_OFFSET = RING_CONSUMER_OFFSET + 8;
    public static final int RING_FLAGS_OFFSET = RING_RING_OFFSET + 8;

    /** {@code sizeof(struct xdp_desc)}. */
    public static final int DESC_SIZE = 16;
    public static final int DESC_ADDR_OFFSET = 0;
    public static final int DESC_LEN_OFFSET = DESC_ADDR_OFFSET + 8;
    public static final int DESC_OPTIONS_OFFSET = DESC_LEN_OFFSET + 4;

    /** Bytes of one fill or completion ring entry (a {@code __u64} UMEM address). */
    public static final int ADDR_ENTRY_SIZE = 8;

    /** {@code sizeof(struct xsk_umem_config)}. */
    public static final int UMEM_CONFIG_SIZE = 20;
    public static final int UMEM_CONFIG_FILL_SIZE_OFFSET = 0;
    public static final int UMEM_CONFIG_COMP_SIZE_OFFSET = UMEM_CONFIG_FILL_SIZE_OFFSET + 4;
    public static final int UMEM_CONFIG_FRAME_SIZE_OFFSET = UMEM_CONFIG_COMP_SIZE_OFFSET + 4;
    public static final int UMEM_CONFIG_FRAME_HEADROOM_OFFSET = UMEM_CONFIG_FRAME_SIZE_OFFSET + 4;
    public static final int UMEM_CONFIG_FLAGS_OFFSET = UMEM_CONFIG_FRAME_HEADROOM_OFFSET + 4;

    /** {@code sizeof(struct xsk_socket_config)}. */
    public static final int SOCKET_CONFIG_SIZE = 20;
    public static final int SOCKET_CONFIG_RX_SIZE_OFFSET = 0;
    public static final int SOCKET_CONFIG_TX_SIZE_OFFSET = SOCKET_CONFIG_RX_SIZE_OFFSET + 4;
    public static final int SOCKET_CONFIG_LIBXDP_FLAGS_OFFSET = SOCKET_CONFIG_TX_SIZE_OFFSET + 4;
    public static final int SOCKET_CONFIG_XDP_FLAGS_OFFSET = SOCKET_CONFIG_LIBXDP_FLAGS_OFFSET + 4;
    public static final int SOCKET_CONFIG_BIND_FLAGS_OFFSET = SOCKET_CONFIG_XDP_FLAGS_OFFSET + 4;

    /** {@code sizeof(struct xdp_statistics)}. */
    public static final int STATISTICS_SIZE = 48;
    /** Names of the {@code struct xdp_statistics} fields, in their order (8 bytes each). */
    public static final String[] STATISTICS_NAMES = {
        "rx_dropped", "rx_invalid_descs", "tx_invalid_descs", "rx_ring_full", "rx_fill_ring_empty_descs",
        "tx_ring_empty_descs"};

    /** {@code sizeof(struct xdp_mmap_offsets)}. */
    public static final int MMAP_OFFSETS_SIZE = 128;
    /** {@code sizeof(struct xdp_ring_offset)}. */
    public static final int RING_OFFSET_SIZE = 32;
    public static final int MMAP_OFFSETS_RX = 0;
    public static final int MMAP_OFFSETS_TX = MMAP_OFFSETS_RX + RING_OFFSET_SIZE;
    public static final int MMAP_OFFSETS_FILL = MMAP_OFFSETS_TX + RING_OFFSET_SIZE;
    public static final int MMAP_OFFSETS_COMPLETION = MMAP_OFFSETS_FILL + RING_OFFSET_SIZE;
    public static final int RING_OFFSET_PRODUCER = 0;
    public static final int RING_OFFSET_CONSUMER = 8;
    public static final int RING_OFFSET_DESC = 16;
    public static final int RING_OFFSET_FLAGS = 24;

    /** {@code AF_XDP}. */
    public static final int AF_XDP = 44;
    /** {@code SOL_XDP}. */
    public static final int SOL_XDP = 283;
    /** {@code XDP_MMAP_OFFSETS} (getsockopt). */
    public static final int XDP_MMAP_OFFSETS = 1;
    /** {@code XDP_STATISTICS} (getsockopt). */
    public static final int XDP_STATISTICS = 7;
    /** {@code XDP_OPTIONS} (getsockopt): a {@code __u32} of {@code XDP_OPTIONS_*} bits. */
    public static final int XDP_OPTIONS = 8;
    /** {@code XDP_OPTIONS_ZEROCOPY}: the socket is bound in zero-copy mode. */
    public static final int XDP_OPTIONS_ZEROCOPY = 1;

    /** Bind flag {@code XDP_SHARED_UMEM}. */
    public static final int XDP_SHARED_UMEM = 1 << 0;
    /** Bind flag {@code XDP_COPY}: force copy mode. */
    public static final int XDP_COPY = 1 << 1;
    /** Bind flag {@code XDP_ZEROCOPY}: force zero-copy mode (bind fails where the driver cannot). */
    public static final int XDP_ZEROCOPY = 1 << 2;
    /** Bind flag {@code XDP_USE_NEED_WAKEUP}: the kernel sets {@link #XDP_RING_NEED_WAKEUP} when it needs a syscall. */
    public static final int XDP_USE_NEED_WAKEUP = 1 << 3;

    /** Ring flags word bit {@code XDP_RING_NEED_WAKEUP}. */
    public static final int XDP_RING_NEED_WAKEUP = 1;

    /** {@code XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD}: libxdp loads no program of its own; wirekv does. */
    public static final int XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD = 1;

    /** {@code XDP_PACKET_HEADROOM}: bytes the kernel leaves before a received frame's data in its UMEM chunk. */
    public static final int XDP_PACKET_HEADROOM = 256;

    /** {@code SO_BUSY_POLL} (SOL_SOCKET): microseconds to busy-poll the device queue in a blocking call. */
    public static final int SO_BUSY_POLL = 46;
    /** {@code SO_PREFER_BUSY_POLL} (SOL_SOCKET). */
    public static final int SO_PREFER_BUSY_POLL = 69;
    /** {@code SO_BUSY_POLL_BUDGET} (SOL_SOCKET): packets per busy-poll. */
    public static final int SO_BUSY_POLL_BUDGET = 70;

    private XskDescriptor()
    {
    }
}
