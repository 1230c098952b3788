package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.UdpFrame;
import io.wirekv.dataplane.port.DatagramBatch;
import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.port.PortCounters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * UDP bench worker over any {@link PacketPort}: a kernel socket ({@code sendmmsg}/{@code recvmmsg}),
 * or a kernel-bypass port (AF_XDP, DPDK) whose stack writes the Ethernet/IPv4/UDP headers in front of
 * each request in the device's own packet buffers. Requests go out in bursts of up to {@link #BURST},
 * replies are taken in bursts. Each request is one datagram with memcached's 8-byte frame header; its
 * 16-bit request id indexes this thread's table of intended send times, so the reply's id gives its
 * latency. A reply may span datagrams (see {@link #onDatagram}).
 * <p>
 * <b>Request ids.</b> When the threads share one source address and port (a bypass device, a queue
 * per thread: {@link BenchPorts#sharedSource()}), the 16-bit id space is split into {@code slices =
 * threads} disjoint slices: thread {@code i} uses the ids {@code i + k × slices} for
 * {@code k = 0 .. slots-1}, {@code slots = 65536 / slices} ({@link #idOf}); with a socket per thread
 * there is one slice of 65536 ids. Ids are handed out in order ({@code k} = sequence number mod
 * {@code slots}), so requests expire in id order and one cursor finds every timed-out request. When
 * {@code slots} requests are in flight, the oldest is counted lost to free its id. A reply whose id
 * belongs to another slice reached the wrong thread's queue: it is counted {@code misrouted} (its
 * request ends lost at its own thread), see {@link #ownerOf}. Parts are expected in order (as loopback
 * and a LAN deliver them); a sampled reply that arrives out of order is counted without its value check.
 * <p>
 * With {@code noReplies} (the generator ceiling) requests are sent and counted but not tracked: no
 * reply is expected, none counts as lost, any that arrives is {@code late}.
 * <p>
 * A datagram the port could not send (socket buffer or device TX ring full, no free packet buffer)
 * is counted {@code unsent}, not sent: {@link PortCounters#TX_DROPPED} before and after each burst says
 * how many; the last ones of the burst are taken for them, as a kernel socket sends a prefix. Their ids
 * (the newest) go back to the next requests, so only requests that left the host use the id space.
 * <p>
 * Threading: confined to its thread; the port comes from {@link BenchPorts#acquire} on that thread and
 * goes back with {@link BenchPorts#release}; memory (native burst buffers and the id tables) allocated
 * once, nothing per request.
 */
final class BenchUdpWorker extends BenchWorker
{
    static final int BURST = 32;
    private static final int IDS = 1 << 16;
    private static final int RX_SLOT_BYTES = 64 * 1024;
    private static final long NONE = Long.MIN_VALUE;
    /** Sampled replies that span datagrams and are reassembled for checking at the same time. */
    private static final int ASSEMBLY_BUFFERS = 4;
    private static final long END_CRLF = 0x454E440D0AL;
    private static final long MN_CRLF = 0x4D4E0D0AL;

    private final int targetIpv4;
    private final int targetPort;
    private final BenchPorts ports;
    private final int index;
    private final boolean noReplies;
    private final int slices;
    private final int slice;
    private final int slots;
    private long targetLink;
    private final int txSlotBytes;
    private final long[] intendedNs = new long[IDS];
    private final boolean[] isGet = new boolean[IDS];
    private final boolean[] verify = new boolean[IDS];
    private final int[] datagramsLeft = new int[IDS];
    private final boolean[] failed = new boolean[IDS];
    private final int[] hits = new int[IDS];
    private final int[] verified = new int[IDS];
    private final int[] wrong = new int[IDS];
    private final byte[] rxBytes = new byte[RX_SLOT_BYTES];
    private final int[] txIds = new int[BURST];
    private final byte[][] assembly;
    private final int[] assemblyLength = new int[ASSEMBLY_BUFFERS];
    private final int[] assemblyNextSequence = new int[ASSEMBLY_BUFFERS];
    private final int[] assemblyOwner = new int[ASSEMBLY_BUFFERS];
    private final int[] assemblyOfId = new int[IDS];
    private final boolean[] seen = new boolean[IDS];
    private final long[] tail = new long[IDS];
    private Arena arena;
    private PacketPort port;
    private PortCounters portCounters;
    private DatagramBatch tx;
    private DatagramBatch rx;
    private MemorySegment txMemory;
    private long nextSeq;
    private long oldestSeq;
    private int outstanding;

    BenchUdpWorker(final BenchSpec spec, final BenchStats stats, final KeyChooser chooser, final int index,
        final long startNs, final long deadlineNs, final int targetIpv4, final BenchPorts ports, final boolean noReplies,
        final boolean warmUp)
    {
        this(spec, stats, chooser, index, startNs, deadlineNs, targetIpv4, ports, noReplies, warmUp,
            ports.sharedSource() ? spec.threads() : 1);
    }

    /**
     * @param slices how many threads split the request-id space (1: this thread has all 65536 ids); this
     *               thread's slice is {@code index % slices}.
     */
    BenchUdpWorker(final BenchSpec spec, final BenchStats stats, final KeyChooser chooser, final int index,
        final long startNs, final long deadlineNs, final int targetIpv4, final BenchPorts ports, final boolean noReplies,
        final boolean warmUp, final int slices)
    {
        super(spec, stats, chooser, index, startNs, deadlineNs, UdpFrame.HEADER_LENGTH, warmUp);
        this.targetIpv4 = targetIpv4;
        this.ports = ports;
        this.index = index;
        this.noReplies = noReplies;
        this.targetPort = spec.target().port();
        this.txSlotBytes = (scratch.length + 63) & ~63;
        if (slices < 1 || slices > IDS)
        {
            throw new IllegalArgumentException("slices must be 1.." + IDS + ", got " + slices);
        }
        this.slices = slices;
        this.slice = index % slices;
        this.slots = IDS / slices;
        this.nextSeq = Math.floorMod(spec.seed() * 131 + index * 7919L, (long)slots);
        this.oldestSeq = nextSeq;
        java.util.Arrays.fill(intendedNs, NONE);
        final long replyBytes = (long)spec.multiget() * (spec.valueSizeMax() + spec.keySizeBytes() + 64) + 64;
        this.assembly = new byte[ASSEMBLY_BUFFERS][(int)Math.min(replyBytes, 16L << 20)];
        java.util.Arrays.fill(assemblyOwner, -1);
        java.util.Arrays.fill(assemblyOfId, -1);
    }

    @Override
    void open()
    {
        arena = Arena.ofConfined();
        targetLink = ports.targetLink();
        tx = new DatagramBatch(BURST);
        rx = new DatagramBatch(BURST);
        txMemory = arena.allocate((long)txSlotBytes * BURST, 64);
        final MemorySegment rxMemory = arena.allocate((long)RX_SLOT_BYTES * BURST, 64);
        for (int i = 0; i < BURST; i++)
        {
            rx.setBuffer(i, rxMemory, (long)i * RX_SLOT_BYTES, RX_SLOT_BYTES);
        }
        port = ports.acquire(index);
        portCounters = port.counters();
        // a bypass port lives across trials: what the last trial left waiting is stale
        for (int i = 0; i < 1024 && port.receive(rx) > 0; i++)
        {
            stats.late.add(rx.count());
        }
    }

    @Override
    boolean room()
    {
        if (tx.isFull())
        {
            flush();
        }
        return true;
    }

    @Override
    void enqueue(final int end, final long intended, final boolean get, final boolean check, final int opaque)
    {
        if (nextSeq - oldestSeq == slots)
        {
            // every id of this thread's slice is in flight: the oldest request gives its id up and counts as lost
            final int oldest = idOf(oldestSeq);
            if (intendedNs[oldest] != NONE)
            {
                retire(oldest);
                stats.lost.increment();
            }
            oldestSeq++;
        }
        final int id = idOf(nextSeq++);
        UdpFrame.writeRequestHeader(scratch, 0, id);
        final long offset = (long)tx.count() * txSlotBytes;
        MemorySegment.copy(scratch, 0, txMemory, ValueLayout.JAVA_BYTE, offset, end);
        if (noReplies)
        {
            oldestSeq = nextSeq; // nothing is tracked, so nothing expires
            txIds[tx.count()] = -1;
            tx.add(txMemory, offset, end, targetIpv4, targetPort, targetLink);
            return;
        }
        intendedNs[id] = intended;
        isGet[id] = get;
        verify[id] = check;
        datagramsLeft[id] = -1;
        failed[id] = false;
        hits[id] = 0;
        seen[id] = false;
        tail[id] = 0;
        verified[id] = 0;
        wrong[id] = 0;
        outstanding++;
        txIds[tx.count()] = id;
        tx.add(txMemory, offset, end, targetIpv4, targetPort, targetLink);
    }

    @Override
    void flush()
    {
        final int count = tx.count();
        if (count > 0)
        {
            // what the port drops (socket buffer or TX ring full) never left this host: take the burst's tail
            final long droppedBefore = portCounters.get(PortCounters.TX_DROPPED);
            port.send(tx);
            final int unsent = (int)Math.min(count, portCounters.get(PortCounters.TX_DROPPED) - droppedBefore);
            final int sent = count - unsent;
            stats.sent.add(sent);
            int tracked = 0;
            for (int i = sent; i < count; i++)
            {
                if (txIds[i] >= 0)
                {
                    retire(txIds[i]);
                    tracked++;
                }
                stats.unsent.increment();
            }
            // the unsent are the newest requests, so their ids are handed out again: a link that refuses most of
            // an overload must not use up the id space, or ids would wrap within the timeout (at 800k req/s in
            // under 0.1 s), a reply would meet a newer request that took its id, and served requests count lost
            nextSeq -= tracked;
        }
    }

    @Override
    int poll()
    {
        final int n = port.receive(rx);
        if (n <= 0)
        {
            return 0;
        }
        final long now = System.nanoTime();
        for (int i = 0; i < n; i++)
        {
            final int length = rx.length(i);
            if (length < UdpFrame.HEADER_LENGTH || rx.truncated(i))
            {
                continue;
            }
            MemorySegment.copy(rx.segment(i), ValueLayout.JAVA_BYTE, rx.offset(i), rxBytes, 0, length);
            onDatagram(length, now);
        }
        return n;
    }

    /**
     * A reply is a run of datagrams with the request's id. memcached 1.6 sends one message per key
     * of a multi-key get: a message that fits is one datagram numbered "0 of 1", a longer one is a
     * series "0 of n" .. "n-1 of n", and the closing END (or MN) comes alone or at the end of the
     * last message. Datagrams that are whole messages are parsed as they come and added up; a
     * series counts as one hit when it starts with a value, and the reply is complete when a series
     * ends with END / MN (text or meta multi-key get), or ends at all (meta single-key get). A
     * sampled reply is also reassembled and then checked whole.
     */
    private void onDatagram(final int length, final long now)
    {
        final int id = UdpFrame.requestId(rxBytes, 0);
        if (!noReplies && ownerOf(id, slices) != slice)
        {
            stats.misrouted.increment();
            return;
        }
        if (intendedNs[id] == NONE)
        {
            stats.late.increment();
            return;
        }
        final int count = Math.max(1, UdpFrame.count(rxBytes, 0));
        final int sequence = UdpFrame.sequence(rxBytes, 0);
        final boolean meta = spec.protocol() == BenchSpec.Protocol.META;
        if (!seen[id])
        {
            seen[id] = true;
            if (verify[id] && isGet[id])
            {
                startAssembly(id);
            }
        }
        assemble(id, sequence, length);
        final boolean assembling = assemblyOfId[id] >= 0;
        boolean done;
        if (count == 1)
        {
            final int used = parser.parse(rxBytes, UdpFrame.HEADER_LENGTH, length, isGet[id], meta, spec.multiget(),
                verify[id] && !assembling);
            hits[id] += parser.hits;
            verified[id] += parser.verified;
            wrong[id] += parser.wrong;
            failed[id] |= parser.error;
            done = used != BenchReplyParser.INCOMPLETE || parser.error;
        }
        else
        {
            if (sequence == 0 && startsWithValue(length, meta))
            {
                hits[id]++;
            }
            for (int i = Math.max(UdpFrame.HEADER_LENGTH, length - 8); i < length; i++)
            {
                tail[id] = (tail[id] << 8) | (rxBytes[i] & 0xFF);
            }
            if (datagramsLeft[id] <= 0)
            {
                datagramsLeft[id] = count;
            }
            if (--datagramsLeft[id] > 0)
            {
                return;
            }
            done = !isGet[id] || (meta && spec.multiget() == 1) ||
                (meta ? (tail[id] & 0xFFFFFFFFL) == MN_CRLF : (tail[id] & 0xFFFFFFFFFFL) == END_CRLF);
        }
        if (!done)
        {
            return;
        }
        if (assemblyOfId[id] >= 0)
        {
            // the whole reply arrived in order: parse and check it as one
            final int a = assemblyOfId[id];
            final int used = parser.parse(assembly[a], 0, assemblyLength[a], isGet[id], meta, spec.multiget(), true);
            failed[id] = parser.error || used == BenchReplyParser.INCOMPLETE;
            hits[id] = parser.hits;
            verified[id] = parser.verified;
            wrong[id] = parser.wrong;
        }
        finish(id, now, verify[id]);
    }

    /** The request id of this thread's sequence number {@code seq}: {@code slice + (seq mod slots) × slices}. */
    int idOf(final long seq)
    {
        return slice + (int)(seq % slots) * slices;
    }

    /** The slice (thread) that hands out request id {@code id} when {@code slices} threads split the id space. */
    static int ownerOf(final int id, final int slices)
    {
        return id % slices;
    }

    /** How many requests this thread may have in flight: the ids of its slice. */
    int slots()
    {
        return slots;
    }

    /** The sequence number the next request gets (its id is {@code idOf(nextSeq())}). */
    long nextSeq()
    {
        return nextSeq;
    }

    /** Test hook: handles {@code datagram[0, length)} as if the port had just received it (and the cycle ended). */
    void onReceived(final byte[] datagram, final int length, final long nowNs)
    {
        System.arraycopy(datagram, 0, rxBytes, 0, length);
        onDatagram(length, nowNs);
        publishCounts();
    }

    private boolean startsWithValue(final int length, final boolean meta)
    {
        final int p = UdpFrame.HEADER_LENGTH;
        return meta ? length > p + 2 && rxBytes[p] == 'V' && rxBytes[p + 1] == 'A' && rxBytes[p + 2] == ' ' :
            length > p + 5 && rxBytes[p] == 'V' && rxBytes[p + 1] == 'A' && rxBytes[p + 2] == 'L' &&
            rxBytes[p + 3] == 'U' && rxBytes[p + 4] == 'E' && rxBytes[p + 5] == ' ';
    }

    /** Takes a free assembly buffer for a sampled reply that spans datagrams, if there is one. */
    private void startAssembly(final int id)
    {
        for (int a = 0; a < ASSEMBLY_BUFFERS; a++)
        {
            if (assemblyOwner[a] < 0)
            {
                assemblyOwner[a] = id;
                assemblyOfId[id] = a;
                assemblyLength[a] = 0;
                assemblyNextSequence[a] = 0;
                return;
            }
        }
    }

    /** Appends a part in sequence; a part out of order (or too much data) abandons the assembly. */
    private void assemble(final int id, final int sequence, final int length)
    {
        final int a = assemblyOfId[id];
        if (a < 0)
        {
            return;
        }
        final int payload = length - UdpFrame.HEADER_LENGTH;
        if ((sequence != 0 && sequence != assemblyNextSequence[a]) || assemblyLength[a] + payload > assembly[a].length)
        {
            releaseAssembly(id);
            return;
        }
        System.arraycopy(rxBytes, UdpFrame.HEADER_LENGTH, assembly[a], assemblyLength[a], payload);
        assemblyLength[a] += payload;
        assemblyNextSequence[a] = sequence + 1;
    }

    private void releaseAssembly(final int id)
    {
        final int a = assemblyOfId[id];
        if (a >= 0)
        {
            assemblyOwner[a] = -1;
            assemblyOfId[id] = -1;
        }
    }

    private void finish(final int id, final long now, final boolean checked)
    {
        parser.error = failed[id];
        parser.hits = hits[id];
        parser.verified = verified[id];
        parser.wrong = wrong[id];
        complete(intendedNs[id], now, isGet[id], checked);
        retire(id);
    }

    @Override
    void expire(final long nowNs)
    {
        while (oldestSeq < nextSeq)
        {
            final int id = idOf(oldestSeq);
            if (intendedNs[id] != NONE)
            {
                if (nowNs - intendedNs[id] <= timeoutNs)
                {
                    return;
                }
                retire(id);
                stats.lost.increment();
            }
            oldestSeq++;
        }
    }

    private void retire(final int id)
    {
        releaseAssembly(id);
        intendedNs[id] = NONE;
        outstanding--;
    }

    @Override
    int outstanding()
    {
        return outstanding;
    }

    @Override
    int abandon()
    {
        final int left = outstanding;
        java.util.Arrays.fill(intendedNs, NONE);
        java.util.Arrays.fill(assemblyOwner, -1);
        java.util.Arrays.fill(assemblyOfId, -1);
        outstanding = 0;
        return left;
    }

    @Override
    void close()
    {
        if (tx != null)
        {
            tx.close();
        }
        if (rx != null)
        {
            rx.close();
        }
        if (port != null)
        {
            ports.release(port);
            port = null;
        }
        if (arena != null)
        {
            arena.close();
        }
    }
}
