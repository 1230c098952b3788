package io.wirekv.dataplane.table;

/**
 * FIFO of memory retired by one partition writer, in tag order (tags come from a monotonic epoch, and a
 * writer retires in program order). Entries are pushed untagged and tagged together by {@link #seal}: one
 * epoch advance covers a whole batch of retirements. Only sealed entries are ever at the head for
 * reclamation ({@link #isHeadSealed}). Writer-thread private; grows by doubling (rare, amortised).
 */
final class RetireQueue
{
    private long[] addresses;
    private long[] tags;
    private long[] timesMs;
    private long[] bytes;
    private int[] kinds;
    private int mask;
    private long head;
    private long tail;
    /** Entries before this position have their tag; those from it to the tail wait for {@link #seal}. */
    private long sealed;

    RetireQueue(final int initialCapacity)
    {
        final int capacity = Integer.highestOneBit(Math.max(16, initialCapacity - 1) << 1);
        allocate(capacity);
    }

    private void allocate(final int capacity)
    {
        addresses = new long[capacity];
        tags = new long[capacity];
        timesMs = new long[capacity];
        bytes = new long[capacity];
        kinds = new int[capacity];
        mask = capacity - 1;
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    int size()
    {
        return (int)(tail - head);
    }

    /** Queues an untagged entry; it is reclaimable only after {@link #seal}. */
    void push(final long address, final int kind, final long length, final long timeMs)
    {
        if (tail - head == addresses.length)
        {
            grow();
        }
        final int i = (int)tail & mask;
        addresses[i] = address;
        kinds[i] = kind;
        bytes[i] = length;
        timesMs[i] = timeMs;
        tail++;
    }

    boolean hasUnsealed()
    {
        return sealed != tail;
    }

    /** Tags every untagged entry with {@code tag}, an epoch taken after all of them were unlinked. */
    void seal(final long tag)
    {
        for (long j = sealed; j < tail; j++)
        {
            tags[(int)j & mask] = tag;
        }
        sealed = tail;
    }

    /** Whether the head entry has its tag ({@link #headTag} is only meaningful then). */
    boolean isHeadSealed()
    {
        return head != sealed;
    }

    private void grow()
    {
        final long[] a = addresses;
        final long[] t = tags;
        final long[] m = timesMs;
        final long[] b = bytes;
        final int[] k = kinds;
        final int oldMask = mask;
        final int size = (int)(tail - head);
        allocate(a.length * 2);
        for (int j = 0; j < size; j++)
        {
            final int from = (int)(head + j) & oldMask;
            addresses[j] = a[from];
            tags[j] = t[from];
            timesMs[j] = m[from];
            bytes[j] = b[from];
            kinds[j] = k[from];
        }
        sealed -= head;
        head = 0;
        tail = size;
    }

    long headAddress()
    {
        return addresses[(int)head & mask];
    }

    long headTag()
    {
        return tags[(int)head & mask];
    }

    long headTimeMs()
    {
        return timesMs[(int)head & mask];
    }

    long headBytes()
    {
        return bytes[(int)head & mask];
    }

    int headKind()
    {
        return kinds[(int)head & mask];
    }

    void pop()
    {
        head++;
    }
}
