package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncFile;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import io.wirekv.dataplane.server.WirekvServer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readers of the CnC file, each with its own mapping, while the appliance writes it. */
class CncConcurrentReadTest
{
    private static final int COUNTERS = 64;
    private static final int READERS = 2;

    /**
     * The writer stores values whose two halves are equal (n << 32 | n) with growing n; a torn read
     * would show different halves, a reordered one a smaller n than read before.
     */
    @Test
    void shouldNeverShowTornOrDecreasingValuesToConcurrentReaders(@TempDir final Path dir) throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("torn");
        try (CncFile cnc = CncFile.create(dir, name, COUNTERS, COUNTERS * CounterRegistryDescriptor.blockLength(1), "",
            SystemEpochClock.INSTANCE))
        {
            final CounterRegistry registry = cnc.counters();
            final AtomicBuffer values = registry.values();
            final int[] offsets = new int[COUNTERS];
            for (int i = 0; i < COUNTERS; i++)
            {
                offsets[i] = registry.allocateBlocks(1, 1);
                registry.register(CncMetric.MALFORMED_FRAMES, i, CounterRegistryDescriptor.NONE, offsets[i], 1, Long.BYTES);
            }
            cnc.publishReady("");
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicReference<String> failure = new AtomicReference<>();
            final Thread writer = Thread.ofPlatform().start(() ->
            {
                long n = 0;
                while (running.get() && n < 50_000_000L)
                {
                    n++;
                    for (final int offset : offsets)
                    {
                        values.putLongOpaque(offset, n << 32 | n); // as a slot's owner writes
                    }
                }
            });
            final List<Thread> readers = new ArrayList<>();
            final long[] reads = new long[READERS];
            for (int r = 0; r < READERS; r++)
            {
                final int reader = r;
                readers.add(Thread.ofPlatform().start(() ->
                {
                    try (CncReader view = CncReader.open(dir, name, false))
                    {
                        final long[] last = new long[COUNTERS];
                        while (running.get())
                        {
                            final CounterSnapshot snapshot = CounterSnapshot.take(view, 0);
                            for (final CounterSnapshot.Sample s : snapshot.samples())
                            {
                                final long v = s.value();
                                final int i = Integer.parseInt(s.labels().get("lcore"));
                                if (v >>> 32 != (v & 0xFFFF_FFFFL))
                                {
                                    failure.compareAndSet(null, "torn value " + Long.toHexString(v));
                                }
                                if (v < last[i])
                                {
                                    failure.compareAndSet(null, "counter " + i + " went back from " + last[i] + " to " + v);
                                }
                                last[i] = v;
                            }
                            reads[reader]++;
                        }
                    }
                }));
            }
            Thread.sleep(500);
            running.set(false);
            writer.join(5000);
            for (final Thread t : readers)
            {
                t.join(5000);
            }
            assertNull(failure.get());
            for (final long n : reads)
            {
                assertTrue(n > 0, "every reader read");
            }
        }
    }

    @Test
    void shouldShowMonotonicCountersWhileTheAppliancesServesTraffic() throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("mono");
        try (WirekvServer server = CncTestSupport.startServer(name, new ByteArrayOutputStream());
            CncReader cnc = CncReader.open(CncFileDescriptor.baseDirectory(), name, false);
            DatagramSocket socket = new DatagramSocket())
        {
            final byte[] request = "\0\1\0\0\0\1\0\0get mono:k\r\n".getBytes(StandardCharsets.ISO_8859_1);
            final Map<Integer, Long> last = new HashMap<>();
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
            int sent = 0;
            int snapshots = 0;
            while (System.nanoTime() < deadline && sent < 20_000)
            {
                for (int i = 0; i < 20; i++, sent++)
                {
                    socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(),
                        server.udpPort()));
                }
                for (final CounterSnapshot.Sample s : CounterSnapshot.take(cnc, 0).samples())
                {
                    if (!s.gauge())
                    {
                        final Long before = last.put(s.counterId(), s.value());
                        assertTrue(before == null || s.value() >= before, s.label() + " went back");
                    }
                }
                snapshots++;
                Thread.sleep(5);
            }
            // The file's rx_packets is the port's own slot: equal whenever the lcore is not counting in between
            // (a loaded machine may still be draining the socket, a burst at a time).
            final io.wirekv.dataplane.port.PortCounters port = server.udpPorts().getFirst().counters();
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long own;
            long rx;
            long ownAfter;
            do
            {
                Thread.sleep(50);
                own = port.get(io.wirekv.dataplane.port.PortCounters.RX_PACKETS);
                rx = value(cnc, "rx_packets");
                ownAfter = port.get(io.wirekv.dataplane.port.PortCounters.RX_PACKETS);
            }
            while (own != ownAfter && System.nanoTime() < until);
            assertTrue(snapshots > 10, "snapshots " + snapshots);
            assertTrue(rx > 0 && rx <= sent, "rx_packets " + rx + " of " + sent + " sent");
            assertEquals(own, rx, "the file shows the port's own counter");
        }
    }

    /**
     * memcached's {@code stats reset} zeroes what {@code stats} shows, but the counters themselves (the CnC
     * file's, Prometheus') never step back: the reset is a baseline, not a subtraction.
     */
    @Test
    void shouldNeverStepACounterBackAcrossStatsReset() throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("reset");
        try (WirekvServer server = CncTestSupport.startServer(name, new ByteArrayOutputStream());
            CncReader cnc = CncReader.open(CncFileDescriptor.baseDirectory(), name, false);
            Socket tcp = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort()))
        {
            tcp.setSoTimeout(5000);
            final OutputStream out = tcp.getOutputStream();
            final BufferedReader in = new BufferedReader(new InputStreamReader(tcp.getInputStream(), StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 5; i++)
            {
                out.write("get reset:k\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertEquals("END", in.readLine());
            }
            final long before = value(cnc, "cmd_get");
            final long bytesBefore = value(cnc, "bytes_read");
            assertEquals(5, before, "the slots are the file's bytes: no housekeeping period to wait for");

            out.write("stats reset\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("RESET", in.readLine());
            assertEquals(before, value(cnc, "cmd_get"), "stats reset moved the counter itself");
            assertTrue(value(cnc, "bytes_read") >= bytesBefore, "bytes_read went back");
            assertEquals(1, value(cnc, "curr_connections"), "a gauge, left alone by reset");

            out.write("get reset:k\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("END", in.readLine());
            out.write("stats\r\n".getBytes(StandardCharsets.ISO_8859_1));
            final Map<String, String> stats = new HashMap<>();
            for (String line = in.readLine(); !"END".equals(line); line = in.readLine())
            {
                final String[] parts = line.split(" ", 3);
                stats.put(parts[1], parts[2]);
            }
            assertEquals("1", stats.get("cmd_get"), "stats counts from the reset");
            assertEquals("1", stats.get("curr_connections"));
            assertEquals(before + 1, value(cnc, "cmd_get"), "the CnC file counts from the start");
        }
    }

    private static long value(final CncReader cnc, final String name)
    {
        return CounterSnapshot.take(cnc, 0).samples().stream().filter(s -> s.name().equals(name))
            .mapToLong(CounterSnapshot.Sample::value).sum();
    }
}
