package io.wirekv.dataplane.replication.rdma;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.verbs.LibIbverbs;
import io.wirekv.nativebindings.verbs.RdmaDiscovery;
import io.wirekv.nativebindings.verbs.SendWorkRequestEncoder;
import io.wirekv.nativebindings.verbs.VerbsLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ThreadLocalRandom;

import static io.wirekv.nativebindings.verbs.VerbsLayouts.IBV_QP_ATTR;
import static io.wirekv.nativebindings.verbs.VerbsLayouts.off;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One end of an RDMA replication link: an opened device, a protection domain, the registered memory regions (the
 * primary's partition log buffers; the backup's {@link RdmaReceiveRing}), one completion queue and one reliable
 * connection (RC) queue pair.
 * <p>
 * <b>Protocol.</b> Both sides exchange {@link RdmaConnectionParams} over the TCP control connection ({@link
 * #localParams}), then {@link #connect} moves the QP RESET -> INIT -> RTR -> RTS. The primary then, per batch of
 * sealed log records: {@link #writeBatch} posts one RDMA WRITE of the batch from its registered log buffer into the
 * backup's ring at the producer position (two WRITEs where the batch wraps the ring's end), followed on the same QP
 * by a 16-byte inline WRITE of the doorbell {@code {u64 last sequence, u64 producer position}}, the only signalled
 * request of the three. RC executes a QP's requests in order, so when the backup sees the doorbell advance, the
 * batch before it has been placed; the backup still checks every record's CRC32C and sequence, as over TCP. The
 * backup's consumed position comes back on the TCP control connection (the stream's ACKs) and bounds the ring space
 * the primary may use ({@code consumerPosition} argument).
 * <p>
 * <b>Threading.</b> Set-up ({@link #open}, {@link #register}, {@link #connect}, {@link #close}) on one thread at a
 * time; {@link #writeBatch} and {@link #pollCompletions} only on the replication thread, which owns the QP and CQ.
 * Those two allocate nothing, throw nothing for a provider error (they return {@code -errno} / a negative status),
 * and make exactly one downcall each.
 * <p>
 * <b>Never executed.</b> This class has been compiled and its work-request encoding unit-tested, but it has never
 * run against a device: the machines it was written on have no RDMA hardware and no RDMA kernel support, so
 * {@link ReplicationTransportSelector} never reaches it there. Treat the first run on hardware as its first test.
 */
public final class RdmaReplicationChannel implements AutoCloseable
{
    /** Bytes of the doorbell the primary writes after each batch: {@code u64 sequence, u64 producer position}. */
    public static final int DOORBELL_BYTES = 16;
    /** Work requests per batch at most: two ring pieces and the doorbell. */
    static final int SLOTS_PER_BATCH = 3;
    private static final int MAX_REGIONS = 64;
    private static final int WC_BATCH = 16;
    private static final int MAX_INLINE = 64;
    /**
     * GID table index used for the global route (RoCE). Index 0 is the port's link-local RoCE v1 GID on most NICs;
     * a RoCE v2 (routable) deployment may need another index: a setting for it is future work.
     */
    private static final byte GID_INDEX = 0;
    /** Completion status for a failed completion: {@code -(1000 + ibv_wc_status)}. */
    public static final int WC_ERROR_BASE = 1000;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errnoState = Errno.allocateState(arena);
    private final MemorySegment context;
    private final MemorySegment pd;
    private final MemorySegment cq;
    private final MemorySegment qp;
    private final MemorySegment postSend;
    private final MemorySegment pollCq;
    private final byte portNum;
    private final int lid;
    private final int activeMtu;
    private final byte[] gid = new byte[16];
    private final int qpNum;
    private final int psn = ThreadLocalRandom.current().nextInt(1 << 24);
    private final int sendQueueDepth;

    private final MemorySegment[] regionMrs = new MemorySegment[MAX_REGIONS];
    private final long[] regionAddress = new long[MAX_REGIONS];
    private final long[] regionLength = new long[MAX_REGIONS];
    private final int[] regionLkey = new int[MAX_REGIONS];
    private int regions;

    private final SendWorkRequestEncoder encoder = new SendWorkRequestEncoder();
    private final MemorySegment doorbell;
    private final MemorySegment badWr;
    private final MemorySegment completions;

    private RdmaConnectionParams remote;
    private long postedBatches;
    private long completedBatches;
    private long completedSequence = -1;
    private int lastFailedStatus = -1;
    private boolean closed;

    @SuppressWarnings("restricted")
    private RdmaReplicationChannel(final MemorySegment device, final RdmaDiscovery.Port port, final int sendQueueDepth)
    {
        this.sendQueueDepth = sendQueueDepth;
        this.portNum = (byte)port.number();
        final MemorySegment opened = LibIbverbs.ibv_open_device(errnoState, device);
        if (MemorySegment.NULL.equals(opened))
        {
            final int errno = Errno.read(errnoState);
            arena.close();
            throw new NativeException("ibv_open_device", errno, "check permissions on /dev/infiniband/uverbs*");
        }
        context = opened;
        MemorySegment pdLocal = MemorySegment.NULL;
        MemorySegment cqLocal = MemorySegment.NULL;
        try
        {
            final MemorySegment portAttr = arena.allocate(VerbsLayouts.IBV_PORT_ATTR);
            final int rc = LibIbverbs.ibv_query_port(context, portNum, portAttr);
            if (rc != 0)
            {
                throw new NativeException("ibv_query_port(" + port.number() + ")", rc, "");
            }
            lid = Short.toUnsignedInt(portAttr.get(JAVA_SHORT, off(VerbsLayouts.IBV_PORT_ATTR, "lid")));
            activeMtu = portAttr.get(JAVA_INT, off(VerbsLayouts.IBV_PORT_ATTR, "active_mtu"));
            final MemorySegment gidSegment = arena.allocate(VerbsLayouts.GID_SIZE);
            if (LibIbverbs.ibv_query_gid(context, portNum, GID_INDEX, gidSegment) == 0)
            {
                MemorySegment.copy(gidSegment, JAVA_BYTE, 0, gid, 0, gid.length);
            }
            pdLocal = check(LibIbverbs.ibv_alloc_pd(errnoState, context), "ibv_alloc_pd");
            cqLocal = check(LibIbverbs.ibv_create_cq(errnoState, context, sendQueueDepth, MemorySegment.NULL,
                MemorySegment.NULL, 0), "ibv_create_cq(" + sendQueueDepth + ")");
            final MemorySegment init = arena.allocate(VerbsLayouts.IBV_QP_INIT_ATTR);
            final var l = VerbsLayouts.IBV_QP_INIT_ATTR;
            init.set(ADDRESS, off(l, "send_cq"), cqLocal);
            init.set(ADDRESS, off(l, "recv_cq"), cqLocal);
            init.set(JAVA_INT, off(l, "cap", "max_send_wr"), sendQueueDepth);
            init.set(JAVA_INT, off(l, "cap", "max_recv_wr"), 1);
            init.set(JAVA_INT, off(l, "cap", "max_send_sge"), 1);
            init.set(JAVA_INT, off(l, "cap", "max_recv_sge"), 1);
            init.set(JAVA_INT, off(l, "cap", "max_inline_data"), MAX_INLINE);
            init.set(JAVA_INT, off(l, "qp_type"), VerbsLayouts.IBV_QPT_RC);
            init.set(JAVA_INT, off(l, "sq_sig_all"), 0);
            qp = check(LibIbverbs.ibv_create_qp(errnoState, pdLocal, init), "ibv_create_qp(RC)")
                .reinterpret(VerbsLayouts.IBV_QP_HEAD.byteSize());
            pd = pdLocal;
            cq = cqLocal;
        }
        catch (final RuntimeException ex)
        {
            if (!MemorySegment.NULL.equals(cqLocal))
            {
                LibIbverbs.ibv_destroy_cq(cqLocal);
            }
            if (!MemorySegment.NULL.equals(pdLocal))
            {
                LibIbverbs.ibv_dealloc_pd(pdLocal);
            }
            LibIbverbs.ibv_close_device(context);
            arena.close();
            throw ex;
        }
        qpNum = qp.get(JAVA_INT, VerbsLayouts.QP_QP_NUM);
        postSend = LibIbverbs.contextOp(qp, VerbsLayouts.CONTEXT_OPS_POST_SEND);
        pollCq = LibIbverbs.contextOp(cq, VerbsLayouts.CONTEXT_OPS_POLL_CQ);
        encoder.wrap(arena.allocate(SendWorkRequestEncoder.SLOT_SIZE * SLOTS_PER_BATCH, 8));
        doorbell = arena.allocate(DOORBELL_BYTES, 8);
        badWr = arena.allocate(ADDRESS);
        completions = arena.allocate(VerbsLayouts.IBV_WC.byteSize() * WC_BATCH, 8);
    }

    /**
     * Opens {@code device} (found by {@link io.wirekv.nativebindings.verbs.RdmaDevices#discover()}) and creates the
     * PD, CQ and RC QP. Reached only when discovery found a device with an ACTIVE port.
     *
     * @param sendQueueDepth work requests in flight at most; a multiple of 3 (a batch takes up to three).
     * @throws NativeException with the failing call and errno.
     */
    @SuppressWarnings("restricted")
    public static RdmaReplicationChannel open(
        final RdmaDiscovery.RdmaDevice device, final RdmaDiscovery.Port port, final int sendQueueDepth)
    {
        if (sendQueueDepth < SLOTS_PER_BATCH || sendQueueDepth % SLOTS_PER_BATCH != 0)
        {
            throw new IllegalArgumentException("sendQueueDepth must be a positive multiple of " + SLOTS_PER_BATCH);
        }
        try (Arena temp = Arena.ofConfined())
        {
            final MemorySegment errno = Errno.allocateState(temp);
            final MemorySegment count = temp.allocate(JAVA_INT);
            final MemorySegment list = LibIbverbs.ibv_get_device_list(errno, count);
            if (MemorySegment.NULL.equals(list))
            {
                throw new NativeException("ibv_get_device_list", Errno.read(errno), "RDMA device " + device.name() +
                    " disappeared since discovery");
            }
            try
            {
                final int n = count.get(JAVA_INT, 0);
                final MemorySegment array = list.reinterpret(ADDRESS.byteSize() * n);
                for (int i = 0; i < n; i++)
                {
                    final MemorySegment candidate = array.getAtIndex(ADDRESS, i);
                    if (device.name().equals(LibIbverbs.ibv_get_device_name(candidate).reinterpret(64).getString(0)))
                    {
                        // ibv_open_device keeps what it needs: the list may be freed once the device is open.
                        return new RdmaReplicationChannel(candidate, port, sendQueueDepth);
                    }
                }
            }
            finally
            {
                LibIbverbs.ibv_free_device_list(list);
            }
        }
        throw new NativeException("ibv_get_device_list", 0, "RDMA device " + device.name() + " disappeared since discovery");
    }

    /**
     * Registers memory as a region: on the primary each partition log buffer it sends from (local access); on the
     * backup the ring and doorbell (remote write).
     *
     * @param memory        native memory (hugepage or off-heap mapping) that stays mapped until {@link #close}.
     * @param remoteWritable true on the backup's ring: the peer may RDMA WRITE into it.
     * @return the region's id for {@link #writeBatch} and {@link #rkey}.
     */
    @SuppressWarnings("restricted")
    public int register(final MemorySegment memory, final boolean remoteWritable)
    {
        if (regions == MAX_REGIONS)
        {
            throw new IllegalStateException("more than " + MAX_REGIONS + " registered regions");
        }
        final int access = VerbsLayouts.IBV_ACCESS_LOCAL_WRITE | (remoteWritable ? VerbsLayouts.IBV_ACCESS_REMOTE_WRITE : 0);
        final MemorySegment mr = check(LibIbverbs.ibv_reg_mr(errnoState, pd, memory, memory.byteSize(), access),
            "ibv_reg_mr(" + memory.byteSize() + " bytes)").reinterpret(VerbsLayouts.IBV_MR.byteSize());
        final int id = regions++;
        regionMrs[id] = mr;
        regionAddress[id] = memory.address();
        regionLength[id] = memory.byteSize();
        regionLkey[id] = mr.get(JAVA_INT, VerbsLayouts.MR_LKEY);
        return id;
    }

    /**
     * @return the region's rkey, which the backup sends in {@link RdmaConnectionParams#ringRkey()}.
     */
    public int rkey(final int region)
    {
        return regionMrs[region].get(JAVA_INT, VerbsLayouts.MR_RKEY);
    }

    /**
     * This side's parameters for the peer. The backup passes its ring region; the primary passes {@code -1}.
     *
     * @param ringRegion      the registered region holding the ring and the doorbell, or -1.
     * @param ringAddress     the ring's first byte (inside the region).
     * @param ringCapacity    the ring's size, a power of two.
     * @param doorbellAddress the 16-byte doorbell (inside the region, outside the ring).
     */
    public RdmaConnectionParams localParams(
        final int ringRegion, final long ringAddress, final long ringCapacity, final long doorbellAddress)
    {
        return ringRegion < 0 ? new RdmaConnectionParams(activeMtu, qpNum, psn, lid, gid, 0, 0, 0, 0) :
            new RdmaConnectionParams(activeMtu, qpNum, psn, lid, gid, rkey(ringRegion), ringAddress, ringCapacity,
                doorbellAddress);
    }

    /**
     * Moves the QP to INIT, RTR (towards the peer's QP) and RTS.
     *
     * @throws NativeException naming the transition that failed.
     */
    public void connect(final RdmaConnectionParams peer)
    {
        final MemorySegment attr = arena.allocate(IBV_QP_ATTR);
        attr.set(JAVA_INT, off(IBV_QP_ATTR, "qp_state"), VerbsLayouts.IBV_QPS_INIT);
        attr.set(JAVA_SHORT, off(IBV_QP_ATTR, "pkey_index"), (short)0);
        attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "port_num"), portNum);
        attr.set(JAVA_INT, off(IBV_QP_ATTR, "qp_access_flags"),
            VerbsLayouts.IBV_ACCESS_LOCAL_WRITE | VerbsLayouts.IBV_ACCESS_REMOTE_WRITE);
        modify(attr, VerbsLayouts.IBV_QP_STATE | VerbsLayouts.IBV_QP_PKEY_INDEX | VerbsLayouts.IBV_QP_PORT |
            VerbsLayouts.IBV_QP_ACCESS_FLAGS, "INIT");

        attr.fill((byte)0);
        attr.set(JAVA_INT, off(IBV_QP_ATTR, "qp_state"), VerbsLayouts.IBV_QPS_RTR);
        attr.set(JAVA_INT, off(IBV_QP_ATTR, "path_mtu"), Math.min(activeMtu, peer.mtu()));
        attr.set(JAVA_INT, off(IBV_QP_ATTR, "dest_qp_num"), peer.qpNum());
        attr.set(JAVA_INT, off(IBV_QP_ATTR, "rq_psn"), peer.psn());
        attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "max_dest_rd_atomic"), (byte)1);
        attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "min_rnr_timer"), (byte)12);
        attr.set(JAVA_SHORT, off(IBV_QP_ATTR, "ah_attr", "dlid"), (short)peer.lid());
        attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "ah_attr", "port_num"), portNum);
        if (!isZero(peer.gid()))
        {
            // RoCE (and routed InfiniBand) address by GID: a global route header towards the peer's GID.
            attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "ah_attr", "is_global"), (byte)1);
            MemorySegment.copy(peer.gid(), 0, attr, JAVA_BYTE, off(IBV_QP_ATTR, "ah_attr", "grh", "dgid"), 16);
            attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "ah_attr", "grh", "sgid_index"), GID_INDEX);
            attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "ah_attr", "grh", "hop_limit"), (byte)1);
        }
        modify(attr, VerbsLayouts.IBV_QP_STATE | VerbsLayouts.IBV_QP_AV | VerbsLayouts.IBV_QP_PATH_MTU |
            VerbsLayouts.IBV_QP_DEST_QPN | VerbsLayouts.IBV_QP_RQ_PSN | VerbsLayouts.IBV_QP_MAX_DEST_RD_ATOMIC |
            VerbsLayouts.IBV_QP_MIN_RNR_TIMER, "RTR");

        attr.fill((byte)0);
        attr.set(JAVA_INT, off(IBV_QP_ATTR, "qp_state"), VerbsLayouts.IBV_QPS_RTS);
        attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "timeout"), (byte)14);
        attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "retry_cnt"), (byte)7);
        attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "rnr_retry"), (byte)7);
        attr.set(JAVA_INT, off(IBV_QP_ATTR, "sq_psn"), psn);
        attr.set(JAVA_BYTE, off(IBV_QP_ATTR, "max_rd_atomic"), (byte)1);
        modify(attr, VerbsLayouts.IBV_QP_STATE | VerbsLayouts.IBV_QP_TIMEOUT | VerbsLayouts.IBV_QP_RETRY_CNT |
            VerbsLayouts.IBV_QP_RNR_RETRY | VerbsLayouts.IBV_QP_SQ_PSN | VerbsLayouts.IBV_QP_MAX_QP_RD_ATOMIC, "RTS");
        remote = peer;
    }

    /**
     * Primary, replication thread: RDMA WRITEs {@code length} bytes of sealed records at {@code localOffset} in
     * region {@code region} into the backup's ring at {@code producerPosition} (mod its capacity), then the doorbell
     * {@code {lastSequence, producerPosition + length}}.
     *
     * @param consumerPosition the backup's consumed ring position (from its last ACK): bounds the free space.
     * @return 0 when posted; {@code -ENOBUFS} when the ring or the send queue has no room (retry after
     * {@link #pollCompletions} or the next ACK); {@code -EINVAL} for a batch outside the region or larger than the
     * ring; another {@code -errno} from the provider.
     */
    public int writeBatch(
        final int region, final long localOffset, final int length, final long lastSequence,
        final long producerPosition, final long consumerPosition)
    {
        final RdmaConnectionParams peer = remote;
        if (peer == null || length <= 0 || localOffset < 0 || localOffset + length > regionLength[region] ||
            length > peer.ringCapacity())
        {
            return -Errno.EINVAL;
        }
        if (producerPosition + length - consumerPosition > peer.ringCapacity() ||
            (postedBatches - completedBatches + 1) * SLOTS_PER_BATCH > sendQueueDepth)
        {
            return -Errno.ENOBUFS;
        }
        final long mask = peer.ringCapacity() - 1;
        final long ringOffset = producerPosition & mask;
        final int first = (int)Math.min(length, peer.ringCapacity() - ringOffset);
        final long local = regionAddress[region] + localOffset;
        final int lkey = regionLkey[region];
        int slot = 0;
        encoder.rdmaWrite(slot, lastSequence, local, first, lkey, peer.ringAddress() + ringOffset, peer.ringRkey(), 0);
        if (first < length)
        {
            encoder.rdmaWrite(++slot, lastSequence, local + first, length - first, lkey, peer.ringAddress(),
                peer.ringRkey(), 0);
            encoder.link(slot - 1, slot);
        }
        doorbell.set(JAVA_LONG, 0, lastSequence);
        doorbell.set(JAVA_LONG, 8, producerPosition + length);
        // Inline: the provider copies the 16 bytes at post time, so the doorbell word needs no MR and may change next batch.
        encoder.rdmaWrite(++slot, lastSequence, doorbell.address(), DOORBELL_BYTES, 0, peer.doorbellAddress(),
            peer.ringRkey(), VerbsLayouts.IBV_SEND_SIGNALED | VerbsLayouts.IBV_SEND_INLINE);
        encoder.link(slot - 1, slot);
        final int rc = LibIbverbs.post_send(postSend, qp, encoder.request(0), badWr);
        if (rc != 0)
        {
            return -rc;
        }
        postedBatches++;
        return 0;
    }

    /**
     * Replication thread: drains up to 16 completions (one per batch: only doorbells are signalled).
     *
     * @return completions taken (0 when none); {@code -(WC_ERROR_BASE + status)} when a work request failed (the QP
     * is then in the error state: drop the link, fall back or reconnect); another negative value when polling failed.
     */
    public int pollCompletions()
    {
        final int n = LibIbverbs.poll_cq(pollCq, cq, WC_BATCH, completions);
        if (n <= 0)
        {
            return n;
        }
        final long wcSize = VerbsLayouts.IBV_WC.byteSize();
        for (int i = 0; i < n; i++)
        {
            final long at = i * wcSize;
            final int status = completions.get(JAVA_INT, at + VerbsLayouts.WC_STATUS);
            if (status != VerbsLayouts.IBV_WC_SUCCESS)
            {
                lastFailedStatus = status;
                return -(WC_ERROR_BASE + status);
            }
            completedSequence = completions.get(JAVA_LONG, at + VerbsLayouts.WC_WR_ID);
            completedBatches++;
        }
        return n;
    }

    /**
     * @return the last sequence whose batch and doorbell completed (placed in the backup's memory), or -1.
     */
    public long completedSequence()
    {
        return completedSequence;
    }

    /**
     * @return the {@code ibv_wc_status} of the last failed completion, or -1.
     */
    public int lastFailedStatus()
    {
        return lastFailedStatus;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        LibIbverbs.ibv_destroy_qp(qp);
        LibIbverbs.ibv_destroy_cq(cq);
        for (int i = 0; i < regions; i++)
        {
            LibIbverbs.ibv_dereg_mr(regionMrs[i]);
        }
        LibIbverbs.ibv_dealloc_pd(pd);
        LibIbverbs.ibv_close_device(context);
        arena.close();
    }

    private void modify(final MemorySegment attr, final int mask, final String state)
    {
        final int rc = LibIbverbs.ibv_modify_qp(qp, attr, mask);
        if (rc != 0)
        {
            throw new NativeException("ibv_modify_qp(" + state + ")", rc, "check that both ports are ACTIVE and the " +
                "peer's parameters (LID/GID, QP number) came from the same link");
        }
    }

    private MemorySegment check(final MemorySegment result, final String call)
    {
        if (MemorySegment.NULL.equals(result))
        {
            throw new NativeException(call, Errno.read(errnoState), "");
        }
        return result;
    }

    private static boolean isZero(final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            if (b != 0)
            {
                return false;
            }
        }
        return true;
    }
}
