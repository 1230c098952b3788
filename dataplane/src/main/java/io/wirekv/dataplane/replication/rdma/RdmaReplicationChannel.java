package io.wirekv.dataplane.replication.rdma;

import io.wirekv.dataplane.replication.ReplicationChannel;
import io.wirekv.dataplane.replication.TcpReplicationChannel;
import io.wirekv.nativebindings.verbs.SendWorkRequestEncoder;
import io.wirekv.nativebindings.verbs.VerbsLayouts;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The replication stream over an RDMA reliable connection: a {@link ReplicationChannel} whose bytes travel as RDMA
 * WRITEs into the peer's registered ring, so the replication agents run unchanged over it.
 * <p>
 * <b>Memory.</b> Each side has an inbox ({@link RdmaReceiveRing}: a ring and a doorbell line, remote-writable) and an
 * outbox of the peer's ring's size, registered for local access. The outbox mirrors the peer's ring: the bytes for
 * ring position P are staged at outbox position P, so the staging space is free exactly when the peer has consumed
 * the ring space (it cannot have consumed bytes the NIC has not yet read from the outbox).
 * <p>
 * <b>Writing.</b> {@link #write} copies what fits (the peer's ring free space) into the outbox and posts one chain:
 * one RDMA WRITE of the bytes (two where they wrap the ring's end) and an inline 8-byte WRITE of the new producer
 * position into the peer's doorbell, the only signalled request; RC executes a queue pair's requests in order, so
 * the peer sees the position after the bytes. <b>Reading.</b> {@link #read} copies from the inbox up to the producer
 * position, then writes its new consumed position into the peer's doorbell (inline, signalled), which gives the peer
 * back its space. Completions are reaped on every call; one with an error status fails the call (the agents then
 * drop the link and reconnect, as over TCP).
 * <p>
 * The TCP connection the link was set up over stays open and carries nothing more: a read that finds the inbox
 * empty also reads it (at most once a millisecond: it is a system call), so a peer that closed or died is seen as the
 * end of the stream, as over TCP.
 * <p>
 * <b>Threading.</b> Set-up ({@code new}, {@link #localParams}, {@link #connect}) on one thread, then the replication
 * thread only. {@link #read} and {@link #write} allocate nothing (the segment of a buffer is made once per buffer).
 */
public final class RdmaReplicationChannel implements ReplicationChannel
{
    /** Work requests one {@link #write} posts at most: two pieces of the bytes and the producer position. */
    static final int REQUESTS_PER_WRITE = 3;
    /** The largest ring a peer may offer (the outbox mirrors it). */
    static final long MAX_PEER_RING_BYTES = 1L << 30;
    private static final int COMPLETIONS = 16;
    /** Reading the set-up connection is a system call: a read that finds the inbox empty looks at most once a ms. */
    private static final long PEER_CHECK_INTERVAL_NS = 1_000_000;

    private final Arena arena = Arena.ofShared();
    private final QueuePair queuePair;
    private final RdmaReceiveRing inbox;
    private final int inboxRegion;
    private final SendWorkRequestEncoder requests = new SendWorkRequestEncoder();
    private final MemorySegment producerWord;
    private final MemorySegment consumedWord;
    private final MemorySegment completions;
    private final ByteBuffer controlProbe = ByteBuffer.allocate(1);

    private TcpReplicationChannel control;
    private RdmaConnectionParams peer;
    private MemorySegment outbox;
    private int outboxLkey;
    private long produced;
    private long announcedConsumed;
    private long nextPeerCheckNs;
    private int requestsInFlight;
    private final BufferSegment readSegment = new BufferSegment();
    private final BufferSegment writeSegment = new BufferSegment();
    private String failure;
    private boolean closed;

    /**
     * Allocates and registers the inbox on {@code queuePair}, which this channel owns from now on (closed with it).
     *
     * @param inboxBytes the inbox ring's size, a power of two of at least 4096.
     */
    public RdmaReplicationChannel(final QueuePair queuePair, final long inboxBytes)
    {
        this.queuePair = queuePair;
        try
        {
            if (queuePair.sendQueueDepth() < REQUESTS_PER_WRITE + 1)
            {
                throw new IllegalArgumentException("a send queue of " + queuePair.sendQueueDepth() +
                    " work requests cannot hold one write and one acknowledgement");
            }
            inbox = new RdmaReceiveRing(arena.allocate(RdmaReceiveRing.bytesFor(inboxBytes), 4096), inboxBytes);
            inboxRegion = queuePair.register(inbox.memory(), true);
            requests.wrap(arena.allocate(SendWorkRequestEncoder.SLOT_SIZE * REQUESTS_PER_WRITE, 8));
            producerWord = arena.allocate(Long.BYTES, 8);
            consumedWord = arena.allocate(Long.BYTES, 8);
            completions = arena.allocate(VerbsLayouts.IBV_WC.byteSize() * COMPLETIONS, 8);
        }
        catch (final RuntimeException ex)
        {
            queuePair.close();
            arena.close();
            throw ex;
        }
    }

    /** What the peer needs to reach this side: the queue pair's address and the inbox. */
    public RdmaConnectionParams localParams()
    {
        return queuePair.localParams(inboxRegion, inbox.ringAddress(), inbox.capacity(), inbox.doorbellAddress());
    }

    /**
     * Connects the queue pair to the peer's and makes the outbox that mirrors the peer's ring.
     *
     * @param control the TCP connection the parameters came over; kept to see the peer leave, closed with this.
     * @throws IllegalArgumentException when the peer offers no ring or one too large.
     */
    public void connect(final RdmaConnectionParams peer, final TcpReplicationChannel control)
    {
        if (!peer.offersRing() || peer.ringCapacity() < 4096 || peer.ringCapacity() > MAX_PEER_RING_BYTES)
        {
            throw new IllegalArgumentException("the peer's RDMA ring of " + peer.ringCapacity() + " bytes is not " +
                "between 4 KiB and " + (MAX_PEER_RING_BYTES >> 20) + " MiB");
        }
        outbox = arena.allocate(peer.ringCapacity(), 4096);
        outboxLkey = queuePair.lkey(queuePair.register(outbox, false));
        queuePair.connect(peer);
        this.peer = peer;
        this.control = control;
        nextPeerCheckNs = System.nanoTime();
    }

    @Override
    public int write(final ByteBuffer buffer) throws IOException
    {
        reapCompletions();
        if (null != failure)
        {
            throw new IOException(failure);
        }
        final long capacity = peer.ringCapacity();
        final long unread = produced - inbox.peerConsumed();
        if (unread < 0 || unread > capacity)
        {
            throw new IOException("the peer's consumed position is outside the RDMA ring (a corrupt doorbell)");
        }
        final int length = (int)Math.min(buffer.remaining(), capacity - unread);
        if (length <= 0 || requestsInFlight + REQUESTS_PER_WRITE > queuePair.sendQueueDepth())
        {
            return 0;
        }
        final MemorySegment source = writeSegment.of(buffer);
        final long at = produced & (capacity - 1);
        final int first = (int)Math.min(length, capacity - at);
        MemorySegment.copy(source, buffer.position(), outbox, at, first);
        requests.rdmaWrite(0, 0, outbox.address() + at, first, outboxLkey, peer.ringAddress() + at, peer.ringRkey(), 0);
        int last = 0;
        if (first < length)
        {
            MemorySegment.copy(source, buffer.position() + first, outbox, 0, length - first);
            requests.rdmaWrite(++last, 0, outbox.address(), length - first, outboxLkey, peer.ringAddress(),
                peer.ringRkey(), 0);
            requests.link(last - 1, last);
        }
        producerWord.set(JAVA_LONG, 0, produced + length);
        last++;
        // inline: the provider copies the word at post time, so it needs no region and may change on the next write
        requests.rdmaWrite(last, last + 1, producerWord.address(), Long.BYTES, 0,
            peer.doorbellAddress() + RdmaReceiveRing.PRODUCER_OFFSET, peer.ringRkey(),
            VerbsLayouts.IBV_SEND_SIGNALED | VerbsLayouts.IBV_SEND_INLINE);
        requests.link(last - 1, last);
        post(last + 1);
        produced += length;
        buffer.position(buffer.position() + length);
        return length;
    }

    @Override
    public int read(final ByteBuffer buffer) throws IOException
    {
        reapCompletions();
        final long available = inbox.available();
        if (available < 0)
        {
            throw new IOException("the peer's producer position is outside the RDMA ring (a corrupt doorbell)");
        }
        final int length = (int)Math.min(available, buffer.remaining());
        if (length > 0)
        {
            // what the peer placed is read even after a failed write of ours, as TCP reads what came before a reset
            inbox.copy(inbox.consumerPosition(), readSegment.of(buffer), buffer.position(), length);
            inbox.consumedUpTo(inbox.consumerPosition() + length);
            buffer.position(buffer.position() + length);
            announceConsumed();
            return length;
        }
        if (available == 0 && peerLeft())
        {
            return -1;
        }
        if (null != failure)
        {
            throw new IOException(failure);
        }
        announceConsumed();
        return 0;
    }

    @Override
    public String peer()
    {
        return null == control ? "(not connected)" : control.peer() + " (rdma)";
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != control)
        {
            control.close();
        }
        queuePair.close(); // deregisters before the memory goes
        arena.close();
    }

    /** Writes this side's consumed position into the peer's doorbell when it moved and the send queue has room. */
    private void announceConsumed() throws IOException
    {
        final long consumed = inbox.consumerPosition();
        if (consumed != announcedConsumed && null == failure && requestsInFlight < queuePair.sendQueueDepth())
        {
            consumedWord.set(JAVA_LONG, 0, consumed);
            requests.rdmaWrite(0, 1, consumedWord.address(), Long.BYTES, 0,
                peer.doorbellAddress() + RdmaReceiveRing.CONSUMED_OFFSET, peer.ringRkey(),
                VerbsLayouts.IBV_SEND_SIGNALED | VerbsLayouts.IBV_SEND_INLINE);
            post(1);
            announcedConsumed = consumed;
        }
    }

    private void post(final int requestCount) throws IOException
    {
        final int errno = queuePair.postSend(requests.request(0));
        if (errno != 0)
        {
            throw new IOException("ibv_post_send failed (errno " + errno + ")");
        }
        requestsInFlight += requestCount;
    }

    /**
     * Each chain's one signalled request carries the chain's length as its wr_id: its completion frees them all. The
     * first failed one is kept as {@link #failure}, which fails the next write, and the next read with nothing left.
     */
    private void reapCompletions() throws IOException
    {
        final int n = queuePair.pollCompletions(completions, COMPLETIONS);
        if (n < 0)
        {
            throw new IOException("ibv_poll_cq failed (" + n + ")");
        }
        final long size = VerbsLayouts.IBV_WC.byteSize();
        for (int i = 0; i < n; i++)
        {
            final int status = completions.get(JAVA_INT, i * size + VerbsLayouts.WC_STATUS);
            if (status != VerbsLayouts.IBV_WC_SUCCESS && null == failure)
            {
                failure = "an RDMA WRITE to " + peer() + " failed: " + VerbsLayouts.wcStatusName(status) +
                    " (the queue pair is in the error state)";
            }
            requestsInFlight -= (int)completions.get(JAVA_LONG, i * size + VerbsLayouts.WC_WR_ID);
        }
    }

    /** The set-up connection's end: the peer closed it, or died and its kernel did (seen within a millisecond). */
    private boolean peerLeft() throws IOException
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextPeerCheckNs < 0)
        {
            return false;
        }
        nextPeerCheckNs = nowNs + PEER_CHECK_INTERVAL_NS;
        controlProbe.clear();
        final int read = control.read(controlProbe);
        if (read > 0)
        {
            throw new IOException("unexpected bytes on the RDMA link's set-up connection from " + control.peer());
        }
        return read < 0;
    }

    /** The segment over a whole buffer, made once per buffer: the agents pass the same buffers call after call. */
    private static final class BufferSegment
    {
        private ByteBuffer buffer;
        private MemorySegment segment;

        MemorySegment of(final ByteBuffer buffer)
        {
            if (buffer != this.buffer)
            {
                this.buffer = buffer;
                segment = MemorySegment.ofBuffer(buffer.duplicate().clear());
            }
            return segment;
        }
    }
}
