package io.wirekv.dataplane.ring;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A single-producer single-consumer ring of variable-length messages in off-heap memory:
 * Agrona's {@link OneToOneRingBuffer} over a {@link MemorySegment}. Producers claim space and
 * write the message in place ({@link #tryClaim}, {@link #commit}); consumers see each message
 * as an offset into {@link #memory()}, so message bytes are never copied onto the heap.
 * <p>
 * Ordering is Agrona's: commit is a release store of the record length, paired with the
 * consumer's acquire load of it in {@code read}.
 */
public final class SpscMessageRing implements AutoCloseable
{
    /** Agrona records carry an 8-byte header (length, type) and are 8-byte aligned. */
    private static final int RECORD_OVERHEAD_BYTES = 16;

    private final Arena arena;
    private final MemorySegment memory;
    private final OneToOneRingBuffer ring;

    private SpscMessageRing(final Arena arena, final MemorySegment memory)
    {
        this.arena = arena;
        this.memory = memory;
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(memory.address(), (int)memory.byteSize()));
    }

    /**
     * A ring that can carry messages of up to {@code maxMessageBytes}: Agrona limits a message
     * to an eighth of the capacity, so the capacity is the next power of two of 8x that.
     */
    public static SpscMessageRing forMaxMessage(final int maxMessageBytes)
    {
        final int capacity = BitUtil.findNextPositivePowerOfTwo(8 * (maxMessageBytes + RECORD_OVERHEAD_BYTES));
        final Arena arena = Arena.ofShared();
        final MemorySegment memory = arena.allocate(capacity + RingBufferDescriptor.TRAILER_LENGTH, 128);
        return new SpscMessageRing(arena, memory);
    }

    /** The memory the ring lives in; message offsets handed to handlers index into it. */
    public MemorySegment memory()
    {
        return memory;
    }

    public OneToOneRingBuffer ring()
    {
        return ring;
    }

    /** Bytes a producer can still claim; only grows while the producer is not writing. */
    public int freeBytes()
    {
        return ring.capacity() - ring.size();
    }

    /** @return the offset in {@link #memory()} to write {@code length} bytes at, or negative if full. */
    public int tryClaim(final int msgTypeId, final int length)
    {
        return ring.tryClaim(msgTypeId, length);
    }

    public void commit(final int offset)
    {
        ring.commit(offset);
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
