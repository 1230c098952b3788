package io.wirekv.dataplane.table;

import java.lang.foreign.ValueLayout;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.IndexDescriptor.ADDRESS_MASK;
import static io.wirekv.dataplane.table.IndexDescriptor.EMPTY;
import static io.wirekv.dataplane.table.IndexDescriptor.TOMBSTONE;
import static io.wirekv.dataplane.table.ItemDescriptor.KEY_LENGTH_OFFSET;
import static io.wirekv.dataplane.table.ItemDescriptor.KEY_OFFSET;

/**
 * Lock-free iteration over one partition's live items from a registered reader thread that is not the partition's
 * writer (a snapshot thread), while the writer keeps publishing, unlinking, growing its index and evicting. The
 * writer never waits for the scanner: the scan holds a grace period for one chunk of slots at most, and is offline
 * between chunks ({@link QsbrReader#offline()}), where the visitor may block ({@link ItemVisitor#endChunk()}), so
 * memory the writer retires meanwhile is freed one chunk later, however long the visitor's blocking work takes.
 *
 * <h2>Which items, how often</h2>
 * A fuzzy snapshot: an item present and unchanged for the whole scan is visited exactly once, across any number of
 * index rebuilds (grown or cleaned); an item written, replaced or unlinked during the scan may be visited in its old
 * version, its new one, both (a key deleted and re-inserted elsewhere in the probe chain), or not at all. Nothing is
 * visited that was not published. Expired and flushed items are skipped, as {@link Table#get} would report them.
 *
 * <h2>How an index rebuild is crossed</h2>
 * Chunks are taken over the residues of the key hash modulo {@code R}, the index capacity when the scan started, not
 * over positions: a chunk visits the items whose {@code hash mod R} lies in {@code [r0, r1)}. An index never shrinks
 * (it is rebuilt at the same or twice the capacity, {@link PartitionIndexWriter}), so in the index current at the
 * chunk, of capacity {@code C = R * 2^k}, those items' home slots ({@code hash & (C - 1)}) are the {@code 2^k} ranges
 * {@code [j*R + r0, j*R + r1)}. Within one array, an item sits between its home and the next EMPTY slot (linear
 * probing; a slot never goes back to EMPTY in the same array), so each range is walked from its first home to the
 * first EMPTY slot at or past its end (past the array's end too, wrapping), and an item is visited only if its own home
 * lies in the range. An array is never written after its successor is published, and it stays mapped while the chunk
 * holds its grace period.
 * <p>
 * Threading: one scanner per thread (it keeps a reusable {@link ItemView}); the thread must be registered with
 * {@link Table#registerReader} and online. Allocates nothing per item or chunk.
 */
public final class PartitionScanner
{
    /** Residues of the hash per chunk (slots, when no rebuild happened since the scan started). */
    public static final int DEFAULT_CHUNK_SLOTS = 1024;

    private final Table table;
    private final int chunkSlots;
    private final ItemView view = new ItemView();
    private long chunks;

    public PartitionScanner(final Table table)
    {
        this(table, DEFAULT_CHUNK_SLOTS);
    }

    /**
     * @param chunkSlots hash residues per grace period; a smaller chunk frees the writer's retired memory sooner, at
     *                   the cost of more quiescent-state stores.
     */
    public PartitionScanner(final Table table, final int chunkSlots)
    {
        if (chunkSlots < 1)
        {
            throw new IllegalArgumentException("chunkSlots must be at least 1: " + chunkSlots);
        }
        this.table = table;
        this.chunkSlots = chunkSlots;
    }

    /**
     * Visits every live item of {@code partition} once (see the class comment for items changed meanwhile), taking
     * {@code reader} offline between chunks (around {@link ItemVisitor#endChunk()}) and passing a quiescent state at the
     * end; the reader is online when this returns.
     *
     * @param reader the calling thread's own handle from {@link Table#registerReader}, online.
     * @return the number of items visited, or {@code -(visited + 1)} if the visitor stopped the scan.
     */
    public long scan(final int partition, final QsbrReader reader, final ItemVisitor visitor)
    {
        final IndexRef ref = table.indexRef(partition);
        final long residues = ref.getAcquire().capacity; // acquire: pairs with setRelease in PartitionIndexWriter.rebuild
        long visited = 0;
        long residue = 0;
        try
        {
            while (residue < residues)
            {
                final PartitionIndex index = ref.getAcquire(); // acquire: pairs with setRelease in PartitionIndexWriter.rebuild
                final long copies = index.capacity / residues; // 2^k: the index only ever doubles
                if (copies == 0)
                {
                    // never skip items silently: residues can only be mapped onto an index at least as large
                    throw new IllegalStateException("partition " + partition + "'s index shrank during a scan: " +
                        residues + " to " + index.capacity + " slots; PartitionScanner relies on it never shrinking");
                }
                final long end = Math.min(residues, residue + Math.max(1, chunkSlots / copies));
                final long nowSeconds = table.nowSeconds();
                for (long j = 0; j < copies; j++)
                {
                    final long n = scanHomes(index, j * residues + residue, j * residues + end, nowSeconds, visitor);
                    if (n < 0)
                    {
                        return -(visited - n - 1) - 1;
                    }
                    visited += n;
                }
                residue = end;
                chunks++;
                reader.offline(); // the chunk's items are no longer referenced; the writer may free them
                final boolean goOn = visitor.endChunk(); // may block: holds back no grace period
                reader.online();
                if (!goOn)
                {
                    return -(visited + 1);
                }
            }
            return visited;
        }
        finally
        {
            reader.quiescent();
        }
    }

    /** Chunks completed by this scanner since it was made (tests: proves the scan took many grace periods). */
    public long chunks()
    {
        return chunks;
    }

    /**
     * Visits the live items of {@code index} whose home slot is in {@code [from, to)}; returns how many, or
     * {@code -(count + 1)} if the visitor stopped.
     */
    private long scanHomes(
        final PartitionIndex index, final long from, final long to, final long nowSeconds, final ItemVisitor visitor)
    {
        final long mask = index.mask;
        final long base = index.address;
        // positions are unwrapped (slot = pos & mask): an item displaced past the array's end is found at pos >= capacity;
        // an item lies less than a lap after its home, so the walk never needs to pass to + capacity
        final long limit = to + index.capacity;
        long count = 0;
        for (long pos = from; pos < limit; pos++)
        {
            final long value = (long)PartitionIndexWriter.SLOT.getAcquire(NATIVE, base + ((pos & mask) << 3)); // acquire: pairs with setRelease in PartitionIndexWriter (publish, unlink*)
            if (value == EMPTY)
            {
                if (pos >= to)
                {
                    break;
                }
                continue;
            }
            if (value == TOMBSTONE)
            {
                continue;
            }
            final long address = value & ADDRESS_MASK;
            final int keyLength = NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF;
            // the home in unwrapped positions, less than a lap before pos: one slot reached twice in a walk longer
            // than the array gives two homes a capacity apart, of which at most one lies in [from, to)
            final long home = pos - ((pos - KeyHash.hash(NATIVE, address + KEY_OFFSET, keyLength)) & mask);
            if (home >= from && home < to && table.isLive(address, nowSeconds))
            {
                view.wrap(address, keyLength);
                count++;
                if (!visitor.visit(view))
                {
                    return -count - 1;
                }
            }
        }
        return count;
    }
}
