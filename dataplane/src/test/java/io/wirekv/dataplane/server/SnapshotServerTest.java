package io.wirekv.dataplane.server;

import io.wirekv.dataplane.log.DataDirectory;
import io.wirekv.dataplane.log.LogRecovery;
import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.log.SnapshotCompactionAgent;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole server with snapshots and compaction on real files under target/ (ext4, never /dev/shm): a fuzzy
 * snapshot taken while writes run plus the log tail recovers the exact table (key, value, flags, expiry, CAS);
 * snapshots delete the log segments they cover, never the live one; the automatic trigger keeps data.dir bounded
 * under a long overwrite load; a corrupt newest snapshot falls back to an older one or the whole log, or refuses
 * to start when the log it needs is gone, never a wrong value.
 */
class SnapshotServerTest
{
    private static final String VALUE = "v".repeat(400);
    private static Path root;

    @BeforeAll
    static void createRoot() throws IOException
    {
        root = Path.of("target", "snapshot-server-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(root);
    }

    @AfterAll
    static void removeRoot() throws IOException
    {
        try (Stream<Path> all = Files.walk(root))
        {
            for (final Path p : all.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    private static ServerConfig config(final Path dataDir, final int partitions, final double factor, final long minLog)
    {
        return new ServerConfig(
            "snap-" + System.nanoTime(), "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, partitions,
            64L * 1024 * 1024, MemoryMode.STORE, 64 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withPersistence(new PersistenceSettings(PersistenceSettings.Mode.ASYNC, dataDir, 20, 1L << 20, false)
                .withSnapshotTrigger(factor, minLog));
    }

    /** No automatic snapshot: only the ones a test asks for. */
    private static ServerConfig manual(final Path dataDir, final int partitions)
    {
        return config(dataDir, partitions, 100, 1L << 40);
    }

    private static WirekvServer start(final ServerConfig config, final ByteArrayOutputStream log)
    {
        return WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(log, true));
    }

    /** Every live item as key -> value|flags|expiry|cas, read on this thread as a registered reader (no writes run). */
    static Map<String, String> dump(final Table table)
    {
        final Map<String, String> items = new TreeMap<>();
        final QsbrReader reader = table.registerReader("test-dump");
        try
        {
            for (int p = 0; p < table.partitionCount(); p++)
            {
                reader.online();
                table.forEachItem(p, reader, (final ItemView item) ->
                {
                    final String previous = items.put(new String(item.keyBytes(), StandardCharsets.US_ASCII),
                        new String(item.valueBytes(), StandardCharsets.US_ASCII) + "|" + item.clientFlags() + "|" +
                        item.expiresAtSeconds() + "|" + item.cas());
                    assertNull(previous, "a quiescent scan visits each item once");
                    return true;
                });
                reader.offline();
            }
        }
        finally
        {
            reader.close();
        }
        return items;
    }

    private static void writeBatch(final MemcachedTestClient client, final String prefix, final int keys, final int round)
        throws IOException
    {
        for (int i = 0; i < keys; i++)
        {
            final String value = VALUE.substring(0, 100 + (i * 7 + round) % 300) + round;
            final String expiry = i % 5 == 0 ? "3600" : "0";
            assertEquals("STORED\r\n", client.tcp("set " + prefix + i + " " + (i + round) + " " + expiry + " " +
                value.length() + "\r\n" + value + "\r\n", "\r\n"));
            if (i % 11 == 0)
            {
                assertEquals("DELETED\r\n", client.tcp("delete " + prefix + i + "\r\n", "\r\n"));
            }
        }
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

    @Test
    void shouldRecoverAFuzzySnapshotAndTheLogTailExactly() throws Exception
    {
        final Path dataDir = root.resolve("fuzzy");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final Map<String, String> before;
        long maxCas = 0;
        try (WirekvServer server = start(manual(dataDir, 2), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            writeBatch(client, "before-", 9000, 0); // about 1.4 MB of log per partition: 1 MiB segments roll
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong during = new AtomicLong();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread load = Thread.ofPlatform().name("test-load").start(() ->
            {
                try (MemcachedTestClient c = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
                {
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    for (int round = 1; !stop.get() && round < 50 && System.nanoTime() < deadline; round++)
                    {
                        writeBatch(c, "before-", 300, round); // overwrites and deletes of scanned keys
                        writeBatch(c, "during-", 100, round);
                        during.addAndGet(400);
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            awaitAtLeast(during, 400, failure);
            final List<SnapshotCompactionAgent.Outcome> outcomes =
                server.durability().snapshotAll().get(60, TimeUnit.SECONDS);
            awaitAtLeast(during, during.get() + 400, failure); // and the load goes on after it
            stop.set(true);
            load.join(60_000);
            assertNull(failure.get(), () -> "load failed: " + failure.get());
            assertTrue(during.get() > 0, "writes ran while the snapshot was taken");
            assertEquals(2, outcomes.size());
            int deleted = 0;
            for (final SnapshotCompactionAgent.Outcome o : outcomes)
            {
                assertTrue(o.snapshot().items() > 0, o.describe());
                deleted += o.deletedSegments().size();
                final List<Path> left = segments(dataDir, o.snapshot().partition());
                assertFalse(left.isEmpty(), "the live segment is never deleted");
                assertTrue(DataDirectory.firstSequenceOf(left.getFirst()) <= o.snapshot().sequence() + 1,
                    "the log still covers everything after the snapshot: " + left);
                o.deletedSegments().forEach(p -> assertFalse(Files.exists(p), p + " deleted"));
            }
            assertTrue(deleted > 0, "the snapshots covered whole segments: " + outcomes);
            writeBatch(client, "after-", 500, 7);
            writeBatch(client, "before-", 200, 9);
            before = dump(server.table());
            for (final String item : before.values())
            {
                maxCas = Math.max(maxCas, Long.parseLong(item.substring(item.lastIndexOf('|') + 1)));
            }
        }
        log.reset();
        try (WirekvServer server = start(manual(dataDir, 2), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            final LogRecovery.Report report = server.durability().recovery();
            assertTrue(report.snapshotItems() > 0 && report.replayed() > 0, report.describe());
            assertEquals(before, dump(server.table()), "every item: key, value, flags, expiry and CAS");
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("items from snapshots"), log.toString());
            assertEquals("STORED\r\n", client.tcp("set fresh 0 0 1\r\nf\r\n", "\r\n"));
            final String cas = dump(server.table()).get("fresh");
            assertTrue(Long.parseLong(cas.substring(cas.lastIndexOf('|') + 1)) > maxCas, "a new CAS above every recovered one");
        }
    }

    private static void awaitAtLeast(final AtomicLong count, final long target, final AtomicReference<Throwable> failure)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count.get() < target && null == failure.get() && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
    }

    private static List<Path> segments(final Path dataDir, final int partition) throws IOException
    {
        try (Stream<Path> files = Files.list(dataDir.resolve("log").resolve("p" + partition)))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    @Test
    void shouldKeepDataDirBoundedUnderALongOverwriteLoad() throws Exception
    {
        final Path dataDir = root.resolve("bounded");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final long live;
        final Map<String, String> before;
        final long appended;
        long largest = 0;
        try (WirekvServer server = start(config(dataDir, 1, 2, 1L << 20), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            // 50 keys of 1000 bytes (50 KB live) overwritten at about 2 MB/s for 10 s: 20 MB through the log
            final String value = "x".repeat(1000);
            final long start = System.nanoTime();
            for (int i = 0; i < 20_000; i++)
            {
                assertEquals("STORED\r\n", client.tcp("set k" + (i % 50) + " " + i + " 0 1000\r\n" + value + "\r\n", "\r\n"));
                final long dueNs = start + i * 500_000L; // 2000 writes/s
                final long ahead = dueNs - System.nanoTime();
                if (ahead > 0)
                {
                    TimeUnit.NANOSECONDS.sleep(ahead);
                }
                if (i % 500 == 0)
                {
                    largest = Math.max(largest, bytesUnder(dataDir));
                }
            }
            live = server.table().counters().bytes();
            appended = server.durability().counters().recordsAppended();
            before = dump(server.table());
            largest = Math.max(largest, bytesUnder(dataDir));
        }
        System.out.printf("bounded: 20000 overwrites of 50 keys x 1000 bytes; data.dir peaked at %d bytes (live %d)%n",
            largest, live);
        assertEquals(20_000, appended);
        // without compaction: 20 MB of log; with it: the live segment, the ones written in the last check
        // interval (2 MB/s, 1 MiB segments) and a snapshot of 50 KB, with room for a late check
        assertTrue(largest < 8L << 20, "data.dir stayed under 8 MiB: " + largest + " bytes (live " + live + ")");
        try (WirekvServer server = start(config(dataDir, 1, 2, 1L << 20), log))
        {
            assertEquals(before, dump(server.table()));
            assertTrue(server.durability().recovery().snapshotItems() > 0);
        }
    }

    @Test
    void shouldFallBackToTheOlderSnapshotOrTheWholeLogWhenTheNewestIsCorrupt() throws Exception
    {
        final Path dataDir = root.resolve("corrupt");
        final Path snapshots = dataDir.resolve("snapshot");
        final Path aside = root.resolve("corrupt-aside");
        Files.createDirectories(aside);
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final Map<String, String> before;
        final Path older;
        final Path newest;
        try (WirekvServer server = start(manual(dataDir, 1), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            writeBatch(client, "a-", 300, 0); // well inside the first 1 MiB segment: no snapshot deletes any
            older = server.durability().snapshotAll().get(30, TimeUnit.SECONDS).getFirst().snapshot().file();
            Files.copy(older, aside.resolve(older.getFileName())); // as if the process died before deleting it
            // the first record after each snapshot's sequence, never overwritten: a recovery that skipped it loses it
            assertEquals("STORED\r\n", client.tcp("set first-after-older 1 0 1\r\no\r\n", "\r\n"));
            writeBatch(client, "a-", 300, 1);
            writeBatch(client, "b-", 200, 1);
            newest = server.durability().snapshotAll().get(30, TimeUnit.SECONDS).getFirst().snapshot().file();
            assertFalse(Files.exists(older), "a newer snapshot replaces the older");
            assertEquals("STORED\r\n", client.tcp("set first-after-newest 2 0 1\r\nn\r\n", "\r\n"));
            writeBatch(client, "c-", 100, 2);
            before = dump(server.table());
        }
        assertEquals(1, segments(dataDir, 0).size(), "one segment: nothing was deleted");
        try (WirekvServer server = start(manual(dataDir, 1), log))
        {
            assertEquals(before, dump(server.table()), "the newest snapshot and the log after it");
            assertTrue(server.durability().recovery().snapshotItems() > 0);
        }
        Files.copy(aside.resolve(older.getFileName()), older);
        Files.copy(newest, aside.resolve(newest.getFileName()));
        try (RandomAccessFile file = new RandomAccessFile(newest.toFile(), "rw"))
        {
            file.setLength(file.length() - 9); // truncated
        }
        log.reset();
        try (WirekvServer server = start(manual(dataDir, 1), log))
        {
            final LogRecovery.Report report = server.durability().recovery();
            assertEquals(before, dump(server.table()), "the older snapshot and a longer log tail");
            assertTrue(report.notes().stream().anyMatch(n -> n.contains("snapshot refused") && n.contains(
                newest.getFileName().toString()) && n.contains("using " + older.getFileName())), report.describe());
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("snapshot refused"), log.toString());
        }
        // a bit flip in the newest, and no older one: the whole log
        Files.deleteIfExists(older);
        Files.copy(aside.resolve(newest.getFileName()), newest, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(newest, newestSnapshot(snapshots));
        flipByte(newest, Files.size(newest) / 2);
        try (WirekvServer server = start(manual(dataDir, 1), log))
        {
            final LogRecovery.Report report = server.durability().recovery();
            assertEquals(before, dump(server.table()), "the whole log");
            assertEquals(0, report.snapshotItems());
            assertTrue(report.notes().stream().anyMatch(n -> n.contains("the whole log is replayed")), report.describe());
        }
    }

    @Test
    void shouldHandOutCasAboveEverySnapshotItemWhenNoLogFollows() throws Exception
    {
        final Path dataDir = root.resolve("cas");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final Map<String, String> before;
        try (WirekvServer server = start(manual(dataDir, 2), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            writeBatch(client, "k-", 200, 0);
            server.durability().snapshotAll().get(30, TimeUnit.SECONDS);
            before = dump(server.table());
        }
        try (WirekvServer server = start(manual(dataDir, 2), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            assertEquals(0, server.durability().recovery().replayed(), "everything came from the snapshots");
            assertEquals(before, dump(server.table()));
            final long maxCas = before.values().stream()
                .mapToLong(item -> Long.parseLong(item.substring(item.lastIndexOf('|') + 1))).max().orElseThrow();
            assertEquals("STORED\r\n", client.tcp("set fresh 0 0 1\r\nf\r\n", "\r\n"));
            final String fresh = dump(server.table()).get("fresh");
            assertTrue(Long.parseLong(fresh.substring(fresh.lastIndexOf('|') + 1)) > maxCas,
                "a new CAS is above every restored one: " + fresh + " / " + maxCas);
        }
    }

    @Test
    void shouldRefuseToStartWhenTheSnapshotIsCorruptAndTheLogItNeedsIsGone() throws Exception
    {
        final Path dataDir = root.resolve("gone");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (WirekvServer server = start(manual(dataDir, 1), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            writeBatch(client, "a-", 4000, 0); // about 1.5 MB: two segments or more
            final SnapshotCompactionAgent.Outcome o = server.durability().snapshotAll().get(30, TimeUnit.SECONDS).getFirst();
            assertFalse(o.deletedSegments().isEmpty(), o.describe());
        }
        final Path snapshot = newestSnapshot(dataDir.resolve("snapshot"));
        flipByte(snapshot, 100);
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> start(manual(dataDir, 1), log).close());
        assertTrue(refused.getMessage().contains("missing segment"), refused.getMessage());
    }

    private static Path newestSnapshot(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".snap")).max(Comparator.naturalOrder())
                .orElseThrow();
        }
    }

    private static void flipByte(final Path file, final long at) throws IOException
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(at);
            final int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
    }
}
