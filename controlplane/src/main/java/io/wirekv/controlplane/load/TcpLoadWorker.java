package io.wirekv.controlplane.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Closed-loop TCP load from one thread and one connection, pipelined: writes
 * {@code tcpPipeline} requests in one write, then reads their replies in order; each request's
 * latency runs from the batch's write to its own reply. A read that times out counts the
 * batch's unanswered requests as timeouts and reconnects (the stream can no longer be trusted);
 * a broken connection counts them as errors and reconnects. Buffers are allocated once.
 *
 * <p>Threading: runs on its own thread; writes only to {@link LoadStats}'s thread-safe counters.
 */
final class TcpLoadWorker implements Runnable
{
    private static final long RECONNECT_PAUSE_MS = 100;

    private final LoadSpec spec;
    private final LoadStats stats;
    private final long deadlineNs;
    private final byte[] sendBuffer;
    private final boolean[] batchIsGet;
    private final byte[] in = new byte[256 * 1024];
    private int inPos;
    private int inLimit;
    private final OperationMix mix;
    private volatile Throwable failure;

    TcpLoadWorker(final LoadSpec spec, final LoadStats stats, final long deadlineNs, final long seed)
    {
        this.spec = spec;
        this.stats = stats;
        this.deadlineNs = deadlineNs;
        this.sendBuffer = new byte[spec.tcpPipeline() * KeyValues.maxRequestBytes(spec.keySizeBytes(), spec.valueSizeBytes())];
        this.batchIsGet = new boolean[spec.tcpPipeline()];
        this.mix = new OperationMix(spec, seed);
    }

    /** The exception that stopped this worker early (not counted failures), or null. */
    Throwable failure()
    {
        return failure;
    }

    @Override
    public void run()
    {
        try
        {
            while (System.nanoTime() < deadlineNs)
            {
                try (Socket socket = connect())
                {
                    if (socket == null)
                    {
                        Thread.sleep(RECONNECT_PAUSE_MS);
                        continue;
                    }
                    runConnection(socket.getInputStream(), socket.getOutputStream());
                }
                catch (final IOException ex)
                {
                    // counted in runConnection; reconnect
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
    }

    private Socket connect()
    {
        final Socket s = new Socket();
        try
        {
            s.setTcpNoDelay(true);
            s.connect(spec.tcpTarget().socketAddress(), spec.timeoutMs());
            s.setSoTimeout(spec.timeoutMs());
            inPos = 0;
            inLimit = 0;
            return s;
        }
        catch (final IOException ex)
        {
            try
            {
                s.close();
            }
            catch (final IOException ignore)
            {
                // nothing to do
            }
            if (failure == null)
            {
                failure = ex;
            }
            return null;
        }
    }

    private void runConnection(final InputStream input, final OutputStream output) throws IOException
    {
        final int depth = spec.tcpPipeline();
        while (System.nanoTime() < deadlineNs)
        {
            int p = 0;
            for (int i = 0; i < depth; i++)
            {
                final boolean get = mix.nextIsGet();
                final int key = mix.nextKey();
                batchIsGet[i] = get;
                p = KeyValues.putRequest(sendBuffer, p, get, key, spec.keySizeBytes(), spec.valueSizeBytes());
            }
            final long sentAtNs = System.nanoTime();
            stats.sent.add(depth);
            int answered = 0;
            try
            {
                output.write(sendBuffer, 0, p);
                output.flush();
                for (; answered < depth; answered++)
                {
                    final int outcome = readReply(input, batchIsGet[answered]);
                    stats.recordLatency(System.nanoTime() - sentAtNs);
                    Replies.count(stats, outcome);
                }
            }
            catch (final SocketTimeoutException ex)
            {
                stats.timeouts.add(depth - answered);
                throw ex;
            }
            catch (final IOException ex)
            {
                stats.errors.add(depth - answered);
                throw ex;
            }
        }
    }

    /** Reads one whole reply; returns its outcome. */
    private int readReply(final InputStream input, final boolean get) throws IOException
    {
        int lineEnd = lineEnd(input);
        final int outcome = Replies.classify(in, inPos, lineEnd + 2 - inPos, get);
        if (outcome != Replies.HIT)
        {
            inPos = lineEnd + 2;
            return outcome;
        }
        // VALUE <key> <flags> <bytes>\r\n<data>\r\n ... END\r\n
        while (true)
        {
            if (Replies.startsWith(in, inPos, lineEnd + 2 - inPos, END_LINE))
            {
                inPos = lineEnd + 2;
                return outcome;
            }
            final int bytes = lastNumber(in, inPos, lineEnd);
            if (bytes < 0)
            {
                inPos = lineEnd + 2;
                throw new IOException("malformed VALUE line");
            }
            inPos = lineEnd + 2;
            skip(input, bytes + 2);
            lineEnd = lineEnd(input);
        }
    }

    private static final byte[] END_LINE = {'E', 'N', 'D', '\r', '\n'};

    /** Makes sure a whole line is buffered at inPos; returns the index of its '\r'. */
    private int lineEnd(final InputStream input) throws IOException
    {
        int scanFrom = inPos;
        while (true)
        {
            for (int i = scanFrom; i + 1 < inLimit; i++)
            {
                if (in[i] == '\r' && in[i + 1] == '\n')
                {
                    return i;
                }
            }
            scanFrom = Math.max(inPos, inLimit - 1);
            final int before = inPos;
            fill(input);
            scanFrom -= before - inPos;
        }
    }

    private void skip(final InputStream input, final int n) throws IOException
    {
        int left = n;
        while (left > 0)
        {
            if (inPos == inLimit)
            {
                fill(input);
            }
            final int step = Math.min(left, inLimit - inPos);
            inPos += step;
            left -= step;
        }
    }

    /** Compacts the buffer and reads more; throws at end of stream or when a line overflows it. */
    private void fill(final InputStream input) throws IOException
    {
        if (inPos > 0)
        {
            System.arraycopy(in, inPos, in, 0, inLimit - inPos);
            inLimit -= inPos;
            inPos = 0;
        }
        if (inLimit == in.length)
        {
            throw new IOException("reply line longer than " + in.length + " bytes");
        }
        final int n = input.read(in, inLimit, in.length - inLimit);
        if (n < 0)
        {
            throw new EOFException("connection closed by the server");
        }
        inLimit += n;
    }

    /** The last space-separated decimal number in [from, to), or -1. */
    private static int lastNumber(final byte[] b, final int from, final int to)
    {
        int start = to;
        while (start > from && b[start - 1] != ' ')
        {
            start--;
        }
        // "VALUE key flags bytes [cas]": with gets there would be a cas; the load only sends get
        if (start == to)
        {
            return -1;
        }
        long v = 0;
        for (int i = start; i < to; i++)
        {
            final int d = b[i] - '0';
            if (d < 0 || d > 9 || v > Integer.MAX_VALUE)
            {
                return -1;
            }
            v = v * 10 + d;
        }
        return v > Integer.MAX_VALUE ? -1 : (int)v;
    }
}
