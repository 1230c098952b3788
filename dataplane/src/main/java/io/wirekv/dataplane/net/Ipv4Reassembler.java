package io.wirekv.dataplane.net;

import org.agrona.concurrent.NanoClock;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.net.NetCounters.*;

/**
 * IPv4 reassembly (RFC 791, RFC 815's idea of tracking what is missing, RFC 5722's rule on overlaps) for one
 * lcore's {@link NetStack}: a fixed pool of contexts, each a 64 KiB off-heap buffer for one datagram's IP
 * payload and two bitmaps over its 8-byte blocks, allocated at construction. Confined to the stack's thread;
 * nothing is allocated, locked or thrown after construction.
 * <pre>
 *  context i:  key (source, destination, protocol, identification), first fragment's arrival time,
 *              total length (known from the fragment without MF), bytes received
 *  buffer i:   | IP payload byte 0 (the UDP header) ...                           | 65,536 bytes
 *  covered i:  | 1 bit per 8-byte block, set when a fragment brought it           | 8,192 bits
 *  starts i:   | 1 bit per block, set where a received fragment begins            | 8,192 bits
 * </pre>
 * Rules, each counted in {@link NetCounters}:
 * <ul>
 *   <li>A datagram is complete when the fragment without MF has set its length and the bytes received
 *       equal it (overlaps are never stored, so no byte counts twice).</li>
 *   <li>A fragment that overlaps another one is an attack or a broken sender: the whole datagram is
 *       discarded ({@code reassembly_overlaps}), as RFC 5722 requires for IPv6 and Linux does for IPv4.
 *       An exact duplicate (same offset, same length, same bytes: a retransmission by the network) is
 *       dropped alone and the datagram carries on. Fragments that contradict the datagram's length (a
 *       second, different last fragment, data beyond the end) count as overlaps too.</li>
 *   <li>A fragment that would end beyond 65,515 bytes of payload (an IPv4 datagram's largest) is dropped
 *       with its datagram ({@code reassembly_too_large}). A fragment with MF whose length is not a multiple of
 *       8 (RFC 791 forbids it) and a zero-length fragment with MF (it carries nothing) are dropped alone.</li>
 *   <li>Bounded time: a datagram not complete {@code timeoutNs} after its first fragment is discarded
 *       ({@code reassembly_timeouts}), found by {@link #expire()} (once per receive burst) or when its key is
 *       seen again or a context is needed.</li>
 *   <li>Bounded memory: a new datagram from a source that already holds {@code perSourceContexts} evicts that
 *       source's oldest; otherwise, with every context busy, it evicts the oldest of all
 *       ({@code reassembly_evictions}). One source cannot take more than its share.</li>
 * </ul>
 * Contexts are found by a linear scan: the pool is small (32 by default) and the scan touches only
 * primitive arrays.
 */
public final class Ipv4Reassembler
{
    /** {@link #onFragment}: kept; the datagram still misses pieces. */
    public static final int HELD = 0;
    /** {@link #onFragment}: the datagram is complete, at {@link #datagramOffset()} in {@link #memory()}. */
    public static final int COMPLETE = 1;
    /** {@link #onFragment}: not kept (the reason is counted where it is an event of its own). */
    public static final int DROPPED = 2;

    /** Largest reassembled IP payload: total length 65,535 less a 20-byte header. */
    public static final int MAX_DATAGRAM_BYTES = Ipv4Descriptor.MAX_TOTAL_LENGTH - Ipv4Descriptor.MIN_HEADER_LENGTH;
    /** Buffer bytes per context. */
    public static final int BUFFER_BYTES = 65_536;

    private static final int BLOCK_SHIFT = 3;
    private static final int BLOCKS = BUFFER_BYTES >>> BLOCK_SHIFT;
    private static final int WORDS = BLOCKS >>> 6;

    private final int capacity;
    private final int perSourceLimit;
    private final long timeoutNs;
    private final NanoClock clock;
    private final NetCounters counters;
    private final MemorySegment buffers;
    private final boolean[] used;
    private final int[] sources;
    private final int[] destinations;
    /** protocol << 16 | identification. */
    private final int[] protocolIds;
    private final long[] startNs;
    /** -1 until the fragment without MF arrives. */
    private final int[] totalLengths;
    private final int[] maxEnds;
    private final int[] receivedBytes;
    private final long[] covered;
    private final long[] starts;
    private int inUse;
    private long datagramOffset;
    private int datagramLength;

    /**
     * @param settings the pool's bounds; with 0 contexts every fragment is {@link #DROPPED}.
     * @param clock    monotonic time (injected so tests need not sleep).
     * @param counters where the events are counted (the stack's, same thread).
     */
    public Ipv4Reassembler(final ReassemblySettings settings, final NanoClock clock, final NetCounters counters)
    {
        this.capacity = settings.contexts();
        this.perSourceLimit = settings.perSourceContexts();
        this.timeoutNs = settings.timeoutNs();
        this.clock = clock;
        this.counters = counters;
        // Arena.ofAuto: the buffers live as long as the stack that owns them, which the lcore holds to its end
        this.buffers = capacity == 0 ? MemorySegment.NULL : Arena.ofAuto().allocate((long)capacity * BUFFER_BYTES, 64);
        this.used = new boolean[capacity];
        this.sources = new int[capacity];
        this.destinations = new int[capacity];
        this.protocolIds = new int[capacity];
        this.startNs = new long[capacity];
        this.totalLengths = new int[capacity];
        this.maxEnds = new int[capacity];
        this.receivedBytes = new int[capacity];
        this.covered = new long[capacity * WORDS];
        this.starts = new long[capacity * WORDS];
    }

    /**
     * Takes one fragment (a frame whose IPv4 header has MF set or a fragment offset). The caller has
     * checked the header (checksum, lengths, addresses); its bytes are copied, so the frame may be freed.
     *
     * @param memory        segment holding the fragment.
     * @param dataOffset    absolute offset of the fragment's data (after the IP header and its options).
     * @param dataLength    the fragment's data bytes (IP total length less the header).
     * @param source        IPv4 source address.
     * @param destination   IPv4 destination address.
     * @param protocol      IPv4 protocol.
     * @param identification IPv4 identification.
     * @param flagsFragment the IPv4 flags and fragment offset field.
     * @return {@link #HELD}, {@link #COMPLETE} or {@link #DROPPED}. After COMPLETE the datagram stays where
     *         {@link #datagramOffset()} says until the next call.
     */
    public int onFragment(
        final MemorySegment memory,
        final long dataOffset,
        final int dataLength,
        final int source,
        final int destination,
        final int protocol,
        final int identification,
        final int flagsFragment)
    {
        if (capacity == 0)
        {
            return DROPPED;
        }
        final int offset = (flagsFragment & Ipv4Descriptor.FRAGMENT_OFFSET_MASK) << BLOCK_SHIFT;
        final boolean more = (flagsFragment & Ipv4Descriptor.FLAG_MF) != 0;
        final int end = offset + dataLength;
        final int protocolId = (protocol << 16) | identification;
        final long now = clock.nanoTime();
        int context = find(source, destination, protocolId);
        if (context >= 0 && now - startNs[context] > timeoutNs)
        {
            discard(context, REASSEMBLY_TIMEOUTS);
            context = -1;
        }
        if (end > MAX_DATAGRAM_BYTES)
        {
            if (context >= 0)
            {
                release(context);
            }
            counters.increment(REASSEMBLY_TOO_LARGE);
            return DROPPED;
        }
        if (more && (dataLength == 0 || (dataLength & 7) != 0))
        {
            return DROPPED;
        }
        if (context < 0)
        {
            context = allocate(source, destination, protocolId, now);
        }
        final int total = totalLengths[context];
        if (more ? total >= 0 && end > total : (total >= 0 && total != end) || maxEnds[context] > end)
        {
            return discard(context, REASSEMBLY_OVERLAPS);
        }
        if (!more)
        {
            totalLengths[context] = end;
        }
        final int firstBlock = offset >>> BLOCK_SHIFT;
        final int endBlock = (end + 7) >>> BLOCK_SHIFT;
        final long base = (long)context * BUFFER_BYTES;
        final int words = context * WORDS;
        if (anySet(covered, words, firstBlock, endBlock))
        {
            if (!isDuplicate(context, memory, dataOffset, offset, end, firstBlock, endBlock))
            {
                return discard(context, REASSEMBLY_OVERLAPS);
            }
            // nothing new, but a duplicate last fragment may have just told us the length
            return isComplete(context) ? complete(context) : DROPPED;
        }
        MemorySegment.copy(memory, dataOffset, buffers, base + offset, dataLength);
        setRange(covered, words, firstBlock, endBlock);
        if (firstBlock < endBlock)
        {
            starts[words + (firstBlock >>> 6)] |= 1L << firstBlock;
        }
        receivedBytes[context] += dataLength;
        maxEnds[context] = Math.max(maxEnds[context], end);
        return isComplete(context) ? complete(context) : HELD;
    }

    /**
     * Discards every datagram older than the timeout, counting each in {@code reassembly_timeouts}. Reads the
     * clock only when something is held; call once per receive burst.
     */
    public void expire()
    {
        if (inUse == 0)
        {
            return;
        }
        final long now = clock.nanoTime();
        for (int i = 0; i < capacity; i++)
        {
            if (used[i] && now - startNs[i] > timeoutNs)
            {
                discard(i, REASSEMBLY_TIMEOUTS);
            }
        }
    }

    /** @return the segment holding reassembled datagrams. */
    public MemorySegment memory()
    {
        return buffers;
    }

    /** @return after COMPLETE: absolute offset in {@link #memory()} of the datagram's IP payload. */
    public long datagramOffset()
    {
        return datagramOffset;
    }

    /** @return after COMPLETE: the IP payload's length. */
    public int datagramLength()
    {
        return datagramLength;
    }

    /** @return contexts in the pool; 0 when reassembly is off. */
    public int capacity()
    {
        return capacity;
    }

    /** @return datagrams being reassembled now. */
    public int inUse()
    {
        return inUse;
    }

    private int find(final int source, final int destination, final int protocolId)
    {
        for (int i = 0; i < capacity; i++)
        {
            if (used[i] && sources[i] == source && protocolIds[i] == protocolId && destinations[i] == destination)
            {
                return i;
            }
        }
        return -1;
    }

    /** A free context, after dropping what timed out and, at a limit, evicting the oldest. */
    private int allocate(final int source, final int destination, final int protocolId, final long now)
    {
        int free = -1;
        int oldest = -1;
        int oldestOfSource = -1;
        int ofSource = 0;
        for (int i = 0; i < capacity; i++)
        {
            if (used[i] && now - startNs[i] > timeoutNs)
            {
                discard(i, REASSEMBLY_TIMEOUTS);
            }
            if (!used[i])
            {
                free = free < 0 ? i : free;
                continue;
            }
            if (oldest < 0 || startNs[i] - startNs[oldest] < 0)
            {
                oldest = i;
            }
            if (sources[i] == source)
            {
                ofSource++;
                if (oldestOfSource < 0 || startNs[i] - startNs[oldestOfSource] < 0)
                {
                    oldestOfSource = i;
                }
            }
        }
        final int context;
        if (ofSource >= perSourceLimit)
        {
            context = oldestOfSource;
            discard(context, REASSEMBLY_EVICTIONS);
        }
        else if (free >= 0)
        {
            context = free;
        }
        else
        {
            context = oldest;
            discard(context, REASSEMBLY_EVICTIONS);
        }
        used[context] = true;
        inUse++;
        sources[context] = source;
        destinations[context] = destination;
        protocolIds[context] = protocolId;
        startNs[context] = now;
        totalLengths[context] = -1;
        maxEnds[context] = 0;
        receivedBytes[context] = 0;
        return context;
    }

    /**
     * True when [offset, end) is exactly one fragment already received with the same bytes: covered, a
     * fragment starts at its first block, none starts inside it, and the next block starts another or is
     * empty (or it is the datagram's end).
     */
    private boolean isDuplicate(
        final int context,
        final MemorySegment memory,
        final long dataOffset,
        final int offset,
        final int end,
        final int firstBlock,
        final int endBlock)
    {
        final int words = context * WORDS;
        if (!allSet(covered, words, firstBlock, endBlock) || !isSet(starts, words, firstBlock) ||
            anySet(starts, words, firstBlock + 1, endBlock))
        {
            return false;
        }
        if (endBlock < BLOCKS && isSet(covered, words, endBlock) && !isSet(starts, words, endBlock))
        {
            return false;
        }
        if ((end & 7) != 0 && totalLengths[context] != end)
        {
            return false; // a partial block only ends the last fragment
        }
        final long base = (long)context * BUFFER_BYTES;
        return MemorySegment.mismatch(memory, dataOffset, dataOffset + (end - offset), buffers, base + offset, base + end) < 0;
    }

    private boolean isComplete(final int context)
    {
        return totalLengths[context] >= 0 && receivedBytes[context] == totalLengths[context];
    }

    private int complete(final int context)
    {
        datagramOffset = (long)context * BUFFER_BYTES;
        datagramLength = totalLengths[context];
        release(context); // the bytes stay until the context is reused, by a later call
        counters.increment(REASSEMBLED);
        return COMPLETE;
    }

    private int discard(final int context, final int event)
    {
        release(context);
        counters.increment(event);
        return DROPPED;
    }

    private void release(final int context)
    {
        // only the words a fragment could have touched
        final int words = context * WORDS;
        final int lastWord = Math.min(WORDS - 1, ((maxEnds[context] + 7) >>> BLOCK_SHIFT) >>> 6);
        for (int w = 0; w <= lastWord; w++)
        {
            covered[words + w] = 0;
            starts[words + w] = 0;
        }
        used[context] = false;
        inUse--;
    }

    private static boolean isSet(final long[] bits, final int words, final int block)
    {
        return (bits[words + (block >>> 6)] & (1L << block)) != 0;
    }

    /** Any bit set in blocks [from, to). */
    private static boolean anySet(final long[] bits, final int words, final int from, final int to)
    {
        for (int block = from; block < to; )
        {
            final int word = block >>> 6;
            final int upTo = Math.min(to, (word + 1) << 6);
            if ((bits[words + word] & mask(block, upTo)) != 0)
            {
                return true;
            }
            block = upTo;
        }
        return false;
    }

    /** Every bit set in blocks [from, to). */
    private static boolean allSet(final long[] bits, final int words, final int from, final int to)
    {
        for (int block = from; block < to; )
        {
            final int word = block >>> 6;
            final int upTo = Math.min(to, (word + 1) << 6);
            final long mask = mask(block, upTo);
            if ((bits[words + word] & mask) != mask)
            {
                return false;
            }
            block = upTo;
        }
        return true;
    }

    private static void setRange(final long[] bits, final int words, final int from, final int to)
    {
        for (int block = from; block < to; )
        {
            final int word = block >>> 6;
            final int upTo = Math.min(to, (word + 1) << 6);
            bits[words + word] |= mask(block, upTo);
            block = upTo;
        }
    }

    /** Bits [from, to) of the word holding {@code from}; {@code to} at most the word's end. */
    private static long mask(final int from, final int to)
    {
        final int width = to - from;
        final long ones = width == 64 ? -1L : (1L << width) - 1;
        return ones << (from & 63);
    }
}
