package io.wirekv.dataplane.proto;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The per-session FIFO of a pipelining TCP session: the text writes it has sent to writers and not yet
 * answered, and the constant error lines of commands refused in between, in request order. A reply is put
 * into the session's reply only when everything before it has been; a reply that overtakes (another writer
 * answered first) waits in this entry's stash. Sequence numbers are the high 32 bits of the record's ticket
 * (the low 32 are the session's own ticket), so a reply finds its entry without a search.
 * <p>
 * Every entry reserves its reply bound in the session's reply buffer when it is added
 * ({@link #reservedBytes}), so an arriving reply always fits: formatting it never waits for the socket.
 * <p>
 * Single-threaded: owned by the session's reader thread. Allocated once with its session.
 */
final class WritePipeline
{
    /** The largest reply of a pipelined kind: header and an incr/decr result (at most 20 digits). */
    static final int STASH_BYTES = 128;

    private static final byte KIND_LOCAL = 0;

    private final int mask;
    private final byte[] kind;
    private final boolean[] noreply;
    private final boolean[] arrived;
    private final byte[][] localLine;
    private final int[] bound;
    private final MemorySegment stash;

    /** Sequence of the oldest entry; {@link #tail} is the next one's. */
    private int head;
    private int tail;
    /** Reply bytes promised to the entries in the FIFO. */
    int reservedBytes;
    /** Writes sent whose reply has not arrived (stashed replies have arrived). */
    int awaiting;

    /** @param capacity entries in flight at most, a power of two. */
    WritePipeline(final int capacity)
    {
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("pipeline capacity must be a power of two: " + capacity);
        }
        this.mask = capacity - 1;
        this.kind = new byte[capacity];
        this.noreply = new boolean[capacity];
        this.arrived = new boolean[capacity];
        this.localLine = new byte[capacity][];
        this.bound = new int[capacity];
        this.stash = Arena.ofAuto().allocate((long)capacity * STASH_BYTES, 8);
    }

    int capacity()
    {
        return mask + 1;
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    boolean isFull()
    {
        return tail - head > mask;
    }

    /** Adds a forwarded write answered as {@code replyKind}; returns its sequence number for the ticket. */
    int addWrite(final int replyKind, final boolean silent, final int replyBound)
    {
        final int seq = tail++;
        final int i = seq & mask;
        kind[i] = (byte)replyKind;
        noreply[i] = silent;
        arrived[i] = false;
        localLine[i] = null;
        bound[i] = replyBound;
        reservedBytes += replyBound;
        awaiting++;
        return seq;
    }

    /** Adds a reply the reader made itself (a constant line), due after the entries before it. */
    void addLocal(final byte[] line)
    {
        final int i = tail++ & mask;
        kind[i] = KIND_LOCAL;
        arrived[i] = true;
        localLine[i] = line;
        bound[i] = line.length;
        reservedBytes += line.length;
    }

    boolean isHead(final int seq)
    {
        return seq == head;
    }

    /** Keeps a reply that overtook earlier entries until their turn. */
    void stash(final int seq, final MemorySegment memory, final long offset, final int length)
    {
        final int i = seq & mask;
        // the pipelined kinds answer with a header and at most an incr/decr result: never more than the stash
        MemorySegment.copy(memory, offset, stash, (long)i * STASH_BYTES, Math.min(length, STASH_BYTES));
        arrived[i] = true;
        awaiting--;
    }

    /** The head's reply arrived straight from the ring and is being formatted: it no longer awaits. */
    void headArrivedDirectly()
    {
        awaiting--;
    }

    /** The head has its reply (stashed) or is a local line. */
    boolean headReady()
    {
        return head != tail && arrived[head & mask];
    }

    /** The head's constant line, or null when the head is a write. */
    byte[] headLocalLine()
    {
        return localLine[head & mask];
    }

    int headKind()
    {
        return kind[head & mask];
    }

    boolean headNoreply()
    {
        return noreply[head & mask];
    }

    MemorySegment stash()
    {
        return stash;
    }

    long headStashOffset()
    {
        return (long)(head & mask) * STASH_BYTES;
    }

    /** The head is answered: its reservation is released. */
    void pop()
    {
        final int i = head++ & mask;
        reservedBytes -= bound[i];
        localLine[i] = null;
    }

    void clear()
    {
        head = 0;
        tail = 0;
        reservedBytes = 0;
        awaiting = 0;
    }
}
