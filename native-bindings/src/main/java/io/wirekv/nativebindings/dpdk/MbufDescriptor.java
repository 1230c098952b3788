package io.wirekv.nativebindings.dpdk;

import org.agrona.UnsafeApi;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code struct rte_mbuf} of DPDK 22.11 on x86_64 / aarch64 (the packet buffer header): offsets, and
 * accessors that read and write its fields from Java at an mbuf's address, without a downcall and
 * without allocating.
 * <pre>
 *  0               8               16      18      20      22      24
 *  +---------------+---------------+-------+-------+-------+-------+---------------+
 *  | buf_addr      | buf_iova      |data_  |refcnt |nb_segs| port  | ol_flags      |
 *  |               |               |off    |       |       |       |               |
 *  +-------+-------+-------+-------+-------+-------+-------+-------+---------------+
 *  32      36      40      42      44              52      54      56              64
 *  | packet| pkt_  |data_  |vlan_  | hash (rss at  |vlan_  | buf_  | pool          |
 *  | _type | len   |len    |tci    | 44, 8 bytes)  |outer  | len   |               |
 *  +-------+-------+-------+-------+---------------+-------+-------+---------------+
 *  64              72              80              88                             128
 *  | next          | tx_offload    | shinfo        | priv_size, timesync, dynfield1 |
 *  +---------------+---------------+---------------+--------------------------------+
 *  128: headroom (RTE_PKTMBUF_HEADROOM = 128 bytes), then the data room; buf_addr points at 128.
 * </pre>
 * The first packet byte is at {@code buf_addr + data_off}; a fresh mbuf has {@code data_off} = 128.
 * Lengths: {@code data_len} is this segment's, {@code pkt_len} the whole chain's (equal for one segment).
 * <p>
 * The offsets are constants so the JIT folds them; {@link DpdkLayout#verify()} checks each against the
 * real header (through the shim) at start-up.
 * <p>
 * <b>Threading.</b> An mbuf belongs to one thread at a time (the one that received or allocated it);
 * these are plain accesses.
 */
public final class MbufDescriptor
{
    /** {@code sizeof(struct rte_mbuf)}: two cache lines. */
    public static final int SIZE = 128;
    /** {@code void *buf_addr}: start of the buffer (headroom first). */
    public static final int BUF_ADDR_OFFSET = 0;
    /** {@code uint16_t data_off}: first data byte, relative to {@code buf_addr}. */
    public static final int DATA_OFF_OFFSET = BUF_ADDR_OFFSET + 16;
    /** {@code uint16_t refcnt}. */
    public static final int REFCNT_OFFSET = DATA_OFF_OFFSET + 2;
    /** {@code uint16_t nb_segs}: segments in the chain. */
    public static final int NB_SEGS_OFFSET = REFCNT_OFFSET + 2;
    /** {@code uint16_t port}: input port. */
    public static final int PORT_OFFSET = NB_SEGS_OFFSET + 2;
    /** {@code uint64_t ol_flags}: offload flags ({@code RTE_MBUF_F_*}). */
    public static final int OL_FLAGS_OFFSET = PORT_OFFSET + 2;
    /** {@code uint32_t packet_type}: L2/L3/L4 type the PMD recognised. */
    public static final int PACKET_TYPE_OFFSET = OL_FLAGS_OFFSET + 8;
    /** {@code uint32_t pkt_len}: bytes in all segments. */
    public static final int PKT_LEN_OFFSET = PACKET_TYPE_OFFSET + 4;
    /** {@code uint16_t data_len}: bytes in this segment. */
    public static final int DATA_LEN_OFFSET = PKT_LEN_OFFSET + 4;
    /** {@code uint16_t vlan_tci}: stripped VLAN tag when {@code RTE_MBUF_F_RX_VLAN_STRIPPED}. */
    public static final int VLAN_TCI_OFFSET = DATA_LEN_OFFSET + 2;
    /** {@code uint32_t hash.rss}: the RSS hash when {@code RTE_MBUF_F_RX_RSS_HASH}. */
    public static final int HASH_RSS_OFFSET = VLAN_TCI_OFFSET + 2;
    /** {@code uint16_t buf_len}: buffer length including headroom. */
    public static final int BUF_LEN_OFFSET = HASH_RSS_OFFSET + 8 + 2;
    /** {@code struct rte_mempool *pool}: the pool the mbuf returns to. */
    public static final int POOL_OFFSET = BUF_LEN_OFFSET + 2;
    /** {@code struct rte_mbuf *next}: next segment, NULL for the last (second cache line). */
    public static final int NEXT_OFFSET = POOL_OFFSET + 8;
    /** {@code RTE_PKTMBUF_HEADROOM}: bytes reserved before the data of a reset mbuf. */
    public static final int HEADROOM = 128;

    // Every address: mbufs live anywhere in DPDK's memory, so accessors address them absolutely. The field
    // accessors load and store through Agrona's UnsafeApi (jdk.internal.misc.Unsafe; the shared JVM flags export
    // it): through a segment spanning the address space, every access paid a bounds test that no address can fail
    // (a compare and a branch each in the MAC-swap loop's code) and an alignment test unless the layout was an
    // unaligned one. Measured on net_null (eleventh pass in README): the raw mbuf reads take the Java loop from
    // 0.91x to 0.95x of testpmd. The bulk copies keep the segment: one test per copy.
    @SuppressWarnings("restricted")
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private MbufDescriptor()
    {
    }

    /**
     * @param mbuf an mbuf's address.
     * @return the address of the first data byte ({@code rte_pktmbuf_mtod}).
     */
    public static long dataAddress(final long mbuf)
    {
        return UnsafeApi.getLong(mbuf + BUF_ADDR_OFFSET) + Short.toUnsignedInt(UnsafeApi.getShort(mbuf + DATA_OFF_OFFSET));
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code data_off}.
     */
    public static int dataOffset(final long mbuf)
    {
        return Short.toUnsignedInt(UnsafeApi.getShort(mbuf + DATA_OFF_OFFSET));
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code data_len}: bytes of this segment.
     */
    public static int dataLength(final long mbuf)
    {
        return Short.toUnsignedInt(UnsafeApi.getShort(mbuf + DATA_LEN_OFFSET));
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code pkt_len}: bytes of the whole chain.
     */
    public static int packetLength(final long mbuf)
    {
        return UnsafeApi.getInt(mbuf + PKT_LEN_OFFSET);
    }

    /**
     * Sets {@code data_len} and {@code pkt_len} of a single-segment mbuf (a reply written in place).
     *
     * @param mbuf   an mbuf's address.
     * @param length bytes of data, at most {@link #bufferLength(long)} - {@link #dataOffset(long)}.
     */
    public static void setLength(final long mbuf, final int length)
    {
        UnsafeApi.putShort(mbuf + DATA_LEN_OFFSET, (short)length);
        UnsafeApi.putInt(mbuf + PKT_LEN_OFFSET, length);
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code nb_segs}.
     */
    public static int segmentCount(final long mbuf)
    {
        return Short.toUnsignedInt(UnsafeApi.getShort(mbuf + NB_SEGS_OFFSET));
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code next}: the next segment's address, or 0.
     */
    public static long next(final long mbuf)
    {
        return UnsafeApi.getLong(mbuf + NEXT_OFFSET);
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code port}: the port it was received on.
     */
    public static int port(final long mbuf)
    {
        return Short.toUnsignedInt(UnsafeApi.getShort(mbuf + PORT_OFFSET));
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code buf_len}.
     */
    public static int bufferLength(final long mbuf)
    {
        return Short.toUnsignedInt(UnsafeApi.getShort(mbuf + BUF_LEN_OFFSET));
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code pool}: the owning pool's address.
     */
    public static long pool(final long mbuf)
    {
        return UnsafeApi.getLong(mbuf + POOL_OFFSET);
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code ol_flags}.
     */
    public static long offloadFlags(final long mbuf)
    {
        return UnsafeApi.getLong(mbuf + OL_FLAGS_OFFSET);
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code hash.rss}, meaningful when {@code ol_flags} has {@code RTE_MBUF_F_RX_RSS_HASH}.
     */
    public static int rssHash(final long mbuf)
    {
        return UnsafeApi.getInt(mbuf + HASH_RSS_OFFSET);
    }

    /**
     * Copies bytes into an mbuf's data (does not change its lengths).
     *
     * @param src        source bytes.
     * @param srcOffset  first source byte.
     * @param mbuf       an mbuf's address.
     * @param dataOffset where in the data, from {@link #dataAddress(long)}.
     * @param length     bytes to copy; the caller keeps within the buffer.
     */
    public static void copyIn(final byte[] src, final int srcOffset, final long mbuf, final int dataOffset, final int length)
    {
        MemorySegment.copy(src, srcOffset, MEMORY, JAVA_BYTE, dataAddress(mbuf) + dataOffset, length);
    }

    /**
     * Copies bytes out of an mbuf's data.
     *
     * @param mbuf       an mbuf's address.
     * @param dataOffset where in the data, from {@link #dataAddress(long)}.
     * @param dst        destination.
     * @param dstOffset  first destination byte.
     * @param length     bytes to copy.
     */
    public static void copyOut(final long mbuf, final int dataOffset, final byte[] dst, final int dstOffset, final int length)
    {
        MemorySegment.copy(MEMORY, JAVA_BYTE, dataAddress(mbuf) + dataOffset, dst, dstOffset, length);
    }
}
