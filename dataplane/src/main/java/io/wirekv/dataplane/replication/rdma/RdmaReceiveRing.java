package io.wirekv.dataplane.replication.rdma;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One side's inbox on an RDMA link: the ring the peer RDMA-WRITEs stream bytes into, and the doorbell words the peer
 * writes after them. Each side of a {@link RdmaReplicationChannel} registers {@link #memory()} as a remote-writable
 * region and advertises {@link #ringAddress()}, {@link #capacity()} and {@link #doorbellAddress()} in its
 * {@link RdmaConnectionParams}.
 *
 * <pre>
 * memory (capacity + 64 bytes, 64-byte aligned):
 *   0                                        capacity          capacity + 64
 *   +----------------------------------------+-----------------+
 *   | ring: stream bytes at the producer     | doorbell (own   |
 *   | position mod capacity, wrapping at     | cache line),    |
 *   | the end                                | peer-written:   |
 *   |                                        | u64 producer    |  capacity + 0: how far the peer wrote this ring
 *   |                                        | u64 consumed    |  capacity + 8: how far the peer read its own
 *   |                                        |                 |                ring, which this side writes
 *   +----------------------------------------+-----------------+
 * </pre>
 * Positions are byte counts since the link started (they never wrap). A side may write at most {@code capacity}
 * bytes ahead of the consumed position its peer last wrote into its doorbell.
 * <p>
 * Ordering: the NIC places a batch, then the producer word (one RC QP executes its RDMA WRITEs in order); the
 * reader reads the producer word with acquire before reading ring bytes below it. The stream's records still carry
 * their CRC32C and sequence, which the receiver checks: a misordered or torn placement is a dropped link, never a
 * wrongly applied record.
 * <p>
 * Threading: the replication thread only. Nothing here allocates.
 */
public final class RdmaReceiveRing
{
    /** Bytes after the ring: the doorbell on its own cache line. */
    public static final int DOORBELL_REGION_BYTES = 64;
    /** Doorbell word: the peer's producer position in this ring. */
    public static final int PRODUCER_OFFSET = 0;
    /** Doorbell word: the peer's consumed position in its own ring (the one this side writes). */
    public static final int CONSUMED_OFFSET = PRODUCER_OFFSET + Long.BYTES;

    private static final VarHandle U64 = JAVA_LONG.varHandle();

    private final MemorySegment memory;
    private final MemorySegment ring;
    private final MemorySegment doorbell;
    private final long capacity;
    private final long mask;
    private long consumerPosition;

    /**
     * @param memory   native memory of {@link #bytesFor}({@code capacity}) bytes, 64-byte aligned (hugepages where
     *                 reserved: the NIC translates fewer pages).
     * @param capacity the ring's size in bytes, a power of two.
     */
    public RdmaReceiveRing(final MemorySegment memory, final long capacity)
    {
        if (capacity < 4096 || Long.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("ring capacity must be a power of two of at least 4096 bytes: " + capacity);
        }
        if (!memory.isNative() || memory.byteSize() < bytesFor(capacity) || (memory.address() & 63) != 0)
        {
            throw new IllegalArgumentException("the ring needs " + bytesFor(capacity) +
                " bytes of 64-byte aligned native memory");
        }
        this.memory = memory.asSlice(0, bytesFor(capacity));
        this.ring = memory.asSlice(0, capacity);
        this.doorbell = memory.asSlice(capacity, DOORBELL_REGION_BYTES);
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /**
     * @return the bytes a ring of {@code capacity} needs (ring and doorbell).
     */
    public static long bytesFor(final long capacity)
    {
        return capacity + DOORBELL_REGION_BYTES;
    }

    /**
     * @return the memory to register (ring and doorbell).
     */
    public MemorySegment memory()
    {
        return memory;
    }

    public long ringAddress()
    {
        return ring.address();
    }

    public long doorbellAddress()
    {
        return doorbell.address();
    }

    public long capacity()
    {
        return capacity;
    }

    /**
     * Reads the doorbell's producer word.
     *
     * @return bytes readable from {@link #consumerPosition()}: 0 when nothing new; -1 when the producer position is
     * impossible (behind the consumer, or more than a ring ahead): the link is corrupt, drop it.
     */
    public long available()
    {
        // acquire: the producer word is written (by the NIC) after the batch; pairs with the RC QP's in-order WRITEs.
        final long producer = (long)U64.getAcquire(doorbell, (long)PRODUCER_OFFSET);
        final long ahead = producer - consumerPosition;
        return ahead < 0 || ahead > capacity ? -1 : ahead;
    }

    /**
     * @return how far the peer has read the ring this side writes into (it bounds this side's writes).
     */
    public long peerConsumed()
    {
        return (long)U64.getAcquire(doorbell, (long)CONSUMED_OFFSET);
    }

    /**
     * Copies {@code length} ring bytes from {@code position} (wrapping at the ring's end) to {@code target}.
     * The caller keeps {@code position .. position + length} within what {@link #available} reported.
     */
    public void copy(final long position, final MemorySegment target, final long targetOffset, final int length)
    {
        final long at = position & mask;
        final long first = Math.min(length, capacity - at);
        MemorySegment.copy(ring, at, target, targetOffset, first);
        if (first < length)
        {
            MemorySegment.copy(ring, 0, target, targetOffset + first, length - first);
        }
    }

    /**
     * Marks everything before {@code position} consumed; the channel then writes it into the peer's doorbell, which
     * lets the peer reuse that space.
     */
    public void consumedUpTo(final long position)
    {
        if (position < consumerPosition || position - consumerPosition > capacity)
        {
            throw new IllegalArgumentException("consumer position " + position + " outside " + consumerPosition + ".." +
                (consumerPosition + capacity));
        }
        consumerPosition = position;
    }

    /**
     * @return the position this side has consumed up to.
     */
    public long consumerPosition()
    {
        return consumerPosition;
    }
}
