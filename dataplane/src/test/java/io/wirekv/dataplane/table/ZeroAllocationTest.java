package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.*;

class ZeroAllocationTest
{
    @Test
    void shouldNotAllocateOnGetOrQuiescent()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeSupported(threads);
        try (Table table = new Table(new TableConfig(4, 64L << 20, MemoryMode.CACHE, 1024 * 1024, false),
            SystemEpochClock.INSTANCE))
        {
            final int keys = 1024;
            final MemorySegment[] keySegments = new MemorySegment[keys];
            final ItemView view = new ItemView();
            final StoreSemantics semantics = new StoreSemantics();
            final MemorySegment value = MemorySegment.ofArray(new byte[32]);
            for (int i = 0; i < keys; i++)
            {
                keySegments[i] = MemorySegment.ofArray(String.format("key-%012d", i).getBytes());
                final int p = table.partitionOf(keySegments[i], 0, 16);
                semantics.store(table.writer(p), StoreSemantics.MODE_SET, keySegments[i], 0, 16, value, 0, 32, 0, 0, 0,
                    view);
            }
            final MemorySegment missing = MemorySegment.ofArray("absent-key-00000".getBytes());
            try (QsbrReader reader = table.registerReader("test"))
            {
                final long threadId = Thread.currentThread().threadId();
                long hits = 0;
                for (int round = 0; round < 10; round++)
                {
                    hits += run(table, reader, keySegments, missing, view, 100_000); // warm up and JIT
                    hits += runWithHandle(table, reader, keySegments, missing, view, 100_000);
                }
                final long calibrate = threads.getThreadAllocatedBytes(threadId);
                final long overhead = threads.getThreadAllocatedBytes(threadId) - calibrate;
                final long before = threads.getThreadAllocatedBytes(threadId);
                hits += run(table, reader, keySegments, missing, view, 100_000);
                hits += runWithHandle(table, reader, keySegments, missing, view, 100_000);
                final long allocated = threads.getThreadAllocatedBytes(threadId) - before - overhead;
                assertTrue(hits > 0);
                assertEquals(0, allocated, "bytes allocated by 200k gets");
            }
        }
    }

    private static long run(
        final Table table, final QsbrReader reader, final MemorySegment[] keys, final MemorySegment missing,
        final ItemView view, final int count)
    {
        long hits = 0;
        for (int i = 0; i < count; i++)
        {
            final MemorySegment key = (i & 7) == 7 ? missing : keys[i & (keys.length - 1)];
            if (table.get(key, 0, 16, view))
            {
                hits += view.valueLength();
            }
            if ((i & 31) == 0)
            {
                reader.quiescent();
            }
        }
        return hits;
    }

    private static long runWithHandle(
        final Table table, final QsbrReader reader, final MemorySegment[] keys, final MemorySegment missing,
        final ItemView view, final int count)
    {
        long hits = 0;
        for (int i = 0; i < count; i++)
        {
            final MemorySegment key = (i & 7) == 7 ? missing : keys[i & (keys.length - 1)];
            if (table.get(reader, key, 0, 16, view))
            {
                hits += view.valueLength();
            }
            if ((i & 31) == 0)
            {
                reader.quiescent();
            }
        }
        return hits;
    }

    private static void assumeSupported(final com.sun.management.ThreadMXBean threads)
    {
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(),
            "thread allocation accounting not supported by this JVM");
        threads.setThreadAllocatedMemoryEnabled(true);
    }
}
