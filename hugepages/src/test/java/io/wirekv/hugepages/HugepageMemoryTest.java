package io.wirekv.hugepages;

import io.wirekv.nativebindings.NativeException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HugepageMemoryTest
{
    private static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");

    private final MemoryAccounting accounting = new MemoryAccounting();
    private final List<String> warnings = new ArrayList<>();
    private final HugepageMemory memory = new HugepageMemory(accounting, warnings::add);

    @Test
    void shouldReturnAccountingToZeroAfterClose()
    {
        final MemoryRegion buffers = memory.map("udp-buffers", 10_000, PageSize.BASE_4K);
        final MemoryRegion table = memory.map("table", 1 << 20, PageSize.BASE_4K, false, false);
        assertEquals(12_288, buffers.sizeBytes(), "rounded up to whole 4 KiB pages");
        assertEquals(Map.of("udp-buffers", 12_288L, "table", 1L << 20), accounting.byPurpose());
        assertEquals(12_288 + (1 << 20), accounting.mappedBytes());
        assertEquals(2, accounting.regions());
        assertTrue(buffers.isLocked(), buffers.backing());
        assertEquals(12_288, accounting.lockedBytes());

        buffers.segment().set(ValueLayout.JAVA_LONG, buffers.sizeBytes() - 8, 42L);
        assertEquals(42L, buffers.segment().get(ValueLayout.JAVA_LONG, buffers.sizeBytes() - 8));

        buffers.close();
        table.close();
        table.close();
        assertEquals(0, accounting.mappedBytes());
        assertEquals(0, accounting.lockedBytes());
        assertEquals(0, accounting.regions());
        assertEquals(Map.of(), accounting.byPurpose());
        assertFalse(buffers.isOpen());
        assertThrows(IllegalStateException.class, () -> buffers.segment().get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void shouldFallBackWithOneWarningWhenNoHugepagesAreReserved()
    {
        Assumptions.assumeTrue(PageSize.HUGE_1G.freePages() == 0,
            "skipped: this machine has free 1 GiB hugepages, so the fallback cannot be provoked");
        try (MemoryRegion first = memory.map("fallback", 3 << 20, PageSize.HUGE_1G);
            MemoryRegion second = memory.map("fallback", 1 << 20, PageSize.HUGE_1G))
        {
            assertFalse(first.isHugepageBacked());
            assertEquals(PageSize.BASE_4K, first.pageSize());
            assertEquals(4L << 20, first.sizeBytes(), "a fallback keeps 2 MiB granularity");
            assertTrue(first.backing().contains("fallback"), first.backing());
            assertTrue(first.backing().contains("MADV_HUGEPAGE"), first.backing());
            assertFalse(second.isHugepageBacked());
            assertEquals(1, warnings.size(), "warned once: " + warnings);
            assertTrue(warnings.get(0).contains("nr_hugepages"), warnings.get(0));
            assertTrue(warnings.get(0).contains("mount -t hugetlbfs none /dev/hugepages"), warnings.get(0));
            assertEquals(0, accounting.hugepageBytes());
            assertEquals(6L << 20, accounting.mappedBytes("fallback"));
        }
        assertEquals(0, accounting.mappedBytes());
    }

    @Test
    void shouldRefuseWithAdviceWhenFallbackIsNotAllowed()
    {
        Assumptions.assumeTrue(PageSize.HUGE_1G.freePages() == 0,
            "skipped: this machine has free 1 GiB hugepages, so the refusal cannot be provoked");
        final NativeException ex = assertThrows(NativeException.class,
            () -> memory.map("strict", 1 << 20, PageSize.HUGE_1G, false, false));
        assertTrue(ex.getMessage().contains("MAP_HUGETLB"), ex.getMessage());
        assertTrue(ex.getMessage().contains("hugepages-1048576kB/nr_hugepages"), ex.getMessage());
        assertEquals(0, accounting.regions());
        assertTrue(warnings.isEmpty());
    }

    @Test
    void shouldMapHugepagesWhenReserved() throws IOException
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isWritable(NR_HUGEPAGES),
            "skipped: reserving hugepages needs root (writes /proc/sys/vm/nr_hugepages)");
        final int pages = 4;
        final long before = readLong(NR_HUGEPAGES);
        writeSysctl(NR_HUGEPAGES, Long.toString(before + pages));
        try
        {
            Assumptions.assumeTrue(PageSize.HUGE_2M.freePages() >= 2,
                "skipped: the kernel could not reserve 2 MiB hugepages (fragmented memory or a container limit)");
            try (MemoryRegion region = memory.map("huge", 3 << 20, PageSize.HUGE_2M, true, false))
            {
                assertTrue(region.isHugepageBacked(), region.backing());
                assertEquals(PageSize.HUGE_2M, region.pageSize());
                assertEquals(2L << 21, region.sizeBytes());
                assertEquals(0, region.segment().address() % (2 << 20), "2 MiB aligned");
                assertEquals(4L << 20, accounting.hugepageBytes());
                final MemorySegment segment = region.segment();
                segment.set(ValueLayout.JAVA_INT, segment.byteSize() - 4, 7);
                assertEquals(7, segment.get(ValueLayout.JAVA_INT, segment.byteSize() - 4));
                assertTrue(warnings.isEmpty(), warnings.toString());
            }
            assertEquals(0, accounting.hugepageBytes());
        }
        finally
        {
            // Give back only what this test added, in case another process changed the pool meanwhile.
            final long now = readLong(NR_HUGEPAGES);
            writeSysctl(NR_HUGEPAGES, Long.toString(Math.max(before, now - pages)));
        }
    }

    @Test
    void shouldMapAHugetlbfsFileWhenMounted(@TempDir final Path dir) throws IOException, InterruptedException
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isWritable(NR_HUGEPAGES),
            "skipped: reserving hugepages and mounting hugetlbfs need root");
        final int pages = 2;
        final long before = readLong(NR_HUGEPAGES);
        writeSysctl(NR_HUGEPAGES, Long.toString(before + pages));
        final Path mountPoint = Files.createDirectory(dir.resolve("hugetlbfs"));
        boolean mounted = false;
        try
        {
            Assumptions.assumeTrue(PageSize.HUGE_2M.freePages() >= pages,
                "skipped: the kernel could not reserve 2 MiB hugepages (fragmented memory or a container limit)");
            mounted = run("mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "none", mountPoint.toString()) == 0;
            Assumptions.assumeTrue(mounted, "skipped: cannot mount hugetlbfs here (no CAP_SYS_ADMIN in this container?)");
            assertEquals(PageSize.HUGE_2M, HugepageMemory.hugetlbfsPageSize(mountPoint.resolve("x")));

            final Path file = mountPoint.resolve("wirekv-umem");
            try (MemoryRegion region = memory.mapFile("umem", file, 3 << 20, true))
            {
                assertTrue(region.isHugepageBacked(), region.backing());
                assertEquals(4L << 20, region.sizeBytes());
                assertEquals(4L << 20, accounting.hugepageBytes());
                region.segment().set(ValueLayout.JAVA_LONG, region.sizeBytes() - 8, -1L);
                assertEquals(-1L, region.segment().get(ValueLayout.JAVA_LONG, region.sizeBytes() - 8));
            }
            assertFalse(Files.exists(file), "the file it created is deleted on close");
            assertEquals(0, accounting.mappedBytes());
        }
        finally
        {
            if (mounted)
            {
                run("umount", mountPoint.toString());
            }
            final long now = readLong(NR_HUGEPAGES);
            writeSysctl(NR_HUGEPAGES, Long.toString(Math.max(before, now - pages)));
        }
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    @Test
    void shouldMapAFileAndDeleteItOnCloseWhenItCreatedIt(@TempDir final Path dir)
    {
        final Path file = dir.resolve("region");
        try (MemoryRegion region = memory.mapFile("file", file, 5000, false))
        {
            assertTrue(Files.exists(file));
            assertEquals(8192, region.sizeBytes());
            assertFalse(region.isHugepageBacked(), "a temp directory is not hugetlbfs");
            region.segment().set(ValueLayout.JAVA_BYTE, 8191, (byte)9);
            assertEquals(8192, accounting.mappedBytes("file"));
        }
        assertFalse(Files.exists(file));
        assertEquals(0, accounting.mappedBytes());
    }

    @Test
    void shouldRecogniseHugetlbfsMounts()
    {
        assertEquals(null, HugepageMemory.hugetlbfsPageSize(Path.of("/proc/self/status")));
    }

    @Test
    void shouldRejectNonPositiveSizes()
    {
        assertThrows(IllegalArgumentException.class, () -> memory.map("zero", 0, PageSize.BASE_4K));
    }

    /**
     * Reads a number with one read(2). /proc/sys files answer only a read at offset 0 (the NIO Files
     * helpers read them piecewise and see just "1" of "128").
     */
    private static long readLong(final Path path) throws IOException
    {
        try (java.io.FileInputStream in = new java.io.FileInputStream(path.toFile()))
        {
            final byte[] bytes = new byte[64];
            final int length = in.read(bytes);
            return Long.parseLong(new String(bytes, 0, Math.max(0, length), java.nio.charset.StandardCharsets.US_ASCII).trim());
        }
    }

    /** Writes a value with one write(2): a sysctl ignores a write that does not start at offset 0. */
    private static void writeSysctl(final Path path, final String value) throws IOException
    {
        try (java.io.FileOutputStream out = new java.io.FileOutputStream(path.toFile()))
        {
            out.write(value.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }
}
