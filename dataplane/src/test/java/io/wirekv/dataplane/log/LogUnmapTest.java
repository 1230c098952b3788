package io.wirekv.dataplane.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static io.wirekv.dataplane.log.LogSegmentDescriptor.RECORDS_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The syncer unmaps the pages the writer has filled before it writes them back (a write-back write-protects every
 * mapped page it writes, one TLB flush on each of the writer's CPUs per page), and nothing of their bytes is lost:
 * the records read back through the mapping and recover from the file.
 */
class LogUnmapTest
{
    private static final long PAGE = 4096;
    private static final int WRITES = 3_000;
    private static final String VALUE = "v".repeat(1_000);

    private Path dir;

    @AfterEach
    void tearDown() throws IOException
    {
        LogTestKit.deleteTree(dir);
    }

    @Test
    void shouldUnmapTheFilledPagesBeforeTheirWriteBackAndKeepEveryRecord() throws Exception
    {
        dir = LogTestKit.freshDir("unmap");
        try (LogTestKit kit = new LogTestKit())
        {
            try (LogTestKit.Writing writing = kit.new Writing(dir, 8L << 20))
            {
                for (int i = 0; i < WRITES; i++)
                {
                    assertEquals(i + 1, writing.set("key-" + i, VALUE), "appended");
                }
                final LogSegment segment = writing.log.currentSegment();
                final long filledEnd = segment.appendedEnd() & -PAGE;
                assertTrue(filledEnd >= 2 * WriterPages.UNMAP_BATCH_BYTES, "filled " + filledEnd + " bytes");
                final long address = segment.memory().address();
                assertEquals(filledEnd / PAGE, presentPages(address, filledEnd), "the writer's pages are mapped");

                try (LogSyncer _ = new LogSyncer(List.of(writing.log), // its own thread runs the rounds
                    LogTestKit.settings(dir, false, 8L << 20), LogSyncer.MSYNC, LogCounters.standalone(1),
                    Throwable::printStackTrace, 1))
                {
                    final long deadline = System.nanoTime() + 30_000_000_000L;
                    while (writing.log.durableSequence() < WRITES)
                    {
                        assertTrue(System.nanoTime() < deadline, "durable: " + writing.log.durableSequence());
                        Thread.sleep(1);
                    }
                    assertEquals(0, presentPages(address, filledEnd), "filled pages unmapped before the write-back");

                    long at = RECORDS_OFFSET;
                    int records = 0;
                    for (int frame; (frame = segment.frames().verify(at, segment.appendedEnd())) > 0; at += frame)
                    {
                        records++;
                    }
                    assertEquals(WRITES, records, "every record reads back through the mapping");
                }
            }
            try (LogTestKit.Recovered recovered = kit.recover(dir, false))
            {
                for (int i = 0; i < WRITES; i += 97)
                {
                    assertEquals(VALUE, recovered.get("key-" + i), "key-" + i + " recovers from the file");
                }
                assertEquals(VALUE, recovered.get("key-" + (WRITES - 1)));
            }
        }
    }

    /** Pages of {@code [address, address + bytes)} present in this process's page tables ({@code /proc/self/pagemap}). */
    private static long presentPages(final long address, final long bytes) throws IOException
    {
        final int pages = (int)(bytes / PAGE);
        final ByteBuffer entries = ByteBuffer.allocate(pages * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel pagemap = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ))
        {
            long position = address / PAGE * Long.BYTES;
            while (entries.hasRemaining())
            {
                final int read = pagemap.read(entries, position);
                assertTrue(read > 0, "pagemap read");
                position += read;
            }
        }
        long present = 0;
        for (int i = 0; i < pages; i++)
        {
            present += entries.getLong(i * Long.BYTES) >>> 63;
        }
        return present;
    }
}
