package io.wirekv.benchmarks.ceiling;

import io.wirekv.dataplane.port.FrameBurst;
import io.wirekv.dataplane.port.FrameQueue;
import io.wirekv.nativebindings.HotMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A frame queue with no device behind it: every receive hands the lcore a full burst of request frames,
 * copied from {@link RequestFrames} into its own packet buffers (as a NIC's DMA would have written them),
 * and every transmit counts the replies and takes the buffers back. So an lcore polling it runs its
 * whole duty cycle (L2/L3 stack, protocol, table, reply) as fast as it can, and nothing else.
 * <p>
 * The replay plays {@code first} once (e.g. the sets that fill the table), then {@code loop} round
 * and round. It reads the first byte of every reply's memcached payload to count hits ({@code VALUE}),
 * misses ({@code END}) and stores ({@code STORED}), so a run shows that the server answered what it was asked.
 * <p>
 * Confined to the lcore thread, except the counters, which the measuring thread reads.
 */
final class ReplayFrameQueue implements FrameQueue
{
    private static final int HEADROOM = 128;
    private static final int BUFFER_BYTES = 2048;
    /** Ethernet + IPv4 (no options: the stack writes none) + UDP + memcached's frame header. */
    private static final int REPLY_PAYLOAD_OFFSET = 14 + 20 + 8 + 8;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffers;
    private final int[] free;
    private int freeCount;
    private final RequestFrames first;
    private final RequestFrames loop;
    private int next;
    private boolean firstDone;

    final AtomicLong replies = new AtomicLong();
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong stored = new AtomicLong();
    final AtomicLong other = new AtomicLong();
    final AtomicLong firstReplayed = new AtomicLong();
    private long localReplies;
    private long localHits;
    private long localMisses;
    private long localStored;
    private long localOther;

    ReplayFrameQueue(final RequestFrames first, final RequestFrames loop, final int bufferCount)
    {
        this.first = first;
        this.loop = loop;
        this.buffers = HotMemory.allocate(arena, (long)bufferCount * BUFFER_BYTES, 4096); // as DPDK's mbufs are reached
        this.free = new int[bufferCount];
        for (int i = 0; i < bufferCount; i++)
        {
            free[freeCount++] = i;
        }
        this.firstDone = null == first || 0 == first.count();
    }

    @Override
    public MemorySegment memory()
    {
        return buffers;
    }

    @Override
    public int frameCapacity()
    {
        return BUFFER_BYTES - HEADROOM;
    }

    @Override
    public int receive(final FrameBurst rx)
    {
        final int n = Math.min(rx.capacity(), freeCount);
        for (int i = 0; i < n; i++)
        {
            final RequestFrames source = firstDone ? loop : first;
            final int buffer = free[--freeCount];
            final long offset = dataOffset(buffer);
            final int length = source.length(next);
            MemorySegment.copy(source.memory(), source.offset(next), buffers, offset, length);
            rx.set(i, buffer, offset, length);
            if (++next == source.count())
            {
                next = 0;
                if (!firstDone)
                {
                    firstDone = true;
                    firstReplayed.lazySet(first.count());
                }
            }
        }
        rx.count(n);
        return n;
    }

    @Override
    public int transmit(final FrameBurst tx)
    {
        final int n = tx.count();
        for (int i = 0; i < n; i++)
        {
            final long at = tx.offset(i) + REPLY_PAYLOAD_OFFSET;
            switch (tx.length(i) > REPLY_PAYLOAD_OFFSET ? buffers.get(ValueLayout.JAVA_BYTE, at) : 0)
            {
                case 'V' -> localHits++;
                case 'E' -> localMisses++;
                case 'S' -> localStored++;
                default -> localOther++;
            }
            free[freeCount++] = (int)tx.handle(i);
        }
        localReplies += n;
        tx.clear();
        // Once per burst, not per frame: the measuring thread reads them every second.
        replies.lazySet(localReplies);
        hits.lazySet(localHits);
        misses.lazySet(localMisses);
        stored.lazySet(localStored);
        other.lazySet(localOther);
        return n;
    }

    @Override
    public long allocate()
    {
        return 0 == freeCount ? NO_FRAME : free[--freeCount];
    }

    @Override
    public long dataOffset(final long frame)
    {
        return frame * BUFFER_BYTES + HEADROOM;
    }

    @Override
    public void free(final long frame)
    {
        free[freeCount++] = (int)frame;
    }

    @Override
    public Map<String, Long> deviceStats()
    {
        return Map.of("replies", replies.get());
    }

    @Override
    public String describe()
    {
        return "replay of " + (null == first ? 0 : first.count()) + " + " + loop.count() + " request frames in memory";
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
