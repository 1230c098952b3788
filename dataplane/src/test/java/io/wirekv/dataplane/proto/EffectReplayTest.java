package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.RecordFrames;
import io.wirekv.dataplane.record.WriteRecordDecoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every write command's effect record, replayed into a fresh table through {@link WriteApplier#replay}, gives the
 * same items (key, value, flags, exptime, CAS, stored-at, meta bits) as the live table: the log is exact.
 */
class EffectReplayTest
{
    private static final List<String> KEYS = List.of(
        "s", "a", "r", "ap", "pp", "c", "n", "d", "t", "g", "del", "ms", "msi", "md", "mdi", "ma", "man", "mgt", "mgn",
        "big", "late", "early", "old");

    @Test
    void shouldReplayEveryTextWriteIntoTheSameItems()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            h.tcp("set s 5 0 3\r\nabc\r\nset s 6 100 4\r\nabcd\r\n");
            h.tcp("add a 1 0 1\r\nx\r\nadd a 2 0 1\r\ny\r\n"); // the second is NOT_STORED: no effect
            h.tcp("replace r 1 0 1\r\nx\r\nset r 1 0 1\r\nx\r\nreplace r 9 50 2\r\nyy\r\n");
            h.tcp("set ap 3 0 2\r\nab\r\nappend ap 0 0 2\r\ncd\r\n");
            h.tcp("set pp 3 0 2\r\nab\r\nprepend pp 0 0 2\r\ncd\r\n");
            h.tcp("set c 1 0 1\r\nx\r\n");
            final long cas = casOf(h.tcp("gets c\r\n"));
            h.tcp("cas c 7 0 2 " + cas + "\r\nyz\r\ncas c 8 0 2 " + cas + "\r\nzz\r\n"); // second: EXISTS
            h.tcp("set n 0 0 3\r\n100\r\nincr n 5\r\ndecr n 99\r\n"); // 105 then "6  " padded
            h.tcp("set d 0 0 1\r\n9\r\ndecr d 20\r\n");
            h.tcp("set t 4 0 1\r\nv\r\ntouch t 300\r\n");
            h.tcp("set g 4 0 1\r\nv\r\ngat 600 g\r\n");
            h.tcp("set del 0 0 1\r\nv\r\ndelete del\r\ndelete del\r\n");
            h.tcp("set big 0 0 1\r\nv\r\n");
            h.tcp("set big 0 0 2000000 noreply\r\n"); // too large: memcached unlinks the old item
            h.advanceSeconds(1);
            assertReplayedTableEquals(h);
        }
    }

    @Test
    void shouldReplayEveryMetaWriteIntoTheSameItems()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            h.tcp("ms ms 3 T0 F7\r\nabc\r\nms ms 2 MA\r\nde\r\n");
            h.tcp("ms msi 1 E12345\r\nx\r\nms msi 1 C1 I\r\ny\r\n"); // I with an older CAS: stored, stale
            h.tcp("ms md 1\r\nx\r\nmd md\r\n");
            h.tcp("ms mdi 1\r\nx\r\nmd mdi I T30\r\n"); // invalidate: marked stale, kept
            h.tcp("ma ma\r\nms ma 2\r\n10\r\nma ma D5\r\nma ma MD D2 T90\r\n");
            h.tcp("ma man N100 J13\r\n"); // vivified with the initial value
            h.tcp("ms mgt 1 T10\r\nx\r\nmg mgt T500 v\r\n");
            h.tcp("mg mgn N30 s v\r\nmg mgn v\r\n"); // vivified empty item with the win token sent
            h.advanceSeconds(1);
            assertReplayedTableEquals(h);
        }
    }

    @Test
    void shouldReplayFlushAllWithAndWithoutDelay()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            h.tcp("set old 1 0 1\r\nx\r\nflush_all\r\nset early 1 0 1\r\ny\r\n"); // same second as the flush
            h.advanceSeconds(2);
            h.tcp("flush_all 5\r\nset late 2 0 1\r\nz\r\n");
            assertReplayedTableEquals(h);
            h.advanceSeconds(10); // the delayed flush has passed: every item before it is gone, in both tables
            try (Table replayed = replay(h))
            {
                assertSameItems(h, replayed);
            }
        }
    }

    @Test
    void shouldLogNothingForWritesThatChangeNothing()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            h.tcp("add a 1 0 1\r\nx\r\n");
            final long before = h.effectSequence;
            h.tcp("add a 2 0 1\r\ny\r\nreplace zz 0 0 1\r\nq\r\ndelete zz\r\nincr zz 1\r\ntouch zz 5\r\nmd zz\r\n");
            assertEquals(before, h.effectSequence, "NOT_STORED, NOT_FOUND and misses append no record");
        }
    }

    @Test
    void shouldRoundTripARestoreRecordThroughItsFraming()
    {
        final MemorySegment buffer = MemorySegment.ofArray(new byte[256]);
        final MemorySegment key = MemorySegment.ofArray("key".getBytes(StandardCharsets.US_ASCII));
        final MemorySegment value = MemorySegment.ofArray("value".getBytes(StandardCharsets.US_ASCII));
        final int length = effectLength(3, 5);
        new io.wirekv.dataplane.record.WriteRecordEncoder().wrapEffect(buffer, 8, length, OP_RESTORE).partition(2)
            .clientFlags(77).exptime(1_800_000_000L).newCas(991).storedAt(1_700_000_001L).metaBits(0x0103)
            .key(key, 0, 3).value(value, 0, 5);
        final RecordFrames frames = new RecordFrames().wrap(buffer);
        assertEquals(RecordFrames.frameLength(length), frames.seal(8, 42));
        assertEquals(RecordFrames.frameLength(length), frames.verify(8, 256));
        assertEquals(42, frames.sequence(8));
        final WriteRecordDecoder d = new WriteRecordDecoder();
        assertTrue(d.wrap(buffer, 8, length));
        assertEquals(OP_RESTORE, d.opcode());
        assertEquals(77, d.clientFlags());
        assertEquals(1_800_000_000L, d.exptime());
        assertEquals(991, d.newCas());
        assertEquals(1_700_000_001L, d.storedAt());
        assertEquals(0x0103, d.metaBits());
        assertEquals(length, EFFECT_HEADER_LENGTH + 3 + 5, "the short header");
        assertEquals("value", new String(buffer.asSlice(d.valueOffset(), 5).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
            StandardCharsets.US_ASCII));
        for (long at = 8; at < 8 + length; at++)
        {
            final byte b = buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
            buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at, (byte)(b ^ 0x10));
            final int verdict = frames.verify(8, 256);
            assertTrue(verdict < 0, "a flipped bit at " + at + " is caught, got " + verdict);
            buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at, b);
        }
        assertEquals(RecordFrames.TRUNCATED, frames.verify(8, 8 + length - 1), "a record cut short");
        assertEquals(0, frames.verify(8 + RecordFrames.frameLength(length), 256), "zeros after it: the end");
    }

    private static long casOf(final String gets)
    {
        final String line = gets.substring(0, gets.indexOf("\r\n"));
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** A fresh table on the harness's clock with every effect record replayed in order. */
    private static Table replay(final ProtoHarness h)
    {
        assertTrue(!h.effectsWrapped, "every effect record is still there");
        final Table table = new Table(new TableConfig(4, 32L << 20, MemoryMode.STORE, 64 * 1024, false), h.clock);
        final WriteApplier applier = new WriteApplier(table, new ServerStats(1), 0);
        final RecordFrames frames = new RecordFrames().wrap(h.effects);
        final WriteRecordDecoder d = new WriteRecordDecoder();
        long at = 0;
        long expected = 1;
        while (true)
        {
            final int frame = frames.verify(at, h.effectsEnd);
            if (frame == 0)
            {
                break;
            }
            assertTrue(frame > 0, "frame at " + at);
            assertEquals(expected++, frames.sequence(at));
            final int length = h.effects.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, at);
            assertTrue(d.wrap(h.effects, at, length));
            assertEquals(Status.STORED, applier.replay(h.effects, at, length, d.partition()), "record " + (expected - 1));
            at += frame;
        }
        table.advanceCasPast(applier.replayedCasMax());
        return table;
    }

    private static void assertReplayedTableEquals(final ProtoHarness h)
    {
        try (Table replayed = replay(h))
        {
            assertSameItems(h, replayed);
        }
    }

    private static void assertSameItems(final ProtoHarness h, final Table replayed)
    {
        final List<String> live = new ArrayList<>();
        for (final String k : KEYS)
        {
            final MemorySegment key = MemorySegment.ofArray(k.getBytes(StandardCharsets.US_ASCII));
            final ItemView a = new ItemView();
            final ItemView b = new ItemView();
            final boolean inLive = h.table.writer(h.table.partitionOf(key, 0, k.length())).find(key, 0, k.length(), a);
            final boolean inReplayed = replayed.writer(replayed.partitionOf(key, 0, k.length())).find(key, 0, k.length(), b);
            assertEquals(inLive, inReplayed, "key " + k + " live in both or neither");
            if (inLive)
            {
                live.add(k);
                assertEquals(new String(a.valueBytes(), StandardCharsets.ISO_8859_1),
                    new String(b.valueBytes(), StandardCharsets.ISO_8859_1), k + " value");
                assertEquals(a.clientFlags(), b.clientFlags(), k + " flags");
                assertEquals(a.expiresAtSeconds(), b.expiresAtSeconds(), k + " exptime");
                assertEquals(a.cas(), b.cas(), k + " cas");
                assertEquals(a.storedAtSeconds(), b.storedAtSeconds(), k + " stored-at");
                assertEquals(a.metaBits(), b.metaBits(), k + " meta bits");
            }
        }
        assertTrue(h.effectSequence > 0);
        System.out.println("live after replay: " + live);
    }
}
