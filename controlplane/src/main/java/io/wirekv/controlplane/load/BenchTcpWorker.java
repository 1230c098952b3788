package io.wirekv.controlplane.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * TCP bench worker: one non-blocking connection; requests are appended to an output buffer and
 * written as the socket takes them, replies read and parsed as they come. Replies come back in
 * request order, so a FIFO ring of intended send times gives each reply its latency; with the meta
 * protocol the reply's {@code O} (opaque) token must also match the request's, else the reply
 * counts as an error. When the oldest request has waited longer than the timeout, every request
 * in flight is lost and the worker reconnects (the stream cannot be trusted any more).
 * <p>
 * With {@link BenchSpec#noreply()} a SET gets no reply and no ring slot: SETs are counted in an open
 * batch that a {@code mn} sync point closes every {@link BenchSpec#syncEvery()} SETs and at every
 * flush; the sync takes one slot carrying the batch's size ({@link #batch}), and its {@code MN}
 * counts the whole batch received (replies come in order, so the server has processed every SET
 * before it). Lines before the {@code MN} are the quiet SETs' errors (meta {@code q} still answers
 * them). The batches count toward {@code outstanding}, so the window bounds SETs in flight too.
 * <p>
 * Threading: confined to its thread; buffers and the ring allocated once per worker.
 */
final class BenchTcpWorker extends BenchWorker
{
    private static final int RING = 1 << 16;
    private static final int MASK = RING - 1;
    private static final int RECONNECTS = 10;

    private final long[] intendedNs = new long[RING];
    private final boolean[] isGet = new boolean[RING];
    private final boolean[] verify = new boolean[RING];
    private final int[] opaques = new int[RING];
    /** Per slot: 0 for a request with a reply, else the noreply SETs its sync point covers. */
    private final int[] batch = new int[RING];
    /** Per sync slot: lines other than MN seen before it (replies to quiet SETs: errors). */
    private final int[] failed = new int[RING];
    private final boolean noreply;
    private final int syncEvery;
    /** Noreply SETs queued since the last sync point, and the first one's intended send time. */
    private int openBatch;
    private long openBatchNs;
    /** Requests sent and not yet answered or covered by a sync reply. */
    private int inFlight;
    private final ByteBuffer out;
    private final byte[] in;
    private final ByteBuffer inBuffer;
    private int inPos;
    private int inLimit;
    private long head;
    private long tail;
    private int reconnects;
    private SocketChannel channel;

    BenchTcpWorker(final BenchSpec spec, final BenchStats stats, final KeyChooser chooser, final int index,
        final long startNs, final long deadlineNs)
    {
        this(spec, stats, chooser, index, startNs, deadlineNs, false);
    }

    /** @param warmUp store the keys in order (see {@link BenchWorker}) instead of drawing them at random. */
    BenchTcpWorker(final BenchSpec spec, final BenchStats stats, final KeyChooser chooser, final int index,
        final long startNs, final long deadlineNs, final boolean warmUp)
    {
        super(spec, stats, chooser, index, startNs, deadlineNs, 0, warmUp);
        this.out = ByteBuffer.allocate(Math.max(256 * 1024, 4 * spec.maxRequestBytes()));
        final long replyBytes = (long)spec.multiget() * (spec.valueSizeMax() + spec.keySizeBytes() + 64) + 64;
        this.in = new byte[(int)Math.max(256 * 1024, Math.min(Integer.MAX_VALUE - 64, 2 * replyBytes))];
        this.inBuffer = ByteBuffer.wrap(in);
        this.noreply = spec.noreply();
        this.syncEvery = spec.syncEvery();
    }

    @Override
    void open() throws IOException
    {
        final SocketChannel ch = SocketChannel.open();
        try
        {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(spec.target().socketAddress(), (int)Math.max(1, timeoutNs / 1_000_000));
            ch.configureBlocking(false);
        }
        catch (final IOException ex)
        {
            ch.close();
            throw new IOException("cannot connect to " + spec.target() + " over TCP: " + ex.getMessage(), ex);
        }
        channel = ch;
        out.clear();
        inPos = 0;
        inLimit = 0;
    }

    @Override
    boolean room() throws IOException
    {
        // one slot and a sync point's bytes spare: a noreply SET may close its batch
        if (tail - head >= RING - 1)
        {
            return false;
        }
        final int need = scratch.length + BenchRequests.SYNC_BYTES;
        if (out.remaining() < need)
        {
            flush();
        }
        return out.remaining() >= need;
    }

    @Override
    void enqueue(final int end, final long intended, final boolean get, final boolean check, final int opaque)
    {
        out.put(scratch, 0, end);
        // the stream never drops: a request is sent once queued (room() applies the back-pressure)
        stats.sent.increment();
        inFlight++;
        if (noreply && !get)
        {
            if (openBatch++ == 0)
            {
                openBatchNs = intended;
            }
            if (openBatch >= syncEvery)
            {
                closeBatch();
            }
            return;
        }
        final int slot = (int)(tail++ & MASK);
        intendedNs[slot] = intended;
        isGet[slot] = get;
        verify[slot] = check;
        opaques[slot] = opaque;
        batch[slot] = 0;
    }

    /** Queues a sync point ({@code mn}) after the open batch of noreply SETs; room() kept its bytes and slot free. */
    private void closeBatch()
    {
        // scratch is free: the request it held is already in out
        final int end = BenchRequests.putSync(scratch, 0);
        out.put(scratch, 0, end);
        final int slot = (int)(tail++ & MASK);
        intendedNs[slot] = openBatchNs;
        isGet[slot] = false;
        verify[slot] = false;
        opaques[slot] = -1;
        batch[slot] = openBatch;
        failed[slot] = 0;
        openBatch = 0;
    }

    @Override
    void flush() throws IOException
    {
        if (openBatch > 0)
        {
            closeBatch();
        }
        if (out.position() == 0)
        {
            return;
        }
        out.flip();
        try
        {
            channel.write(out);
        }
        catch (final IOException ex)
        {
            out.clear();
            broken();
            return;
        }
        out.compact();
    }

    @Override
    int poll() throws IOException
    {
        if (inLimit == in.length)
        {
            compact();
        }
        final int n;
        try
        {
            inBuffer.limit(in.length).position(inLimit);
            n = channel.read(inBuffer);
        }
        catch (final IOException ex)
        {
            broken();
            return 0;
        }
        if (n < 0)
        {
            broken();
            return 0;
        }
        if (n == 0)
        {
            return 0;
        }
        inLimit += n;
        final long now = System.nanoTime();
        final boolean meta = spec.protocol() == BenchSpec.Protocol.META;
        int replies = 0;
        while (head < tail)
        {
            final int slot = (int)(head & MASK);
            final int used = parser.parse(in, inPos, inLimit, isGet[slot], meta, spec.multiget(), verify[slot]);
            if (used == BenchReplyParser.INCOMPLETE)
            {
                break;
            }
            if (batch[slot] > 0)
            {
                final boolean mn = used == 4 && in[inPos] == 'M' && in[inPos + 1] == 'N';
                inPos += used;
                if (mn)
                {
                    head++;
                    inFlight -= batch[slot];
                    completeQuiet(intendedNs[slot], now, batch[slot], failed[slot]);
                    replies++;
                }
                else if (++failed[slot] > batch[slot])
                {
                    // more answers than quiet SETs before the sync point: out of step
                    stats.errors.increment();
                    broken();
                    return 1;
                }
                continue;
            }
            if (meta && parser.opaque >= 0 && parser.opaque != opaques[slot])
            {
                parser.error = true;
            }
            inPos += used;
            head++;
            inFlight--;
            complete(intendedNs[slot], now, isGet[slot], verify[slot]);
            replies++;
        }
        if (head == tail && inPos < inLimit)
        {
            // bytes nobody asked for: the stream is out of step; count it and start afresh
            stats.errors.increment();
            broken();
            return 1;
        }
        if (inPos == inLimit)
        {
            inPos = 0;
            inLimit = 0;
        }
        return Math.max(replies, 1);
    }

    private void compact()
    {
        System.arraycopy(in, inPos, in, 0, inLimit - inPos);
        inLimit -= inPos;
        inPos = 0;
    }

    @Override
    void expire(final long nowNs) throws IOException
    {
        if (head < tail && nowNs - intendedNs[(int)(head & MASK)] > timeoutNs)
        {
            broken();
        }
    }

    /** The connection failed or fell silent: whatever is in flight is lost; connect again. */
    private void broken() throws IOException
    {
        stats.lost.add(abandon());
        out.clear();
        close();
        if (++reconnects > RECONNECTS)
        {
            throw new EOFException("TCP connection to " + spec.target() + " failed " + RECONNECTS + " times");
        }
        open();
    }

    @Override
    int outstanding()
    {
        return inFlight;
    }

    @Override
    int abandon()
    {
        final int left = inFlight;
        head = tail;
        openBatch = 0;
        inFlight = 0;
        return left;
    }

    @Override
    void close()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // closing: nothing more to do
            }
            channel = null;
        }
    }
}
