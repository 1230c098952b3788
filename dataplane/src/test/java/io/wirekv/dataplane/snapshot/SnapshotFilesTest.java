package io.wirekv.dataplane.snapshot;

import org.agrona.concurrent.EpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Snapshot files on disk: the round trip of every field, and every kind of damaged file refused with its reason and
 * offset, the previous valid snapshot chosen instead.
 */
class SnapshotFilesTest
{
    private static final long NOW_MS = 1_700_000_000_123L;
    private static final EpochClock CLOCK = () -> NOW_MS;

    private Path directory;
    private SnapshotDirectory snapshots;
    private final SnapshotReader reader = new SnapshotReader(4096);

    @BeforeEach
    void setUp() throws IOException
    {
        directory = SnapshotTestFiles.newDirectory("files");
        snapshots = new SnapshotDirectory(directory);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        SnapshotTestFiles.delete(directory);
    }

    private record Item(String key, byte[] value, int flags, long exp, long cas, long storedAt, int meta)
    {
    }

    private static List<Item> items(final int count, final int seed, final int maxValue)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<Item> items = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] value = new byte[random.nextInt(maxValue + 1)];
            random.nextBytes(value);
            items.add(new Item("key-" + seed + "-" + i, value, random.nextInt(), i % 2 == 0 ? 0 : 0xFFFF_FFF0L - i,
                random.nextLong(1, Long.MAX_VALUE), 1_700_000_000L + i, i & 7));
        }
        return items;
    }

    /** Writes the items as partition's snapshot at sequence with a writer whose buffer is {@code bufferBytes}. */
    private SnapshotInfo write(final int partition, final long sequence, final List<Item> items, final int bufferBytes)
        throws IOException
    {
        try (SnapshotWriter writer = new SnapshotWriter(directory, CLOCK, bufferBytes))
        {
            writer.begin(partition, sequence);
            for (final Item item : items)
            {
                final MemorySegment key = MemorySegment.ofArray(item.key.getBytes(StandardCharsets.ISO_8859_1));
                writer.append(key, 0, (int)key.byteSize(), item.flags, item.exp, item.cas, item.storedAt, item.meta,
                    MemorySegment.ofArray(item.value), 0, item.value.length);
                assertEquals(items.indexOf(item) + 1, writer.itemsOpaque());
            }
            final SnapshotInfo info = writer.finish();
            assertFalse(Files.exists(info.file().resolveSibling(info.file().getFileName() + ".tmp")), "renamed");
            return info;
        }
    }

    private List<Item> readAll(final Path file, final int partition) throws IOException
    {
        final List<Item> read = new ArrayList<>();
        reader.read(file, partition, (key, keyOffset, keyLength, flags, exp, cas, storedAt, meta, value, valueOffset,
            valueLength) ->
        {
            final byte[] k = new byte[keyLength];
            MemorySegment.copy(key, ValueLayout.JAVA_BYTE, keyOffset, k, 0, keyLength);
            final byte[] v = new byte[valueLength];
            MemorySegment.copy(value, ValueLayout.JAVA_BYTE, valueOffset, v, 0, valueLength);
            read.add(new Item(new String(k, StandardCharsets.ISO_8859_1), v, flags, exp, cas, storedAt, meta));
        });
        return read;
    }

    private static void assertSameItems(final List<Item> expected, final List<Item> actual)
    {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++)
        {
            final Item e = expected.get(i);
            final Item a = actual.get(i);
            assertEquals(e.key, a.key);
            assertArrayEquals(e.value, a.value, e.key);
            assertEquals(e.flags, a.flags, e.key);
            assertEquals(e.exp, a.exp, e.key);
            assertEquals(e.cas, a.cas, e.key);
            assertEquals(e.storedAt, a.storedAt, e.key);
            assertEquals(e.meta, a.meta, e.key);
        }
    }

    @Test
    void shouldLayOutTheFileAsItsDiagramSays()
    {
        assertEquals(40, SnapshotDescriptor.HEADER_LENGTH);
        assertEquals(32, SnapshotDescriptor.ITEM_HEADER_LENGTH);
        assertEquals(40, SnapshotDescriptor.TRAILER_LENGTH);
        assertEquals("WKVSNAP1", new String(MemorySegment.ofArray(new long[]{SnapshotDescriptor.MAGIC})
            .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1), "the magic reads as text on a little-endian host");
        for (final int u64 : new int[]{SnapshotDescriptor.MAGIC_OFFSET, SnapshotDescriptor.SEQUENCE_OFFSET,
            SnapshotDescriptor.CREATED_AT_OFFSET, SnapshotDescriptor.CAS_OFFSET, SnapshotDescriptor.ITEM_COUNT_OFFSET,
            SnapshotDescriptor.BODY_BYTES_OFFSET})
        {
            assertEquals(0, u64 % 8, "u64 fields 8-byte aligned within their frame: " + u64);
        }
        assertEquals(36, SnapshotDescriptor.HEADER_CRC_OFFSET, "the header CRC is its last field, covering all before it");
        assertEquals(8, SnapshotDescriptor.FRAME_TYPE_OFFSET, "the frame CRC covers everything after the length and CRC");
        assertEquals("p12-00000000000000000345.snap", SnapshotDescriptor.fileName(12, 345));
        assertEquals(131_072, SnapshotDescriptor.bufferBytesFor(100_000));
        assertEquals(65_536, SnapshotDescriptor.bufferBytesFor(65_536));
        assertTrue(SnapshotDescriptor.bufferBytesFor(SnapshotDescriptor.MAX_FRAME_LENGTH) >= SnapshotDescriptor.MAX_FRAME_LENGTH,
            "the largest frame fits a buffer without overflowing an int");
    }

    @Test
    void shouldRoundTripEveryFieldThroughBuffersSmallerThanTheItems() throws IOException
    {
        final List<Item> items = items(500, 1, 3000);
        items.add(new Item("big", new byte[100_000], 7, 0, 9, 10, 0)); // larger than both buffers: they grow once
        items.add(new Item("", new byte[0], 0, 0, 1, 0, 0));
        final SnapshotInfo written = write(3, 42, items, 1024);
        assertEquals(Path.of(directory.toString(), "p3-00000000000000000042.snap"), written.file());
        assertEquals(3, written.partition());
        assertEquals(42, written.sequence());
        assertEquals(NOW_MS, written.createdAtMs());
        assertEquals(items.size(), written.items());
        assertEquals(Files.size(written.file()), written.fileBytes());

        assertSameItems(items, readAll(written.file(), 3));
        final SnapshotInfo verified = reader.verify(written.file(), 3);
        assertEquals(new SnapshotInfo(written.file(), 3, 42, NOW_MS, items.size(), written.fileBytes(), 0),
            new SnapshotInfo(verified.file(), verified.partition(), verified.sequence(), verified.createdAtMs(),
                verified.items(), verified.fileBytes(), 0));
        assertSameItems(items, readAll(written.file(), -1));
    }

    @Test
    void shouldRefuseTheFileCutAtEveryOffsetAndEveryBitFlipped() throws IOException
    {
        final SnapshotInfo info = write(0, 7, items(4, 2, 20), 4096);
        final byte[] good = Files.readAllBytes(info.file());
        final Path damaged = directory.resolve("damaged.snap");
        for (int length = 0; length < good.length; length++)
        {
            Files.write(damaged, Arrays.copyOf(good, length));
            final SnapshotFormatException ex = assertThrows(SnapshotFormatException.class, () -> reader.verify(damaged, 0),
                "cut at " + length);
            assertTrue(ex.reason().startsWith("truncated") || ex.reason().equals("empty file") ||
                    ex.reason().startsWith("frame CRC mismatch") || ex.reason().startsWith("bad frame length"),
                "cut at " + length + ": " + ex.getMessage());
            assertTrue(ex.offset() <= length, "the offset is inside the file: " + ex.getMessage());
        }
        for (int bit = 0; bit < good.length * 8; bit++)
        {
            final byte[] flipped = good.clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Files.write(damaged, flipped);
            final int at = bit / 8;
            final SnapshotFormatException ex = assertThrows(SnapshotFormatException.class, () -> reader.verify(damaged, 0),
                "bit " + bit + " flipped");
            assertTrue(ex.offset() <= at, "reported at or before the flipped byte " + at + ": " + ex.getMessage());
            assertTrue(ex.getMessage().contains(damaged.toString()), "names the file: " + ex.getMessage());
        }
        Files.write(damaged, good);
        assertEquals(4, reader.verify(damaged, 0).items(), "the undamaged copy is fine");
    }

    @Test
    void shouldRefuseFramesInTheWrongOrderByTheBodyCrcWhateverTheBufferSize() throws IOException
    {
        final List<Item> items = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            items.add(new Item("key-" + (1000 + i), new byte[100], i, 0, i + 1, 1_700_000_000L, 0));
        }
        final SnapshotInfo info = write(0, 9, items, 4096);
        final byte[] good = Files.readAllBytes(info.file());
        final int frame = SnapshotDescriptor.ITEM_HEADER_LENGTH + 8 + 100;
        final int first = SnapshotDescriptor.HEADER_LENGTH;
        final int last = first + 199 * frame; // every frame verifies on its own; only the body CRC sees the swap
        final byte[] swapped = good.clone();
        System.arraycopy(good, last, swapped, first, frame);
        System.arraycopy(good, first, swapped, last, frame);
        final Path damaged = directory.resolve("swapped.snap");
        Files.write(damaged, swapped);
        final int trailer = good.length - SnapshotDescriptor.TRAILER_LENGTH;
        for (final SnapshotReader anyBuffer : new SnapshotReader[]{reader, new SnapshotReader()})
        {
            final SnapshotFormatException ex = assertThrows(SnapshotFormatException.class,
                () -> anyBuffer.verify(damaged, 0));
            assertEquals("body CRC mismatch", ex.reason(), ex.getMessage());
            assertEquals(trailer, ex.offset(), ex.getMessage());
            assertEquals(200, anyBuffer.verify(info.file(), 0).items(), "the file in order reads whole");
        }
    }

    @Test
    void shouldChooseThePreviousValidSnapshotWhenTheNewestIsDamaged() throws IOException
    {
        assertNull(snapshots.newestValid(0, reader).chosen(), "no snapshot yet");
        final List<Item> older = items(300, 3, 200);
        write(0, 100, older, 4096);
        final SnapshotInfo newest = write(0, 200, items(300, 4, 200), 4096);
        assertEquals(200, snapshots.newestValid(0, reader).chosen().sequence());
        final byte[] good = Files.readAllBytes(newest.file());
        final int length = good.length;
        final int trailer = length - SnapshotDescriptor.TRAILER_LENGTH;

        assertRefused(newest.file(), new byte[0], "empty file", 0);
        assertRefused(newest.file(), Arrays.copyOf(good, 5), "truncated: 5 bytes", 5);
        assertRefused(newest.file(), Arrays.copyOf(good, SnapshotDescriptor.HEADER_LENGTH),
            "truncated: the file ends after 0 items without a trailer", SnapshotDescriptor.HEADER_LENGTH);
        assertRefused(newest.file(), Arrays.copyOf(good, SnapshotDescriptor.HEADER_LENGTH + 5),
            "truncated: 5 bytes left, less than a frame header", SnapshotDescriptor.HEADER_LENGTH);
        assertRefused(newest.file(), Arrays.copyOf(good, SnapshotDescriptor.HEADER_LENGTH + 10),
            "truncated: a frame of", SnapshotDescriptor.HEADER_LENGTH);
        assertRefused(newest.file(), Arrays.copyOf(good, length / 2), "truncated: a frame of", -1);
        assertRefused(newest.file(), Arrays.copyOf(good, trailer), "truncated: the file ends after 300 items", trailer);
        assertRefused(newest.file(), Arrays.copyOf(good, length - 1), "truncated: a frame of 40 bytes", trailer);

        final int firstFrame = MemorySegment.ofArray(good).get(
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), SnapshotDescriptor.HEADER_LENGTH);
        final byte[] middle = good.clone();
        middle[SnapshotDescriptor.HEADER_LENGTH + firstFrame - 1] ^= 0x10; // the first item's last byte
        assertRefused(newest.file(), middle, "frame CRC mismatch", SnapshotDescriptor.HEADER_LENGTH);
        final byte[] header = good.clone();
        header[13] ^= 0x01; // the partition number
        assertRefused(newest.file(), header, "header CRC mismatch", 0);
        final byte[] tail = good.clone();
        tail[length - 6] ^= (byte)0x80; // the trailer's body CRC
        assertRefused(newest.file(), tail, "frame CRC mismatch", trailer);
        final byte[] longer = Arrays.copyOf(good, length + 3);
        assertRefused(newest.file(), longer, "3 bytes after the trailer", length);

        final byte[] garbage = new byte[4096];
        new SplittableRandom(5).nextBytes(garbage);
        assertRefused(newest.file(), garbage, "not a wirekv snapshot (bad magic)", 0);

        // a valid snapshot of partition 1 where partition 0's newest should be
        final SnapshotInfo other = write(1, 300, items(10, 6, 10), 4096);
        assertRefused(newest.file(), Files.readAllBytes(other.file()), "wrong partition: the file holds partition 1, expected 0", 12);
        // a valid snapshot of partition 0 whose name says another sequence
        final SnapshotInfo renamed = write(0, 150, items(10, 7, 10), 4096);
        final byte[] otherSequence = Files.readAllBytes(renamed.file());
        Files.delete(renamed.file());
        assertRefused(newest.file(), otherSequence, "the header's sequence 150 differs from the name's 200", 16);

        Files.write(newest.file(), good);
        assertEquals(200, snapshots.newestValid(0, reader).chosen().sequence(), "repaired");
    }

    /** Writes bytes over the newest snapshot and expects it refused with reason (and offset, unless -1) for seq 100. */
    private void assertRefused(final Path newest, final byte[] bytes, final String reason, final long offset)
        throws IOException
    {
        Files.write(newest, bytes);
        final SnapshotDirectory.Selection selection = snapshots.newestValid(0, reader);
        assertNotNull(selection.chosen(), reason);
        assertEquals(100, selection.chosen().sequence(), "the previous valid snapshot is chosen: " + reason);
        assertEquals(300, selection.chosen().items());
        assertEquals(1, selection.rejected().size(), selection.rejected().toString());
        final SnapshotDirectory.Rejected rejected = selection.rejected().getFirst();
        assertEquals(newest, rejected.file());
        assertTrue(rejected.reason().startsWith(reason), "expected \"" + reason + "\", got: " + rejected);
        if (offset >= 0)
        {
            assertEquals(offset, rejected.offset(), rejected.toString());
        }
        assertTrue(rejected.toString().contains(newest.getFileName().toString()) && rejected.toString().contains("offset"),
            rejected.toString());
        assertEquals(300, readAll(selection.chosen().file(), 0).size(), "the chosen one reads whole");
        assertLoadedOnceFromThePrevious(reason);
    }

    /**
     * The single-pass load (recovery's) picks the same previous snapshot, and what the damaged newest delivered before
     * its damage was taken back: the sink ends with exactly the previous snapshot's keys.
     */
    private void assertLoadedOnceFromThePrevious(final String reason) throws IOException
    {
        final java.util.Set<String> keys = new java.util.HashSet<>();
        final List<Path> undone = new ArrayList<>();
        final SnapshotReader undoReader = new SnapshotReader(4096);
        final SnapshotDirectory.Selection loaded = snapshots.loadNewestValid(0, reader,
            (key, ko, kl, f, e, c, s, m, v, vo, vl) -> assertTrue(keys.add(keyOf(key, ko, kl)), "delivered once"),
            file ->
            {
                undone.add(file);
                try
                {
                    undoReader.read(file, 0, (key, ko, kl, f, e, c, s, m, v, vo, vl) -> keys.remove(keyOf(key, ko, kl)));
                }
                catch (final SnapshotFormatException expected)
                {
                    // the damage again: the prefix was removed
                }
            });
        assertEquals(100, loaded.chosen().sequence(), "loaded the previous valid snapshot: " + reason);
        assertEquals(1, undone.size(), "the damaged file was taken back: " + reason);
        final java.util.Set<String> expected = new java.util.HashSet<>();
        readAll(loaded.chosen().file(), 0).forEach(item -> expected.add(item.key()));
        assertEquals(expected, keys, "only the previous snapshot's items remain: " + reason);
    }

    private static String keyOf(final MemorySegment key, final long offset, final int length)
    {
        return new String(key.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldDeleteOlderSnapshotsAndLeftoversOfThePartitionOnly() throws IOException
    {
        final Path p0old = write(0, 100, items(3, 8, 10), 4096).file();
        final Path p0new = write(0, 200, items(3, 9, 10), 4096).file();
        final Path p1old = write(1, 100, items(3, 10, 10), 4096).file();
        final Path leftover = directory.resolve("p0-00000000000000000150.snap.tmp");
        Files.write(leftover, new byte[]{1, 2, 3});
        final Path newerLeftover = directory.resolve("p0-00000000000000000300.snap.tmp");
        Files.write(newerLeftover, new byte[]{1});
        final Path foreign = directory.resolve("p0-notes.txt");
        Files.write(foreign, new byte[]{1});

        assertEquals(List.of(p0old, leftover), snapshots.deleteOlder(0, 200));
        assertTrue(Files.exists(p0new) && Files.exists(p1old) && Files.exists(newerLeftover) && Files.exists(foreign));
        assertFalse(Files.exists(p0old) || Files.exists(leftover));
        assertEquals(List.of(), snapshots.deleteOlder(0, 200), "nothing left to delete");
    }

    @Test
    void shouldDeleteTheTemporaryFileOfAnAbortedSnapshot() throws IOException
    {
        try (SnapshotWriter writer = new SnapshotWriter(directory, CLOCK))
        {
            writer.begin(2, 5);
            final MemorySegment key = MemorySegment.ofArray(new byte[]{'k'});
            writer.append(key, 0, 1, 0, 0, 1, 0, 0, key, 0, 1);
            assertTrue(Files.exists(directory.resolve("p2-00000000000000000005.snap.tmp")));
            writer.abort();
            assertFalse(Files.exists(directory.resolve("p2-00000000000000000005.snap.tmp")));
            assertFalse(Files.exists(directory.resolve("p2-00000000000000000005.snap")));
            assertThrows(IllegalStateException.class, writer::finish, "nothing begun");
        }
    }
}
