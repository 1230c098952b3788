package io.wirekv.dataplane.log;

import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sync threads on real files: with an msync per range, sync mode issues the partitions' syncs at the same time
 * from several threads (so the filesystem can share one journal commit among them), each partition by one thread;
 * with a flush per round, one thread writes every partition back, flushes once, and only then publishes; every
 * appended record becomes durable.
 */
class LogSyncerTest
{
    private static final int PARTITIONS = 4;

    private Path dir;
    private Table table;
    private DataDirectory directory;
    private final List<PartitionLog> logs = new ArrayList<>();
    private final Arena arena = Arena.ofConfined();
    private LogSyncer syncer;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = LogTestKit.freshDir("syncer");
        table = new Table(new TableConfig(PARTITIONS, 16L << 20, MemoryMode.STORE, 64 * 1024, false),
            new CachedEpochClock());
        directory = DataDirectory.open(dir);
        final PersistenceSettings settings = settings();
        final LogCounters counters = LogCounters.standalone(PARTITIONS);
        for (final LogRecovery.PartitionResult r : LogRecovery.recover(directory, table, settings, SnapshotLoader.NONE)
            .stream().sorted(java.util.Comparator.comparingInt(LogRecovery.PartitionResult::partition)).toList())
        {
            logs.add(new PartitionLog(r.partition(), directory, LogTestKit.SEGMENT_BYTES, true,
                WriteRecordDescriptor.recordLength(250, 64 * 1024), counters, r.segment(), r.appendOffset(),
                r.nextSequence(), r.bytes()));
        }
    }

    @AfterEach
    void tearDown() throws IOException
    {
        if (null != syncer)
        {
            syncer.close();
        }
        logs.forEach(PartitionLog::close);
        directory.close();
        table.close();
        arena.close();
        LogTestKit.deleteTree(dir);
    }

    private PersistenceSettings settings()
    {
        return new PersistenceSettings(PersistenceSettings.Mode.SYNC, dir, 1000, LogTestKit.SEGMENT_BYTES, false);
    }

    private final WriteRecordEncoder encoder = new WriteRecordEncoder();
    private final MemorySegment record = arena.allocate(4096, 8);
    private final WriteReplyEncoder reply = new WriteReplyEncoder(arena.allocate(4096, 8));
    private final MemorySegment value = arena.allocate(100, 8);
    private WriteApplier applier;

    /** One write to every partition, appended as its writer does (this thread plays every writer). */
    private void writeToEveryPartition()
    {
        final boolean[] written = new boolean[PARTITIONS];
        for (int i = 0, left = PARTITIONS; left > 0; i++)
        {
            final byte[] k = ("key-" + i).getBytes(StandardCharsets.US_ASCII);
            final int partition = table.partitionOfHash(Table.keyHash(MemorySegment.ofArray(k), 0, k.length));
            if (!written[partition])
            {
                written[partition] = true;
                left--;
                write(MemorySegment.ofArray(k), partition);
            }
        }
    }

    /** Applies set {@code key} (100-byte value) to its partition and appends the effect, as a writer does. */
    private void write(final MemorySegment key, final int partition)
    {
        write(key, partition, WriteRecordDescriptor.OP_STORE);
    }

    /** Allocation-free (the key segments are made beforehand): the batches' faults are not the heap's. */
    private void write(final MemorySegment key, final int partition, final byte opcode)
    {
        if (null == applier)
        {
            applier = new WriteApplier(table, new ServerStats(1), 0);
        }
        final int keyLength = (int)key.byteSize();
        final long hash = Table.keyHash(key, 0, keyLength);
        final PartitionLog log = logs.get(partition);
        assertEquals(PartitionLog.ADMITTED, log.admit());
        final int valueLength = opcode == WriteRecordDescriptor.OP_STORE ? (int)value.byteSize() : 0;
        final int length = WriteRecordDescriptor.recordLength(keyLength, valueLength);
        encoder.wrap(record, 0, length).opcode(opcode)
            .storeMode(WriteRecordDescriptor.MODE_SET).partition(partition).keyHash(hash)
            .key(key, 0, keyLength).value(value, 0, valueLength);
        applier.apply(record, 0, length, reply);
        log.append(applier);
    }

    /** Minor page faults of this thread so far ({@code /proc/thread-self/stat}, field 10). */
    private static long minorFaultsOfThisThread() throws IOException
    {
        final String stat = java.nio.file.Files.readString(Path.of("/proc/thread-self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }

    /**
     * Page faults this thread takes deleting the keys from partition 0: each appends an unlink record (about 50 bytes)
     * and changes the table without allocating, so the faults are the log's.
     */
    private long faultsDeleting(final MemorySegment[] keys) throws IOException
    {
        final long before = minorFaultsOfThisThread();
        for (final MemorySegment key : keys)
        {
            write(key, 0, WriteRecordDescriptor.OP_DELETE);
        }
        return minorFaultsOfThisThread() - before;
    }

    /** {@code count} distinct keys of partition 0, made before the measurement (their bytes fault nothing later). */
    private MemorySegment[] keysOfPartitionZero(final int from, final int count)
    {
        final MemorySegment[] keys = new MemorySegment[count];
        for (int i = from, n = 0; n < count; i++)
        {
            final byte[] k = ("key-" + i).getBytes(StandardCharsets.US_ASCII);
            if (table.partitionOfHash(Table.keyHash(MemorySegment.ofArray(k), 0, k.length)) == 0)
            {
                keys[n++] = MemorySegment.ofArray(k);
            }
        }
        return keys;
    }

    /** The most forces seen in flight at once, with each force waiting (up to 0.5 s) until all partitions' are in. */
    private int mostForcesAtOnce(final int threads) throws InterruptedException
    {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final CountDownLatch allIn = new CountDownLatch(PARTITIONS);
        final LogSyncer.SyncAction action = (segment, from, to) ->
        {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            allIn.countDown();
            try
            {
                allIn.await(500, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            LogSyncer.MSYNC.force(segment, from, to);
        };
        writeToEveryPartition();
        syncer = new LogSyncer(logs, settings(), action, LogCounters.standalone(PARTITIONS), Throwable::printStackTrace,
            threads);
        assertEquals(threads, syncer.threads());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (logs.stream().anyMatch(log -> log.durableSequence() < log.appendedSequence()))
        {
            assertTrue(System.nanoTime() < deadline, "every appended record becomes durable");
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return most.get();
    }

    @Test
    void shouldSleepWhileIdleAndSyncWhatIsAppendedThen() throws InterruptedException
    {
        syncer = new LogSyncer(logs, settings(), LogSyncer.MSYNC, LogCounters.standalone(PARTITIONS),
            Throwable::printStackTrace, 1);
        final Thread thread = syncer.thread(0);
        awaitParkedOnWakeup(thread, "an idle sync thread sleeps until a writer appends (it spun and yielded before)");
        writeToEveryPartition();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (logs.stream().anyMatch(log -> log.durableSequence() < log.appendedSequence()))
        {
            assertTrue(System.nanoTime() < deadline, "every record appended while it slept becomes durable");
            TimeUnit.MILLISECONDS.sleep(1);
        }
        awaitParkedOnWakeup(thread, "and it sleeps again once they are");
    }

    @Test
    void shouldEndASleepWhenAWriterAppends() throws InterruptedException
    {
        final Thread sleeper = Thread.currentThread();
        final SyncerWakeup wakeup = new SyncerWakeup(sleeper);
        final Thread writer = Thread.ofPlatform().start(() ->
        {
            awaitParkedOnWakeup(sleeper, "the sync thread sleeps");
            wakeup.wakeIfSleeping();
        });
        final long start = System.nanoTime();
        wakeup.sleep(logs, TimeUnit.SECONDS.toNanos(60));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "woken, not timed out");
        writer.join();

        writeToEveryPartition();
        final long before = System.nanoTime();
        wakeup.sleep(logs, TimeUnit.SECONDS.toNanos(60)); // records it has not synced: no sleep at all
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(30), "records waiting: no sleep");
    }

    private static void awaitParkedOnWakeup(final Thread thread, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(java.util.concurrent.locks.LockSupport.getBlocker(thread) instanceof SyncerWakeup))
        {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldIssueThePartitionsSyncsAtTheSameTime() throws InterruptedException
    {
        assertEquals(PARTITIONS, mostForcesAtOnce(PARTITIONS), "all four partitions' syncs in flight together");
    }

    @Test
    void shouldSyncOnePartitionAtATimeWithOneThread() throws InterruptedException
    {
        assertEquals(1, mostForcesAtOnce(1), "one thread: one sync at a time (each but the last waits out the 0.5 s)");
    }

    /** A sync action that leaves its ranges to a flush (as {@link DiskFlush} does), with the flush held by a gate. */
    private static final class GatedFlush implements LogSyncer.SyncAction
    {
        final AtomicInteger forces = new AtomicInteger();
        final AtomicInteger flushes = new AtomicInteger();
        final AtomicInteger forcesBeforeFirstFlush = new AtomicInteger(-1);
        final CountDownLatch gate = new CountDownLatch(1);
        volatile boolean fail;

        @Override
        public void force(final LogSegment segment, final long from, final long to)
        {
            forces.incrementAndGet();
            LogSyncer.MSYNC.force(segment, from, to);
        }

        @Override
        public void flush()
        {
            forcesBeforeFirstFlush.compareAndSet(-1, forces.get());
            try
            {
                gate.await(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (fail)
            {
                throw new IllegalStateException("flush failed (injected)");
            }
            flushes.incrementAndGet();
        }

        @Override
        public boolean flushesPerRound()
        {
            return true;
        }
    }

    @Test
    void shouldWriteEveryPartitionBackOnOneThreadAndPublishNothingBeforeTheRoundsOneFlush() throws InterruptedException
    {
        writeToEveryPartition();
        final GatedFlush action = new GatedFlush();
        syncer = new LogSyncer(logs, settings(), action, LogCounters.standalone(PARTITIONS), Throwable::printStackTrace);
        assertEquals(1, syncer.threads(), "a flush per round: one thread syncs every partition");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (action.forcesBeforeFirstFlush.get() < 0)
        {
            assertTrue(System.nanoTime() < deadline, "the round reaches its flush");
            TimeUnit.MILLISECONDS.sleep(1);
        }
        TimeUnit.MILLISECONDS.sleep(100);
        assertEquals(PARTITIONS, action.forcesBeforeFirstFlush.get(), "every partition written back before the flush");
        for (final PartitionLog log : logs)
        {
            assertEquals(0, log.durableSequence(), "nothing durable while the flush has not returned");
        }
        action.gate.countDown();
        while (logs.stream().anyMatch(log -> log.durableSequence() < log.appendedSequence()))
        {
            assertTrue(System.nanoTime() < deadline, "every appended record becomes durable after the flush");
            TimeUnit.MILLISECONDS.sleep(1);
        }
        assertEquals(1, action.flushes.get(), "one flush for the four partitions");
    }

    @Test
    void shouldFailTheLogsWhoseRecordsAFailedFlushLeftAndPublishThemOnlyOnceAFlushSucceeds() throws InterruptedException
    {
        writeToEveryPartition();
        final GatedFlush action = new GatedFlush();
        action.fail = true;
        action.gate.countDown();
        // copy-on-write: the test streams over it while the syncer thread adds (a synchronized list threw CME)
        final List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        syncer = new LogSyncer(logs, settings(), action, LogCounters.standalone(PARTITIONS), reported::add);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (logs.stream().anyMatch(log -> null == log.failure()))
        {
            assertTrue(System.nanoTime() < deadline, "a failed flush fails every log it left records in");
            TimeUnit.MILLISECONDS.sleep(1);
        }
        assertEquals(PartitionLog.REFUSED_FAILED, logs.get(0).admit(), "writes are refused meanwhile");
        // the syncer fails the logs first and reports after: wait for the report
        while (reported.stream().noneMatch(t -> String.valueOf(t.getMessage()).contains("flush failed (injected)")))
        {
            assertTrue(System.nanoTime() < deadline, "the failure reaches the error log: " + reported);
            TimeUnit.MILLISECONDS.sleep(1);
        }
        for (final PartitionLog log : logs)
        {
            assertEquals(0, log.durableSequence(), "nothing published without a flush that returned");
        }
        action.fail = false;
        while (logs.stream().anyMatch(log -> log.durableSequence() < log.appendedSequence() || null != log.failure()))
        {
            assertTrue(System.nanoTime() < deadline, "the next flush that succeeds publishes them and clears the failure");
            TimeUnit.MILLISECONDS.sleep(1);
        }
        assertEquals(PartitionLog.ADMITTED, logs.get(0).admit());
    }

    @Test
    void shouldFaultInTheWritersNextPagesSoItsAppendsTakeNoPageFault() throws IOException
    {
        final MemorySegment[] warmUp = keysOfPartitionZero(0, 2_000);
        final MemorySegment[][] batches = new MemorySegment[6][];
        for (int b = 0; b < batches.length; b++)
        {
            batches[b] = keysOfPartitionZero((b + 1) * 1_000_000, 8_000);
        }
        for (final MemorySegment key : warmUp)
        {
            write(key, 0);
        }
        for (final MemorySegment[] batch : batches)
        {
            for (final MemorySegment key : batch)
            {
                write(key, 0);
            }
        }
        faultsDeleting(warmUp); // the code paths: not measured
        // the fewest of three batches each: the thread's other faults come in bursts that only add
        final long bytesBefore = logs.get(0).logBytes();
        long without = Long.MAX_VALUE;
        for (int b = 0; b < 3; b++)
        {
            without = Math.min(without, faultsDeleting(batches[b])); // no syncer yet: the writer faults each page
        }
        final long pages = (logs.get(0).logBytes() - bytesBefore) / 3 / 4096;
        syncer = new LogSyncer(logs, settings(), LogSyncer.MSYNC, LogCounters.standalone(PARTITIONS),
            Throwable::printStackTrace, 1);
        long with = Long.MAX_VALUE;
        for (int b = 3; b < 6; b++)
        {
            syncer.syncRound(); // syncs and faults in the next pages (also the thread's own rounds do)
            with = Math.min(with, faultsDeleting(batches[b]));
        }
        System.out.printf("page faults deleting 8000 keys (%d pages of unlink records), fewest of 3: %d without the " +
            "syncer's prefault, %d with%n", pages, without, with);
        assertTrue(pages >= 50, "a batch appended " + pages + " pages of records");
        assertTrue(without >= pages * 3 / 4, "each new page of records faults without prefaulting: " + without);
        assertTrue(with <= pages / 4, "prefaulted, the writer's appends fault (almost) never: " + with + " faults " +
            "against " + without + " without");
    }

    @Test
    void shouldStartOneThreadPerPartitionUpToTheLimitInSyncMode()
    {
        syncer = new LogSyncer(logs, settings(), LogSyncer.MSYNC, LogCounters.standalone(PARTITIONS),
            Throwable::printStackTrace);
        assertEquals(Math.min(PARTITIONS, LogSyncer.MAX_SYNC_THREADS), syncer.threads());
    }
}
