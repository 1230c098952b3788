package io.wirekv.dataplane.log;

import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.record.WriteReplyDecoder;
import io.wirekv.dataplane.record.WriteReplyDescriptor;
import io.wirekv.dataplane.ring.SpscMessageRing;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.writer.WriterAgent;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
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
 * Group commit through a real {@link WriterAgent}, {@link PartitionLog} and {@link LogSyncer} on real files: in sync
 * mode a reply leaves only after the sync covering its record returned, many writes share one sync, a write that
 * changed nothing does not overtake a held one, and appending allocates nothing.
 */
class GroupCommitTest
{
    private static final int MAX_REPLY = 64 * 1024;

    private final LogTestKit kit = new LogTestKit();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger forces = new AtomicInteger();
    private final List<Long> repliedTickets = new ArrayList<>();
    private final List<Byte> repliedStatuses = new ArrayList<>();
    private Path dir;
    private Table table;
    private DataDirectory directory;
    private PartitionLog log;
    private LogSyncer syncer;
    private WriteRings rings;
    private WriterAgent writer;
    private final WriteRecordEncoder encoder = new WriteRecordEncoder();
    private final WriteReplyDecoder replyDecoder = new WriteReplyDecoder();
    private final MessageHandler onReply = new MessageHandler()
    {
        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            replyDecoder.wrap(rings.reply(0, 0).memory(), index);
            repliedTickets.add(replyDecoder.ticket());
            repliedStatuses.add(replyDecoder.status());
        }
    };

    @BeforeEach
    void setUp() throws IOException
    {
        dir = LogTestKit.freshDir("group-commit");
    }

    private void start(final PersistenceSettings.Mode mode, final LogSyncer.SyncAction action, final long segmentBytes)
    {
        table = kit.newTable();
        final PersistenceSettings settings = new PersistenceSettings(mode, dir, 1000, segmentBytes, false);
        directory = DataDirectory.open(dir);
        final LogRecovery.PartitionResult r =
            LogRecovery.recover(directory, table, settings, SnapshotLoader.NONE).getFirst();
        final LogCounters counters = LogCounters.standalone(1);
        log = new PartitionLog(0, directory, segmentBytes, true, WriteRecordDescriptor.recordLength(250, 128 * 1024),
            counters, r.segment(), r.appendOffset(), r.nextSequence(), r.bytes());
        syncer = new LogSyncer(List.of(log), settings, action, counters, Throwable::printStackTrace);
        rings = new WriteRings(1, 1, MAX_REPLY, MAX_REPLY);
        writer = new WriterAgent(0, table, rings, new WriteApplier(table, new ServerStats(1), 0), MAX_REPLY, null,
            new PartitionLog[] {log}, mode == PersistenceSettings.Mode.SYNC);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        gate.countDown();
        if (null != syncer)
        {
            syncer.close();
            writer.onClose();
            rings.close();
            log.close();
            directory.close();
            table.close();
        }
        kit.close();
        LogTestKit.deleteTree(dir);
    }

    private final byte[] keyBytes = new byte[16];
    private final MemorySegment keySegment = MemorySegment.ofArray(keyBytes);
    private final MemorySegment valueSegment = MemorySegment.ofArray("value-bytes".getBytes(StandardCharsets.US_ASCII));

    /** Puts one write on the reader 0 → writer 0 ring, as a reader would; allocation-free. */
    private void submit(final long ticket, final byte mode, final int keyNumber)
    {
        int n = 0;
        keyBytes[n++] = 'k';
        for (int v = keyNumber; ; v /= 10)
        {
            keyBytes[n++] = (byte)('0' + v % 10);
            if (v < 10)
            {
                break;
            }
        }
        final long hash = Table.keyHash(keySegment, 0, n);
        final int length = WriteRecordDescriptor.recordLength(n, 11);
        final SpscMessageRing request = rings.request(0, 0);
        final int at = request.tryClaim(WriteRings.MSG_WRITE, length);
        assertTrue(at >= 0);
        encoder.wrap(request.memory(), at, length).opcode(WriteRecordDescriptor.OP_STORE).storeMode(mode)
            .partition(table.partitionOfHash(hash)).ticket(ticket).keyHash(hash).key(keySegment, 0, n)
            .value(valueSegment, 0, 11);
        request.commit(at);
    }

    private int drainReplies()
    {
        return rings.reply(0, 0).ring().read(onReply);
    }

    private void workUntil(final java.util.function.BooleanSupplier done) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean())
        {
            writer.doWork();
            drainReplies();
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(0, 100_000);
        }
    }

    private final LogSyncer.SyncAction gatedSync = (segment, from, to) ->
    {
        forces.incrementAndGet();
        try
        {
            gate.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        LogSyncer.MSYNC.force(segment, from, to);
    };

    @Test
    void shouldHoldTheReplyUntilTheSyncCoveringItsRecordReturned() throws InterruptedException
    {
        start(PersistenceSettings.Mode.SYNC, gatedSync, LogTestKit.SEGMENT_BYTES);
        submit(1, WriteRecordDescriptor.MODE_SET, 1);
        writer.doWork();
        assertEquals(1, log.appendedSequence(), "the write was applied and its record appended");
        workUntil(() -> forces.get() >= 1); // the syncer is inside force()
        for (int i = 0; i < 100; i++)
        {
            writer.doWork();
            drainReplies();
        }
        assertTrue(repliedTickets.isEmpty(), "no reply while the sync has not returned");
        assertEquals(0, log.durableSequence());
        gate.countDown();
        workUntil(() -> !repliedTickets.isEmpty());
        assertEquals(List.of(1L), repliedTickets);
        assertEquals(1, log.durableSequence());
    }

    @Test
    void shouldShareOneSyncAmongManyWritesAndKeepTheirOrder() throws InterruptedException
    {
        start(PersistenceSettings.Mode.SYNC, gatedSync, LogTestKit.SEGMENT_BYTES);
        submit(1, WriteRecordDescriptor.MODE_SET, 0);
        writer.doWork();
        workUntil(() -> forces.get() >= 1);
        final int burst = 50;
        for (int i = 2; i <= burst; i++)
        {
            submit(i, WriteRecordDescriptor.MODE_SET, i);
        }
        submit(burst + 1, WriteRecordDescriptor.MODE_ADD, 2); // NOT_STORED: logs nothing, must not overtake
        workUntil(() -> log.appendedSequence() == burst);
        assertTrue(repliedTickets.isEmpty(), "the not-stored reply waits behind the held ones");
        gate.countDown();
        workUntil(() -> repliedTickets.size() == burst + 1);
        final List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= burst + 1; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, repliedTickets, "replies in request order");
        assertEquals(WriteReplyDescriptor.STATUS_NOT_STORED, (byte)repliedStatuses.getLast());
        assertTrue(forces.get() < burst / 5, forces.get() + " syncs for " + burst + " writes");
        System.out.println(forces.get() + " syncs for " + burst + " writes");
    }

    @Test
    void shouldRollIntoASpareTheSyncerMadeAheadAndRecoverAcrossTheRoll() throws Exception
    {
        start(PersistenceSettings.Mode.SYNC, LogSyncer.MSYNC, LogTestKit.SEGMENT_BYTES);
        final Path partitionDir = dir.resolve("log").resolve("p0");
        long ticket = 0;
        while (spares(partitionDir) == 0)
        {
            for (int i = 0; i < 200; i++)
            {
                submit(++ticket, WriteRecordDescriptor.MODE_SET, (int)ticket);
            }
            final long submitted = ticket;
            workUntil(() -> repliedTickets.size() == submitted);
            assertTrue(ticket < 10_000, "the syncer makes a spare once the segment is half full");
        }
        final long beforeRoll = ticket;
        while (segments(partitionDir) < 2)
        {
            for (int i = 0; i < 200; i++)
            {
                submit(++ticket, WriteRecordDescriptor.MODE_SET, (int)ticket);
            }
            final long submitted = ticket;
            workUntil(() -> repliedTickets.size() == submitted);
            assertTrue(ticket < beforeRoll + 10_000);
        }
        assertEquals(0, spares(partitionDir), "the roll renamed the spare into the next segment");
        syncer.close();
        writer.onClose();
        rings.close();
        log.close();
        directory.close();
        table.close();
        syncer = null;
        try (LogTestKit.Recovered r = kit.recover(dir, false))
        {
            assertEquals(ticket, r.report().records(), r.report().describe());
            // submit() writes the key's digits least significant first
            assertEquals("value-bytes", r.get("k" + new StringBuilder(Long.toString(ticket)).reverse()));
            assertEquals("value-bytes", r.get("k1"));
        }
    }

    private static long spares(final Path partitionDir) throws IOException
    {
        try (var files = java.nio.file.Files.list(partitionDir))
        {
            return files.filter(p -> p.getFileName().toString().startsWith("spare-")).count();
        }
    }

    private static long segments(final Path partitionDir) throws IOException
    {
        try (var files = java.nio.file.Files.list(partitionDir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).count();
        }
    }

    @Test
    void shouldReplyAtOnceInAsyncMode() throws InterruptedException
    {
        start(PersistenceSettings.Mode.ASYNC, gatedSync, LogTestKit.SEGMENT_BYTES);
        submit(7, WriteRecordDescriptor.MODE_SET, 7);
        writer.doWork();
        drainReplies();
        assertEquals(List.of(7L), repliedTickets, "async: the reply does not wait for the sync");
        assertEquals(1, log.appendedSequence());
    }

    @Test
    void shouldAdmitApplyAndAppendWithoutAllocating()
    {
        start(PersistenceSettings.Mode.SYNC, LogSyncer.MSYNC, 64L << 20);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final WriteApplier applier = new WriteApplier(table, new ServerStats(1), 0);
        final MemorySegment records = kit.arena.allocate(500 * 128L, 8);
        final int[] lengths = new int[500];
        for (int k = 0; k < 500; k++)
        {
            final byte[] key = ("key" + k).getBytes(StandardCharsets.US_ASCII);
            final long hash = Table.keyHash(MemorySegment.ofArray(key), 0, key.length);
            lengths[k] = WriteRecordDescriptor.recordLength(key.length, 11);
            encoder.wrap(records, k * 128L, lengths[k]).opcode(WriteRecordDescriptor.OP_STORE)
                .storeMode(WriteRecordDescriptor.MODE_SET).partition(0).keyHash(hash)
                .key(MemorySegment.ofArray(key), 0, key.length).value(valueSegment, 0, 11);
        }
        long sequence = 0;
        for (int i = 0; i < 100_000; i++) // warm up: until the JIT has settled (it allocates while it compiles)
        {
            sequence = appendOne(applier, records, lengths, i % 500);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            sequence = appendOne(applier, records, lengths, i % 500);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(0, allocated, "bytes allocated by 100,000 admit + apply + append on the writer thread");
        assertEquals(200_000, sequence);
    }

    private long appendOne(final WriteApplier applier, final MemorySegment records, final int[] lengths, final int k)
    {
        if (log.admit() != PartitionLog.ADMITTED)
        {
            return -1;
        }
        applier.apply(records, k * 128L, lengths[k], kit.reply);
        return log.append(applier);
    }

    @Test
    void shouldHoldAndReleaseRepliesWithoutAllocatingPerWrite() throws InterruptedException
    {
        start(PersistenceSettings.Mode.SYNC, LogSyncer.MSYNC, 64L << 20);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 2_000; i++) // warm up: JIT, the rings' first laps
        {
            submit(i, WriteRecordDescriptor.MODE_SET, i % 500);
            writer.doWork();
        }
        workUntil(() -> repliedTickets.size() == 2_000);
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++)
        {
            submit(i, WriteRecordDescriptor.MODE_SET, i % 500);
            writer.doWork();
            rings.reply(0, 0).ring().read(countOnly);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // The writer's once-a-millisecond housekeeping allocates a few hundred bytes with or without a log (1,360 B
        // measured here without one); one object per write would be 320,000 B.
        assertTrue(allocated < 20_000, allocated + " bytes allocated by 20,000 held and released writes");
        assertTrue(log.appendedSequence() >= 22_000);
    }

    private final MessageHandler countOnly = (msgTypeId, buffer, index, length) ->
    {
    };
}
