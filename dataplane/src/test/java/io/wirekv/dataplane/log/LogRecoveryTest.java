package io.wirekv.dataplane.log;

import io.wirekv.dataplane.record.RecordFrames;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recovery of real segment files: clean, torn at every byte of the last frame, corrupt in the middle, missing. */
class LogRecoveryTest
{
    private final LogTestKit kit = new LogTestKit();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = LogTestKit.freshDir("recovery");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        kit.close();
        LogTestKit.deleteTree(dir);
    }

    /** Writes key0..key(n-1) with values of {@code valueLength}; returns each record's offset in its segment. */
    private long[] write(final Path into, final int n, final int valueLength)
    {
        final long[] offsets = new long[n];
        try (LogTestKit.Writing w = kit.new Writing(into))
        {
            for (int i = 0; i < n; i++)
            {
                final long before = w.log.appendedSequence();
                assertEquals(before + 1, w.set("key" + i, value(i, valueLength)));
            }
        }
        return offsets;
    }

    private static String value(final int i, final int length)
    {
        final StringBuilder sb = new StringBuilder("v" + i + ":");
        while (sb.length() < length)
        {
            sb.append((char)('a' + sb.length() % 26));
        }
        return sb.toString();
    }

    private Path onlySegment()
    {
        final List<Path> segments = segments(dir);
        assertEquals(1, segments.size());
        return segments.getFirst();
    }

    private static List<Path> segments(final Path dataDir)
    {
        try (var files = Files.list(dataDir.resolve("log").resolve("p0")))
        {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /** Offsets of the records in a segment, by walking its frames. */
    private static long[] frameOffsets(final Path segment, final int n) throws IOException
    {
        final long[] offsets = new long[n + 1];
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "r"))
        {
            long at = LogSegmentDescriptor.RECORDS_OFFSET;
            for (int i = 0; i <= n; i++)
            {
                offsets[i] = at;
                f.seek(at);
                final int length = Integer.reverseBytes(f.readInt());
                at += RecordFrames.frameLength(length);
            }
        }
        return offsets;
    }

    @Test
    void shouldRecoverEveryRecordOfACleanLogAndContinueAppending() throws IOException
    {
        write(dir, 20, 40);
        try (LogTestKit.Recovered r = kit.recover(dir, false))
        {
            assertEquals(20, r.report().records());
            assertTrue(r.report().notes().isEmpty(), r.report().describe());
            for (int i = 0; i < 20; i++)
            {
                assertEquals(value(i, 40), r.get("key" + i));
            }
            assertEquals(21, r.results().getFirst().nextSequence());
        }
        try (LogTestKit.Writing w = kit.new Writing(dir))
        {
            assertEquals(21, w.set("key20", "after the restart"));
        }
        try (LogTestKit.Recovered r = kit.recover(dir, false))
        {
            assertEquals(21, r.report().records());
            assertEquals("after the restart", r.get("key20"));
        }
    }

    @Test
    void shouldCutATornLastRecordAtEveryByteOffsetOfItsFrame() throws IOException
    {
        write(dir, 5, 30);
        final Path segment = onlySegment();
        final long[] offsets = frameOffsets(segment, 5);
        final long last = offsets[4];
        final long frameEnd = offsets[5];
        final Path pristine = Files.copy(segment, dir.resolve("pristine"));
        final long recordEnd = last + WriteRecordDescriptor.EFFECT_HEADER_LENGTH + "key4".length() + 30;
        assertTrue(recordEnd < frameEnd, "the frame has padding to check too");
        for (long cut = last + 1; cut < frameEnd; cut++)
        {
            Files.copy(pristine, segment, StandardCopyOption.REPLACE_EXISTING);
            try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw"))
            {
                f.setLength(cut);
            }
            if (cut >= recordEnd)
            {
                try (LogTestKit.Recovered r = kit.recover(dir, false))
                {
                    assertEquals(5, r.report().records(), "only padding cut at " + cut + ": the record is whole");
                    assertEquals(value(4, 30), r.get("key4"));
                }
                continue;
            }
            try (LogTestKit.Recovered r = kit.recover(dir, false))
            {
                assertEquals(4, r.report().records(), "cut at " + cut);
                for (int i = 0; i < 4; i++)
                {
                    assertEquals(value(i, 30), r.get("key" + i), "cut at " + cut);
                }
                assertNull(r.get("key4"), "the torn record is gone, cut at " + cut);
                final String report = r.report().describe();
                assertTrue(report.contains("torn tail cut in " + segment) && report.contains("byte offset " + last) &&
                    report.contains("1 record dropped"), report);
            }
        }
        // after a cut the log continues where it was cut (in a new segment when the cut file is full)
        Files.copy(pristine, segment, StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw"))
        {
            f.setLength(last + 50);
        }
        try (LogTestKit.Recovered r = kit.recover(dir, false))
        {
            assertEquals(4, r.report().records());
        }
        try (LogTestKit.Writing w = kit.new Writing(dir))
        {
            assertEquals(5, w.set("key4", "again"));
        }
        try (LogTestKit.Recovered r = kit.recover(dir, false))
        {
            assertEquals(5, r.report().records());
            assertEquals("again", r.get("key4"));
            assertTrue(r.report().notes().isEmpty(), r.report().describe());
        }
    }

    @Test
    void shouldCutABadCrcInTheLastRecordWithOnlyZerosAfterIt() throws IOException
    {
        write(dir, 3, 30);
        final Path segment = onlySegment();
        final long[] offsets = frameOffsets(segment, 3);
        flip(segment, offsets[2] + WriteRecordDescriptor.EFFECT_HEADER_LENGTH + 6); // a value byte
        try (LogTestKit.Recovered r = kit.recover(dir, false))
        {
            assertEquals(2, r.report().records());
            assertTrue(r.report().describe().contains("a bad CRC32C"), r.report().describe());
        }
    }

    @Test
    void shouldRefuseABitFlipInTheMiddleAndKeepThePrefixWithRecoverTruncate() throws IOException
    {
        write(dir, 6, 30);
        final Path segment = onlySegment();
        final long[] offsets = frameOffsets(segment, 6);
        flip(segment, offsets[2] + WriteRecordDescriptor.EFFECT_HEADER_LENGTH + 4); // the value's first byte
        final LogRecovery.LogCorruptionException ex =
            assertThrows(LogRecovery.LogCorruptionException.class, () -> kit.recover(dir, false));
        assertTrue(ex.getMessage().contains(segment.toString()) && ex.getMessage().contains("byte offset " + offsets[2]) &&
            ex.getMessage().contains("--recover-truncate") && ex.getMessage().contains("a bad CRC32C"), ex.getMessage());
        try (LogTestKit.Recovered r = kit.recover(dir, true))
        {
            assertEquals(2, r.report().records());
            assertEquals(value(1, 30), r.get("key1"));
            assertNull(r.get("key2"));
            assertNull(r.get("key5"), "everything after the damage is dropped");
            assertTrue(r.report().describe().contains("kept 2 records, dropped 3"), r.report().describe());
        }
        try (LogTestKit.Recovered r = kit.recover(dir, false))
        {
            assertEquals(2, r.report().records(), "the cut is durable: the next start is clean");
        }
    }

    @Test
    void shouldRefuseASegmentOfAnotherLogFormatNamingItsVersion() throws IOException
    {
        write(dir, 3, 30);
        final Path segment = onlySegment();
        // the segment header of an earlier build: version 1 (a valid header CRC, so only the version is wrong)
        final byte[] header = new byte[LogSegmentDescriptor.HEADER_CRC_OFFSET];
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw"))
        {
            f.seek(LogSegmentDescriptor.VERSION_OFFSET);
            f.write(new byte[] {1, 0, 0, 0});
            f.seek(0);
            f.readFully(header);
            final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(header);
            f.seek(LogSegmentDescriptor.HEADER_CRC_OFFSET);
            f.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int)crc.getValue())
                .array());
        }
        final byte[] before = Files.readAllBytes(segment);
        for (final boolean recoverTruncate : new boolean[] {false, true})
        {
            final LogRecovery.LogCorruptionException ex =
                assertThrows(LogRecovery.LogCorruptionException.class, () -> kit.recover(dir, recoverTruncate));
            assertTrue(ex.getMessage().contains("written by another wirekv build") &&
                ex.getMessage().contains(segment.toString()) &&
                ex.getMessage().contains("log segment version 1, this build reads " + LogSegmentDescriptor.VERSION) &&
                ex.getMessage().contains("move that directory aside"), ex.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(segment), "the old log is left as it was");
    }

    @Test
    void shouldRefuseAMissingMiddleSegment() throws IOException
    {
        write(dir, 30, 100_000); // ~9 per 1 MiB segment: four segments
        final List<Path> segments = segments(dir);
        assertTrue(segments.size() >= 3, segments.toString());
        Files.delete(segments.get(1));
        final LogRecovery.LogCorruptionException ex =
            assertThrows(LogRecovery.LogCorruptionException.class, () -> kit.recover(dir, false));
        assertTrue(ex.getMessage().contains(segments.get(2).toString()) && ex.getMessage().contains("missing segment"),
            ex.getMessage());
        try (LogTestKit.Recovered r = kit.recover(dir, true))
        {
            final long kept = r.report().records();
            assertEquals(DataDirectory.firstSequenceOf(segments.get(1)) - 1, kept);
            assertTrue(Files.exists(segments.get(2).resolveSibling(segments.get(2).getFileName() + ".dropped")));
        }
    }

    @Test
    void shouldRefuseAGarbageSegmentAndRemoveAnEmptyOne() throws IOException
    {
        write(dir, 3, 30);
        final Path garbage = dir.resolve("log/p0").resolve(LogSegmentDescriptor.fileName(4));
        final byte[] junk = new byte[4096];
        new java.util.Random(7).nextBytes(junk);
        Files.write(garbage, junk);
        final LogRecovery.LogCorruptionException ex =
            assertThrows(LogRecovery.LogCorruptionException.class, () -> kit.recover(dir, false));
        assertTrue(ex.getMessage().contains(garbage.toString()) && ex.getMessage().contains("not a wirekv log segment"),
            ex.getMessage());

        Files.write(garbage, new byte[0]); // created, never written: a crash right after the roll
        try (LogTestKit.Recovered r = kit.recover(dir, false))
        {
            assertEquals(3, r.report().records());
            assertTrue(r.report().describe().contains("removed empty segment"), r.report().describe());
        }
        assertFalse(Files.exists(garbage));
    }

    @Test
    void shouldRefuseASecondHolderOfTheDataDirectory()
    {
        try (DataDirectory first = DataDirectory.open(dir))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> DataDirectory.open(dir));
            assertTrue(ex.getMessage().contains("in use by another wirekv instance") &&
                ex.getMessage().contains("pid " + ProcessHandle.current().pid()), ex.getMessage());
        }
        DataDirectory.open(dir).close(); // released
    }

    private static void flip(final Path file, final long at) throws IOException
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(at);
            final int b = f.read();
            f.seek(at);
            f.write(b ^ 0x04);
        }
    }
}
