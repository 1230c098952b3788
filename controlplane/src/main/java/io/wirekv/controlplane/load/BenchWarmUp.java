package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.McClientException;
import io.wirekv.controlplane.client.UdpFrame;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code wirekv bench}'s warm-up over kernel sockets: SETs every key once (text {@code set}) before
 * anything is measured, so GETs hit, with a progress line a second. Over TCP in pipelined batches;
 * over UDP in windows of requests told apart by request id, a SET without a reply sent again up to 3
 * times. (On a bypass backend the warm-up is a closed-loop trial through the bench's own ports, see
 * {@link Bench}.)
 */
public final class BenchWarmUp
{
    private static final int WARM_UP_BATCH = 64;

    private BenchWarmUp()
    {
    }

    /** SETs every key once (text {@code set}), over the spec's transport; returns keys stored. */
    public static long storeKeys(final BenchSpec spec, final PrintWriter progress)
    {
        final BenchValues values = new BenchValues(spec.valueSizeMin(), spec.valueSizeMax(), spec.valueVersion());
        final long stored = spec.transport() == BenchSpec.Transport.TCP ? warmUpTcp(spec, values, progress) :
            warmUpUdp(spec, values, progress);
        if (progress != null)
        {
            progress.printf(Locale.ROOT, "warm-up: stored %,d of %,d keys%n", stored, spec.keySpace());
            progress.flush();
        }
        return stored;
    }

    private static long warmUpTcp(final BenchSpec spec, final BenchValues values, final PrintWriter progress)
    {
        final int perRequest = spec.keySizeBytes() + 48 + spec.valueSizeMax();
        final byte[] buf = new byte[WARM_UP_BATCH * perRequest];
        final byte[] line = new byte[1024];
        long stored = 0;
        long nextPrintNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        try (Socket s = new Socket())
        {
            s.setTcpNoDelay(true);
            s.connect(spec.target().socketAddress(), (int)TimeUnit.NANOSECONDS.toMillis(spec.timeoutNs()));
            s.setSoTimeout((int)Math.max(2000, TimeUnit.NANOSECONDS.toMillis(spec.timeoutNs())));
            final OutputStream out = s.getOutputStream();
            final InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            for (int first = 0; first < spec.keySpace(); first += WARM_UP_BATCH)
            {
                final int n = Math.min(WARM_UP_BATCH, spec.keySpace() - first);
                int p = 0;
                for (int i = 0; i < n; i++)
                {
                    p = BenchRequests.putSet(buf, p, false, first + i, spec.keySizeBytes(), values, 0);
                }
                out.write(buf, 0, p);
                out.flush();
                for (int i = 0; i < n; i++)
                {
                    final int len = Replies.readLine(in, line);
                    if (len >= 8 && line[0] == 'S' && line[1] == 'T')
                    {
                        stored++;
                    }
                    else
                    {
                        throw new McClientException("warm-up: " + spec.target() + " answered a set with '" +
                            new String(line, 0, Math.max(0, len - 2), java.nio.charset.StandardCharsets.ISO_8859_1) + "'");
                    }
                }
                nextPrintNs = progress(progress, nextPrintNs, stored, spec.keySpace());
            }
        }
        catch (final IOException ex)
        {
            throw new McClientException("warm-up: cannot store keys on " + spec.target() + " over TCP: " + ex.getMessage() +
                " — is the server running?", ex);
        }
        return stored;
    }

    /** Windows of sets told apart by request id; sets without a reply are sent again, up to 3 times. */
    private static long warmUpUdp(final BenchSpec spec, final BenchValues values, final PrintWriter progress)
    {
        final byte[] buf = new byte[UdpFrame.HEADER_LENGTH + spec.keySizeBytes() + 48 + spec.valueSizeMax()];
        final byte[] reply = new byte[UdpFrame.MAX_DATAGRAM + 1];
        final BitSet pending = new BitSet();
        long stored = 0;
        long nextPrintNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        final int window = 32;
        try (DatagramSocket s = new DatagramSocket())
        {
            s.connect(spec.target().socketAddress());
            s.setReceiveBufferSize(4 << 20);
            final DatagramPacket in = new DatagramPacket(reply, reply.length);
            final int timeoutMs = (int)Math.max(50, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(spec.timeoutNs())));
            for (int first = 0; first < spec.keySpace(); first += window)
            {
                final int n = Math.min(window, spec.keySpace() - first);
                pending.clear();
                pending.set(0, n);
                for (int attempt = 0; attempt < 4 && !pending.isEmpty(); attempt++)
                {
                    for (int i = pending.nextSetBit(0); i >= 0; i = pending.nextSetBit(i + 1))
                    {
                        UdpFrame.writeRequestHeader(buf, 0, (first + i) & 0xFFFF);
                        final int end = BenchRequests.putSet(buf, UdpFrame.HEADER_LENGTH, false, first + i,
                            spec.keySizeBytes(), values, 0);
                        s.send(new DatagramPacket(buf, end));
                    }
                    final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                    while (!pending.isEmpty())
                    {
                        final long leftMs = TimeUnit.NANOSECONDS.toMillis(untilNs - System.nanoTime());
                        if (leftMs <= 0)
                        {
                            break;
                        }
                        s.setSoTimeout((int)leftMs);
                        in.setLength(reply.length);
                        try
                        {
                            s.receive(in);
                        }
                        catch (final SocketTimeoutException ex)
                        {
                            break;
                        }
                        final int i = (UdpFrame.requestId(reply, 0) - first) & 0xFFFF;
                        if (i < n && pending.get(i) && in.getLength() > UdpFrame.HEADER_LENGTH + 2 &&
                            reply[UdpFrame.HEADER_LENGTH] == 'S' && reply[UdpFrame.HEADER_LENGTH + 1] == 'T')
                        {
                            pending.clear(i);
                            stored++;
                        }
                    }
                }
                if (stored == 0 && !pending.isEmpty())
                {
                    throw new McClientException("warm-up: no reply from " + spec.target() +
                        " over UDP — is the server running with UDP enabled (memcached -U PORT)?");
                }
                nextPrintNs = progress(progress, nextPrintNs, stored, spec.keySpace());
            }
        }
        catch (final IOException ex)
        {
            throw new McClientException("warm-up: cannot store keys on " + spec.target() + " over UDP: " + ex.getMessage() +
                " — is the server running?", ex);
        }
        return stored;
    }

    private static long progress(final PrintWriter progress, final long nextPrintNs, final long stored, final int keys)
    {
        final long now = System.nanoTime();
        if (progress == null || now < nextPrintNs)
        {
            return nextPrintNs;
        }
        progress.printf(Locale.ROOT, "warm-up: %,d of %,d keys (%.0f%%)%n", stored, keys, 100.0 * stored / keys);
        progress.flush();
        return now + TimeUnit.SECONDS.toNanos(1);
    }
}
