package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.wirekv.controlplane.client.McClientException;
import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.controlplane.client.UdpFrame;

/**
 * Runs a {@link LoadSpec}: an optional warm-up that stores every key once, then UDP and TCP
 * worker threads side by side for the spec's duration, printing a progress line once a second,
 * and returns a {@link LoadReport}. Bounded: every thread stops at the deadline and drains
 * for at most one timeout. Reusable from benchmark scripts through {@link #run}.
 */
public final class LoadGenerator
{
    private static final int WARM_UP_BATCH = 64;

    private LoadGenerator()
    {
    }

    /**
     * @param progress where the once-a-second progress lines go, or null for none.
     * @throws McClientException when the warm-up cannot reach the server.
     */
    public static LoadReport run(final LoadSpec spec, final PrintWriter progress) throws InterruptedException
    {
        final long warmUpKeys = spec.warmUp() ? warmUp(spec) : 0;
        if (progress != null && warmUpKeys > 0)
        {
            progress.printf(Locale.ROOT, "warm-up: stored %d keys of %d bytes with %d-byte values%n", warmUpKeys,
                spec.keySizeBytes(), spec.valueSizeBytes());
            progress.flush();
        }

        final LoadStats udp = new LoadStats();
        final LoadStats tcp = new LoadStats();
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + spec.duration().toNanos();
        final List<Thread> threads = new ArrayList<>();
        final List<UdpLoadWorker> udpWorkers = new ArrayList<>();
        final List<TcpLoadWorker> tcpWorkers = new ArrayList<>();
        for (int i = 0; i < spec.udpThreads(); i++)
        {
            final UdpLoadWorker w = new UdpLoadWorker(spec, udp, deadlineNs, spec.seed() * 31 + i + 1);
            udpWorkers.add(w);
            threads.add(Thread.ofPlatform().name("wirekv-load-udp-" + i).daemon().unstarted(w));
        }
        for (int i = 0; i < spec.tcpThreads(); i++)
        {
            final TcpLoadWorker w = new TcpLoadWorker(spec, tcp, deadlineNs, spec.seed() * 37 + i + 1001);
            tcpWorkers.add(w);
            threads.add(Thread.ofPlatform().name("wirekv-load-tcp-" + i).daemon().unstarted(w));
        }
        threads.forEach(Thread::start);

        final Histogram udpTotal = LatencyRecorder.histogram();
        final Histogram tcpTotal = LatencyRecorder.histogram();
        Histogram udpInterval = null;
        Histogram tcpInterval = null;
        long lastUdp = 0;
        long lastTcp = 0;
        long lastNs = startNs;
        int second = 0;
        boolean running = true;
        try
        {
            while (running)
            {
                final long nextNs = startNs + TimeUnit.SECONDS.toNanos(++second);
                long waitMs = TimeUnit.NANOSECONDS.toMillis(nextNs - System.nanoTime());
                for (final Thread t : threads)
                {
                    if (waitMs > 0)
                    {
                        t.join(waitMs);
                    }
                    waitMs = TimeUnit.NANOSECONDS.toMillis(nextNs - System.nanoTime());
                }
                running = threads.stream().anyMatch(Thread::isAlive);
                final long nowNs = System.nanoTime();
                udpInterval = udp.drainInto(udpTotal, udpInterval);
                tcpInterval = tcp.drainInto(tcpTotal, tcpInterval);
                if (progress != null && running)
                {
                    final double secs = (nowNs - lastNs) / 1e9;
                    progress.printf(Locale.ROOT, "[%3ds]%s%s | errors %d, timeouts %d, misses %d%n", second,
                        spec.udpThreads() > 0 ? line(" udp", udp.ok() - lastUdp, secs, udpInterval) : "",
                        spec.tcpThreads() > 0 ? line(" tcp", tcp.ok() - lastTcp, secs, tcpInterval) : "",
                        udp.errors() + tcp.errors(), udp.timeouts() + tcp.timeouts(), udp.misses() + tcp.misses());
                    progress.flush();
                }
                lastUdp = udp.ok();
                lastTcp = tcp.ok();
                lastNs = nowNs;
            }
        }
        finally
        {
            for (final Thread t : threads)
            {
                t.interrupt();
                t.join(spec.timeoutMs() + 1000L);
            }
        }
        final long elapsedNs = Math.min(System.nanoTime(), deadlineNs) - startNs;
        udp.drainInto(udpTotal, null);
        tcp.drainInto(tcpTotal, null);
        return new LoadReport(
            spec.udpThreads() > 0 ? LoadReport.Result.of("udp", udp, udpTotal, failure(udpWorkers.stream().map(UdpLoadWorker::failure).toList(), udp)) : null,
            spec.tcpThreads() > 0 ? LoadReport.Result.of("tcp", tcp, tcpTotal, failure(tcpWorkers.stream().map(TcpLoadWorker::failure).toList(), tcp)) : null,
            elapsedNs, warmUpKeys);
    }

    private static String failure(final List<Throwable> failures, final LoadStats stats)
    {
        for (final Throwable t : failures)
        {
            if (t != null && (stats.ok() == 0 || !(t instanceof IOException)))
            {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return null;
    }

    private static String line(final String name, final long ok, final double secs, final Histogram interval)
    {
        return String.format(Locale.ROOT, "%s %,9.0f req/s p99 %7.1f us", name, ok / secs,
            interval.getTotalCount() == 0 ? 0.0 : interval.getValueAtPercentile(99) / 1000.0);
    }

    /** Stores every key once; over TCP when the spec has TCP threads, else over UDP. Returns keys stored. */
    static long warmUp(final LoadSpec spec)
    {
        return spec.tcpThreads() > 0 ? warmUpTcp(spec, spec.tcpTarget()) : warmUpUdp(spec, spec.udpTarget());
    }

    private static long warmUpTcp(final LoadSpec spec, final ServerAddress target)
    {
        final byte[] buf = new byte[WARM_UP_BATCH * KeyValues.maxRequestBytes(spec.keySizeBytes(), spec.valueSizeBytes())];
        final byte[] storedLine = "STORED\r\n".getBytes(StandardCharsets.US_ASCII);
        long stored = 0;
        try (Socket s = new Socket())
        {
            s.setTcpNoDelay(true);
            s.connect(target.socketAddress(), spec.timeoutMs());
            s.setSoTimeout(Math.max(spec.timeoutMs(), 2000));
            final OutputStream out = s.getOutputStream();
            final InputStream in = new BufferedInputStream(s.getInputStream());
            final byte[] line = new byte[1024];
            for (int first = 0; first < spec.keySpace(); first += WARM_UP_BATCH)
            {
                final int n = Math.min(WARM_UP_BATCH, spec.keySpace() - first);
                int p = 0;
                for (int i = 0; i < n; i++)
                {
                    p = KeyValues.putRequest(buf, p, false, first + i, spec.keySizeBytes(), spec.valueSizeBytes());
                }
                out.write(buf, 0, p);
                out.flush();
                for (int i = 0; i < n; i++)
                {
                    final int len = Replies.readLine(in, line);
                    if (Replies.startsWith(line, 0, len, storedLine))
                    {
                        stored++;
                    }
                    else
                    {
                        throw new McClientException("warm-up: " + target + " answered a set with '" +
                            new String(line, 0, Math.max(0, len - 2), StandardCharsets.ISO_8859_1) + "'");
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new McClientException("warm-up: cannot store keys on " + target + " over TCP: " +
                (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()) + " — is the server running?", ex);
        }
        return stored;
    }

    private static long warmUpUdp(final LoadSpec spec, final ServerAddress target)
    {
        final byte[] buf = new byte[UdpFrame.HEADER_LENGTH + KeyValues.maxRequestBytes(spec.keySizeBytes(), spec.valueSizeBytes())];
        final byte[] reply = new byte[UdpFrame.MAX_DATAGRAM + 1];
        long stored = 0;
        try (DatagramSocket s = new DatagramSocket())
        {
            s.connect(target.socketAddress());
            s.setSoTimeout(spec.timeoutMs());
            final DatagramPacket in = new DatagramPacket(reply, reply.length);
            for (int key = 0; key < spec.keySpace(); key++)
            {
                final int id = key & 0xFFFF;
                UdpFrame.writeRequestHeader(buf, 0, id);
                final int end = KeyValues.putRequest(buf, UdpFrame.HEADER_LENGTH, false, key, spec.keySizeBytes(),
                    spec.valueSizeBytes());
                s.send(new DatagramPacket(buf, end));
                do
                {
                    in.setLength(reply.length);
                    s.receive(in);
                }
                while (UdpFrame.requestId(reply, 0) != id);
                if (Replies.classify(reply, UdpFrame.HEADER_LENGTH, in.getLength() - UdpFrame.HEADER_LENGTH, false) ==
                    Replies.STORED)
                {
                    stored++;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new McClientException("warm-up: cannot store keys on " + target + " over UDP: " +
                (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()) + " — is the server running?", ex);
        }
        return stored;
    }
}
