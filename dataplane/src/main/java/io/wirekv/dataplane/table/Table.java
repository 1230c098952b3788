package io.wirekv.dataplane.table;

import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.hugepages.HugepageMemory;
import org.agrona.concurrent.EpochClock;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static io.wirekv.dataplane.table.ArenaMemory.NATIVE;
import static io.wirekv.dataplane.table.IndexDescriptor.ADDRESS_MASK;
import static io.wirekv.dataplane.table.IndexDescriptor.EMPTY;
import static io.wirekv.dataplane.table.IndexDescriptor.TOMBSTONE;
import static io.wirekv.dataplane.table.ItemDescriptor.*;

/**
 * The partitioned, copy-on-write key-value table (CREW: concurrent reads, exclusive write per
 * partition). See package-info for the publication and reclamation rules.
 * <p>
 * Memory: {@code memoryBytes / partitions} per partition, items and index together, mapped through
 * {@link ArenaMemory}. Time: {@link #get} reads the injected clock only for an item with an expiry time or
 * while a flush_all is pending; inject a cached clock (Agrona's {@code CachedEpochClock} updated once per duty
 * cycle) so that such reads cost a field load.
 * <p>
 * Counters: every partition writer and every registered reader counts into a block of its own in a
 * {@link CounterRegistry} (the CnC file's on a server, see {@link PartitionCounters} and {@link ReaderCounters}),
 * so the file reads them with nothing copying them; {@link #counters()} reads the same slots.
 */
public final class Table implements AutoCloseable
{
    /** A reader that has not reported quiescence while a grace period is this old is counted stalled. */
    public static final long STALL_THRESHOLD_MS = 1000;
    /**
     * Readers a table given no registry is sized for (tests, benchmarks); readers beyond it still count, in the
     * block shared with unregistered readers.
     */
    public static final int DEFAULT_READERS = 16;

    private static final VarHandle OLDEST_LIVE;
    private static final VarHandle OLDEST_CAS;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            OLDEST_LIVE = lookup.findVarHandle(FlushState.class, "oldestLiveSeconds", long.class);
            OLDEST_CAS = lookup.findVarHandle(FlushState.class, "oldestCas", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** flush_all state; written rarely by a writer thread, read on every get, kept off hot written lines. */
    static final class FlushState
    {
        long p00, p01, p02, p03, p04, p05, p06, p07;
        long oldestLiveSeconds;
        long oldestCas;
        long q00, q01, q02, q03, q04, q05, q06, q07;
    }

    // the config's values, not the record itself: Lincheck's object walk cannot read record fields on JDK 25
    private final long memoryBytes;
    private final MemoryMode mode;
    private final int itemSizeMaxBytes;
    private final boolean preferHugepages;
    private final EpochClock clock;
    private final Qsbr qsbr;
    private final ReaderCounters readerCounters;
    private final PartitionWriter[] partitions;
    /** Each partition's index reference, the writer's own: readers reach the index in one hop fewer. */
    private final IndexRef[] indexRefs;
    private final int partitionMask;
    /** CAS sequence; written by every partition writer thread (padded; one increment per write). */
    private final PaddedCounter casSequence = new PaddedCounter(0);
    private final FlushState flushState = new FlushState();
    private final ThreadLocal<ReaderSlot> threadReader = new ThreadLocal<>();
    private final TableCounterSums counters;
    private final SlabRegion slabs;
    private volatile boolean closed;

    /** A table whose counters live in a registry of its own, sized for {@link #DEFAULT_READERS} readers. */
    public Table(final TableConfig config, final EpochClock clock)
    {
        this(config, clock, Boolean.getBoolean("wirekv.table.poisonFreed"));
    }

    /**
     * A table whose counters live in {@code counters} (start-up only: it allocates
     * {@link #valuesBytes}{@code (partitions, readers)} bytes and {@link #counterCount()} counters there).
     *
     * @param readers how many readers will be registered at once, each given a counter block of its own.
     */
    public Table(final TableConfig config, final EpochClock clock, final CounterRegistry counters, final int readers)
    {
        this(config, clock, Boolean.getBoolean("wirekv.table.poisonFreed"), counters, readers);
    }

    /** @param poisonFreed fill freed chunks with {@link SlabAllocator#POISON} (tests: a reader must never see it). */
    Table(final TableConfig config, final EpochClock clock, final boolean poisonFreed)
    {
        this(config, clock, poisonFreed, CounterRegistry.inArena(
            counterCount(), valuesBytes(config.partitions(), DEFAULT_READERS)), DEFAULT_READERS);
    }

    private Table(
        final TableConfig config, final EpochClock clock, final boolean poisonFreed, final CounterRegistry counters,
        final int readers)
    {
        this.memoryBytes = config.memoryBytes();
        this.mode = config.mode();
        this.itemSizeMaxBytes = config.itemSizeMaxBytes();
        this.preferHugepages = config.preferHugepages();
        this.clock = clock;
        final int n = config.partitions();
        partitionMask = n - 1;
        readerCounters = new ReaderCounters(counters, readers);
        qsbr = new Qsbr(readerCounters);
        final int partitionCounters = PartitionCounters.allocate(counters, n);
        partitions = new PartitionWriter[n];
        this.counters = new TableCounterSums(this, partitions, readerCounters, qsbr);
        indexRefs = new IndexRef[n];
        final SizeClasses classes = new SizeClasses(config.itemSizeMaxBytes());
        final long budget = config.memoryBytes() / n;
        final HugepageMemory hugepages = HugepageMemory.global();
        slabs = new SlabRegion(hugepages, config.memoryBytes(), classes.pageBytes(), n, config.preferHugepages());
        final TableBudget tableBudget = new TableBudget(config.memoryBytes(), slabs.floorBytes(n));
        try
        {
            for (int i = 0; i < n; i++)
            {
                final ArenaMemory memory = new ArenaMemory(i, budget, tableBudget, slabs, hugepages,
                    config.preferHugepages(), "table partition " + i);
                partitions[i] = new PartitionWriter(this, i, memory, qsbr, classes, config, poisonFreed,
                    new PartitionCounters(counters.values(), partitionCounters + i * PartitionCounters.BLOCK_LENGTH));
                indexRefs[i] = partitions[i].indexRef();
            }
        }
        catch (final RuntimeException ex)
        {
            slabs.close();
            for (final PartitionWriter p : partitions)
            {
                if (p != null)
                {
                    p.close();
                }
            }
            throw ex;
        }
    }

    /** Counters a table registers in its registry. */
    public static int counterCount()
    {
        return PartitionCounters.METRICS.length + ReaderCounters.METRICS.length;
    }

    /** Bytes of value blocks a table of {@code partitions} partitions, sized for {@code readers} readers, allocates. */
    public static int valuesBytes(final int partitions, final int readers)
    {
        return partitions * PartitionCounters.BLOCK_LENGTH + ReaderCounters.valuesBytes(readers);
    }

    public TableConfig config()
    {
        return new TableConfig(partitions.length, memoryBytes, mode, itemSizeMaxBytes, preferHugepages);
    }

    public int partitionCount()
    {
        return partitions.length;
    }

    /** Partition of a key; the same hash the partition's index uses. */
    public int partitionOf(final MemorySegment key, final long keyOffset, final int keyLength)
    {
        return partitionOfHash(KeyHash.hash(key, keyOffset, keyLength));
    }

    /**
     * The table's own 64-bit hash of a key: the one its partitions and indexes use. A reader computes it once per
     * write and carries it to the writer (the write record's {@code keyHash}), which passes it to the
     * {@link PartitionWriter} overloads that take a {@code hash}, so a write hashes its key once.
     */
    public static long keyHash(final MemorySegment key, final long keyOffset, final int keyLength)
    {
        return KeyHash.hash(key, keyOffset, keyLength);
    }

    /** Partition of a key whose {@link #keyHash} is {@code hash}. */
    public int partitionOfHash(final long hash)
    {
        return (int)(hash >>> 32) & partitionMask;
    }

    /** Registers the calling thread as a reader; it must report quiescence once per duty cycle. */
    public QsbrReader registerReader(final String name)
    {
        final ReaderSlot slot = qsbr.register(name);
        threadReader.set(slot);
        return slot;
    }

    /**
     * The handle the calling thread last got from {@link #registerReader}, or null if it never registered:
     * for a reader that cannot keep the handle itself and wants the faster
     * {@link #get(QsbrReader, MemorySegment, long, int, ItemView)}.
     */
    public QsbrReader currentReader()
    {
        return threadReader.get();
    }

    /**
     * Lock-free lookup from any registered reader thread: no lock, no CAS, no shared write.
     * Expired and flushed items are reported absent. Counts hits and misses per reader, finding the
     * calling thread's slot through a {@link ThreadLocal}; a reader that keeps its {@link QsbrReader}
     * should call {@link #get(QsbrReader, MemorySegment, long, int, ItemView)} instead.
     */
    public boolean get(final MemorySegment key, final long keyOffset, final int keyLength, final ItemView view)
    {
        final ReaderSlot slot = threadReader.get();
        if (slot != null)
        {
            return get(slot, key, keyOffset, keyLength, view);
        }
        final boolean hit = find(key, keyOffset, keyLength, view);
        readerCounters.countShared(hit);
        return hit;
    }

    /**
     * {@link #get(MemorySegment, long, int, ItemView)} for a reader that passes its own handle: no
     * thread-local lookup. Hits and misses go to {@code reader}'s counter block, written only by its thread.
     *
     * @param reader the handle {@link #registerReader} returned to the calling thread, for this table.
     */
    public boolean get(
        final QsbrReader reader, final MemorySegment key, final long keyOffset, final int keyLength, final ItemView view)
    {
        final boolean hit = find(key, keyOffset, keyLength, view);
        ((ReaderSlot)reader).count(hit);
        return hit;
    }

    /** {@link #get(QsbrReader, MemorySegment, long, int, ItemView) get} with the key's {@link #keyHash}, computed. */
    public boolean get(final QsbrReader reader, final MemorySegment key, final long keyOffset, final int keyLength,
        final long hash, final ItemView view)
    {
        final boolean hit = find(key, keyOffset, keyLength, hash, view, true);
        ((ReaderSlot)reader).count(hit);
        return hit;
    }

    /**
     * {@link #get(QsbrReader, MemorySegment, long, int, ItemView) get} that leaves the item's place in the eviction
     * order alone (memcached's meta {@code u} flag, and {@code me}): a hit does not set its CLOCK reference bit.
     *
     * @param reader the calling thread's handle from {@link #registerReader}, or null for a thread that has none.
     */
    public boolean peek(
        final QsbrReader reader, final MemorySegment key, final long keyOffset, final int keyLength, final ItemView view)
    {
        final boolean hit = find(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength), view, false);
        if (null != reader)
        {
            ((ReaderSlot)reader).count(hit);
        }
        else
        {
            readerCounters.countShared(hit);
        }
        return hit;
    }

    private boolean find(final MemorySegment key, final long keyOffset, final int keyLength, final ItemView view)
    {
        return find(key, keyOffset, keyLength, KeyHash.hash(key, keyOffset, keyLength), view, true);
    }

    private boolean find(
        final MemorySegment key, final long keyOffset, final int keyLength, final long hash, final ItemView view,
        final boolean bump)
    {
        final PartitionIndex index = indexRefs[partitionOfHash(hash)].getAcquire(); // acquire: pairs with setRelease in PartitionIndexWriter.rebuild
        final long address = lookup(index, hash, key, keyOffset, keyLength);
        if (address != 0 && isLive(address))
        {
            if (bump)
            {
                ReadMarks.markUsed(address);
            }
            view.wrap(address, keyLength);
            return true;
        }
        return false;
    }

    /**
     * A use of an item that {@link #peek} found: what a {@link #get} hit leaves on it ({@link ReadMarks}). Meta
     * {@code mg} takes it after its flags are written, so that {@code h} says whether an earlier fetch did. From a
     * reader between quiescent points, or from the item's writer.
     */
    public static void bump(final ItemView item)
    {
        ReadMarks.markUsed(item.address());
    }

    /**
     * Loading ahead ({@link IndexLookahead}) for the first {@code count} keys, given by their {@link #keyHash}es
     * and lengths: every key's index slot, then every key's item, so that the later lookups of the keys find them
     * in the cache. From a registered reader between quiescent points (as {@link #get}), or from a writer for its
     * own partitions' keys.
     *
     * @return what it read, summed: the caller keeps it in a field, so that the JIT cannot drop the loads.
     */
    public long loadAhead(final long[] hashes, final int[] keyLengths, final int count)
    {
        final long slots = loadHomeSlots(hashes, count); // every slot before any item: their misses overlap
        return slots + loadItemKeys(hashes, keyLengths, null, count);
    }

    /**
     * {@link #loadAhead}, for reads, which copy the values out: then every found item's value end
     * ({@link IndexLookahead#loadValueEnd}), in a pass of its own so that those loads overlap too. {@code items}
     * holds at least {@code count} addresses (the caller's scratch). From a registered reader between quiescent
     * points.
     */
    public long loadAheadForReads(final long[] hashes, final int[] keyLengths, final long[] items, final int count)
    {
        final long slots = loadHomeSlots(hashes, count); // every slot, then every item, then every value end
        long sum = slots + loadItemKeys(hashes, keyLengths, items, count);
        for (int i = 0; i < count; i++)
        {
            sum += IndexLookahead.loadValueEnd(items[i], keyLengths[i]);
        }
        return sum;
    }

    private long loadHomeSlots(final long[] hashes, final int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++) // acquire loads of the index references, as find
        {
            sum += IndexLookahead.loadHomeSlot(indexRefs[partitionOfHash(hashes[i])].getAcquire(), hashes[i]);
        }
        return sum;
    }

    /** The items' key lengths and key ends, keeping the found items' addresses in {@code items} (when not null). */
    private long loadItemKeys(final long[] hashes, final int[] keyLengths, final long[] items, final int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += IndexLookahead.loadItemKey(indexRefs[partitionOfHash(hashes[i])].getAcquire(), hashes[i],
                keyLengths[i], items, i);
        }
        return sum;
    }

    /** Probe from any thread; returns the item address for key (any liveness) or 0. */
    static long lookup(
        final PartitionIndex index, final long hash, final MemorySegment key, final long keyOffset, final int keyLength)
    {
        final long tag = IndexDescriptor.tagOf(hash);
        final long mask = index.mask;
        final long base = index.address;
        long pos = hash & mask;
        while (true)
        {
            final long value = (long)PartitionIndexWriter.SLOT.getAcquire(NATIVE, base + (pos << 3)); // acquire: pairs with setRelease in PartitionIndexWriter (publish, unlink*)
            if (value == EMPTY)
            {
                return 0;
            }
            if ((value >>> IndexDescriptor.TAG_SHIFT) == tag && value != TOMBSTONE)
            {
                final long address = value & ADDRESS_MASK;
                if ((NATIVE.get(ValueLayout.JAVA_BYTE, address + KEY_LENGTH_OFFSET) & 0xFF) == keyLength &&
                    KeyHash.keyEquals(address + KEY_OFFSET, key, keyOffset, keyLength))
                {
                    return address;
                }
            }
            pos = (pos + 1) & mask;
        }
    }

    /**
     * {@link #isLive(long, long)} reading the clock only when it matters: an item that never expires,
     * with no flush_all pending, is live whatever the time.
     */
    private boolean isLive(final long address)
    {
        final long expiresAt = NATIVE.get(ValueLayout.JAVA_INT, address + EXPIRES_AT_OFFSET) & 0xFFFF_FFFFL;
        final long oldestLive = (long)OLDEST_LIVE.getAcquire(flushState); // acquire: pairs with setRelease in flush
        if (expiresAt == 0 && oldestLive == 0)
        {
            return true;
        }
        return isLive(address, expiresAt, oldestLive, nowSeconds());
    }

    /** memcached's expiry ({@code exptime != 0 && exptime <= now}) and item_is_flushed rules. */
    boolean isLive(final long address, final long nowSeconds)
    {
        final long expiresAt = NATIVE.get(ValueLayout.JAVA_INT, address + EXPIRES_AT_OFFSET) & 0xFFFF_FFFFL;
        final long oldestLive = (long)OLDEST_LIVE.getAcquire(flushState); // acquire: pairs with setRelease in flush
        return isLive(address, expiresAt, oldestLive, nowSeconds);
    }

    private boolean isLive(final long address, final long expiresAt, final long oldestLive, final long nowSeconds)
    {
        if (expiresAt != 0 && expiresAt <= nowSeconds)
        {
            return false;
        }
        if (oldestLive == 0 || oldestLive > nowSeconds)
        {
            return true;
        }
        final long storedAt = NATIVE.get(ValueLayout.JAVA_INT, address + STORED_AT_OFFSET) & 0xFFFF_FFFFL;
        if (storedAt <= oldestLive)
        {
            return false;
        }
        final long oldestCas = (long)OLDEST_CAS.getAcquire(flushState); // acquire: pairs with setRelease in flush
        return oldestCas == 0 || NATIVE.get(ValueLayout.JAVA_LONG_UNALIGNED, address + CAS_OFFSET) >= oldestCas;
    }

    /**
     * Visits every live item of {@code partition} from a registered reader thread that is not its writer, lock-free,
     * offline between chunks of slots (a fuzzy snapshot: see {@link PartitionScanner}, which a
     * thread that scans often should keep instead, as this allocates one).
     *
     * @return items visited, or {@code -(visited + 1)} if the visitor stopped the scan.
     */
    public long forEachItem(final int partition, final QsbrReader reader, final ItemVisitor visitor)
    {
        return new PartitionScanner(this).scan(partition, reader, visitor);
    }

    /** The partition's index reference (readers load it with getAcquire). */
    IndexRef indexRef(final int partition)
    {
        return indexRefs[partition];
    }

    /** The writer of one partition; only one thread may ever use it. */
    public PartitionWriter writer(final int partition)
    {
        return partitions[partition];
    }

    /**
     * memcached's flush_all: items stored at or before {@code oldestLiveSeconds} become invisible
     * once that time is reached; {@code immediate} also hides every item with a CAS below the
     * current one (flush_all with no delay). Callable from any writer thread.
     */
    public synchronized void flush(final long oldestLiveSeconds, final boolean immediate)
    {
        if (immediate)
        {
            OLDEST_CAS.setRelease(flushState, nextCas()); // release: pairs with getAcquire in isLive
        }
        OLDEST_LIVE.setRelease(flushState, oldestLiveSeconds); // release: pairs with getAcquire in isLive
    }

    /**
     * Recovery: the flush state exactly as a logged flush_all left it ({@code oldestCas} 0 for one with a delay,
     * which leaves the CAS bound alone), so items restored with their own CAS and stored-at time are live or
     * flushed as before the restart.
     */
    public synchronized void restoreFlush(final long oldestLiveSeconds, final long oldestCas)
    {
        if (oldestCas != 0)
        {
            OLDEST_CAS.setRelease(flushState, oldestCas); // release: pairs with getAcquire in isLive
            advanceCasPast(oldestCas);
        }
        OLDEST_LIVE.setRelease(flushState, oldestLiveSeconds); // release: pairs with getAcquire in isLive
    }

    long flushOldestLiveSeconds()
    {
        return (long)OLDEST_LIVE.getAcquire(flushState); // acquire: pairs with setRelease in flush
    }

    /** The CAS below which the last flush_all without a delay hid items (0: none); what its log record keeps. */
    public long flushOldestCas()
    {
        return (long)OLDEST_CAS.getAcquire(flushState); // acquire: pairs with setRelease in flush
    }

    /**
     * Recovery: the next CAS the table hands out is above {@code cas} (an item restored with its logged CAS
     * must never share it with a new one). Any thread; a lock-free maximum.
     */
    public void advanceCasPast(final long cas)
    {
        long current = casSequence.getVolatile();
        while (Long.compareUnsigned(current, cas) < 0 && !casSequence.compareAndSet(current, cas))
        {
            current = casSequence.getVolatile();
        }
    }

    /** The last CAS handed out: the table's write clock ({@link SlabEvictor} ages items by it). */
    long lastCas()
    {
        return casSequence.getVolatile();
    }

    long nextCas()
    {
        return casSequence.incrementAndGet(); // atomic RMW: unique CAS across writers; no ordering relied upon
    }

    /** Current time in unix seconds from the injected clock. */
    public long nowSeconds()
    {
        return clock.time() / 1000;
    }

    long nowMillis()
    {
        return clock.time();
    }

    public TableCounters counters()
    {
        return counters;
    }

    /**
     * Slabs (16 KiB units, runs of them, or whole pages) moved between size classes: empty ones in either mode,
     * and in cache mode ones emptied by eviction for a class that had nothing of its own to evict.
     */
    public long pagesMoved()
    {
        return counters.sum(PartitionCounters.PAGES_MOVED);
    }

    /** Bytes mapped by all partitions (items, free chunks and index arrays). */
    public long allocatedBytes()
    {
        long sum = 0;
        for (final PartitionWriter p : partitions)
        {
            sum += p.allocatedBytes();
        }
        return sum;
    }

    /** Frees every arena; afterwards the hugepages accounting for this table is zero. */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            for (final PartitionWriter p : partitions)
            {
                p.close();
            }
            slabs.close();
        }
    }

    /** How the table's memory is backed (hugepages or not, locked or not), for the start-up report. */
    public String describeMemory()
    {
        return slabs.describe();
    }

    public boolean isHugepageBacked()
    {
        return slabs.isHugepageBacked();
    }

    /** Bytes of the live items of one partition (any thread; opaque, may lag the writer a little). */
    public long partitionBytes(final int partition)
    {
        return partitions[partition].counters().getOpaque(PartitionCounters.BYTES);
    }
}
