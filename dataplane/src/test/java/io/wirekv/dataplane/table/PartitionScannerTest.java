package io.wirekv.dataplane.table;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link PartitionScanner}: the live items of a quiescent partition exactly, every unchanged item exactly once while
 * the writer publishes, unlinks and rebuilds its index, nothing that was never written, and the writer's
 * reclamation going on while a long scan runs.
 */
class PartitionScannerTest
{
    private static final long NOW_S = 1_700_000_000L;
    private static final MemorySegment EMPTY = MemorySegment.ofArray(new byte[0]);

    private static MemorySegment seg(final String s)
    {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String string(final ItemView view)
    {
        return new String(view.keyBytes(), StandardCharsets.ISO_8859_1);
    }

    private static int put(
        final PartitionWriter writer, final String key, final MemorySegment value, final int flags, final long exp,
        final int metaBits)
    {
        final MemorySegment k = seg(key);
        return writer.publish(k, 0, (int)k.byteSize(), value, 0, (int)value.byteSize(), EMPTY, 0, 0,
            flags, exp, 0, metaBits, new ItemView());
    }

    /** Keys of {@code partition}: prefix + i for the first {@code count} i that hash there. */
    private static List<String> keysOf(final Table table, final int partition, final String prefix, final int count)
    {
        final List<String> keys = new ArrayList<>(count);
        for (int i = 0; keys.size() < count; i++)
        {
            final MemorySegment k = seg(prefix + i);
            if (table.partitionOf(k, 0, (int)k.byteSize()) == partition)
            {
                keys.add(prefix + i);
            }
        }
        return keys;
    }

    @Test
    void shouldVisitExactlyTheLiveItemsOfAQuiescentPartitionAcrossIndexResizes()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(NOW_S * 1000);
        try (Table table = new Table(new TableConfig(2, 64L << 20, MemoryMode.STORE, 1 << 20, false), clock, true))
        {
            final PartitionWriter writer = table.writer(0);
            for (final String key : keysOf(table, 0, "flushed-", 500))
            {
                assertEquals(Status.STORED, put(writer, key, seg("old"), 0, 0, 0));
            }
            table.flush(NOW_S, true); // flush_all: everything stored so far is gone
            clock.update((NOW_S + 5) * 1000);
            final List<String> expiring = keysOf(table, 0, "expiring-", 700);
            for (final String key : expiring)
            {
                assertEquals(Status.STORED, put(writer, key, seg("soon"), 1, NOW_S + 10, 0));
            }
            final List<String> live = keysOf(table, 0, "live-", 9000);
            final Map<String, Integer> expected = new HashMap<>();
            for (int i = 0; i < live.size(); i++)
            {
                final int metaBits = i % 3 == 0 ? ItemView.META_STALE : 0;
                assertEquals(Status.STORED, put(writer, live.get(i), seg("value-" + i), i, i % 2 == 0 ? 0 : NOW_S + 1000,
                    metaBits));
                expected.put(live.get(i), i);
            }
            assertEquals(Status.STORED, put(table.writer(1), keysOf(table, 1, "other-", 1).getFirst(), seg("x"), 0, 0, 0));
            clock.update((NOW_S + 20) * 1000); // the expiring ones are past their time
            assertTrue(table.counters().resizes() >= 3, "the index grew while filling: " + table.counters().resizes());

            try (QsbrReader reader = table.registerReader("scanner"))
            {
                final Map<String, Integer> visits = new HashMap<>();
                final ItemView check = new ItemView();
                final PartitionScanner scanner = new PartitionScanner(table, 64);
                final long visited = scanner.scan(0, reader, item ->
                {
                    final String key = string(item);
                    visits.merge(key, 1, Integer::sum);
                    assertTrue(table.peek(reader, seg(key), 0, item.keyLength(), check), key); // a look: no bump
                    assertEquals(check.address(), item.address(), "the item the table serves: " + key);
                    final int i = expected.get(key);
                    assertEquals("value-" + i, new String(item.valueBytes(), StandardCharsets.ISO_8859_1));
                    assertEquals(i, item.clientFlags());
                    assertEquals(i % 2 == 0 ? 0 : NOW_S + 1000, item.expiresAtSeconds());
                    assertEquals(NOW_S + 5, item.storedAtSeconds());
                    assertEquals(i % 3 == 0 ? ItemView.META_STALE : 0, item.metaBits());
                    assertTrue(item.cas() > 0);
                    return true;
                });
                assertEquals(live.size(), visited);
                assertEquals(expected.keySet(), visits.keySet(), "exactly the live items: no flushed, expired or foreign");
                visits.forEach((key, n) -> assertEquals(1, n, key));
                assertTrue(scanner.chunks() > 100, "a quiescent state per 64 residues: " + scanner.chunks());

                assertEquals(-2, scanner.scan(0, reader, item -> false), "stopped at the first item: -(1 + 1)");
            }
        }
    }

    /**
     * Keys whose home is the index's last slot wrap around to its first slots; a chunk as large as the whole index
     * must still find them past the end, and visit nothing twice.
     */
    @Test
    void shouldVisitItemsThatWrapPastTheEndOfTheIndexOnce()
    {
        try (Table table = new Table(new TableConfig(1, 16L << 20, MemoryMode.STORE, 1 << 20, false),
            SystemEpochClock.INSTANCE, true))
        {
            final int capacity = table.indexRef(0).getAcquire().capacity;
            final List<String> keys = new ArrayList<>();
            for (int i = 0; keys.size() < 6; i++)
            {
                final MemorySegment k = seg("wrap-" + i);
                if ((Table.keyHash(k, 0, (int)k.byteSize()) & (capacity - 1)) >= capacity - 2)
                {
                    keys.add("wrap-" + i); // homes in the last two slots: four of six sit at slots 0..3
                }
            }
            keys.addAll(List.of("plain-1", "plain-2", "plain-3"));
            for (final String key : keys)
            {
                assertEquals(Status.STORED, put(table.writer(0), key, seg(key), 0, 0, 0));
            }
            assertEquals(capacity, table.indexRef(0).getAcquire().capacity, "no resize: the wrap stays");
            for (final int chunkSlots : new int[]{capacity, PartitionScanner.DEFAULT_CHUNK_SLOTS, 1})
            {
                final Map<String, Integer> visits = new HashMap<>();
                try (QsbrReader reader = table.registerReader("scanner"))
                {
                    new PartitionScanner(table, chunkSlots).scan(0, reader, item ->
                    {
                        visits.merge(string(item), 1, Integer::sum);
                        return true;
                    });
                }
                assertEquals(Set.copyOf(keys), visits.keySet(), "chunk of " + chunkSlots);
                visits.forEach((key, n) -> assertEquals(1, n, key + " with chunks of " + chunkSlots));
            }
        }
    }

    @Test
    void shouldVisitEveryUnchangedItemOnceWhenTheIndexGrowsMidScan() throws Exception
    {
        try (Table table = new Table(new TableConfig(1, 128L << 20, MemoryMode.STORE, 1 << 20, false),
            SystemEpochClock.INSTANCE, true);
            ExecutorService writerThread = Executors.newSingleThreadExecutor())
        {
            final PartitionWriter writer = table.writer(0);
            final List<String> stable = keysOf(table, 0, "stable-", 3000);
            writerThread.submit(() -> stable.forEach(key -> assertEquals(Status.STORED, put(writer, key, seg(key), 0, 0, 0))))
                .get();
            final long resizesBefore = table.counters().resizes();
            final Map<String, Integer> visits = new HashMap<>();
            try (QsbrReader reader = table.registerReader("scanner"))
            {
                final PartitionScanner scanner = new PartitionScanner(table, 32);
                final long visited = scanner.scan(0, reader, item ->
                {
                    final String key = string(item);
                    assertEquals(key, new String(item.valueBytes(), StandardCharsets.ISO_8859_1), "value written with the key");
                    visits.merge(key, 1, Integer::sum);
                    if (visits.size() == 1000 || visits.size() == 2000)
                    {
                        // the writer grows the index twice over (and rebuilds it) while this chunk holds the old one
                        final int round = visits.size();
                        final Future<?> grown = writerThread.submit(() ->
                        {
                            for (int i = 0; i < 12_000; i++)
                            {
                                assertEquals(Status.STORED, put(writer, "new-" + round + "-" + i, seg("new-" + round + "-" + i),
                                    0, 0, 0));
                            }
                        });
                        try
                        {
                            grown.get(30, TimeUnit.SECONDS);
                        }
                        catch (final Exception ex)
                        {
                            throw new AssertionError(ex);
                        }
                    }
                    return true;
                });
                assertTrue(visited >= stable.size());
            }
            assertTrue(table.counters().resizes() >= resizesBefore + 3,
                "the index was rebuilt during the scan: " + (table.counters().resizes() - resizesBefore) + " times");
            for (final String key : stable)
            {
                assertEquals(1, visits.getOrDefault(key, 0), "unchanged item visited exactly once: " + key);
            }
            visits.forEach((key, n) ->
            {
                assertEquals(1, n, "visited once: " + key);
                assertTrue(key.startsWith("stable-") || key.startsWith("new-"), "never written: " + key);
            });
        }
    }

    /**
     * For about two seconds a writer thread churns one partition (replaces, deletes, short expiries, and a growth set
     * inserted and deleted in rounds, so the index grows and is rebuilt again and again) while a scanner thread scans
     * it over and over. Every stable item (written before, never touched) must be visited exactly once per scan, and
     * every visited item must be one the writer wrote: its value holds its key's CRC, which a torn, freed (poisoned) or
     * foreign item breaks.
     */
    @Test
    void shouldVisitEveryUnchangedItemOnceUnderConcurrentWrites() throws Exception
    {
        scanUnderWrites(MemoryMode.STORE, 192L << 20);
    }

    /**
     * The same in cache mode in a budget far below the working set, so the writer evicts and moves slabs between
     * size classes under the scanner: a stable item may be evicted (visited at most once, never re-inserted), and
     * every visited item must still be whole, never freed or reused memory.
     */
    @Test
    void shouldVisitOnlyWrittenItemsWhileTheWriterEvicts() throws Exception
    {
        scanUnderWrites(MemoryMode.CACHE, 2 * TableConfig.minimumMemoryBytes(2, 64 * 1024));
    }

    private static void scanUnderWrites(final MemoryMode mode, final long memoryBytes) throws Exception
    {
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(Long.getLong("wirekv.scan.stress.ms", 2000));
        try (Table table = new Table(new TableConfig(2, memoryBytes, mode, 64 * 1024, false),
            SystemEpochClock.INSTANCE, true))
        {
            final int partition = 1;
            final List<String> stable = keysOf(table, partition, "s-", 2000);
            final List<String> churn = keysOf(table, partition, "c-", 2000);
            final AtomicBoolean stop = new AtomicBoolean();
            final CountDownLatch stableIn = new CountDownLatch(1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong writes = new AtomicLong();
            final int[] positionOf = new int[Integer.parseInt(stable.getLast().substring(2)) + 1];
            Arrays.fill(positionOf, -1);
            for (int i = 0; i < stable.size(); i++)
            {
                positionOf[Integer.parseInt(stable.get(i).substring(2))] = i;
            }
            final ItemView out = new ItemView();

            final Thread writerThread = new Thread(() ->
            {
                try
                {
                    final PartitionWriter writer = table.writer(partition);
                    for (final String key : stable)
                    {
                        assertEquals(Status.STORED, publishChecked(writer, key, 0, 0, out));
                    }
                    stableIn.countDown();
                    final SplittableRandom random = new SplittableRandom(42);
                    final long start = System.nanoTime();
                    final long resizesAtStart = table.counters().resizes();
                    long n = 0;
                    int round = 0;
                    // the set time, and on a slow machine on until the index was rebuilt a few times, within 20 s
                    while ((System.nanoTime() - start < durationNs || mode == MemoryMode.STORE && table.counters().resizes() - resizesAtStart < 3) &&
                        System.nanoTime() - start < durationNs + TimeUnit.SECONDS.toNanos(20) &&
                        n < 50_000_000L && failure.get() == null)
                    {
                        // a growth round of new keys: insert all, then delete all (the index doubles at first, then
                        // rebuilds in place to drop the tombstones each round leaves)
                        final List<String> growth = keysOf(table, partition, "g" + round + "-", 6_000);
                        for (final String key : growth)
                        {
                            assertEquals(Status.STORED, publishChecked(writer, key, round, 0, out));
                            final String c = churn.get(random.nextInt(churn.size()));
                            switch (random.nextInt(4))
                            {
                                case 0 -> publishChecked(writer, c, n, 0, out);
                                case 1 -> unlink(writer, c);
                                case 2 -> publishChecked(writer, c, n, System.currentTimeMillis() / 1000 + 1, out);
                                default -> publishChecked(writer, c, n, 0, out);
                            }
                            n += 2;
                        }
                        for (final String key : growth)
                        {
                            assertTrue(unlink(writer, key) || mode == MemoryMode.CACHE, key); // or evicted
                            n++;
                        }
                        writer.doHousekeeping(256);
                        round++;
                    }
                    writes.set(n);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
                finally
                {
                    stop.set(true);
                }
            }, "scan-test-writer");

            final AtomicLong scans = new AtomicLong();
            final AtomicLong scansAcrossResize = new AtomicLong();
            final AtomicLong itemsVisited = new AtomicLong();
            final Thread scannerThread = new Thread(() ->
            {
                try (QsbrReader reader = table.registerReader("scanner"))
                {
                    final int[] counts = new int[stable.size()];
                    final PartitionScanner scanner = new PartitionScanner(table, 256);
                    final ItemVisitor visitor = item ->
                    {
                        final int number = checkedNumber(item);
                        if (number >= 0)
                        {
                            counts[positionOf[number]]++;
                        }
                        return true;
                    };
                    while (!stop.get() && failure.get() == null)
                    {
                        Arrays.fill(counts, 0);
                        final long resizes = table.counters().resizes();
                        itemsVisited.addAndGet(scanner.scan(partition, reader, visitor));
                        if (table.counters().resizes() != resizes)
                        {
                            scansAcrossResize.incrementAndGet();
                        }
                        for (int i = 0; i < counts.length; i++)
                        {
                            if (counts[i] != 1 && (mode == MemoryMode.STORE || counts[i] > 1))
                            {
                                throw new AssertionError(stable.get(i) + " visited " + counts[i] + " times in scan " +
                                    scans.get());
                            }
                        }
                        scans.incrementAndGet();
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, "scan-test-scanner");

            writerThread.start();
            assertTrue(stableIn.await(60, TimeUnit.SECONDS) || failure.get() != null, "stable items written");
            scannerThread.start();
            writerThread.join(durationNs / 1_000_000 + 60_000);
            scannerThread.join(60_000);
            assertFalse(writerThread.isAlive() || scannerThread.isAlive(), "threads finished");
            if (failure.get() != null)
            {
                throw new AssertionError(failure.get());
            }
            System.out.printf(mode + ": scanner under writes: %d scans (%d across an index rebuild), %d items visited; " +
                "%d writes, %d index rebuilds%n", scans.get(), scansAcrossResize.get(), itemsVisited.get(), writes.get(),
                table.counters().resizes());
            assertTrue(scans.get() >= 5, "scans done: " + scans.get());
            if (mode == MemoryMode.STORE)
            {
                assertTrue(scansAcrossResize.get() >= 1, "some scans ran while the index was rebuilt");
            }
            else
            {
                System.out.printf("evictions %d, slab pages moved %d%n", table.counters().evictions(), table.pagesMoved());
                assertTrue(table.counters().evictions() > 10_000, "the writer evicted: " + table.counters().evictions());
            }
        }
    }

    /**
     * A scan of a large partition that takes over a second (the visitor pauses) must not hold back the writer's
     * reclamation: the writer keeps replacing items and sees its retired memory freed while the scan runs.
     */
    @Test
    void shouldNotBlockReclamationDuringALongScan() throws Exception
    {
        try (Table table = new Table(new TableConfig(1, 256L << 20, MemoryMode.STORE, 1 << 20, false),
            SystemEpochClock.INSTANCE, true))
        {
            final PartitionWriter writer = table.writer(0);
            final AtomicBoolean scanning = new AtomicBoolean();
            final AtomicBoolean scanDone = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong freedDuringScan = new AtomicLong();
            final AtomicLong writesDuringScan = new AtomicLong();
            final AtomicLong maxRetired = new AtomicLong();
            final int items = 400_000;

            final Thread writerThread = new Thread(() ->
            {
                try
                {
                    final ItemView out = new ItemView();
                    final MemorySegment value = seg("v".repeat(40));
                    for (int i = 0; i < items; i++)
                    {
                        assertEquals(Status.STORED, publishValue(writer, "big-" + i, value, out));
                    }
                    for (int i = 0; i < 1000; i++)
                    {
                        assertEquals(Status.STORED, publishValue(writer, "hot-" + i, value, out));
                    }
                    writer.reclaim();
                    final long retiredBefore = writer.retiredCount();
                    scanning.set(true);
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    long i = 0;
                    while (!scanDone.get() && System.nanoTime() < deadline)
                    {
                        // each write replaces a hot item and retires the old one
                        assertEquals(Status.STORED, publishValue(writer, "hot-" + (i % 1000), value, out));
                        if (++i % 64 == 0)
                        {
                            writer.reclaim();
                            maxRetired.accumulateAndGet(writer.retiredCount(), Math::max);
                            LockSupport.parkNanos(20_000);
                        }
                    }
                    freedDuringScan.set(retiredBefore + i - writer.retiredCount());
                    writesDuringScan.set(i);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                    scanning.set(true);
                }
            }, "reclaim-test-writer");
            writerThread.start();

            final long[] scan = new long[3];
            final Thread scannerThread = new Thread(() ->
            {
                try (QsbrReader reader = table.registerReader("slow-scanner"))
                {
                    reader.offline();
                    while (!scanning.get())
                    {
                        LockSupport.parkNanos(1_000_000);
                    }
                    reader.online();
                    final PartitionScanner scanner = new PartitionScanner(table);
                    final long start = System.nanoTime();
                    final long[] seen = new long[1];
                    scan[0] = scanner.scan(0, reader, item ->
                    {
                        if (++seen[0] % 400 == 0)
                        {
                            LockSupport.parkNanos(1_000_000); // a slow disk: the scan takes about a second
                        }
                        return true;
                    });
                    scan[1] = (System.nanoTime() - start) / 1_000_000;
                    scan[2] = scanner.chunks();
                    reader.offline();
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
                finally
                {
                    scanDone.set(true);
                }
            }, "reclaim-test-scanner");
            scannerThread.start();
            scannerThread.join(60_000);
            writerThread.join(60_000);
            assertFalse(writerThread.isAlive() || scannerThread.isAlive(), "threads finished");
            if (failure.get() != null)
            {
                throw new AssertionError(failure.get());
            }
            System.out.printf("long scan: %d items in %d ms over %d chunks; meanwhile the writer made %d writes, " +
                "and %d of the items it retired were freed before the scan ended (at most %d waiting at once)%n",
                scan[0], scan[1], scan[2], writesDuringScan.get(), freedDuringScan.get(), maxRetired.get());
            assertTrue(scan[0] >= items, "every big item visited: " + scan[0]);
            assertTrue(scan[1] >= 500, "the scan was long: " + scan[1] + " ms");
            assertTrue(writesDuringScan.get() > 1000, "the writer kept writing: " + writesDuringScan.get());
            assertTrue(freedDuringScan.get() > writesDuringScan.get() * 9 / 10,
                "retired items freed during the scan: " + freedDuringScan.get() + " of " + writesDuringScan.get());
            assertTrue(maxRetired.get() < writesDuringScan.get() / 10,
                "retired items waiting stayed a small part of those retired: " + maxRetired.get());
        }
    }

    /**
     * A visitor that blocks between chunks (a slow disk) holds back no grace period: the writer's retired memory is
     * freed meanwhile. The same writes made while the visitor blocks inside a chunk stay retired, unfreed: the
     * scanner holds that chunk's grace period, as it must.
     */
    @Test
    void shouldHoldNoGracePeriodWhileTheVisitorBlocksBetweenChunks() throws Exception
    {
        try (Table table = new Table(new TableConfig(1, 64L << 20, MemoryMode.STORE, 1 << 20, false),
            SystemEpochClock.INSTANCE, true);
            ExecutorService writerThread = Executors.newSingleThreadExecutor())
        {
            final PartitionWriter writer = table.writer(0);
            final MemorySegment value = seg("v".repeat(20));
            final ItemView out = new ItemView();
            writerThread.submit(() ->
            {
                for (int i = 0; i < 20_000; i++)
                {
                    assertEquals(Status.STORED, publishValue(writer, "item-" + i, value, out));
                }
            }).get();
            // on the writer's thread: replace 100 items, try to free, and say how many retired items are left
            final java.util.concurrent.Callable<Integer> replaceAndReclaim = () ->
            {
                for (int i = 0; i < 100; i++)
                {
                    assertEquals(Status.STORED, publishValue(writer, "item-" + i, value, out));
                }
                writer.reclaim();
                return writer.retiredCount();
            };
            final int[] retired = {-1, -1};
            try (QsbrReader reader = table.registerReader("scanner"))
            {
                new PartitionScanner(table).scan(0, reader, new ItemVisitor()
                {
                    public boolean visit(final ItemView item)
                    {
                        if (retired[0] < 0)
                        {
                            retired[0] = waitFor(writerThread.submit(replaceAndReclaim)); // inside a chunk
                        }
                        return true;
                    }

                    public boolean endChunk()
                    {
                        if (retired[1] < 0)
                        {
                            retired[1] = waitFor(writerThread.submit(replaceAndReclaim)); // between chunks
                        }
                        return true;
                    }
                });
            }
            assertTrue(retired[0] >= 100, "inside a chunk the scanner holds the grace period: " + retired[0]);
            assertEquals(0, retired[1], "between chunks everything retired is freed at once");
        }
    }

    private static int waitFor(final Future<Integer> result)
    {
        try
        {
            return result.get(30, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static int publishValue(final PartitionWriter writer, final String key, final MemorySegment value, final ItemView out)
    {
        final MemorySegment k = seg(key);
        return writer.publish(k, 0, (int)k.byteSize(), value, 0, (int)value.byteSize(), EMPTY, 0, 0, 0, 0, 0, 0, out);
    }

    private static boolean unlink(final PartitionWriter writer, final String key)
    {
        final MemorySegment k = seg(key);
        return writer.unlink(k, 0, (int)k.byteSize());
    }

    /**
     * Publishes key with a value of [u64 version][u32 CRC32 of key and version][padding]: {@code (version * 7) % 600}
     * bytes of {@code (byte)(version + i)}, so values of many sizes share and move between slab classes.
     */
    private static int publishChecked(
        final PartitionWriter writer, final String key, final long version, final long exp, final ItemView out)
    {
        final byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        final int padding = (int)((version * 7) % 600);
        final MemorySegment value = MemorySegment.ofArray(new byte[12 + padding]);
        value.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, version);
        value.set(ValueLayout.JAVA_INT_UNALIGNED, 8, checksum(MemorySegment.ofArray(k), 0, k.length, version));
        for (int i = 0; i < padding; i++)
        {
            value.set(ValueLayout.JAVA_BYTE, 12 + i, (byte)(version + i));
        }
        final MemorySegment keySegment = MemorySegment.ofArray(k);
        return writer.publish(keySegment, 0, k.length, value, 0, (int)value.byteSize(), EMPTY, 0, 0, 0, exp, 0, 0, out);
    }

    private static int checksum(final MemorySegment key, final long offset, final int length, final long version)
    {
        final CRC32 crc = new CRC32();
        for (int i = 0; i < length; i++)
        {
            crc.update(key.get(ValueLayout.JAVA_BYTE, offset + i));
        }
        crc.update((int)version);
        crc.update((int)(version >>> 32));
        return (int)crc.getValue();
    }

    /** Checks a visited item's value against its key; returns the stable key's number, or -1 for another key. */
    private static int checkedNumber(final ItemView item)
    {
        final MemorySegment s = item.segment();
        final long key = item.keyOffset();
        final int length = item.keyLength();
        final long version = item.valueLength() >= 12 ? s.get(ValueLayout.JAVA_LONG_UNALIGNED, item.valueOffset()) : -1;
        if (version < 0 || item.valueLength() != 12 + (version * 7) % 600 ||
            s.get(ValueLayout.JAVA_INT_UNALIGNED, item.valueOffset() + 8) != checksum(s, key, length, version))
        {
            throw new AssertionError("item " + string(item) + " fails its checksum: torn, freed or never written");
        }
        for (int i = 12; i < item.valueLength(); i++)
        {
            if (s.get(ValueLayout.JAVA_BYTE, item.valueOffset() + i) != (byte)(version + i - 12))
            {
                throw new AssertionError("item " + string(item) + " has a wrong byte at " + i + ": torn or freed");
            }
        }
        final byte first = s.get(ValueLayout.JAVA_BYTE, key);
        if (first != 's')
        {
            if (first != 'c' && first != 'g')
            {
                throw new AssertionError("unknown key " + string(item));
            }
            return -1;
        }
        int index = 0;
        for (int i = 2; i < length; i++)
        {
            index = index * 10 + s.get(ValueLayout.JAVA_BYTE, key + i) - '0';
        }
        return index;
    }
}
