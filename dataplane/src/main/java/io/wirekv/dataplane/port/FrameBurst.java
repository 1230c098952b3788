package io.wirekv.dataplane.port;

/**
 * A burst of frames on a {@link FrameQueue}: per slot the frame's handle, the offset of its first byte
 * in {@link FrameQueue#memory()} and its length. Plain arrays, re-used for the life of the lcore;
 * confined to one thread.
 */
public final class FrameBurst
{
    private final long[] handles;
    private final long[] offsets;
    private final int[] lengths;
    private int count;

    /**
     * @param capacity most frames in a burst, at least 1.
     */
    public FrameBurst(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("burst capacity must be at least 1, was " + capacity);
        }
        this.handles = new long[capacity];
        this.offsets = new long[capacity];
        this.lengths = new int[capacity];
    }

    public int capacity()
    {
        return handles.length;
    }

    public int count()
    {
        return count;
    }

    public boolean isFull()
    {
        return count == handles.length;
    }

    public void clear()
    {
        count = 0;
    }

    /**
     * Sets the number of valid slots (a queue's receive does this after filling slots with {@link #set}).
     *
     * @param count 0..capacity.
     */
    public void count(final int count)
    {
        this.count = count;
    }

    /**
     * Fills a slot without changing the count (receive side).
     */
    public void set(final int slot, final long handle, final long offset, final int length)
    {
        handles[slot] = handle;
        offsets[slot] = offset;
        lengths[slot] = length;
    }

    /**
     * Appends a frame (transmit side); the caller checks {@link #isFull()} first.
     */
    public void add(final long handle, final long offset, final int length)
    {
        final int slot = count++;
        handles[slot] = handle;
        offsets[slot] = offset;
        lengths[slot] = length;
    }

    public long handle(final int slot)
    {
        return handles[slot];
    }

    public long offset(final int slot)
    {
        return offsets[slot];
    }

    public int length(final int slot)
    {
        return lengths[slot];
    }
}
