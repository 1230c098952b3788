package io.wirekv.dataplane.replication.rdma;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.verbs.LibIbverbs;
import io.wirekv.nativebindings.verbs.RdmaDiscovery;
import io.wirekv.nativebindings.verbs.VerbsLayouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ThreadLocalRandom;

import static io.wirekv.nativebindings.verbs.VerbsLayouts.IBV_QP_ATTR;
import static io.wirekv.nativebindings.verbs.VerbsLayouts.off;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A {@link QueuePair} on libibverbs: an opened device, a protection domain, one completion queue and one reliable
 * connection (RC) queue pair, and the memory regions registered on them. Set-up makes every verbs call through the
 * hand-written bindings ({@link LibIbverbs}); {@link #postSend} and {@link #pollCompletions} call the provider's
 * {@code post_send} / {@code poll_cq} through the function pointers in its context, as {@code ibv_post_send} and
 * {@code ibv_poll_cq} (static inline in {@code verbs.h}) do, one downcall each and no allocation.
 * <p>
 * <b>Never executed.</b> This class has been compiled and its struct layouts checked against {@code verbs.h}
 * ({@code VerbsLayoutTest}), but it has never run against a device: the machines it was written on have no RDMA
 * hardware and no RDMA kernel support, so {@link ReplicationTransportSelector} never chooses RDMA there. The link
 * logic above it ({@link RdmaReplicationChannel}) is tested over a loopback queue pair instead. Treat the first run
 * on hardware as this class's first test.
 */
public final class VerbsQueuePair implements QueuePair
{
    private static final int MAX_REGIONS = 64;
    private static final int MAX_INLINE = 64;
    /**
     * GID table index used for the global route (RoCE). Index 0 is the port's link-local RoCE v1 GID on most NICs;
     * a RoCE v2 (routable) deployment may need another index: a setting for it is future work.
     */
    private static final byte GID_INDEX = 0;

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
    private final MemorySegment badWr;

    private final MemorySegment[] regionMrs = new MemorySegment[MAX_REGIONS];
    private int regions;
    private boolean closed;

    @SuppressWarnings("restricted")
    private VerbsQueuePair(final MemorySegment device, final RdmaDiscovery.Port port, final int sendQueueDepth)
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
        badWr = arena.allocate(ADDRESS);
    }

    /**
     * Opens {@code device} (found by {@link io.wirekv.nativebindings.verbs.RdmaDevices#discover()}) and creates the
     * PD, CQ and RC QP. Reached only when discovery found a device with an ACTIVE port.
     *
     * @param sendQueueDepth work requests in flight at most.
     * @throws NativeException with the failing call and errno.
     */
    @SuppressWarnings("restricted")
    public static VerbsQueuePair open(
        final RdmaDiscovery.RdmaDevice device, final RdmaDiscovery.Port port, final int sendQueueDepth)
    {
        if (sendQueueDepth < 1)
        {
            throw new IllegalArgumentException("sendQueueDepth must be positive: " + sendQueueDepth);
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
                        return new VerbsQueuePair(candidate, port, sendQueueDepth);
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

    @Override
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
        regionMrs[regions] = mr;
        return regions++;
    }

    @Override
    public int lkey(final int region)
    {
        return regionMrs[region].get(JAVA_INT, VerbsLayouts.MR_LKEY);
    }

    @Override
    public int rkey(final int region)
    {
        return regionMrs[region].get(JAVA_INT, VerbsLayouts.MR_RKEY);
    }

    @Override
    public int sendQueueDepth()
    {
        return sendQueueDepth;
    }

    @Override
    public RdmaConnectionParams localParams(
        final int ringRegion, final long ringAddress, final long ringCapacity, final long doorbellAddress)
    {
        return new RdmaConnectionParams(activeMtu, qpNum, psn, lid, gid, rkey(ringRegion), ringAddress, ringCapacity,
            doorbellAddress);
    }

    @Override
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
    }

    @Override
    public int postSend(final MemorySegment firstRequest)
    {
        return LibIbverbs.post_send(postSend, qp, firstRequest, badWr);
    }

    @Override
    public int pollCompletions(final MemorySegment completions, final int max)
    {
        return LibIbverbs.poll_cq(pollCq, cq, max, completions);
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
