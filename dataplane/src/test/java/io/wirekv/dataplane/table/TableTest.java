package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static io.wirekv.dataplane.proto.StoreSemantics.*;
import static org.junit.jupiter.api.Assertions.*;

class TableTest
{
    private static final long NOW_S = 1_700_000_000L;

    private final CachedEpochClock clock = new CachedEpochClock();
    private Table table;
    private final ItemView view = new ItemView();
    private final StoreSemantics semantics = new StoreSemantics();

    @BeforeEach
    void setUp()
    {
        clock.update(NOW_S * 1000);
        table = new Table(new TableConfig(4, 16 << 20, MemoryMode.STORE, 1024 * 1024, false), clock, true);
    }

    @AfterEach
    void tearDown()
    {
        table.close();
    }

    static MemorySegment seg(final String s)
    {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private PartitionWriter writerOf(final String key)
    {
        final MemorySegment k = seg(key);
        return table.writer(table.partitionOf(k, 0, (int)k.byteSize()));
    }

    private int store(final int mode, final String key, final String value, final int flags, final long exp, final long cas)
    {
        final MemorySegment k = seg(key);
        final MemorySegment v = seg(value);
        return semantics.store(writerOf(key), mode, k, 0, (int)k.byteSize(), v, 0, (int)v.byteSize(), flags, exp, cas, view);
    }

    private int set(final String key, final String value)
    {
        return store(MODE_SET, key, value, 0, 0, 0);
    }

    private String get(final String key)
    {
        final MemorySegment k = seg(key);
        final ItemView v = new ItemView();
        if (!table.get(k, 0, (int)k.byteSize(), v))
        {
            return null;
        }
        return new String(v.valueBytes(), StandardCharsets.ISO_8859_1);
    }

    private ItemView item(final String key)
    {
        final MemorySegment k = seg(key);
        final ItemView v = new ItemView();
        return table.get(k, 0, (int)k.byteSize(), v) ? v : null;
    }

    @Test
    void shouldTreatAPrecomputedKeyHashAsTheTableHashesTheKey()
    {
        final MemorySegment k = seg("hashed-once");
        final int keyLength = (int)k.byteSize();
        final long hash = Table.keyHash(k, 0, keyLength);
        assertEquals(table.partitionOf(k, 0, keyLength), table.partitionOfHash(hash));
        final PartitionWriter writer = table.writer(table.partitionOfHash(hash));
        final MemorySegment v = seg("v1");

        assertEquals(Status.STORED, semantics.store(writer, MODE_SET, k, 0, keyLength, hash, v, 0, 2, 3, 0, 0, view));
        assertEquals("v1", get("hashed-once"), "readers hash the key themselves and find the item");
        assertEquals(Status.STORED, set("hashed-once", "v2"));
        assertTrue(writer.find(k, 0, keyLength, hash, view), "the hashing overload replaced the same item");
        assertEquals("v2", new String(view.valueBytes(), StandardCharsets.ISO_8859_1));
        assertEquals(Status.MATCHED, writer.compareCas(k, 0, keyLength, hash, view.cas(), view));
        assertEquals(Status.TOUCHED, semantics.touch(writer, k, 0, keyLength, hash, NOW_S + 100, view));
        assertEquals(NOW_S + 100, item("hashed-once").expiresAtSeconds());
        assertEquals(Status.DELETED, semantics.delete(writer, k, 0, keyLength, hash, 0));
        assertNull(get("hashed-once"));
        assertEquals(0, table.counters().items(), "no second copy of the key left behind");
    }

    private int arith(final String key, final boolean incr, final long delta)
    {
        final MemorySegment k = seg(key);
        return semantics.arithmetic(writerOf(key), k, 0, (int)k.byteSize(), incr, delta, view);
    }

    private int delete(final String key, final long cas)
    {
        final MemorySegment k = seg(key);
        return semantics.delete(writerOf(key), k, 0, (int)k.byteSize(), cas);
    }

    private int touch(final String key, final long exp)
    {
        final MemorySegment k = seg(key);
        return semantics.touch(writerOf(key), k, 0, (int)k.byteSize(), exp, view);
    }

    @Test
    void shouldStoreAndGetWithFlagsAndUniqueCas()
    {
        assertEquals(Status.STORED, store(MODE_SET, "a", "hello", 0xDEADBEEF, 0, 0));
        final long cas1 = view.cas();
        assertEquals(Status.STORED, store(MODE_SET, "b", "x", 7, 0, 0));
        final long cas2 = view.cas();
        assertNotEquals(0, cas1);
        assertNotEquals(cas1, cas2);
        final ItemView a = item("a");
        assertNotNull(a);
        assertEquals("hello", new String(a.valueBytes()));
        assertEquals("a", new String(a.keyBytes()));
        assertEquals(0xDEADBEEF, a.clientFlags());
        assertEquals(cas1, a.cas());
        assertEquals(NOW_S, a.storedAtSeconds());
        assertEquals(0, a.expiresAtSeconds());
        assertNull(get("missing"));
        assertEquals(2, table.counters().items());
        assertEquals(2, table.counters().totalItems());
    }

    @Test
    void shouldKeepClientFlagsOnlyInItemsThatHaveThem()
    {
        assertEquals(Status.STORED, store(MODE_SET, "none", "hello", 0, 0, 0));
        assertEquals(ItemDescriptor.HEADER_LENGTH + 4 + 5, table.counters().bytes(), "no flags: no trailer");
        assertEquals(Status.STORED, store(MODE_SET, "all", "odd", 0xFFFF_FFFF, 0, 0)); // a trailer at an odd address
        assertEquals(2L * ItemDescriptor.HEADER_LENGTH + 4 + 5 + 3 + 3 + Integer.BYTES, table.counters().bytes());
        assertEquals(0, item("none").clientFlags());
        assertEquals(0xFFFF_FFFF, item("all").clientFlags());
        assertEquals("odd", new String(item("all").valueBytes()));
        assertEquals(ItemView.META_FETCHED, item("all").metaBits(), "the table's own bit is not a meta bit");
        assertEquals(Status.STORED, store(MODE_APPEND, "all", "!", 0, 0, 0));
        assertEquals(0xFFFF_FFFF, item("all").clientFlags(), "append keeps the flags");
        assertEquals("odd!", new String(item("all").valueBytes()));
        assertEquals(Status.STORED, store(MODE_SET, "all", "odd!", 0, 0, 0));
        assertEquals(0, item("all").clientFlags(), "an overwrite without flags has none");
        assertEquals(2L * ItemDescriptor.HEADER_LENGTH + 4 + 5 + 3 + 4, table.counters().bytes());
    }

    @Test
    void shouldGiveNewCasOnEveryOverwrite()
    {
        set("k", "1");
        final long cas1 = view.cas();
        set("k", "2");
        assertTrue(view.cas() > cas1);
        assertEquals("2", get("k"));
        assertEquals(1, table.counters().items());
    }

    @Test
    void shouldRefuseAddOnExistingKeyAndAcceptOnMissing()
    {
        assertEquals(Status.STORED, store(MODE_ADD, "k", "1", 0, 0, 0));
        assertEquals(Status.NOT_STORED, store(MODE_ADD, "k", "2", 0, 0, 0));
        assertEquals("1", get("k"));
    }

    @Test
    void shouldAcceptAddOnExpiredKey()
    {
        store(MODE_SET, "k", "1", 0, NOW_S + 1, 0);
        clock.update((NOW_S + 1) * 1000);
        assertEquals(Status.STORED, store(MODE_ADD, "k", "2", 0, 0, 0));
        assertEquals("2", get("k"));
    }

    @Test
    void shouldRefuseReplaceOnMissingKey()
    {
        assertEquals(Status.NOT_STORED, store(MODE_REPLACE, "k", "1", 0, 0, 0));
        assertNull(get("k"));
        set("k", "0");
        assertEquals(Status.STORED, store(MODE_REPLACE, "k", "1", 5, 0, 0));
        assertEquals("1", get("k"));
        assertEquals(5, item("k").clientFlags());
    }

    @Test
    void shouldRefuseAppendAndPrependToMissingKey()
    {
        assertEquals(Status.NOT_STORED, store(MODE_APPEND, "k", "1", 0, 0, 0));
        assertEquals(Status.NOT_STORED, store(MODE_PREPEND, "k", "1", 0, 0, 0));
        assertNull(get("k"));
    }

    @Test
    void shouldAppendAndPrependKeepingFlagsAndExpiryWithNewCas()
    {
        store(MODE_SET, "k", "mid", 42, NOW_S + 100, 0);
        final long cas = view.cas();
        assertEquals(Status.STORED, store(MODE_APPEND, "k", "-end", 1, NOW_S + 5, 0));
        assertTrue(view.cas() > cas);
        assertEquals(Status.STORED, store(MODE_PREPEND, "k", "start-", 2, 0, 0));
        final ItemView it = item("k");
        assertEquals("start-mid-end", new String(it.valueBytes()));
        assertEquals(42, it.clientFlags());
        assertEquals(NOW_S + 100, it.expiresAtSeconds());
    }

    @Test
    void shouldCompareAndSwap()
    {
        assertEquals(Status.NOT_FOUND, store(MODE_CAS, "k", "1", 0, 0, 123));
        set("k", "1");
        final long cas = view.cas();
        assertEquals(Status.EXISTS, store(MODE_CAS, "k", "2", 0, 0, cas + 1000));
        assertEquals("1", get("k"));
        assertEquals(Status.STORED, store(MODE_CAS, "k", "3", 0, 0, cas));
        assertEquals("3", get("k"));
        assertEquals(Status.EXISTS, store(MODE_CAS, "k", "4", 0, 0, cas));
    }

    @Test
    void shouldDeleteWithAndWithoutCas()
    {
        assertEquals(Status.NOT_FOUND, delete("k", 0));
        set("k", "1");
        final long cas = view.cas();
        assertEquals(Status.EXISTS, delete("k", cas + 1));
        assertEquals(Status.DELETED, delete("k", cas));
        assertNull(get("k"));
        set("k", "2");
        assertEquals(Status.DELETED, delete("k", 0));
        assertEquals(Status.NOT_FOUND, delete("k", 0));
        assertEquals(0, table.counters().items());
    }

    @Test
    void shouldIncrementAndDecrementAsMemcached()
    {
        set("n", "10");
        assertEquals(Status.STORED, arith("n", true, 5));
        assertEquals("15", get("n"));
        assertEquals(Status.STORED, arith("n", false, 6));
        assertEquals("9 ", get("n"), "shorter result padded with spaces to the old length");
        assertEquals(Status.STORED, arith("n", true, 991));
        assertEquals("1000", get("n"), "longer result grows the value");
        assertEquals(Status.NOT_FOUND, arith("missing", true, 1));
    }

    @Test
    void shouldRefuseArithmeticOnNonNumericValues()
    {
        for (final String value : new String[] {"ab", "", "-5", "123456789012345678901", "1a", " ", "18446744073709551616"})
        {
            set("n", value);
            assertEquals(Status.NON_NUMERIC, arith("n", true, 1), "value '" + value + "'");
        }
    }

    @Test
    void shouldAcceptWhatMemcachedStrtoullAccepts()
    {
        set("n", " 12");
        arith("n", true, 1);
        assertEquals("13 ", get("n"));
        set("n", "12 34");
        arith("n", true, 1);
        assertEquals("13   ", get("n"));
        set("n", "+5");
        arith("n", true, 1);
        assertEquals("6 ", get("n"));
        set("n", "-0");
        arith("n", true, 5);
        assertEquals("5 ", get("n"));
    }

    @Test
    void shouldWrapIncrementAt64BitsAndFloorDecrementAtZero()
    {
        set("n", "18446744073709551615");
        assertEquals(Status.STORED, arith("n", true, 2));
        assertEquals("1                   ", get("n"));
        set("n", "18446744073709551614");
        arith("n", true, 1);
        assertEquals("18446744073709551615", get("n"));
        set("n", "5");
        assertEquals(Status.STORED, arith("n", false, 10));
        assertEquals("0", get("n"));
        set("n", "7");
        arith("n", false, -1L); // delta 2^64-1 as unsigned
        assertEquals("0", get("n"));
    }

    @Test
    void shouldGiveArithmeticResultNewCasAndKeepFlagsAndExpiry()
    {
        store(MODE_SET, "n", "1", 9, NOW_S + 50, 0);
        final long cas = view.cas();
        arith("n", true, 1);
        assertTrue(view.cas() > cas);
        final ItemView it = item("n");
        assertEquals(9, it.clientFlags());
        assertEquals(NOW_S + 50, it.expiresAtSeconds());
        assertEquals(it.cas(), view.cas());
    }

    @Test
    void shouldExpireAtTheExactSecond()
    {
        store(MODE_SET, "k", "v", 0, NOW_S + 10, 0);
        clock.update((NOW_S + 9) * 1000 + 999);
        assertEquals("v", get("k"));
        clock.update((NOW_S + 10) * 1000);
        assertNull(get("k"), "dead when expiresAt <= now");
        assertEquals(Status.NOT_FOUND, delete("k", 0));
        assertEquals(Status.NOT_STORED, store(MODE_REPLACE, "k", "w", 0, 0, 0));
    }

    @Test
    void shouldAcceptStoreWithPastExpiryButHideIt()
    {
        assertEquals(Status.STORED, store(MODE_SET, "k", "v", 0, NOW_S, 0));
        assertNull(get("k"));
        assertEquals(Status.STORED, store(MODE_SET, "k2", "v", 0, NOW_S - 100, 0));
        assertNull(get("k2"));
    }

    @Test
    void shouldTouchExpiryWithoutChangingCas()
    {
        assertEquals(Status.NOT_FOUND, touch("k", NOW_S + 100));
        store(MODE_SET, "k", "v", 3, NOW_S + 1, 0);
        final long cas = view.cas();
        assertEquals(Status.TOUCHED, touch("k", NOW_S + 100));
        assertEquals(cas, view.cas());
        clock.update((NOW_S + 50) * 1000);
        final ItemView it = item("k");
        assertNotNull(it);
        assertEquals("v", new String(it.valueBytes()));
        assertEquals(3, it.clientFlags());
        assertEquals(NOW_S + 100, it.expiresAtSeconds());
        assertEquals(cas, it.cas());
    }

    @Test
    void shouldSweepExpiredItemsInHousekeeping()
    {
        for (int i = 0; i < 100; i++)
        {
            store(MODE_SET, "k" + i, "v", 0, i < 60 ? NOW_S + 5 : 0, 0);
        }
        clock.update((NOW_S + 5) * 1000);
        for (int p = 0; p < table.partitionCount(); p++)
        {
            table.writer(p).doHousekeeping(100_000);
        }
        assertEquals(40, table.counters().items());
        assertEquals(60, table.counters().expirations());
        assertEquals(0, table.counters().retiredNotFreedBytes(), "no readers: freed at once");
    }

    @Test
    void shouldFlushImmediatelyByCas()
    {
        set("a", "1");
        set("b", "2");
        table.flush(NOW_S - 1, true);
        assertNull(get("a"));
        assertNull(get("b"));
        set("c", "3");
        assertEquals("3", get("c"), "items stored after the flush survive (same second)");
        assertEquals(Status.STORED, store(MODE_ADD, "a", "new", 0, 0, 0));
        assertEquals("new", get("a"));
    }

    @Test
    void shouldFlushDelayedByStoredAt()
    {
        set("old", "1");
        // flush_all 10: oldest_live = realtime(10) - 1
        table.flush(NOW_S + 10 - 1, false);
        assertEquals("1", get("old"), "not flushed before oldest_live is reached");
        clock.update((NOW_S + 5) * 1000);
        set("mid", "2");
        clock.update((NOW_S + 9) * 1000);
        assertNull(get("old"), "oldest_live <= now and storedAt <= oldest_live");
        assertNull(get("mid"));
        clock.update((NOW_S + 10) * 1000);
        set("new", "3");
        assertEquals("3", get("new"), "stored after oldest_live");
    }

    @Test
    void shouldPublishWithExplicitCasAndMetaBits()
    {
        final MemorySegment k = seg("m");
        final MemorySegment h = seg("head");
        final MemorySegment t = seg("tail");
        final PartitionWriter w = writerOf("m");
        assertEquals(Status.STORED, w.publish(k, 0, 1, h, 0, 4, t, 0, 4, 77, NOW_S + 30, 123456789L,
            ItemView.META_STALE | ItemView.META_WIN_SENT, view));
        final ItemView it = item("m");
        assertEquals("headtail", new String(it.valueBytes()));
        assertEquals(123456789L, it.cas());
        final int fetched = ItemView.META_STALE | ItemView.META_WIN_SENT | ItemView.META_FETCHED;
        assertEquals(fetched, it.metaBits(), "the get marked it fetched");
        assertEquals(77, it.clientFlags());
        assertEquals(Status.TOUCHED, touch("m", NOW_S + 60));
        assertEquals(fetched, item("m").metaBits(), "touch keeps meta bits");
        final ItemView looked = new ItemView();
        assertTrue(table.peek(null, k, 0, 1, looked));
        assertEquals(fetched, looked.metaBits());
        final ItemView found = new ItemView();
        assertTrue(w.find(k, 0, 1, found));
        assertEquals(123456789L, found.cas());
        assertTrue(w.unlink(k, 0, 1));
        assertFalse(w.find(k, 0, 1, found));
        assertFalse(w.unlink(k, 0, 1));
    }

    @Test
    void shouldRefuseTooLargeItems()
    {
        final byte[] big = new byte[1024 * 1024];
        final MemorySegment k = seg("big");
        final MemorySegment v = MemorySegment.ofArray(big);
        assertEquals(Status.TOO_LARGE, semantics.store(writerOf("big"), MODE_SET, k, 0, 3, v, 0, big.length, 0, 0, 0, view));
        final int fits = 1024 * 1024 - ItemDescriptor.HEADER_LENGTH - 3;
        assertEquals(Status.TOO_LARGE, semantics.store(writerOf("big"), MODE_SET, k, 0, 3, v, 0, fits, 1, 0, 0, view),
            "client flags take 4 bytes more");
        assertEquals(Status.STORED, semantics.store(writerOf("big"), MODE_SET, k, 0, 3, v, 0, fits, 0, 0, 0, view));
        assertEquals(fits, item("big").valueLength());
    }

    @Test
    void shouldHandleLongKeysAndBinaryValues()
    {
        final String key = "k".repeat(250);
        set(key, "\u0000\u00ff\r\n");
        assertEquals("\u0000\u00ff\r\n", get(key));
        assertEquals(250, item(key).keyLength());
    }

    @Test
    void shouldGrowIndexAndKeepEveryItem()
    {
        for (int i = 0; i < 20_000; i++)
        {
            assertEquals(Status.STORED, set("key-" + i, "value-" + i));
        }
        assertTrue(table.counters().resizes() > 0);
        for (int i = 0; i < 20_000; i++)
        {
            assertEquals("value-" + i, get("key-" + i));
        }
        assertEquals(20_000, table.counters().items());
    }

    @Test
    void shouldCountHitsAndMisses()
    {
        set("k", "v");
        get("k");
        get("k");
        get("nope");
        assertEquals(2, table.counters().hits());
        assertEquals(1, table.counters().misses());
    }

    @Test
    void shouldCountHitsAndMissesThroughReaderHandle()
    {
        set("k", "v");
        final MemorySegment k = seg("k");
        final MemorySegment nope = seg("nope");
        try (QsbrReader reader = table.registerReader("handle"))
        {
            assertTrue(table.get(reader, k, 0, 1, view));
            assertEquals("v", new String(view.valueBytes(), StandardCharsets.ISO_8859_1));
            assertTrue(table.get(reader, k, 0, 1, view));
            assertFalse(table.get(reader, nope, 0, 4, view));
            assertEquals(2, table.counters().hits());
            assertEquals(1, table.counters().misses());
            assertSame(reader, table.currentReader());
        }
        assertEquals(2, table.counters().hits(), "counts survive the reader's close");
        assertEquals(1, table.counters().misses());
    }

    @Test
    void shouldHideExpiredAndFlushedItemsThroughReaderHandle()
    {
        store(MODE_SET, "e", "1", 0, NOW_S + 1, 0);
        set("f", "2");
        try (QsbrReader reader = table.registerReader("handle"))
        {
            assertTrue(table.get(reader, seg("e"), 0, 1, view));
            clock.update((NOW_S + 1) * 1000);
            assertFalse(table.get(reader, seg("e"), 0, 1, view));
            assertTrue(table.get(reader, seg("f"), 0, 1, view));
            table.flush(NOW_S + 1, true);
            assertFalse(table.get(reader, seg("f"), 0, 1, view));
        }
    }

    @Test
    void shouldReturnAllMemoryOnClose()
    {
        for (int i = 0; i < 1000; i++)
        {
            set("key-" + i, "value-" + i);
        }
        assertTrue(table.allocatedBytes() > 0);
        table.close();
        assertEquals(0, table.allocatedBytes());
        assertEquals(0, table.counters().items());
        assertEquals(0, table.counters().bytes());
    }
}
