package io.wirekv.dataplane.log;

import io.wirekv.dataplane.proto.ProtocolSettings;
import io.wirekv.dataplane.proto.ReplyBuffer;
import io.wirekv.dataplane.proto.RequestProcessor;
import io.wirekv.dataplane.proto.RequestSession;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.ring.ReaderRingEndpoint;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.writer.WriterAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Persistence sync with a pipelining reader session (the real {@link RequestProcessor} on a
 * {@link ReaderRingEndpoint}, a real {@link WriterAgent}, {@link PartitionLog} and {@link LogSyncer} on real
 * files): the session's many writes are all in flight at once and share syncs, yet not one reply reaches the
 * session's output before the sync covering its record returned, and a read after them waits for all of them.
 */
class PipelinedGroupCommitTest
{
    private static final int MAX_REPLY = 64 * 1024;

    private final LogTestKit kit = new LogTestKit();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger forces = new AtomicInteger();
    private final Arena arena = Arena.ofConfined();
    private Path dir;
    private Table table;
    private DataDirectory directory;
    private PartitionLog log;
    private LogSyncer syncer;
    private WriteRings rings;
    private WriterAgent writer;
    private RequestProcessor processor;
    private RequestSession session;
    private ReaderRingEndpoint endpoint;
    private int lastStatus;

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

    private void start() throws IOException
    {
        dir = LogTestKit.freshDir("pipelined-group-commit");
        table = kit.newTable();
        final PersistenceSettings settings =
            new PersistenceSettings(PersistenceSettings.Mode.SYNC, dir, 1000, LogTestKit.SEGMENT_BYTES, false);
        directory = DataDirectory.open(dir);
        final LogRecovery.PartitionResult r =
            LogRecovery.recover(directory, table, settings, SnapshotLoader.NONE).getFirst();
        final LogCounters counters = LogCounters.standalone(1);
        log = new PartitionLog(0, directory, LogTestKit.SEGMENT_BYTES, true,
            WriteRecordDescriptor.recordLength(250, 128 * 1024),
            counters, r.segment(), r.appendOffset(), r.nextSequence(), r.bytes());
        syncer = new LogSyncer(List.of(log), settings, gatedSync, counters, Throwable::printStackTrace);
        rings = new WriteRings(1, 1, MAX_REPLY, MAX_REPLY);
        writer = new WriterAgent(0, table, rings, new WriteApplier(table, new ServerStats(1), 0), MAX_REPLY, null,
            new PartitionLog[] {log}, true);
        endpoint = new ReaderRingEndpoint(0, rings,
            (ticket, memory, offset, length) -> lastStatus = processor.resume(session, memory, offset, length));
        processor = new RequestProcessor(table, new ProtocolSettings(128 * 1024, 1400, "1.6.18"), new ServerStats(1),
            endpoint, 0);
        session = new RequestSession(3, new ReplyBuffer(arena.allocate(1 << 20)));
        session.enablePipelining(64);
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
        arena.close();
        kit.close();
        if (null != dir)
        {
            LogTestKit.deleteTree(dir);
        }
    }

    private String output()
    {
        final byte[] b = new byte[session.reply().length()];
        MemorySegment.copy(session.reply().memory(), ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private void cycle()
    {
        writer.doWork();
        endpoint.drainReplies();
    }

    @Test
    void shouldReleaseNoPipelinedReplyBeforeItsRecordIsDurable() throws Exception
    {
        start();
        final int writes = 40;
        final StringBuilder in = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < writes; i++)
        {
            in.append("set k").append(i).append(" 0 0 2").append(i % 4 == 0 ? " noreply" : "").append("\r\nv")
                .append(i % 10).append("\r\n");
            expected.append(i % 4 == 0 ? "" : "STORED\r\n");
        }
        in.append("get k7\r\n");
        expected.append("VALUE k7 0 2\r\nv7\r\nEND\r\n");
        final byte[] bytes = in.toString().getBytes(StandardCharsets.US_ASCII);
        final MemorySegment input = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, input, ValueLayout.JAVA_BYTE, 0, bytes.length);
        session.wrapInput(input, 0, bytes.length, false);

        assertEquals(RequestProcessor.PARKED, processor.process(session), "the get waits behind the writes");
        assertEquals(writes, session.writesInFlight(), "every write is on the ring before any is answered");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.appendedSequence() < writes || forces.get() == 0)
        {
            cycle();
            assertTrue(System.nanoTime() < deadline, "timed out");
        }
        for (int i = 0; i < 200; i++)
        {
            cycle();
        }
        assertEquals("", output(), "no reply while the sync covering it has not returned");
        assertEquals(writes, session.writesInFlight());
        gate.countDown();
        while (session.writesInFlight() > 0 || lastStatus != RequestProcessor.DONE)
        {
            cycle();
            Thread.sleep(0, 100_000);
            assertTrue(System.nanoTime() < deadline, "timed out: " + output());
        }
        assertEquals(expected.toString(), output());
        assertEquals(writes, log.durableSequence());
        assertTrue(forces.get() < writes / 4, forces.get() + " syncs for " + writes + " pipelined writes");
    }
}
