package io.wirekv.nativebindings.verbs;

import java.lang.foreign.MemorySegment;

import static io.wirekv.nativebindings.verbs.VerbsLayouts.IBV_SEND_WR;
import static io.wirekv.nativebindings.verbs.VerbsLayouts.IBV_SGE;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Writes chains of {@code struct ibv_send_wr} RDMA WRITE work requests, each with its one {@code struct ibv_sge},
 * into off-heap memory that {@code ibv_post_send} then reads. A flyweight: wrap a segment of {@link #slots} slots
 * once, re-encode slots per batch; nothing is allocated per request.
 *
 * <pre>
 * slot i (144 bytes) at wrapped.address() + i * SLOT_SIZE:
 *   +---------------------------------------------+----------------------------+
 *   | struct ibv_send_wr (128)                    | struct ibv_sge (16)        |
 *   |   sg_list ----------------------------------+-> this slot's sge          |
 *   |   next    -> slot i+1's wr, or NULL at the end of the chain              |
 *   +---------------------------------------------+----------------------------+
 * </pre>
 * The provider copies what it needs during {@code ibv_post_send}, so a slot may be re-encoded as soon as the post
 * returned (the local buffer the SGE points at, not the slot, must stay unchanged until the completion).
 * <p>
 * Threading: one thread (the replication thread) owns an encoder and its memory.
 */
public final class SendWorkRequestEncoder
{
    /** Bytes of one slot: a work request and its scatter/gather element. */
    public static final long SLOT_SIZE = IBV_SEND_WR.byteSize() + IBV_SGE.byteSize();

    static
    {
        if (ADDRESS.byteSize() != Long.BYTES)
        {
            throw new ExceptionInInitializerError("pointers are written as 8-byte words; this platform's are " +
                ADDRESS.byteSize());
        }
    }

    private MemorySegment buffer = MemorySegment.NULL;
    private MemorySegment[] requests = new MemorySegment[0];
    private int slots;

    /**
     * @param segment native memory of at least one slot; its address is written into the requests, so it must be
     *                a native (not heap) segment that outlives the posts.
     * @return this.
     */
    public SendWorkRequestEncoder wrap(final MemorySegment segment)
    {
        if (!segment.isNative())
        {
            throw new IllegalArgumentException("work requests must live in native memory: ibv_post_send reads them");
        }
        if ((segment.address() & 7) != 0)
        {
            throw new IllegalArgumentException("work requests must be 8-byte aligned (allocate with alignment 8)");
        }
        final long count = segment.byteSize() / SLOT_SIZE;
        if (count < 1)
        {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes holds no " + SLOT_SIZE +
                "-byte work request slot");
        }
        buffer = segment;
        slots = (int)Math.min(Integer.MAX_VALUE >> 8, count);
        requests = new MemorySegment[slots];
        for (int i = 0; i < slots; i++)
        {
            requests[i] = segment.asSlice(i * SLOT_SIZE, SLOT_SIZE);
        }
        return this;
    }

    /**
     * @return the number of slots in the wrapped segment.
     */
    public int slots()
    {
        return slots;
    }

    /**
     * @param slot a slot index.
     * @return the address of its {@code struct ibv_send_wr}, the {@code wr} argument of {@code ibv_post_send}
     * for a chain that starts there (made at wrap time: no allocation per post).
     */
    public MemorySegment request(final int slot)
    {
        return requests[slot];
    }

    /**
     * Encodes one RDMA WRITE of {@code length} bytes from local {@code localAddress} (inside an MR with
     * {@code lkey}) to remote {@code remoteAddress} (inside the peer's MR with {@code rkey}) into {@code slot},
     * ending the chain there; {@link #link} continues it.
     *
     * @param wrId      returned in the completion's {@code wr_id}.
     * @param sendFlags {@link VerbsLayouts#IBV_SEND_SIGNALED}, {@link VerbsLayouts#IBV_SEND_INLINE}, or 0.
     */
    public void rdmaWrite(
        final int slot, final long wrId, final long localAddress, final int length, final int lkey,
        final long remoteAddress, final int rkey, final int sendFlags)
    {
        final long wr = slot * SLOT_SIZE;
        final long sge = wr + IBV_SEND_WR.byteSize();
        // Clear the whole slot: unions and flags of an earlier use must not leak into this one.
        for (long i = 0; i < SLOT_SIZE; i += Long.BYTES)
        {
            buffer.set(JAVA_LONG, wr + i, 0L);
        }
        // Pointers are written as 8-byte words (checked above): a MemorySegment per pointer would allocate.
        buffer.set(JAVA_LONG, wr + VerbsLayouts.SEND_WR_WR_ID, wrId);
        buffer.set(JAVA_LONG, wr + VerbsLayouts.SEND_WR_SG_LIST, buffer.address() + sge);
        buffer.set(JAVA_INT, wr + VerbsLayouts.SEND_WR_NUM_SGE, 1);
        buffer.set(JAVA_INT, wr + VerbsLayouts.SEND_WR_OPCODE, VerbsLayouts.IBV_WR_RDMA_WRITE);
        buffer.set(JAVA_INT, wr + VerbsLayouts.SEND_WR_SEND_FLAGS, sendFlags);
        buffer.set(JAVA_LONG, wr + VerbsLayouts.SEND_WR_RDMA_REMOTE_ADDR, remoteAddress);
        buffer.set(JAVA_INT, wr + VerbsLayouts.SEND_WR_RDMA_RKEY, rkey);
        buffer.set(JAVA_LONG, sge + VerbsLayouts.SGE_ADDR, localAddress);
        buffer.set(JAVA_INT, sge + VerbsLayouts.SGE_LENGTH, length);
        buffer.set(JAVA_INT, sge + VerbsLayouts.SGE_LKEY, lkey);
    }

    /**
     * Chains {@code slot}'s request to {@code nextSlot}'s: one {@code ibv_post_send} then posts both, in order.
     */
    public void link(final int slot, final int nextSlot)
    {
        buffer.set(JAVA_LONG, slot * SLOT_SIZE + VerbsLayouts.SEND_WR_NEXT, buffer.address() + nextSlot * SLOT_SIZE);
    }
}
