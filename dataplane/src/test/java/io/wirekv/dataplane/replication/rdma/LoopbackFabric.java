package io.wirekv.dataplane.replication.rdma;

import io.wirekv.nativebindings.verbs.VerbsLayouts;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A stand-in for RDMA hardware, for tests only (these machines have no RDMA device and no RDMA kernel support): queue
 * pairs in one JVM whose posts carry out the RDMA WRITEs they describe, by copying between the two sides' registered
 * memory. It reads the real {@code struct ibv_send_wr} / {@code ibv_sge} chains the channel encodes, writes real
 * {@code struct ibv_wc} entries, and checks what a NIC checks: the local key and bounds of every gathered range, the
 * remote key, bounds and write permission of every target, the send queue's depth. A failure completes its request
 * with the status a NIC would give and puts the queue pair in the error state. Placement is immediate, at the post;
 * an 8-byte aligned write (a doorbell word) is one release store, as a NIC's aligned PCIe write is one store.
 * Posting and polling allocate nothing, so the replication threads' allocation can be measured over it.
 */
public final class LoopbackFabric
{
    /** The whole address space, so that reading a request or copying a range makes no segment (posts allocate nothing). */
    @SuppressWarnings("restricted")
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Map<Integer, Pair> pairs = new ConcurrentHashMap<>();
    private final AtomicInteger nextQpNum = new AtomicInteger(1);
    private final AtomicInteger nextKey = new AtomicInteger(0x1000);
    private final AtomicLong bytesWritten = new AtomicLong();
    private volatile int failNextWriteWith = -1;

    /** Opens queue pairs on this fabric. */
    public QueuePairFactory factory()
    {
        return Pair::new;
    }

    /** Bytes placed by RDMA WRITEs so far, both ways. */
    public long bytesWritten()
    {
        return bytesWritten.get();
    }

    /** Queue pairs open now. */
    public int openQueuePairs()
    {
        return pairs.size();
    }

    /** The next RDMA WRITE (any queue pair) fails with {@code status} instead of placing its bytes. */
    void failNextWrite(final int status)
    {
        failNextWriteWith = status;
    }

    private record Region(long address, long length, int lkey, int rkey, boolean remoteWritable)
    {
        boolean holds(final long at, final long bytes)
        {
            return bytes >= 0 && at >= address && at + bytes <= address + length;
        }
    }

    private final class Pair implements QueuePair
    {
        private static final VarHandle U64 = JAVA_LONG.varHandle();
        private final int qpNum = nextQpNum.getAndIncrement();
        private final int depth;
        private volatile Region[] regions = new Region[0];
        private volatile RdmaConnectionParams peer;
        private boolean error;
        private boolean closed;
        // completions, in order: wr_id, status, and how many send queue slots each frees
        private final long[] completedIds = new long[4096];
        private final int[] completedStatus = new int[4096];
        private final int[] completedFrees = new int[4096];
        private int head;
        private int tail;
        private int unsignalled;
        private int inFlight;

        Pair(final int depth)
        {
            this.depth = depth;
            pairs.put(qpNum, this);
        }

        @Override
        public synchronized int register(final MemorySegment memory, final boolean remoteWritable)
        {
            final Region[] more = java.util.Arrays.copyOf(regions, regions.length + 1);
            more[regions.length] = new Region(memory.address(), memory.byteSize(), nextKey.getAndIncrement(),
                nextKey.getAndIncrement(), remoteWritable);
            regions = more;
            return regions.length - 1;
        }

        @Override
        public int lkey(final int region)
        {
            return regions[region].lkey();
        }

        @Override
        public int rkey(final int region)
        {
            return regions[region].rkey();
        }

        @Override
        public int sendQueueDepth()
        {
            return depth;
        }

        @Override
        public RdmaConnectionParams localParams(
            final int ringRegion, final long ringAddress, final long ringCapacity, final long doorbellAddress)
        {
            return new RdmaConnectionParams(VerbsLayouts.IBV_MTU_1024, qpNum, qpNum * 7, 1, new byte[16],
                rkey(ringRegion), ringAddress, ringCapacity, doorbellAddress);
        }

        @Override
        public void connect(final RdmaConnectionParams peer)
        {
            this.peer = peer;
        }

        @Override
        public int postSend(final MemorySegment firstRequest)
        {
            int chain = 0;
            for (long wr = firstRequest.address(); wr != 0; wr = ALL.get(JAVA_LONG, wr + VerbsLayouts.SEND_WR_NEXT))
            {
                chain++;
            }
            if (inFlight + chain > depth)
            {
                return 12; // ENOMEM, as a provider answers a full send queue
            }
            inFlight += chain;
            for (long wr = firstRequest.address(); wr != 0; wr = ALL.get(JAVA_LONG, wr + VerbsLayouts.SEND_WR_NEXT))
            {
                final long id = ALL.get(JAVA_LONG, wr + VerbsLayouts.SEND_WR_WR_ID);
                final int status = error ? 5 /* WR_FLUSH_ERR */ : execute(wr);
                unsignalled++;
                final boolean signalled = (ALL.get(JAVA_INT, wr + VerbsLayouts.SEND_WR_SEND_FLAGS) &
                    VerbsLayouts.IBV_SEND_SIGNALED) != 0;
                if (signalled || status != VerbsLayouts.IBV_WC_SUCCESS)
                {
                    complete(id, status);
                }
                error |= status != VerbsLayouts.IBV_WC_SUCCESS;
            }
            return 0;
        }

        @Override
        public int pollCompletions(final MemorySegment completions, final int max)
        {
            final long size = VerbsLayouts.IBV_WC.byteSize();
            int n = 0;
            while (n < max && head != tail)
            {
                final int at = head++ & (completedIds.length - 1);
                completions.set(JAVA_LONG, n * size + VerbsLayouts.WC_WR_ID, completedIds[at]);
                completions.set(JAVA_INT, n * size + VerbsLayouts.WC_STATUS, completedStatus[at]);
                inFlight -= completedFrees[at];
                n++;
            }
            return n;
        }

        @Override
        public synchronized void close()
        {
            closed = true; // a WRITE into this side now fails as into a destroyed queue pair, never into freed memory
            pairs.remove(qpNum);
        }

        private void complete(final long id, final int status)
        {
            final int at = tail++ & (completedIds.length - 1);
            completedIds[at] = id;
            completedStatus[at] = status;
            completedFrees[at] = unsignalled;
            unsignalled = 0;
        }

        /** One RDMA WRITE, the request at {@code wr}: the status its completion carries. */
        private int execute(final long wr)
        {
            if (ALL.get(JAVA_INT, wr + VerbsLayouts.SEND_WR_OPCODE) != VerbsLayouts.IBV_WR_RDMA_WRITE ||
                ALL.get(JAVA_INT, wr + VerbsLayouts.SEND_WR_NUM_SGE) != 1 || null == peer)
            {
                return 2; // LOC_QP_OP_ERR
            }
            final long sge = ALL.get(JAVA_LONG, wr + VerbsLayouts.SEND_WR_SG_LIST);
            final long local = ALL.get(JAVA_LONG, sge + VerbsLayouts.SGE_ADDR);
            final int length = ALL.get(JAVA_INT, sge + VerbsLayouts.SGE_LENGTH);
            final boolean inline = (ALL.get(JAVA_INT, wr + VerbsLayouts.SEND_WR_SEND_FLAGS) &
                VerbsLayouts.IBV_SEND_INLINE) != 0;
            if (!inline && !holds(regions, ALL.get(JAVA_INT, sge + VerbsLayouts.SGE_LKEY), local, length, false))
            {
                return 4; // LOC_PROT_ERR
            }
            final int injected = failNextWriteWith;
            if (injected >= 0)
            {
                failNextWriteWith = -1;
                return injected;
            }
            final Pair target = pairs.get(peer.qpNum());
            if (null == target)
            {
                return VerbsLayouts.IBV_WC_RETRY_EXC_ERR; // nobody answers at that queue pair
            }
            final long remote = ALL.get(JAVA_LONG, wr + VerbsLayouts.SEND_WR_RDMA_REMOTE_ADDR);
            final int rkey = ALL.get(JAVA_INT, wr + VerbsLayouts.SEND_WR_RDMA_RKEY);
            synchronized (target)
            {
                if (target.closed)
                {
                    return VerbsLayouts.IBV_WC_RETRY_EXC_ERR;
                }
                if (!holds(target.regions, rkey, remote, length, true))
                {
                    return VerbsLayouts.IBV_WC_REM_ACCESS_ERR;
                }
                if (length == Long.BYTES && (remote & 7) == 0)
                {
                    U64.setRelease(ALL, remote, ALL.get(JAVA_LONG, local));
                }
                else
                {
                    MemorySegment.copy(ALL, local, ALL, remote, length);
                }
            }
            bytesWritten.addAndGet(length);
            return VerbsLayouts.IBV_WC_SUCCESS;
        }

        private static boolean holds(final Region[] regions, final int key, final long at, final long length,
            final boolean remote)
        {
            for (final Region region : regions)
            {
                if ((remote ? region.rkey() : region.lkey()) == key)
                {
                    return region.holds(at, length) && (!remote || region.remoteWritable());
                }
            }
            return false;
        }
    }

    static
    {
        if (ADDRESS.byteSize() != Long.BYTES)
        {
            throw new ExceptionInInitializerError("the loopback fabric reads pointers as 8-byte words");
        }
    }
}
