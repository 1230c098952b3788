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
 * The sync threads on real files: in sync mode the partitions' syncs are issued at the same time from several threads
 * (so the filesystem can share one journal commit among them), each partition by one thread; every appended record
 * becomes durable.
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
            logs.add(new PartitionLog(r.partition(), directory, LogTestKit.SEGMENT_BYTES,
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

    /** One write to every partition, appended as its writer does (this thread plays every writer). */
    private void writeToEveryPartition()
    {
        final WriteApplier applier = new WriteApplier(table, new ServerStats(1), 0);
        final MemorySegment record = arena.allocate(4096, 8);
        final WriteReplyEncoder reply = new WriteReplyEncoder(arena.allocate(4096, 8));
        final WriteRecordEncoder encoder = new WriteRecordEncoder();
        final boolean[] written = new boolean[PARTITIONS];
        for (int i = 0, left = PARTITIONS; left > 0; i++)
        {
            final byte[] k = ("key-" + i).getBytes(StandardCharsets.US_ASCII);
            final long hash = Table.keyHash(MemorySegment.ofArray(k), 0, k.length);
            final int partition = table.partitionOfHash(hash);
            if (written[partition])
            {
                continue;
            }
            written[partition] = true;
            left--;
            final PartitionLog log = logs.get(partition);
            assertEquals(PartitionLog.ADMITTED, log.admit());
            final int length = WriteRecordDescriptor.recordLength(k.length, 1);
            encoder.wrap(record, 0, length).opcode(WriteRecordDescriptor.OP_STORE)
                .storeMode(WriteRecordDescriptor.MODE_SET).partition(partition).keyHash(hash)
                .key(MemorySegment.ofArray(k), 0, k.length).value(MemorySegment.ofArray(new byte[] {'v'}), 0, 1);
            applier.apply(record, 0, length, reply);
            log.append(applier);
        }
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
    void shouldIssueThePartitionsSyncsAtTheSameTime() throws InterruptedException
    {
        assertEquals(PARTITIONS, mostForcesAtOnce(PARTITIONS), "all four partitions' syncs in flight together");
    }

    @Test
    void shouldSyncOnePartitionAtATimeWithOneThread() throws InterruptedException
    {
        assertEquals(1, mostForcesAtOnce(1), "one thread: one sync at a time (each but the last waits out the 0.5 s)");
    }

    @Test
    void shouldStartOneThreadPerPartitionUpToTheLimitInSyncMode()
    {
        syncer = new LogSyncer(logs, settings(), LogSyncer.MSYNC, LogCounters.standalone(PARTITIONS),
            Throwable::printStackTrace);
        assertEquals(Math.min(PARTITIONS, LogSyncer.MAX_SYNC_THREADS), syncer.threads());
    }
}
