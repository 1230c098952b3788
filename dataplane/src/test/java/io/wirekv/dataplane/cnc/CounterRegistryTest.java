package io.wirekv.dataplane.cnc;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The counters region: record layout, block alignment, sums over slots, and the CnC file being the registry. */
class CounterRegistryTest
{
    @Test
    void shouldChainRecordOffsetsWithoutOverlap()
    {
        assertEquals(0, CounterRegistryDescriptor.STATE_OFFSET);
        assertEquals(4, CounterRegistryDescriptor.TYPE_ID_OFFSET);
        assertEquals(8, CounterRegistryDescriptor.KIND_OFFSET);
        assertEquals(12, CounterRegistryDescriptor.LCORE_OFFSET);
        assertEquals(16, CounterRegistryDescriptor.PORT_OFFSET);
        assertEquals(20, CounterRegistryDescriptor.VALUE_OFFSET_OFFSET);
        assertEquals(24, CounterRegistryDescriptor.SLOT_COUNT_OFFSET);
        assertEquals(28, CounterRegistryDescriptor.SLOT_STRIDE_OFFSET);
        assertEquals(32, CounterRegistryDescriptor.NAME_LENGTH_OFFSET);
        assertEquals(36, CounterRegistryDescriptor.NAME_OFFSET);
        assertEquals(CounterRegistryDescriptor.RECORD_LENGTH,
            CounterRegistryDescriptor.NAME_OFFSET + CounterRegistryDescriptor.MAX_NAME_LENGTH);
        assertEquals(256, CounterRegistryDescriptor.recordOffset(2));
        for (final CncMetric metric : CncMetric.values())
        {
            assertTrue(metric.metricName().length() <= CounterRegistryDescriptor.MAX_NAME_LENGTH, metric.metricName());
        }
    }

    @Test
    void shouldPadEveryBlockToTwoCacheLines()
    {
        assertEquals(128, CounterRegistryDescriptor.BLOCK_ALIGNMENT);
        assertEquals(128, CounterRegistryDescriptor.blockLength(1));
        assertEquals(128, CounterRegistryDescriptor.blockLength(16));
        assertEquals(256, CounterRegistryDescriptor.blockLength(17));

        final CounterRegistry registry = CounterRegistry.inArena(4, 4096);
        assertEquals(0, registry.values().addressOffset() % 128, "values start on a block boundary");
        final int a = registry.allocateBlocks(3, 1);
        final int b = registry.allocateBlocks(26, 2);
        final int c = registry.allocateBlocks(1, 1);
        assertEquals(0, a);
        assertEquals(128, b, "threads never share a cache line");
        assertEquals(128 + 2 * 256, c);
    }

    @Test
    void shouldKeepFrozenTypeIdsUniqueAndAscending()
    {
        final Set<Integer> ids = new HashSet<>();
        int previous = 0;
        for (final CncMetric metric : CncMetric.values())
        {
            assertTrue(ids.add(metric.typeId()), "duplicate id " + metric.typeId());
            assertTrue(metric.typeId() > previous, metric + " out of order");
            previous = metric.typeId();
        }
        assertEquals(1, CncMetric.RX_PACKETS.typeId());
        assertEquals(20, CncMetric.MALFORMED_FRAMES.typeId());
        assertEquals(30, CncMetric.NET_RX_FRAMES.typeId());
        assertEquals(100, CncMetric.CMD_GET.typeId());
        assertEquals(122, CncMetric.CURR_CONNECTIONS.typeId());
        assertEquals(CncMetric.Kind.GAUGE, CncMetric.CURR_CONNECTIONS.kind());
        assertEquals(300, CncMetric.UPTIME_SECONDS.typeId());
    }

    @Test
    void shouldSumACountersSlotsOverEveryThreadsBlock()
    {
        final CounterRegistry registry = CounterRegistry.inArena(2, 2, 3);
        final int base = registry.allocateBlocks(2, 3);
        final int stride = CounterRegistryDescriptor.blockLength(2);
        final int cmdGet = registry.register(CncMetric.CMD_GET, CounterRegistryDescriptor.NONE,
            CounterRegistryDescriptor.NONE, base, 3, stride);
        final int cmdSet = registry.register(CncMetric.CMD_SET, CounterRegistryDescriptor.NONE,
            CounterRegistryDescriptor.NONE, base + Long.BYTES, 3, stride);
        for (int thread = 0; thread < 3; thread++)
        {
            registry.values().addLongOpaque(base + thread * stride, thread + 1);
            registry.values().addLongOpaque(base + thread * stride + Long.BYTES, 10);
        }
        final CounterRegistryReader reader = registry.reader();
        assertEquals(6, reader.value(cmdGet));
        assertEquals(30, reader.value(cmdSet));

        final List<String> seen = new ArrayList<>();
        reader.forEach((id, typeId, kind, lcore, port, name, value) ->
            seen.add(id + " " + typeId + " " + kind + " " + lcore + " " + port + " " + name + " " + value));
        assertEquals(List.of("0 100 1 -1 -1 cmd_get 6", "1 101 1 -1 -1 cmd_set 30"), seen);
        assertThrows(IllegalStateException.class, () -> registry.register(CncMetric.CMD_FLUSH,
            CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, base, 1, stride), "two records only");
        assertThrows(IllegalStateException.class, () -> registry.allocateBlocks(1, 1), "three blocks only");
    }

    @Test
    void shouldRefuseSlotsOutsideTheAllocatedBlocks()
    {
        final CounterRegistry registry = CounterRegistry.inArena(4, 4096);
        final int base = registry.allocateBlocks(1, 1);
        assertThrows(IllegalArgumentException.class, () -> registry.register(CncMetric.RX_PACKETS, 0, 0, base, 2, 128));
    }

    @Test
    void shouldHoldTheCountersInTheFilesOwnBytes(@TempDir final Path dir) throws Exception
    {
        final CachedEpochClock clock = new CachedEpochClock();
        try (CncFile cnc = CncFile.create(dir, "bytes", 4, 4096, "", clock))
        {
            final CounterRegistry registry = cnc.counters();
            final int base = registry.allocateBlocks(1, 1);
            registry.register(CncMetric.RX_PACKETS, 0, 0, base, 1, Long.BYTES);
            registry.values().addLongOpaque(base, 42);

            // what another process sees: the file's bytes, not this process's objects
            final UnsafeBuffer file = new UnsafeBuffer(Files.readAllBytes(cnc.path()));
            final CncFileDescriptor.Sections sections = CncFileDescriptor.Sections.of(file);
            final CounterRegistryReader reader = new CounterRegistryReader(
                new UnsafeBuffer(file, sections.counterMetadataOffset(), sections.counterMetadataLength()),
                new UnsafeBuffer(file, sections.counterValuesOffset(), sections.counterValuesLength()));
            final List<String> seen = new ArrayList<>();
            reader.forEach((id, typeId, kind, lcore, port, name, value) ->
                seen.add(CncMetric.label(name, lcore, port) + " = " + value));
            assertEquals(List.of("rx_packets{lcore=\"0\",port=\"0\"} = 42"), seen);
        }
    }

    @Test
    void shouldKeepCountersReadableAfterTheFileIsClosed(@TempDir final Path dir)
    {
        final CncFile cnc = CncFile.create(dir, "after", 4, 4096, "", new CachedEpochClock());
        final CounterRegistry registry = cnc.counters();
        final int base = registry.allocateBlocks(1, 1);
        final int id = registry.register(CncMetric.TX_PACKETS, 0, 0, base, 1, Long.BYTES);
        registry.values().addLongOpaque(base, 3);
        cnc.close();
        System.gc();

        // a thread stopping late, or a test reading a port's counters after the server closed
        registry.values().addLongOpaque(base, 1);
        assertEquals(4, registry.reader().value(id));
        assertTrue(!Files.exists(cnc.path()), "the file is gone");
    }

    @Test
    void shouldAllocateOneSlotPerMetricInEveryBlockOfAGroup()
    {
        final CncMetric[] metrics = {CncMetric.CMD_GET, CncMetric.CMD_SET, CncMetric.CURR_CONNECTIONS};
        final CounterRegistry registry = CounterRegistry.inArena(metrics.length, metrics.length, 2);
        final int base = registry.allocate(metrics, CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, 2);
        final int stride = CounterRegistryDescriptor.blockLength(metrics.length);
        registry.values().addLongOpaque(base + Long.BYTES, 5);              // thread 0's cmd_set
        registry.values().addLongOpaque(base + stride + Long.BYTES, 2);     // thread 1's cmd_set
        registry.values().addLongOpaque(base + stride + 2 * Long.BYTES, 1); // thread 1's curr_connections

        final List<String> seen = new ArrayList<>();
        registry.reader().forEach((id, typeId, kind, lcore, port, name, value) -> seen.add(name + " " + kind + " " + value));
        assertEquals(List.of("cmd_get 1 0", "cmd_set 1 7", "curr_connections 2 1"), seen);
    }

    @Test
    void shouldLeaveTheOwnersExtraSlotsOfAGroupUnregistered()
    {
        final CncMetric[] metrics = {CncMetric.ITEMS, CncMetric.EVICTIONS};
        final CounterRegistry registry = CounterRegistry.inArena(metrics.length, 20, 2);
        assertThrows(IllegalArgumentException.class,
            () -> registry.allocate(metrics, 1, CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, 2));
        final int base = registry.allocate(metrics, 20, CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, 2);
        final int stride = CounterRegistryDescriptor.blockLength(20);
        assertEquals(256, stride, "blocks sized for every slot, not only the registered ones");
        registry.values().addLongOpaque(base + Long.BYTES, 3);               // block 0's evictions
        registry.values().addLongOpaque(base + stride + Long.BYTES, 4);      // block 1's evictions
        registry.values().putLongOpaque(base + stride + 19 * Long.BYTES, 99); // block 1's own last slot

        final List<String> seen = new ArrayList<>();
        registry.reader().forEach((id, typeId, kind, lcore, port, name, value) -> seen.add(name + " " + kind + " " + value));
        assertEquals(List.of("items 2 0", "evictions 1 7"), seen);
    }
}
