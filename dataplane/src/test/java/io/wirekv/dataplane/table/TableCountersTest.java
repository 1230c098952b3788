package io.wirekv.dataplane.table;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table counts straight into registry slots: what a CnC file's reader sees, with nothing publishing it. */
class TableCountersTest
{
    private static final int PARTITIONS = 4;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final StoreSemantics semantics = new StoreSemantics();
    private final ItemView view = new ItemView();
    private CounterRegistry registry;
    private Table table;

    private Table table(final int readers)
    {
        clock.update(1_700_000_000_000L);
        // exactly the room the table says it needs: allocation would throw were it more
        registry = CounterRegistry.inArena(Table.counterCount(), Table.valuesBytes(PARTITIONS, readers));
        table = new Table(new TableConfig(PARTITIONS, 16 << 20, MemoryMode.STORE, 1024 * 1024, false), clock,
            registry, readers);
        return table;
    }

    @AfterEach
    void tearDown()
    {
        if (table != null)
        {
            table.close();
        }
    }

    private static MemorySegment seg(final String s)
    {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void set(final String key, final String value)
    {
        final MemorySegment k = seg(key);
        final MemorySegment v = seg(value);
        assertEquals(Status.STORED, semantics.store(table.writer(table.partitionOf(k, 0, key.length())),
            StoreSemantics.MODE_SET, k, 0, key.length(), v, 0, value.length(), 0, 0, 0, view));
    }

    private void delete(final String key)
    {
        final MemorySegment k = seg(key);
        assertEquals(Status.DELETED, semantics.delete(table.writer(table.partitionOf(k, 0, key.length())),
            k, 0, key.length(), 0));
    }

    private boolean get(final QsbrReader reader, final String key)
    {
        return table.get(reader, seg(key), 0, key.length(), view);
    }

    /** name -> "kind value" of every counter in the registry; each name must appear once. */
    private Map<String, String> registered()
    {
        final Map<String, String> seen = new HashMap<>();
        registry.reader().forEach((id, typeId, kind, lcore, port, name, value) ->
        {
            assertEquals(CounterRegistryDescriptor.NONE, lcore);
            assertEquals(CncMetric.byTypeId(typeId).metricName(), name);
            assertNull(seen.put(name, kind + " " + value), name + " registered twice");
        });
        return seen;
    }

    private static String counter(final long value)
    {
        return CounterRegistryDescriptor.KIND_COUNTER + " " + value;
    }

    private static String gauge(final long value)
    {
        return CounterRegistryDescriptor.KIND_GAUGE + " " + value;
    }

    @Test
    void shouldShowEveryWriteAndLookupInTheRegistryAtOnce()
    {
        table(2);
        try (QsbrReader reader = table.registerReader("reader"))
        {
            for (int i = 0; i < 10; i++)
            {
                set("key-" + i, "value");
            }
            set("key-0", "replaced");
            delete("key-1");
            assertTrue(get(reader, "key-0"));
            assertFalse(get(reader, "key-1"));
            assertFalse(get(reader, "nope"));
            reader.quiescent();
            final Map<String, String> seen = registered();
            assertEquals(Table.counterCount(), seen.size());
            assertEquals(gauge(9), seen.get("items"), "a gauge: the replaced and the deleted item left it");
            assertEquals(gauge(table.counters().bytes()), seen.get("item_bytes"));
            assertTrue(table.counters().bytes() > 0);
            assertEquals(counter(11), seen.get("total_items"), "a counter: nothing subtracts from it");
            assertEquals(counter(1), seen.get("table_hits"));
            assertEquals(counter(2), seen.get("table_misses"));
            assertEquals(counter(0), seen.get("evictions"));
            assertEquals(counter(0), seen.get("out_of_memory"));
            assertEquals(gauge(table.counters().retiredNotFreedBytes()), seen.get("retired_not_freed_bytes"));
            assertTrue(seen.containsKey("expirations") && seen.containsKey("resizes") && seen.containsKey("pages_moved"));
        }
    }

    @Test
    void shouldKeepAClosedReadersCountsAndHandItsBlockOn()
    {
        table(1);
        set("k", "v");
        try (QsbrReader first = table.registerReader("first"))
        {
            assertTrue(get(first, "k"));
            assertTrue(get(first, "k"));
        }
        assertEquals(counter(2), registered().get("table_hits"), "counts survive the reader's close");
        try (QsbrReader second = table.registerReader("second"))
        {
            assertTrue(get(second, "k"));
            assertFalse(get(second, "gone"));
        }
        assertEquals(counter(3), registered().get("table_hits"), "the next reader adds to the block: no step back");
        assertEquals(counter(1), registered().get("table_misses"));
    }

    @Test
    void shouldCountAClosedHandlesLookupsInTheSharedBlockNotInItsOldBlock() throws InterruptedException
    {
        table(1);
        set("k", "v");
        final QsbrReader first = table.registerReader("first");
        assertTrue(get(first, "k"));
        first.close();
        final QsbrReader[] second = new QsbrReader[1];
        final Thread other = new Thread(() -> second[0] = table.registerReader("second")); // takes first's block
        other.start();
        other.join();
        assertTrue(table.get(seg("k"), 0, 1, view), "this thread's thread-local handle is the closed one");
        assertTrue(get(first, "k"));
        assertEquals(counter(3), registered().get("table_hits"));
        assertEquals(1, registry.values().getLongOpaque(((ReaderSlot)second[0]).counterBlock + ReaderCounters.HITS * 8),
            "the block the second reader owns holds only what the first counted before its close");
        second[0].close();
    }

    @Test
    void shouldCountReadersBeyondItsSizeAndUnregisteredThreadsInTheSharedBlock() throws InterruptedException
    {
        table(1);
        set("k", "v");
        final int lookups = 10_000;
        final Runnable hits = () ->
        {
            final ItemView own = new ItemView();
            try (QsbrReader reader = table.registerReader(Thread.currentThread().getName()))
            {
                for (int i = 0; i < lookups; i++)
                {
                    assertTrue(table.get(reader, seg("k"), 0, 1, own));
                    reader.quiescent();
                }
            }
        };
        final Runnable misses = () ->
        {
            final ItemView own = new ItemView();
            for (int i = 0; i < lookups; i++)
            {
                assertFalse(table.get(seg("x"), 0, 1, own)); // never registered
            }
        };
        final Thread[] threads = {new Thread(hits), new Thread(hits), new Thread(hits), new Thread(misses)};
        for (final Thread t : threads)
        {
            t.start();
        }
        for (final Thread t : threads)
        {
            t.join();
        }
        assertEquals(counter(3L * lookups), registered().get("table_hits"), "one block, two threads beyond it");
        assertEquals(counter(lookups), registered().get("table_misses"));
        assertEquals(3L * lookups, table.counters().hits());
    }

    @Test
    void shouldDropTheGaugesOnCloseAndKeepTheCounters()
    {
        table(1);
        set("a", "1");
        set("b", "2");
        table.close();
        final Map<String, String> seen = registered();
        assertEquals(gauge(0), seen.get("items"));
        assertEquals(gauge(0), seen.get("item_bytes"));
        assertEquals(counter(2), seen.get("total_items"));
        table = null;
    }
}
