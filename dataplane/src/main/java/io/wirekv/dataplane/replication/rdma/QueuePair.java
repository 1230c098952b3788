package io.wirekv.dataplane.replication.rdma;

import java.lang.foreign.MemorySegment;

/**
 * The verbs one RDMA replication link needs: a reliable-connection queue pair with its completion queue and the
 * memory regions it moves bytes between. {@link VerbsQueuePair} is libibverbs; tests stand a loopback in its place
 * because these machines have no RDMA device.
 * <p>
 * Threading: set-up ({@link #register}, {@link #localParams}, {@link #connect}) on one thread before the link
 * carries data; {@link #postSend} and {@link #pollCompletions} on the replication thread only; neither allocates.
 */
public interface QueuePair extends AutoCloseable
{
    /**
     * Registers native memory that stays mapped until {@link #close}.
     *
     * @param remoteWritable true for memory the peer may RDMA WRITE into.
     * @return the region's id for {@link #lkey} and {@link #rkey}.
     */
    int register(MemorySegment memory, boolean remoteWritable);

    /** The local key a work request's scatter/gather element names the region by. */
    int lkey(int region);

    /** The remote key the peer names the region by. */
    int rkey(int region);

    /** Work requests this queue pair holds at most between a post and its completion. */
    int sendQueueDepth();

    /**
     * This side's parameters for the peer: its queue pair's address, and the ring the peer may write into.
     *
     * @param ringRegion      the registered region holding the ring and its doorbell.
     * @param ringAddress     the ring's first byte.
     * @param ringCapacity    the ring's size, a power of two.
     * @param doorbellAddress the doorbell words (inside the region, after the ring).
     */
    RdmaConnectionParams localParams(int ringRegion, long ringAddress, long ringCapacity, long doorbellAddress);

    /**
     * Moves the queue pair to INIT, RTR (towards the peer's) and RTS.
     *
     * @throws io.wirekv.nativebindings.NativeException naming the transition that failed.
     */
    void connect(RdmaConnectionParams peer);

    /**
     * {@code ibv_post_send} of the chain of {@code struct ibv_send_wr} starting at {@code firstRequest}.
     *
     * @return 0, or an errno (e.g. ENOMEM when the send queue is full).
     */
    int postSend(MemorySegment firstRequest);

    /**
     * {@code ibv_poll_cq}: up to {@code max} {@code struct ibv_wc} written into {@code completions}.
     *
     * @return completions written, 0 when none, negative when polling failed.
     */
    int pollCompletions(MemorySegment completions, int max);

    @Override
    void close();
}
