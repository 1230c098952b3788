package io.wirekv.dataplane.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The disk's sync action on real files: where data.dir's filesystem overwrites in place (the work tree's ext4 here)
 * segments are zero-filled, say so in their header, and are written back and flushed once; on tmpfs every range
 * is msync'd.
 */
class DiskFlushTest
{
    private Path dir;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = LogTestKit.freshDir("diskflush");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        LogTestKit.deleteTree(dir);
    }

    @Test
    void shouldWriteZeroFilledSegmentsBackAndFlushOnceWhereTheFilesystemOverwritesInPlace() throws IOException
    {
        final DiskFlush.Mount mount = assumeOverwritesInPlace();
        try (DiskFlush flush = DiskFlush.open(dir))
        {
            assertTrue(flush.flushesPerRound(), flush.describe());
            assertTrue(flush.describe().contains(mount.type()), flush.describe());
            assertTrue(Files.isRegularFile(dir.resolve(DiskFlush.FLUSH_FILE)));

            final Path file = dir.resolve(LogSegmentDescriptor.fileName(1));
            final LogSegment segment = LogSegment.create(file, 0, 1, LogTestKit.SEGMENT_BYTES, true);
            assertTrue(segment.zeroFilled());
            final long at = LogSegmentDescriptor.RECORDS_OFFSET;
            for (int i = 0; i < 1000; i++)
            {
                segment.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8L * i, 0x0123456789abcdefL + i);
            }
            flush.startWriteBack(segment, at, at + 8000);
            flush.force(segment, at, at + 8000);
            flush.flush();
            segment.close();

            final ByteBuffer read = ByteBuffer.allocate(8000).order(java.nio.ByteOrder.nativeOrder());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                channel.read(read, at);
            }
            for (int i = 0; i < 1000; i++)
            {
                assertEquals(0x0123456789abcdefL + i, read.getLong(8 * i), "long " + i + " reached the file");
            }
            final LogSegment reopened = LogSegment.open(file, 0, 1);
            assertNull(reopened.headerProblem());
            assertTrue(reopened.zeroFilled(), "the header says the file was zero-filled");
            reopened.close();

            final LogSegment spare = LogSegment.createSpare(dir, 0, LogTestKit.SEGMENT_BYTES, true);
            final Path sparePath = spare.path();
            spare.close();
            final LogSegment reopenedSpare = LogSegment.open(sparePath, 0, -1);
            assertFalse(reopenedSpare.zeroFilled(), "no header, no flag: such a file is msync'd");
            reopenedSpare.close();
        }
    }

    @Test
    void shouldLeaveAsyncSegmentsAllocatedOnlyAndMsyncThem() throws IOException
    {
        assumeOverwritesInPlace();
        try (DiskFlush flush = DiskFlush.open(dir))
        {
            final Path file = dir.resolve(LogSegmentDescriptor.fileName(1));
            final LogSegment segment = LogSegment.create(file, 0, 1, LogTestKit.SEGMENT_BYTES, false);
            assertFalse(segment.zeroFilled(), "persistence async: allocated, not written");
            assertEquals(LogTestKit.SEGMENT_BYTES, Files.size(file));
            final long at = LogSegmentDescriptor.RECORDS_OFFSET;
            segment.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, at, 0x0123456789abcdefL);
            flush.startWriteBack(segment, at, at + 8);
            flush.force(segment, at, at + 8); // not written back: msync'd, as an older build's segment
            segment.close();

            final ByteBuffer read = ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                channel.read(read, at);
            }
            assertEquals(0x0123456789abcdefL, read.getLong(0));
            final LogSegment reopened = LogSegment.open(file, 0, 1);
            assertNull(reopened.headerProblem());
            assertFalse(reopened.zeroFilled(), "the header says the file was not zero-filled");
            reopened.close();
        }
    }

    /** The work tree's mount (type first); the test is skipped unless it is ext4 or xfs. */
    private DiskFlush.Mount assumeOverwritesInPlace() throws IOException
    {
        final DiskFlush.Mount mount = DiskFlush.Mount.of(dir.toRealPath());
        assumeTrue(mount.overwritesInPlace(), "the work tree is not on ext4 or xfs here: " + mount);
        return mount;
    }

    @Test
    void shouldMsyncEachRangeOnTmpfs() throws IOException
    {
        final Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()), "no tmpfs at /dev/shm");
        final Path tmp = Files.createTempDirectory(shm, "wirekv-diskflush");
        try (DiskFlush flush = DiskFlush.open(tmp))
        {
            assertFalse(flush.flushesPerRound());
            assertTrue(flush.describe().contains("tmpfs"), flush.describe());
            assertFalse(Files.exists(tmp.resolve(DiskFlush.FLUSH_FILE)));
        }
        finally
        {
            LogTestKit.deleteTree(tmp);
        }
    }

    @Test
    void shouldFindTheLongestMountPointAboveAPath() throws IOException
    {
        final DiskFlush.Mount root = DiskFlush.Mount.of(Path.of("/"));
        final DiskFlush.Mount proc = DiskFlush.Mount.of(Path.of("/proc/self"));
        assertEquals("proc", proc.type(), "/proc is its own mount, below /");
        assertFalse("proc".equals(root.type()));
    }
}
