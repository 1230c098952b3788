package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.UdpFrame;
import io.wirekv.dataplane.port.DatagramBatch;
import io.wirekv.dataplane.port.KernelPort;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * UDP bench worker: one non-blocking kernel socket ({@link KernelPort}), requests sent in bursts
 * of up to {@link #BURST} with one {@code sendmmsg}, replies taken in bursts with one
 * {@code recvmmsg}. Each request is one datagram with memcached's 8-byte frame header; its 16-bit
 * request id indexes this thread's table of intended send times, so the reply's id gives its
 * latency. memcached 1.6 answers each key of a multi-key get in a datagram of its own ("1 of 1",
 * same id), then END or MN in another: such replies are added up until their last line. Ids are
 * handed out in order (sequence number mod 65536), so requests expire in id order
 * and one cursor finds every timed-out request. When 65536 requests are in flight, the oldest is
 * counted lost to free its id. A reply numbered as several datagrams ("i of n") completes when all n
 * have arrived; only its first datagram is parsed (hits counted as at least 1, no value check).
 * <p>
 * Threading: confined to its thread; memory (native burst buffers and the id tables) allocated once.
 */
final class BenchUdpWorker extends BenchWorker
{
    static final int BURST = 32;
    private static final int IDS = 1 << 16;
    private static final int RX_SLOT_BYTES = 64 * 1024;
    private static final long NONE = Long.MIN_VALUE;

    private final int targetIpv4;
    private final int targetPort;
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
    private Arena arena;
    private KernelPort port;
    private DatagramBatch tx;
    private DatagramBatch rx;
    private MemorySegment txMemory;
    private long nextSeq;
    private long oldestSeq;
    private int outstanding;

    BenchUdpWorker(final BenchSpec spec, final BenchStats stats, final KeyChooser chooser, final int index,
        final long startNs, final long deadlineNs, final int targetIpv4)
    {
        super(spec, stats, chooser, index, startNs, deadlineNs, UdpFrame.HEADER_LENGTH);
        this.targetIpv4 = targetIpv4;
        this.targetPort = spec.target().port();
        this.txSlotBytes = (scratch.length + 63) & ~63;
        this.nextSeq = (spec.seed() * 131 + index * 7919L) & 0xFFFF;
        this.oldestSeq = nextSeq;
        java.util.Arrays.fill(intendedNs, NONE);
    }

    @Override
    void open()
    {
        arena = Arena.ofConfined();
        port = new KernelPort("0.0.0.0", 0);
        tx = new DatagramBatch(BURST);
        rx = new DatagramBatch(BURST);
        txMemory = arena.allocate((long)txSlotBytes * BURST, 64);
        final MemorySegment rxMemory = arena.allocate((long)RX_SLOT_BYTES * BURST, 64);
        for (int i = 0; i < BURST; i++)
        {
            rx.setBuffer(i, rxMemory, (long)i * RX_SLOT_BYTES, RX_SLOT_BYTES);
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
        if (nextSeq - oldestSeq == IDS)
        {
            // every id is in flight: the oldest request gives its id up and counts as lost
            final int oldest = (int)(oldestSeq & 0xFFFF);
            if (intendedNs[oldest] != NONE)
            {
                retire(oldest);
                stats.lost.increment();
            }
            oldestSeq++;
        }
        final int id = (int)(nextSeq++ & 0xFFFF);
        UdpFrame.writeRequestHeader(scratch, 0, id);
        intendedNs[id] = intended;
        isGet[id] = get;
        verify[id] = check;
        datagramsLeft[id] = -1;
        failed[id] = false;
        hits[id] = 0;
        verified[id] = 0;
        wrong[id] = 0;
        outstanding++;
        txIds[tx.count()] = id;
        final long offset = (long)tx.count() * txSlotBytes;
        MemorySegment.copy(scratch, 0, txMemory, ValueLayout.JAVA_BYTE, offset, end);
        tx.add(txMemory, offset, end, targetIpv4, targetPort);
    }

    @Override
    void flush()
    {
        final int count = tx.count();
        if (count > 0)
        {
            // the kernel takes a prefix of the burst; the rest (socket buffer full) never left this host
            final int sent = port.send(tx);
            stats.sent.add(sent);
            for (int i = sent; i < count; i++)
            {
                retire(txIds[i]);
                stats.unsent.increment();
            }
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

    private void onDatagram(final int length, final long now)
    {
        final int id = UdpFrame.requestId(rxBytes, 0);
        if (intendedNs[id] == NONE)
        {
            stats.late.increment();
            return;
        }
        final int count = Math.max(1, UdpFrame.count(rxBytes, 0));
        final boolean meta = spec.protocol() == BenchSpec.Protocol.META;
        if (count == 1)
        {
            // memcached 1.6 answers each key of a multi-key get (and the END / MN) in datagrams of
            // their own, all with this id and "1 of 1": add them up until the reply's last line
            final int used = parser.parse(rxBytes, UdpFrame.HEADER_LENGTH, length, isGet[id], meta, spec.multiget(),
                verify[id]);
            hits[id] += parser.hits;
            verified[id] += parser.verified;
            wrong[id] += parser.wrong;
            failed[id] |= parser.error;
            if (used == BenchReplyParser.INCOMPLETE && !parser.error)
            {
                return;
            }
            finish(id, now, verify[id]);
            return;
        }
        if (datagramsLeft[id] < 0)
        {
            datagramsLeft[id] = count;
        }
        if (UdpFrame.sequence(rxBytes, 0) == 0)
        {
            // only the first part is parsed; its value may run on into the next datagram
            parser.parse(rxBytes, UdpFrame.HEADER_LENGTH, length, isGet[id], meta, spec.multiget(), false);
            failed[id] = parser.error;
            hits[id] = Math.max(1, parser.hits);
        }
        if (--datagramsLeft[id] > 0)
        {
            return;
        }
        finish(id, now, false);
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
            final int id = (int)(oldestSeq & 0xFFFF);
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
            port.close();
        }
        if (arena != null)
        {
            arena.close();
        }
    }
}
