package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.CachedEpochClock;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives {@link RequestProcessor} and {@link WriteApplier} on one thread over the real {@link Table}:
 * a synchronous forwarder applies each write record on the partition's writer at commit and the driver
 * resumes the parked session with its binary reply, as the dataplane's writer threads would.
 */
final class ProtoHarness implements AutoCloseable
{
    static final long NOW_SECONDS = 1_700_000_000L;

    final CachedEpochClock clock = new CachedEpochClock();
    final Table table;
    final ProtocolSettings settings;
    final ServerStats stats = new ServerStats(2);
    final WriteApplier applier;
    final RequestProcessor processor;
    final QsbrReader reader;
    final Arena arena = Arena.ofConfined();
    final MemorySegment recordMemory;
    final WriteReplyEncoder writerReply;
    final MemorySegment input;
    final ReplyBuffer reply;
    final RequestSession session;

    /** Set by the forwarder, consumed by the driver. */
    boolean pending;
    int forwardedPartition = -1;
    /** When > 0, that many forward calls fail first (ring full). */
    int rejectForwards;
    int forwards;
    /** The last committed record's length (it sits at offset 8 of {@link #recordMemory}). */
    int lastRecordLength;
    /** Every write's effect record, sealed one after another as a partition log would hold them (any partition). */
    final MemorySegment effects;
    final io.wirekv.dataplane.record.RecordFrames effectFrames = new io.wirekv.dataplane.record.RecordFrames();
    long effectsEnd;
    long effectSequence;
    /** Set when a long run filled {@link #effects} and it started over (replay tests must not get there). */
    boolean effectsWrapped;

    ProtoHarness(final int replyCapacity)
    {
        this(replyCapacity, 64 * 1024);
    }

    ProtoHarness(final int replyCapacity, final int itemSizeMax)
    {
        this(replyCapacity, new ProtocolSettings(itemSizeMax, 1400, "1.6.18"));
    }

    /** A harness whose processor sees these settings (server facts, the shutdown command). */
    ProtoHarness(final int replyCapacity, final ProtocolSettings settings)
    {
        this(replyCapacity, settings, 4, MemoryMode.STORE, 32L << 20);
    }

    /** A harness over a table of these partitions, mode and budget (cache mode evicts). */
    ProtoHarness(
        final int replyCapacity, final ProtocolSettings settings, final int partitions, final MemoryMode mode,
        final long memory)
    {
        final int itemSizeMax = settings.itemSizeMaxBytes();
        clock.update(NOW_SECONDS * 1000);
        table = new Table(new TableConfig(partitions, memory, mode, Math.max(1024, itemSizeMax), false), clock);
        this.settings = settings;
        applier = new WriteApplier(table, stats, 1);
        recordMemory = arena.allocate(itemSizeMax + 64 * 1024, 8);
        writerReply = new WriteReplyEncoder(arena.allocate(itemSizeMax + 64 * 1024, 8));
        processor = new RequestProcessor(table, settings, stats, new SynchronousForwarder(), 0);
        reader = table.registerReader("test");
        input = arena.allocate(4 * 1024 * 1024);
        reply = new ReplyBuffer(arena.allocate(replyCapacity));
        session = new RequestSession(42, reply);
        effects = arena.allocate(8L << 20, 8);
        effectFrames.wrap(effects);
    }

    /** What a writer does at the end of each duty cycle: the cycle's retired memory gets its epoch tag. */
    private void endWriterCycle()
    {
        for (int p = 0; p < table.partitionCount(); p++)
        {
            table.writer(p).sealRetired();
        }
    }

    /** The effect of the write just applied, appended to {@link #effects} as the writer appends it to a log. */
    private void logEffect()
    {
        if (applier.lastEffect() != WriteApplier.EFFECT_NONE)
        {
            if (effectsEnd + applier.maxEffectLength() + 8 > effects.byteSize())
            {
                effectsEnd = 0; // the allocation tests run long; the records are written all the same
                effectsWrapped = true;
            }
            applier.encodeEffect(effects, effectsEnd);
            effectsEnd += effectFrames.seal(effectsEnd, ++effectSequence);
        }
    }

    /**
     * Pipelined mode ({@link #pipelined}): committed records wait in this queue, not yet applied, until
     * {@link #deliverQueued} applies them as two writers would (odd partitions' writer answers first) and
     * resumes the session with each reply. A read the processor did not hold back would miss them.
     */
    private boolean queued;
    private int queueLimit;
    private final MemorySegment queueMemory = arena.allocate(8L << 20, 8);
    private long queueBump;
    private final int[] queuedOffset = new int[4096];
    private final int[] queuedLength = new int[4096];
    private final int[] queuedPartition = new int[4096];
    int queuedCount;
    /** Queued records not yet applied: the ring's fill. */
    private int liveRecords;
    private final MemorySegment replyMemory = arena.allocate(8L << 20, 8);
    private final long[] replyOffset = new long[4096];
    private final int[] replyLength = new int[4096];

    /**
     * Turns the harness into a pipelining TCP reader: the session keeps up to {@code depth} writes in flight,
     * and the "ring" takes at most {@code ringRecords} records before it is full (BACKPRESSURE).
     */
    ProtoHarness pipelined(final int depth, final int ringRecords)
    {
        session.enablePipelining(depth);
        queued = true;
        queueLimit = ringRecords;
        return this;
    }

    /**
     * Applies every queued record in ring order (so CAS values come out as a parking session's do), then resumes
     * the session with the replies as two writers would deliver them: the odd partitions' writer first, each
     * writer's in ring order. Returns the status of the last resume (DONE if there was nothing).
     */
    int deliverQueued(final RequestSession s)
    {
        final int n = queuedCount;
        long replyAt = 0;
        for (int i = 0; i < n; i++)
        {
            applier.apply(queueMemory, queuedOffset[i], queuedLength[i], writerReply);
            logEffect();
            replyOffset[i] = replyAt;
            replyLength[i] = writerReply.length();
            MemorySegment.copy(writerReply.buffer(), 0, replyMemory, replyAt, writerReply.length());
            replyAt += (writerReply.length() + 7) & ~7;
        }
        endWriterCycle();
        int status = RequestProcessor.DONE;
        for (int pass = 1; pass >= 0; pass--)
        {
            for (int i = 0; i < n; i++)
            {
                if ((queuedPartition[i] & 1) == pass)
                {
                    queuedLength[i] = 0; // done; a resume below may queue more behind
                    liveRecords--;
                    status = processor.resume(s, replyMemory, replyOffset[i], replyLength[i]);
                }
            }
        }
        int kept = 0;
        for (int i = 0; i < queuedCount; i++)
        {
            if (queuedLength[i] > 0)
            {
                queuedOffset[kept] = queuedOffset[i];
                queuedLength[kept] = queuedLength[i];
                queuedPartition[kept] = queuedPartition[i];
                kept++;
            }
        }
        queuedCount = kept;
        if (0 == kept)
        {
            queueBump = 0;
        }
        return status;
    }

    /** A ring of one record: the write is applied when it is committed (or queued, in pipelined mode). */
    private final class SynchronousForwarder implements WriteForwarder
    {
        private int claimedLength;

        @Override
        public int claim(final int partition, final int length)
        {
            if (rejectForwards > 0)
            {
                rejectForwards--;
                return -1;
            }
            forwardedPartition = partition;
            claimedLength = length;
            if (queued)
            {
                if (liveRecords >= queueLimit || queueBump + length > queueMemory.byteSize())
                {
                    return -1;
                }
                return (int)queueBump;
            }
            return 8; // not at 0, so that a decoder ignoring the offset would be caught
        }

        @Override
        public MemorySegment memory()
        {
            return queued ? queueMemory : recordMemory;
        }

        @Override
        public void commit(final int offset)
        {
            forwards++;
            lastRecordLength = claimedLength;
            if (queued)
            {
                queuedOffset[queuedCount] = offset;
                queuedLength[queuedCount] = claimedLength;
                queuedPartition[queuedCount] = forwardedPartition;
                queuedCount++;
                liveRecords++;
                queueBump += (claimedLength + 7) & ~7;
                return;
            }
            applier.apply(recordMemory, offset, claimedLength, writerReply);
            logEffect();
            endWriterCycle();
            pending = true;
        }
    }

    int resumePending(final RequestSession s)
    {
        pending = false;
        return processor.resume(s, writerReply.buffer(), 0, writerReply.length());
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String str(final byte[] b)
    {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** TCP: feeds {@code data} in chunks of {@code chunk} bytes, as a stream; returns everything sent back. */
    String tcp(final byte[] data, final int chunk)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        session.reset();
        reply.resetStream();
        long filled = 0;
        long start = 0;
        int fed = 0;
        int lastResult = RequestProcessor.DONE;
        while (true)
        {
            if (fed < data.length)
            {
                final int n = Math.min(chunk, data.length - fed);
                MemorySegment.copy(data, fed, input, ValueLayout.JAVA_BYTE, filled, n);
                filled += n;
                fed += n;
            }
            session.wrapInput(input, start, filled, false);
            int r = processor.process(session);
            while (true)
            {
                if (queued && queuedCount > 0 && r != RequestProcessor.OUTPUT_FULL)
                {
                    r = deliverQueued(session); // the writers answer what the reader sent (or parked on)
                    continue;
                }
                if (r == RequestProcessor.PARKED)
                {
                    if (queued)
                    {
                        throw new IllegalStateException("parked with nothing in flight");
                    }
                    r = resumePending(session);
                    continue;
                }
                if (r == RequestProcessor.OUTPUT_FULL)
                {
                    drain(out);
                    r = processor.process(session);
                    continue;
                }
                if (r == RequestProcessor.BACKPRESSURE)
                {
                    r = processor.process(session);
                    continue;
                }
                break;
            }
            lastResult = r;
            start = session.inputPosition();
            drain(out);
            if (r == RequestProcessor.CLOSE)
            {
                out.writeBytes(bytes("<CLOSE>"));
                break;
            }
            if (fed >= data.length)
            {
                break;
            }
        }
        reader.quiescent();
        return str(out.toByteArray());
    }

    String tcp(final String data)
    {
        return tcp(bytes(data), Integer.MAX_VALUE);
    }

    private void drain(final ByteArrayOutputStream out)
    {
        final int n = reply.length();
        final byte[] b = new byte[n];
        MemorySegment.copy(reply.memory(), ValueLayout.JAVA_BYTE, 0, b, 0, n);
        out.writeBytes(b);
        reply.resetStream();
    }

    /** UDP: one request datagram (payload after the frame header); returns the reply datagrams, headers included. */
    List<byte[]> udp(final byte[] payload, final int requestId)
    {
        final List<byte[]> datagrams = new ArrayList<>();
        final int length = UdpFrame.HEADER_LENGTH + payload.length;
        input.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0, (short)requestId);
        input.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 2, (short)0);
        input.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 4, (short)1);
        input.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 6, (short)0);
        MemorySegment.copy(payload, 0, input, ValueLayout.JAVA_BYTE, UdpFrame.HEADER_LENGTH, payload.length);
        if (!UdpFrame.isValidRequest(input, 0, length))
        {
            return datagrams;
        }
        session.reset();
        session.wrapInput(input, UdpFrame.HEADER_LENGTH, length, true);
        reply.resetDatagrams(settings.udpMaxPayloadBytes());
        int r = processor.process(session);
        while (true)
        {
            if (r == RequestProcessor.PARKED)
            {
                r = resumePending(session);
            }
            else if (r == RequestProcessor.OUTPUT_FULL)
            {
                collect(datagrams, UdpFrame.requestId(input, 0));
                reply.resetDatagrams(settings.udpMaxPayloadBytes());
                r = processor.process(session);
            }
            else
            {
                break;
            }
        }
        collect(datagrams, UdpFrame.requestId(input, 0));
        reader.quiescent();
        return datagrams;
    }

    private void collect(final List<byte[]> datagrams, final int requestId)
    {
        final int n = reply.finishDatagrams(requestId);
        for (int i = 0; i < n; i++)
        {
            final byte[] b = new byte[reply.datagramLength(i)];
            MemorySegment.copy(reply.memory(), ValueLayout.JAVA_BYTE, reply.datagramOffset(i), b, 0, b.length);
            datagrams.add(b);
        }
    }

    void advanceSeconds(final long seconds)
    {
        clock.update(clock.time() + seconds * 1000);
    }

    @Override
    public void close()
    {
        reader.close();
        table.close();
        arena.close();
    }
}
