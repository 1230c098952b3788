package io.wirekv.dataplane.lcore;

import io.wirekv.dataplane.latency.RequestLatency;
import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import io.wirekv.dataplane.guard.SourceReplyRate;
import io.wirekv.dataplane.guard.UdpGuard;
import io.wirekv.dataplane.port.DatagramBatch;
import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.proto.BurstLookahead;
import io.wirekv.dataplane.proto.ProtocolSettings;
import io.wirekv.dataplane.proto.RequestProcessor;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.UdpFrame;
import io.wirekv.dataplane.ring.ReaderRingEndpoint;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import io.wirekv.nativebindings.HotMemory;
import org.agrona.collections.IntArrayQueue;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An lcore serving memcached over UDP: a pinned thread that owns one port (a kernel socket, or a queue
 * of a kernel-bypass device) and runs the
 * duty cycle
 * <ol>
 *   <li>deliver writers' replies to the datagrams waiting for them (and send those replies),</li>
 *   <li>retry datagrams whose write found its ring full,</li>
 *   <li>receive a burst into free slots; drop and count datagrams from sources outside
 *       {@code udp.allow} and frames that are not single-datagram requests; answer reads from the
 *       table; forward writes and keep their slot,</li>
 *   <li>send the burst of replies, then report QSBR quiescence.</li>
 * </ol>
 * Every reply passes the {@link UdpGuard}: to a source that has not shown it receives replies, a reply
 * larger than the guard's factor times the request is replaced by {@link #CAPPED_REPLY} (or dropped when
 * even that does not fit) and counted.
 * The hot path allocates nothing, takes no lock, logs nothing and throws nothing: failures are
 * counted.
 */
public final class UdpLcoreAgent implements Agent
{
    public static final int NO_CPU = -1;

    /** A slot's reply area beyond the largest value: room for its reply line and the other replies of the datagram. */
    private static final int REPLY_HEADROOM_BYTES = 64 * 1024;

    /** What an unvalidated source gets instead of a reply over its budget (memcached's error form). */
    public static final byte[] CAPPED_REPLY =
        "SERVER_ERROR reply too large for an unvalidated source\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final CncMetric[] LCORE_METRICS = {
        CncMetric.MALFORMED_FRAMES, CncMetric.UDP_DROPPED_NOT_ALLOWED, CncMetric.UDP_REPLIES_CAPPED,
        CncMetric.UDP_REPLIES_RATE_LIMITED};

    private final int index;
    private final int cpu;
    private final Table table;
    private final PacketPort port;
    private final RequestProcessor processor;
    private final ReaderRingEndpoint rings;
    private final int maxPayloadBytes;
    private final Arena arena = Arena.ofShared();
    private final UdpSlot[] slots;
    private final IntArrayQueue freeSlots;
    private final IntArrayQueue backpressured;
    private final DatagramBatch rx;
    private final DatagramBatch tx;
    /** rxSlot[i] is the slot whose input buffer rx position i points at; -1 when unassigned. */
    private final int[] rxSlot;
    /** Slots whose reply datagrams sit in the tx batch; freed once it has been sent. */
    private final int[] sentSlots;
    private int sentSlotCount;
    /** Colocated: replies leave after the writers' turn ({@link #sendWriterReplies}). */
    private boolean sendsAfterWriters;
    private QsbrReader qsbr;

    /** This lcore's counters: registry slots written only by this lcore (opaque), read by the CnC file's readers. */
    private final AtomicBuffer counterValues;
    private final int malformedFramesOffset;
    private final int droppedNotAllowedOffset;
    private final int repliesCappedOffset;
    private final int repliesRateLimitedOffset;
    private final UdpGuard guard;
    /** memcached's bytes_read/bytes_written, counted once per burst in this lcore's slot (its index). */
    private final ServerStats stats;
    private long bytesHandedToPort;
    /** Reply bytes per unvalidated source, or null without a rate limit; this lcore's own. */
    private final SourceReplyRate replyRate;
    /** Recorded only by this lcore when a reply leaves; read by the metrics exporter. */
    private final RequestLatency latency = new RequestLatency();

    public UdpLcoreAgent(
        final int index, final PacketPort port, final int cpu, final UdpLcoreSettings lcoreSettings, final Table table,
        final ProtocolSettings settings, final ServerStats stats, final WriteRings writeRings,
        final CounterRegistry counters, final UdpGuard guard)
    {
        this.index = index;
        this.guard = guard;
        this.counterValues = counters.values();
        this.malformedFramesOffset = counters.allocate(LCORE_METRICS, index, CounterRegistryDescriptor.NONE, 1);
        this.droppedNotAllowedOffset = malformedFramesOffset + Long.BYTES; // allocate places a group's slots in order
        this.repliesCappedOffset = malformedFramesOffset + 2 * Long.BYTES;
        this.repliesRateLimitedOffset = malformedFramesOffset + 3 * Long.BYTES;
        this.replyRate = guard.newReplyRate();
        this.cpu = cpu;
        this.table = table;
        this.maxPayloadBytes = lcoreSettings.udpMaxPayloadBytes();
        this.port = port;
        this.rings = new ReaderRingEndpoint(index, writeRings, this::onReply);
        this.processor = new RequestProcessor(table, settings, stats, rings, index); // reader index = stats slot
        this.stats = stats;

        final int burst = lcoreSettings.burstSize();
        final int slotCount = Math.max(lcoreSettings.slots(), 2 * burst);
        final long replyBytes = lcoreSettings.itemSizeMaxBytes() + REPLY_HEADROOM_BYTES;
        final long slotBytes = UdpSlot.INPUT_BYTES + replyBytes;
        // unchecked: the arena is closed only after this agent has stopped (onClose)
        final MemorySegment memory = HotMemory.allocate(arena, slotBytes * slotCount, 4096);
        this.slots = new UdpSlot[slotCount];
        this.freeSlots = new IntArrayQueue(slotCount, IntArrayQueue.DEFAULT_NULL_VALUE);
        this.backpressured = new IntArrayQueue(slotCount, IntArrayQueue.DEFAULT_NULL_VALUE);
        for (int i = 0; i < slotCount; i++)
        {
            slots[i] = new UdpSlot(i, memory.asSlice(i * slotBytes, slotBytes));
            freeSlots.addInt(i);
        }
        this.rx = new DatagramBatch(burst);
        this.tx = new DatagramBatch(burst);
        this.rxSlot = new int[burst];
        this.sentSlots = new int[slotCount];
        for (int i = 0; i < burst; i++)
        {
            assignReceiveSlot(i);
        }
    }

    /** Counters one lcore registers itself (its port's and stack's are the port's). */
    public static int counterCount()
    {
        return LCORE_METRICS.length;
    }

    /** Bytes of value blocks one lcore allocates itself. */
    public static int valuesBytes()
    {
        return CounterRegistryDescriptor.blockLength(LCORE_METRICS.length);
    }

    public int index()
    {
        return index;
    }

    public int port()
    {
        return port.localPort();
    }

    /** The port this lcore owns (its counters may be read from any thread). */
    public PacketPort packetPort()
    {
        return port;
    }

    /** Frames dropped because they were not a single-datagram request (bad header, truncated). */
    public long malformedFrames()
    {
        // opaque: pairs with addLongOpaque in doWork
        return counterValues.getLongOpaque(malformedFramesOffset);
    }

    /** Datagrams dropped because their source is outside {@code udp.allow}. */
    public long droppedNotAllowed()
    {
        // opaque: pairs with addLongOpaque in receive
        return counterValues.getLongOpaque(droppedNotAllowedOffset);
    }

    /** Replies to unvalidated sources dropped because their source was over its reply rate. */
    public long repliesRateLimited()
    {
        return counterValues.getLongOpaque(repliesRateLimitedOffset); // opaque: pairs with addLongOpaque in addDatagrams
    }

    /** Replies to unvalidated sources replaced or dropped because they exceeded the guard's budget. */
    public long repliesCapped()
    {
        // opaque: pairs with addLongOpaque in addDatagrams
        return counterValues.getLongOpaque(repliesCappedOffset);
    }

    /** This lcore's request latency histograms (read them from any thread). */
    public RequestLatency latency()
    {
        return latency;
    }

    public String describe()
    {
        return port.describe() + (NO_CPU == cpu ? ", not pinned" : ", pinned to cpu " + cpu) +
            ", " + slots.length + " slots";
    }

    @Override
    public void onStart()
    {
        if (NO_CPU != cpu)
        {
            Affinity.pinCurrentThread(cpu);
        }
        port.attachThread();
        qsbr = table.registerReader(roleName());
    }

    @Override
    public int doWork()
    {
        int work = rings.drainReplies();
        for (int i = backpressured.size(); i > 0; i--)
        {
            final UdpSlot slot = slots[backpressured.pollInt()];
            complete(slot, processor.process(slot.session));
            work++;
        }
        work += receive();
        if (sentSlotCount > 0 && !sendsAfterWriters)
        {
            sendReplies(); // also frees slots whose reply was empty (noreply)
        }
        qsbr.quiescent(); // no ItemView is held past this point
        return work;
    }

    /**
     * Colocated (the writers run on this thread after this agent's turn): from now on the duty cycle's replies leave
     * in {@link #sendWriterReplies}, after the writers' turn, rather than at the end of this agent's. Call before
     * the thread starts.
     */
    public void sendAfterWriters()
    {
        sendsAfterWriters = true;
    }

    /**
     * The second half of a colocated duty cycle, after the writers' turn: takes the replies the writers just made
     * and sends them with the reads' replies of the same cycle, in one burst, instead of holding a write's reply
     * until the next cycle has polled the port again. Resuming a parked request may read the table (a multi-key gat,
     * the rest of a pipelined datagram), so this half ends quiescent too.
     *
     * @return replies taken from the writers.
     */
    public int sendWriterReplies()
    {
        final int work = rings.drainReplies();
        if (sentSlotCount > 0)
        {
            sendReplies();
        }
        qsbr.quiescent();
        return work;
    }

    @Override
    public void onClose()
    {
        if (null != qsbr)
        {
            qsbr.close();
            port.detachThread(); // attached in onStart, which ran when qsbr is set
        }
        port.close();
        rx.close();
        tx.close();
        arena.close();
    }

    @Override
    public String roleName()
    {
        return "wirekv-lcore-" + index;
    }

    private int receive()
    {
        // Every rx position needs a slot to receive into; with too few free slots, wait for writers.
        for (int i = 0; i < rxSlot.length; i++)
        {
            if (rxSlot[i] < 0 && !assignReceiveSlot(i))
            {
                return 0;
            }
        }
        final int received = port.receive(rx);
        final long receivedNs = received > 0 ? System.nanoTime() : 0; // once per burst
        if (received > 1)
        {
            loadAheadGets(received);
        }
        long bytesRead = 0;
        for (int i = 0; i < received; i++)
        {
            final UdpSlot slot = slots[rxSlot[i]];
            rxSlot[i] = -1;
            final int length = rx.length(i);
            bytesRead += length;
            if (!guard.allows(rx.peerAddress(i)))
            {
                counterValues.addLongOpaque(droppedNotAllowedOffset, 1); // opaque; single writer
                release(slot);
                continue;
            }
            if (rx.truncated(i) || !UdpFrame.isValidRequest(slot.input, 0, length))
            {
                counterValues.addLongOpaque(malformedFramesOffset, 1); // opaque; single writer
                release(slot);
                continue;
            }
            slot.requestId = UdpFrame.requestId(slot.input, 0);
            slot.peerAddress = rx.peerAddress(i);
            slot.peerPort = rx.peerPort(i);
            slot.peerLink = rx.peerLink(i);
            slot.receivedNs = receivedNs;
            slot.wroteThroughWriter = false;
            slot.replyBudgetBytes = guard.unvalidatedBudgetBytes(length);
            slot.repliedBytes = 0;
            slot.validated = false;
            slot.capped = false;
            slot.reply.resetDatagrams(maxPayloadBytes);
            slot.session.wrapInput(slot.input, UdpFrame.HEADER_LENGTH, length, true);
            complete(slot, processor.process(slot.session));
        }
        if (received > 0)
        {
            stats.add(index, ServerStats.BYTES_READ, bytesRead);
        }
        return received;
    }

    /** The burst's gets' keys: their cache misses overlap instead of costing each request two in turn. */
    private void loadAheadGets(final int received)
    {
        final BurstLookahead lookahead = processor.burstLookahead();
        if (lookahead.begin())
        {
            for (int i = 0; i < received; i++)
            {
                final int length = rx.length(i);
                if (length > UdpFrame.HEADER_LENGTH && !rx.truncated(i))
                {
                    final MemorySegment input = slots[rxSlot[i]].input;
                    lookahead.addRequest(input, UdpFrame.HEADER_LENGTH, length - UdpFrame.HEADER_LENGTH);
                }
            }
            lookahead.load();
        }
    }

    private boolean assignReceiveSlot(final int position)
    {
        if (freeSlots.isEmpty())
        {
            return false;
        }
        final UdpSlot slot = slots[freeSlots.pollInt()];
        rxSlot[position] = slot.index;
        rx.setBuffer(position, slot.input, 0, UdpSlot.INPUT_BYTES);
        return true;
    }

    private void onReply(final long ticket, final MemorySegment memory, final long offset, final int length)
    {
        final UdpSlot slot = slots[(int)ticket];
        complete(slot, processor.resume(slot.session, memory, offset, length));
    }

    private void complete(final UdpSlot slot, final int firstStatus)
    {
        int status = firstStatus;
        while (RequestProcessor.OUTPUT_FULL == status)
        {
            // The reply train fills the slot (a multi-get of large values): send it, then let the
            // processor carry on into the emptied buffer.
            addDatagrams(slot);
            sendReplies();
            slot.reply.resetDatagrams(maxPayloadBytes);
            status = processor.process(slot.session);
        }
        switch (status)
        {
            case RequestProcessor.PARKED -> slot.wroteThroughWriter = true; // the slot waits for its write's reply
            case RequestProcessor.BACKPRESSURE ->
            {
                slot.wroteThroughWriter = true;
                backpressured.addInt(slot.index);
            }
            default -> // DONE, or CLOSE (quit): send the reply and free the slot once it is sent
            {
                addDatagrams(slot);
                sentSlots[sentSlotCount++] = slot.index;
            }
        }
    }

    private void addDatagrams(final UdpSlot slot)
    {
        if (slot.capped)
        {
            return; // the rest of a capped reply train never leaves
        }
        int datagrams = slot.reply.length() > 0 ? slot.reply.finishDatagrams(slot.requestId) : 0;
        long bytes = 0;
        for (int d = 0; d < datagrams; d++)
        {
            bytes += slot.reply.datagramLength(d);
        }
        if (slot.repliedBytes + bytes > slot.replyBudgetBytes && !slot.validated)
        {
            if (guard.isValidated(slot.peerAddress, slot.receivedNs))
            {
                slot.validated = true; // looked up once per request, and only for replies over the budget
            }
            else
            {
                datagrams = capReply(slot);
                bytes = 0 == datagrams ? 0 : slot.reply.datagramLength(0);
            }
        }
        if (null != replyRate && datagrams > 0 && !slot.validated && !rateAllows(slot, bytes))
        {
            slot.capped = true; // the rest of its reply train never leaves either
            counterValues.addLongOpaque(repliesRateLimitedOffset, 1); // opaque; single writer
            return;
        }
        slot.repliedBytes += bytes;
        for (int d = 0; d < datagrams; d++)
        {
            if (tx.isFull())
            {
                sendReplies();
            }
            tx.add(slot.reply.memory(), slot.reply.datagramOffset(d), slot.reply.datagramLength(d),
                slot.peerAddress, slot.peerPort, slot.peerLink);
            bytesHandedToPort += slot.reply.datagramLength(d);
        }
    }

    /** A validated source is never rate limited; an unvalidated one pays the reply's bytes from its bucket. */
    private boolean rateAllows(final UdpSlot slot, final long bytes)
    {
        if (guard.isValidated(slot.peerAddress, slot.receivedNs))
        {
            slot.validated = true;
            return true;
        }
        return replyRate.tryTake(slot.peerAddress, bytes, slot.receivedNs);
    }

    /**
     * Replaces the slot's reply by {@link #CAPPED_REPLY} when it fits what is left of the budget (and no
     * part of the reply has left yet, so the client reads one well-formed answer), else by nothing.
     *
     * @return the datagrams to send: 1 or 0.
     */
    private int capReply(final UdpSlot slot)
    {
        slot.capped = true;
        counterValues.addLongOpaque(repliesCappedOffset, 1); // opaque; single writer
        slot.reply.resetDatagrams(maxPayloadBytes);
        if (0 != slot.repliedBytes ||
            UdpFrame.HEADER_LENGTH + CAPPED_REPLY.length > slot.replyBudgetBytes || !slot.reply.put(CAPPED_REPLY))
        {
            slot.reply.resetDatagrams(maxPayloadBytes);
            return 0;
        }
        return slot.reply.finishDatagrams(slot.requestId);
    }

    private void sendReplies()
    {
        if (tx.count() > 0)
        {
            // counted before the send: a client that has its reply may ask for stats at once
            stats.add(index, ServerStats.BYTES_WRITTEN, bytesHandedToPort);
            bytesHandedToPort = 0;
            port.send(tx);
        }
        // The kernel has copied every datagram: the slots' memory can be reused, and their replies have left.
        final long sentNs = sentSlotCount > 0 ? System.nanoTime() : 0;
        for (int i = 0; i < sentSlotCount; i++)
        {
            final UdpSlot slot = slots[sentSlots[i]];
            latency.record(slot.wroteThroughWriter, sentNs - slot.receivedNs);
            release(slot);
        }
        sentSlotCount = 0;
    }

    private void release(final UdpSlot slot)
    {
        slot.session.reset();
        freeSlots.addInt(slot.index);
    }
}
