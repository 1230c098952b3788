package io.wirekv.dataplane.replication.rdma;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What each side of an RDMA replication link tells the other over the stream's TCP connection before the RC queue
 * pair can move to RTR: its QP number, first packet sequence number, LID (InfiniBand) and GID (RoCE), and where the
 * peer may write: its inbox ring and doorbell ({@link RdmaReceiveRing}), with the region's rkey.
 *
 * <pre>
 * 64 bytes, big-endian (network order):
 *   0               4       6   7   8               12              16      18      20              24
 *   +---------------+-------+---+---+---------------+---------------+-------+-------+---------------+
 *   | magic "WKRD"  |version|mtu|pad| qp_num (24b)  | psn (24b)     | lid   | pad   | ring_rkey     |
 *   +---------------+-------+---+---+---------------+---------------+-------+-------+---------------+
 *   24: gid (16 raw bytes)  | 40: u64 ring_address | 48: u64 ring_capacity | 56: u64 doorbell_address |
 * </pre>
 *
 * @param mtu             {@code enum ibv_mtu} the sender's port runs (the link uses the smaller of the two).
 * @param qpNum           the sender's RC QP number, 1..2^24-1.
 * @param psn             its initial packet sequence number, 0..2^24-1.
 * @param lid             its port's LID (0 on RoCE).
 * @param gid             its port's GID, 16 bytes (all zero on InfiniBand without a global route).
 * @param ringRkey        the rkey of the region holding the sender's inbox ring and doorbell.
 * @param ringAddress     the ring's virtual address in the sender's own address space.
 * @param ringCapacity    the ring's size in bytes, a power of two (0: no ring offered).
 * @param doorbellAddress the doorbell words ({@code u64 producer, u64 consumed}: {@link RdmaReceiveRing}).
 */
public record RdmaConnectionParams(
    int mtu, int qpNum, int psn, int lid, byte[] gid, int ringRkey, long ringAddress, long ringCapacity,
    long doorbellAddress)
{
    /** {@code "WKRD"}. */
    public static final int MAGIC = io.wirekv.dataplane.replication.ReplicationFrameDescriptor.RDMA_SETUP_MAGIC;
    /** The layout's version; a peer with another is refused. */
    public static final short VERSION = 1;
    /** Encoded size in bytes. */
    public static final int LENGTH = 64;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
    static final int MTU_OFFSET = VERSION_OFFSET + 2;
    static final int QP_NUM_OFFSET = MTU_OFFSET + 2;
    static final int PSN_OFFSET = QP_NUM_OFFSET + 4;
    static final int LID_OFFSET = PSN_OFFSET + 4;
    static final int RING_RKEY_OFFSET = LID_OFFSET + 4;
    static final int GID_OFFSET = RING_RKEY_OFFSET + 4;
    static final int RING_ADDRESS_OFFSET = GID_OFFSET + 16;
    static final int RING_CAPACITY_OFFSET = RING_ADDRESS_OFFSET + 8;
    static final int DOORBELL_ADDRESS_OFFSET = RING_CAPACITY_OFFSET + 8;

    private static final int MAX_24_BITS = (1 << 24) - 1;

    public RdmaConnectionParams
    {
        if (gid == null || gid.length != 16)
        {
            throw new IllegalArgumentException("gid must be 16 bytes");
        }
        gid = gid.clone();
    }

    /**
     * @return a copy of the GID.
     */
    @Override
    public byte[] gid()
    {
        return gid.clone();
    }

    /**
     * @return true when this side offers a ring to write into.
     */
    public boolean offersRing()
    {
        return ringCapacity != 0;
    }

    /**
     * Writes the 64 bytes at {@code buffer}'s position, which advances by {@link #LENGTH}.
     */
    public void encode(final ByteBuffer buffer)
    {
        final ByteBuffer out = buffer.slice(buffer.position(), LENGTH).order(ByteOrder.BIG_ENDIAN);
        out.putInt(MAGIC_OFFSET, MAGIC);
        out.putShort(VERSION_OFFSET, VERSION);
        out.put(MTU_OFFSET, (byte)mtu);
        out.put(MTU_OFFSET + 1, (byte)0);
        out.putInt(QP_NUM_OFFSET, qpNum);
        out.putInt(PSN_OFFSET, psn);
        out.putShort(LID_OFFSET, (short)lid);
        out.putShort(LID_OFFSET + 2, (short)0);
        out.putInt(RING_RKEY_OFFSET, ringRkey);
        out.put(GID_OFFSET, gid);
        out.putLong(RING_ADDRESS_OFFSET, ringAddress);
        out.putLong(RING_CAPACITY_OFFSET, ringCapacity);
        out.putLong(DOORBELL_ADDRESS_OFFSET, doorbellAddress);
        buffer.position(buffer.position() + LENGTH);
    }

    /**
     * Reads 64 bytes at {@code buffer}'s position, which advances by {@link #LENGTH}.
     *
     * @throws IllegalArgumentException with the reason (the control connection is then dropped with it) for a short
     *                                  buffer, a wrong magic or version, or a field out of range.
     */
    public static RdmaConnectionParams decode(final ByteBuffer buffer)
    {
        if (buffer.remaining() < LENGTH)
        {
            throw new IllegalArgumentException("RDMA connection parameters: " + buffer.remaining() + " bytes, need " + LENGTH);
        }
        final ByteBuffer in = buffer.slice(buffer.position(), LENGTH).order(ByteOrder.BIG_ENDIAN);
        final int magic = in.getInt(MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            throw new IllegalArgumentException("RDMA connection parameters: bad magic 0x" + Integer.toHexString(magic) +
                " (the peer is not a wirekv RDMA endpoint)");
        }
        final short version = in.getShort(VERSION_OFFSET);
        if (version != VERSION)
        {
            throw new IllegalArgumentException("RDMA connection parameters: version " + version + ", this node speaks " +
                VERSION + " (upgrade both nodes)");
        }
        final int mtu = Byte.toUnsignedInt(in.get(MTU_OFFSET));
        final int qpNum = in.getInt(QP_NUM_OFFSET);
        final int psn = in.getInt(PSN_OFFSET);
        if (mtu < 1 || mtu > 5)
        {
            throw new IllegalArgumentException("RDMA connection parameters: mtu enum " + mtu + " is not 1..5");
        }
        if (qpNum <= 0 || qpNum > MAX_24_BITS || psn < 0 || psn > MAX_24_BITS)
        {
            throw new IllegalArgumentException("RDMA connection parameters: qp_num " + qpNum + " / psn " + psn +
                " outside 24 bits");
        }
        final long capacity = in.getLong(RING_CAPACITY_OFFSET);
        if (capacity < 0 || (capacity != 0 && Long.bitCount(capacity) != 1))
        {
            throw new IllegalArgumentException("RDMA connection parameters: ring capacity " + capacity +
                " is not a power of two");
        }
        final byte[] gid = new byte[16];
        in.get(GID_OFFSET, gid);
        buffer.position(buffer.position() + LENGTH);
        return new RdmaConnectionParams(mtu, qpNum, psn, Short.toUnsignedInt(in.getShort(LID_OFFSET)), gid,
            in.getInt(RING_RKEY_OFFSET), in.getLong(RING_ADDRESS_OFFSET), capacity, in.getLong(DOORBELL_ADDRESS_OFFSET));
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof RdmaConnectionParams p && mtu == p.mtu && qpNum == p.qpNum && psn == p.psn && lid == p.lid &&
            Arrays.equals(gid, p.gid) && ringRkey == p.ringRkey && ringAddress == p.ringAddress &&
            ringCapacity == p.ringCapacity && doorbellAddress == p.doorbellAddress;
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(gid) + Long.hashCode(ringAddress) + qpNum;
    }

    @Override
    public String toString()
    {
        return "RdmaConnectionParams[qp_num=" + qpNum + ", psn=" + psn + ", lid=" + lid + ", mtu=" + mtu +
            (offersRing() ? ", ring=0x" + Long.toHexString(ringAddress) + "+" + ringCapacity : "") + "]";
    }
}
