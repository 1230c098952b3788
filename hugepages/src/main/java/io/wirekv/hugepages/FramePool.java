package io.wirekv.hugepages;

import java.lang.foreign.MemorySegment;

/**
 * Fixed-size frames carved from one region (packet buffers now, AF_XDP UMEM chunks later), handed
 * out by index from a LIFO free list (an {@code int} array: the most recently freed frame, still warm
 * in cache, goes out first). Frame {@code i} is at byte offset {@code i * frameSizeBytes}.
 * <p>
 * <b>Threading.</b> Single-threaded: owned by one lcore. Acquire and release allocate nothing and
 * never throw for an empty pool or a bad release: they return {@link #NO_FRAME} or {@code false}.
 */
public final class FramePool
{
    /** Returned by {@link #acquire()} when every frame is in use. */
    public static final int NO_FRAME = -1;

    private final MemorySegment memory;
    private final int frameSizeBytes;
    private final int frameCount;
    private final int[] freeFrames;
    private final boolean[] inUse;
    private int freeCount;

    /**
     * @param region         the memory to carve; frames past the last whole one are unused.
     * @param frameSizeBytes bytes per frame (AF_XDP wants a power of two, e.g. 2048 or 4096).
     */
    public FramePool(final MemoryRegion region, final int frameSizeBytes)
    {
        this(region.segment(), frameSizeBytes);
    }

    /**
     * @param memory         the memory to carve; frames past the last whole one are unused.
     * @param frameSizeBytes bytes per frame.
     */
    public FramePool(final MemorySegment memory, final int frameSizeBytes)
    {
        if (frameSizeBytes <= 0)
        {
            throw new IllegalArgumentException("frame size must be positive, was " + frameSizeBytes);
        }
        final long frames = memory.byteSize() / frameSizeBytes;
        if (frames < 1 || frames > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException(
                memory.byteSize() + " bytes hold " + frames + " frames of " + frameSizeBytes + " bytes; need 1.." + (Integer.MAX_VALUE - 8));
        }
        this.memory = memory;
        this.frameSizeBytes = frameSizeBytes;
        this.frameCount = (int)frames;
        this.freeFrames = new int[frameCount];
        this.inUse = new boolean[frameCount];
        // Lowest index on top, so a fresh pool hands out frames in address order.
        for (int i = 0; i < frameCount; i++)
        {
            freeFrames[i] = frameCount - 1 - i;
        }
        this.freeCount = frameCount;
    }

    /**
     * @return a free frame's index, or {@link #NO_FRAME} when the pool is exhausted.
     */
    public int acquire()
    {
        if (freeCount == 0)
        {
            return NO_FRAME;
        }
        final int frame = freeFrames[--freeCount];
        inUse[frame] = true;
        return frame;
    }

    /**
     * @param frame a frame from {@link #acquire()}.
     * @return true when released; false for an index out of range or a frame that is already free.
     */
    public boolean release(final int frame)
    {
        if (frame < 0 || frame >= frameCount || !inUse[frame])
        {
            return false;
        }
        inUse[frame] = false;
        freeFrames[freeCount++] = frame;
        return true;
    }

    /**
     * @param frame a frame index.
     * @return its byte offset in {@link #segment()}.
     */
    public long frameOffset(final int frame)
    {
        return (long)frame * frameSizeBytes;
    }

    /**
     * @param frame a frame index.
     * @return its native address.
     */
    public long frameAddress(final int frame)
    {
        return memory.address() + frameOffset(frame);
    }

    /**
     * @return the memory all frames live in.
     */
    public MemorySegment segment()
    {
        return memory;
    }

    /**
     * @return bytes per frame.
     */
    public int frameSizeBytes()
    {
        return frameSizeBytes;
    }

    /**
     * @return frames in the pool.
     */
    public int frameCount()
    {
        return frameCount;
    }

    /**
     * @return frames free now.
     */
    public int available()
    {
        return freeCount;
    }

    /**
     * @param frame a frame index.
     * @return true while the frame is acquired.
     */
    public boolean isInUse(final int frame)
    {
        return frame >= 0 && frame < frameCount && inUse[frame];
    }
}
