package io.wirekv.dataplane.server;

import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction under load, on a whole server over TCP with real files under target/ (ext4): two clients overwrite 2,000
 * keys as fast as they can while two others read them, first for a phase without snapshots, then for a phase in which
 * snapshots (each deleting the log segments it covers) run back to back. Every read must answer a value that was
 * written, whole (no torn value), and no older than the last write acknowledged before the read was sent (no
 * stale-after-ack value); data.dir must stay bounded while compaction runs. Prints writes/s and the read p99 of both
 * phases (the figure in README's "Measured here"). About 25 s.
 */
class CompactionUnderLoadTest
{
    private static final int KEYS = 2_000;
    private static final int PARTITIONS = 2;
    private static final int VALUE_BYTES = 200;
    private static final long SEGMENT_BYTES = 1L << 20;
    private static final double LOG_FACTOR = 2.0;
    private static final long PHASE_NS = TimeUnit.SECONDS.toNanos(Long.getLong("wirekv.compaction.phase.seconds", 8));
    private static final int MAX_SAMPLES = 2_000_000;

    private Path root;
    private final AtomicLongArray issued = new AtomicLongArray(KEYS);
    private final AtomicLongArray acked = new AtomicLongArray(KEYS);
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong writes = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    /** 0: warm-up (not recorded), 1: without snapshots, 2: with snapshots back to back. */
    private volatile int phase;
    private final long[][] readLatencies = new long[3][];
    private final AtomicLong[] readCounts = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final AtomicLong largest = new AtomicLong();
    private final AtomicLong liveAtLargest = new AtomicLong();

    @BeforeEach
    void setUp() throws IOException
    {
        root = Path.of("target", "compaction-load-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(root);
    }

    @AfterEach
    void tearDown() throws Exception
    {
        running.set(false);
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        try (Stream<Path> all = Files.walk(root))
        {
            for (final Path p : all.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    private static ServerConfig config(final Path dataDir)
    {
        return new ServerConfig(
            "compaction-" + System.nanoTime(), "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1,
            PARTITIONS, 64L * 1024 * 1024, MemoryMode.STORE, 64 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF,
            false)
            .withPersistence(new PersistenceSettings(PersistenceSettings.Mode.ASYNC, dataDir, 20, SEGMENT_BYTES, false)
                .withSnapshotTrigger(100, 1L << 40)); // no automatic snapshot: the phases decide
    }

    /** The value of version {@code v} of key {@code k}: its version, then a filler that differs between versions. */
    static String valueOf(final int k, final long v)
    {
        final String head = k + ":" + v + ":";
        final char filler = (char)('a' + Math.floorMod(k * 31L + v * 7L, 26));
        return head + String.valueOf(filler).repeat(VALUE_BYTES - head.length());
    }

    @Test
    void shouldServeOnlyWrittenValuesAndStayBoundedWhileSnapshotsRunBackToBack() throws Exception
    {
        final Path dataDir = root.resolve("data");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (WirekvServer server = WirekvServer.start(config(dataDir), SystemEpochClock.INSTANCE,
            new PrintStream(log, true)))
        {
            try (MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
            {
                for (int k = 0; k < KEYS; k++)
                {
                    issued.set(k, 1);
                    assertEquals("STORED\r\n", set(client, k, 1));
                    acked.set(k, 1);
                }
            }
            readLatencies[1] = new long[MAX_SAMPLES];
            readLatencies[2] = new long[MAX_SAMPLES];
            for (int w = 0; w < 2; w++)
            {
                final int first = w;
                start("writer-" + w, server, client -> writeLoop(client, first));
            }
            for (int r = 0; r < 2; r++)
            {
                final long seed = r;
                start("reader-" + r, server, client -> readLoop(client, seed));
            }
            TimeUnit.SECONDS.sleep(2); // warm-up

            // phase 1: no snapshots, the log only grows
            phase = 1;
            final long writesBefore = writes.get();
            long t0 = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(PHASE_NS);
            final double writesPerSecondWithout = (writes.get() - writesBefore) * 1e9 / (System.nanoTime() - t0);
            final long[] without = snapshotOfLatencies(1);

            // phase 2: snapshots back to back, each deleting the segments it covers; data.dir sampled meanwhile
            phase = 2;
            final long writesAtCompaction = writes.get();
            t0 = System.nanoTime();
            long snapshots = 0;
            long segmentsDeleted = 0;
            final AtomicBoolean compacted = new AtomicBoolean();
            final Thread sampler = Thread.ofPlatform().name("disk-sampler").daemon(true).start(() ->
            {
                while (running.get())
                {
                    try
                    {
                        if (compacted.get()) // the first snapshot compacts phase 1's log
                        {
                            final long bytes = bytesUnder(dataDir);
                            if (bytes > largest.get())
                            {
                                largest.set(bytes);
                                liveAtLargest.set(server.table().counters().bytes());
                            }
                        }
                        TimeUnit.MILLISECONDS.sleep(10);
                    }
                    catch (final IOException | InterruptedException ex)
                    {
                        violations.add("disk sampler failed: " + ex);
                        return;
                    }
                }
            });
            threads.add(sampler);
            while (System.nanoTime() - t0 < PHASE_NS)
            {
                for (final var outcome : server.durability().snapshotAll().get(30, TimeUnit.SECONDS))
                {
                    segmentsDeleted += outcome.deletedSegments().size();
                }
                snapshots++;
                compacted.set(true);
            }
            final double writesPerSecondWith = (writes.get() - writesAtCompaction) * 1e9 / (System.nanoTime() - t0);
            running.set(false);
            for (final Thread t : threads)
            {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            final long[] with = snapshotOfLatencies(2);
            final long live = server.table().counters().bytes();

            System.out.printf("compaction under load: without snapshots %.0f writes/s, read p50 %d us, p99 %d us " +
                    "(%d reads); with %d snapshots back to back (%d segments deleted) %.0f writes/s, read p50 %d us, " +
                    "p99 %d us (%d reads); data.dir peaked at %d bytes with %d bytes live%n",
                writesPerSecondWithout, percentile(without, 50), percentile(without, 99), without.length, snapshots,
                segmentsDeleted, writesPerSecondWith, percentile(with, 50), percentile(with, 99), with.length,
                largest.get(), liveAtLargest.get());
            assertTrue(violations.isEmpty(), violations.size() + " bad reads, first: " +
                violations.subList(0, Math.min(5, violations.size())));
            assertTrue(without.length > 100 && with.length > 100, "reads ran in both phases");
            assertTrue(writesPerSecondWith > 0 && snapshots >= 2, "writes and snapshots ran together");
            assertTrue(segmentsDeleted > 0, "compaction deleted segments");
            // the newest snapshot and the one it replaces (each about the live bytes, in the table's accounting or
            // less) and the log since the last snapshot (at most the factor's worth of live data before a snapshot is
            // due; back to back, much less); per partition, the segment being appended to (allocated whole), the
            // syncer's spare and the previous segment until the next snapshot covers it
            final long bound = (long)((2 + LOG_FACTOR) * Math.max(live, liveAtLargest.get())) +
                3L * PARTITIONS * SEGMENT_BYTES;
            assertTrue(largest.get() > 0 && largest.get() <= bound, "data.dir peaked at " + largest + " bytes, bound " +
                bound + " (live " + live + ")");
        }
    }

    private interface ClientLoop
    {
        void run(MemcachedTestClient client) throws IOException;
    }

    private void start(final String name, final WirekvServer server, final ClientLoop loop)
    {
        final Thread t = Thread.ofPlatform().name(name).daemon(true).start(() ->
        {
            try (MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
            {
                loop.run(client);
            }
            catch (final IOException | RuntimeException ex)
            {
                if (running.get())
                {
                    violations.add(name + " failed: " + ex);
                }
            }
        });
        threads.add(t);
    }

    private static String set(final MemcachedTestClient client, final int k, final long v) throws IOException
    {
        return client.tcp("set key-" + k + " 0 0 " + VALUE_BYTES + "\r\n" + valueOf(k, v) + "\r\n", "\r\n");
    }

    /** Overwrites the keys {@code first, first + 2, ...} in turn, each with its next version. */
    private void writeLoop(final MemcachedTestClient client, final int first) throws IOException
    {
        for (int k = first; running.get(); k = k + 2 < KEYS ? k + 2 : first)
        {
            final long v = issued.get(k) + 1;
            issued.set(k, v); // before sending: a read may see it from now on
            final String reply = set(client, k, v);
            if (!"STORED\r\n".equals(reply))
            {
                violations.add("set key-" + k + " version " + v + ": " + reply.trim());
                return;
            }
            acked.set(k, v);
            writes.incrementAndGet();
        }
    }

    private void readLoop(final MemcachedTestClient client, final long seed) throws IOException
    {
        final SplittableRandom random = new SplittableRandom(seed);
        while (running.get())
        {
            final int k = random.nextInt(KEYS);
            final long floor = acked.get(k); // acknowledged before the get is sent: the answer is at least this
            final long t0 = System.nanoTime();
            final String reply = client.tcp("get key-" + k + "\r\n", "END\r\n");
            final long micros = (System.nanoTime() - t0) / 1000;
            final long ceiling = issued.get(k); // sent by the time the answer came: the answer is at most this
            check(k, reply, floor, ceiling);
            final int p = phase;
            if (p == 0)
            {
                continue;
            }
            final long n = readCounts[p].getAndIncrement();
            if (n < MAX_SAMPLES)
            {
                readLatencies[p][(int)n] = micros;
            }
        }
    }

    private void check(final int k, final String reply, final long floor, final long ceiling)
    {
        final String header = "VALUE key-" + k + " 0 " + VALUE_BYTES + "\r\n";
        if (!reply.startsWith(header) || !reply.endsWith("\r\nEND\r\n") ||
            reply.length() != header.length() + VALUE_BYTES + "\r\nEND\r\n".length())
        {
            violations.add("key-" + k + ": not one whole item: " + reply.substring(0, Math.min(80, reply.length())));
            return;
        }
        final String value = reply.substring(header.length(), header.length() + VALUE_BYTES);
        final String[] parts = value.split(":", 3);
        final long v;
        try
        {
            v = Long.parseLong(parts[1]);
        }
        catch (final RuntimeException ex)
        {
            violations.add("key-" + k + ": unreadable value " + value);
            return;
        }
        if (!value.equals(valueOf(k, v)))
        {
            violations.add("key-" + k + ": torn value " + value);
        }
        else if (v < floor)
        {
            violations.add("key-" + k + ": version " + v + " after version " + floor + " was acknowledged");
        }
        else if (v > ceiling)
        {
            violations.add("key-" + k + ": version " + v + " was never sent (last " + ceiling + ")");
        }
    }

    private long[] snapshotOfLatencies(final int phase)
    {
        final int n = (int)Math.min(readCounts[phase].get(), MAX_SAMPLES);
        final long[] copy = Arrays.copyOf(readLatencies[phase], n);
        Arrays.sort(copy);
        return copy;
    }

    private static long percentile(final long[] sorted, final int p)
    {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int)((long)sorted.length * p / 100))];
    }

    /** Bytes of the files under dir; the snapshot thread may delete one while this walks (then it walks again). */
    private static long bytesUnder(final Path dir) throws IOException
    {
        for (int attempt = 0; ; attempt++)
        {
            try (Stream<Path> all = Files.walk(dir))
            {
                long total = 0;
                for (final Path p : all.filter(Files::isRegularFile).toList())
                {
                    total += Files.size(p);
                }
                return total;
            }
            catch (final java.io.UncheckedIOException | java.nio.file.NoSuchFileException ex)
            {
                if (attempt == 10)
                {
                    throw ex;
                }
            }
        }
    }
}
