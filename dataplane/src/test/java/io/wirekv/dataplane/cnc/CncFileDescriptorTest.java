package io.wirekv.dataplane.cnc;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CncFileDescriptorTest
{
    @Test
    void shouldChainHeaderOffsetsWithoutOverlap()
    {
        assertEquals(0, CncFileDescriptor.MAGIC_OFFSET);
        assertEquals(4, CncFileDescriptor.VERSION_OFFSET);
        assertEquals(8, CncFileDescriptor.PID_OFFSET);
        assertEquals(16, CncFileDescriptor.START_TIME_OFFSET);
        assertEquals(52, CncFileDescriptor.INSTANCE_NAME_LENGTH_OFFSET);
        assertTrue(CncFileDescriptor.INSTANCE_NAME_LENGTH_OFFSET + Integer.BYTES <= CncFileDescriptor.HEARTBEAT_OFFSET);
        assertEquals(64, CncFileDescriptor.HEARTBEAT_OFFSET, "the heartbeat has its own cache line");
        assertEquals(128, CncFileDescriptor.INSTANCE_NAME_OFFSET);
        assertEquals(192, CncFileDescriptor.CONFIG_TEXT_OFFSET);
        assertEquals(192 + 16 * 1024, CncFileDescriptor.STATUS_TEXT_OFFSET);
        assertEquals(0, CncFileDescriptor.HEADER_LENGTH % 4096);
        assertTrue(CncFileDescriptor.HEADER_LENGTH >=
            CncFileDescriptor.STATUS_TEXT_OFFSET + CncFileDescriptor.STATUS_TEXT_CAPACITY);
    }

    @Test
    void shouldPageAlignEverySectionAndSizeMetadataForEveryValue()
    {
        final CncFileDescriptor.Sections s = CncFileDescriptor.Sections.forCounters(1000, 64 * 1024);
        assertEquals(0, s.counterMetadataOffset() % 4096);
        assertEquals(0, s.counterValuesOffset() % 4096);
        assertEquals(0, s.errorLogOffset() % 4096);
        assertEquals(0, s.commandRingOffset() % 4096);
        assertEquals(0, s.responseBufferOffset() % 4096);
        assertTrue(s.counterValuesLength() >= 64 * 1024);
        assertTrue(s.counterMetadataLength() >= 1000 * CounterRegistryDescriptor.RECORD_LENGTH);
        assertTrue(s.fileLength() >= s.responseBufferOffset() + s.responseBufferLength());
    }

    @Test
    void shouldCreateAPrivateFilePublishTheVersionLastAndRemoveTheFileOnClose(@TempDir final Path dir) throws Exception
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1234);
        final Path file;
        try (CncFile cnc = CncFile.create(dir, "desc", 10, 4096, "a = b\n", clock))
        {
            file = cnc.path();
            assertEquals(dir.resolve("wirekv-desc").resolve("cnc.dat"), file);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
            final byte[] header = Files.readAllBytes(file);
            final UnsafeBuffer view = new UnsafeBuffer(header);
            assertEquals(CncFileDescriptor.MAGIC, view.getInt(CncFileDescriptor.MAGIC_OFFSET));
            assertEquals(0, view.getInt(CncFileDescriptor.VERSION_OFFSET), "not ready before publishReady");
            assertEquals(ProcessHandle.current().pid(), view.getLong(CncFileDescriptor.PID_OFFSET));
            assertEquals(1234, view.getLong(CncFileDescriptor.START_TIME_OFFSET));
            assertEquals("desc", CncFileDescriptor.text(view, CncFileDescriptor.INSTANCE_NAME_LENGTH_OFFSET,
                CncFileDescriptor.INSTANCE_NAME_OFFSET, CncFileDescriptor.INSTANCE_NAME_CAPACITY));

            cnc.publishReady("lcore 0\n");
            cnc.heartbeat(5678);
            final UnsafeBuffer ready = new UnsafeBuffer(Files.readAllBytes(file));
            assertEquals(CncFileDescriptor.LAYOUT_VERSION, ready.getInt(CncFileDescriptor.VERSION_OFFSET));
            assertEquals(5678, ready.getLong(CncFileDescriptor.HEARTBEAT_OFFSET));
            assertEquals("lcore 0\n", CncFileDescriptor.text(ready, CncFileDescriptor.STATUS_TEXT_LENGTH_OFFSET,
                CncFileDescriptor.STATUS_TEXT_OFFSET, CncFileDescriptor.STATUS_TEXT_CAPACITY));
            assertEquals(CncFileDescriptor.Sections.forCounters(10, 4096).fileLength(), header.length);
        }
        assertFalse(Files.exists(file));
    }
}
