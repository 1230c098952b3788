package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.record.WriteReplyDecoder;
import io.wirekv.dataplane.record.WriteReplyDescriptor;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.Table;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever bytes arrive, the engine answers or waits; it never throws. */
class GarbageInputTest
{
    private static final String[] WORDS = {
        "get", "gets", "gat", "gats", "set", "add", "replace", "append", "prepend", "cas", "delete", "incr", "decr",
        "touch", "flush_all", "version", "verbosity", "stats", "mg", "ms", "md", "ma", "mn", "me", "noreply", "k",
        "Zm9v", "0", "1", "-1", "5", "4294967296", "18446744073709551616", "v", "q", "k", "O1", "T10", "N5", "MA", "ME",
        "MX", "M", "b", "C1", "D2", "J3", "F7", "I", "h", "l", "t", "s", "c", "f", "\r\n", "\n", "\r", "abc", " ", "",
    };

    @Test
    void shouldNeverThrowOnRandomCommandSoup()
    {
        final Random random = new Random(42);
        try (ProtoHarness tcp = new ProtoHarness(4096); ProtoHarness udp = new ProtoHarness(1 << 20))
        {
            for (int i = 0; i < 3000; i++)
            {
                final StringBuilder sb = new StringBuilder();
                final int words = 1 + random.nextInt(12);
                for (int w = 0; w < words; w++)
                {
                    sb.append(WORDS[random.nextInt(WORDS.length)]);
                    sb.append(random.nextInt(4) == 0 ? "\r\n" : " ");
                }
                final byte[] request = ProtoHarness.bytes(sb.toString());
                final int chunk = 1 + random.nextInt(request.length + 1);
                assertDoesNotThrow(() -> tcp.tcp(request, chunk), sb::toString);
                assertDoesNotThrow(() -> udp.udp(request, 1), sb::toString);
            }
        }
    }

    @Test
    void shouldRefuseMalformedRecordsHandedToTheWriterAndApplyNothing()
    {
        try (ProtoHarness h = new ProtoHarness(1 << 20))
        {
            final MemorySegment buffer = MemorySegment.ofArray(new byte[4096]);
            final WriteReplyEncoder reply = new WriteReplyEncoder(MemorySegment.ofArray(new byte[4096]));
            final WriteReplyDecoder decoded = new WriteReplyDecoder();
            final byte[] key = ProtoHarness.bytes("garbage-key");
            final int length = WriteRecordDescriptor.recordLength(key.length, 3);
            final Random random = new Random(7);

            // a well-formed set, then the same with one field broken at a time
            final long keyHash = Table.keyHash(MemorySegment.ofArray(key), 0, key.length);
            for (int breakage = 0; breakage <= 7; breakage++)
            {
                buffer.fill((byte)0);
                new WriteRecordEncoder().wrap(buffer, 0, length)
                    .opcode(WriteRecordDescriptor.OP_STORE).storeMode(WriteRecordDescriptor.MODE_SET)
                    .partition(h.table.partitionOfHash(keyHash)).ticket(77).keyHash(keyHash)
                    .key(MemorySegment.ofArray(key), 0, key.length).value(MemorySegment.ofArray(ProtoHarness.bytes("abc")), 0, 3);
                int appliedLength = length;
                switch (breakage)
                {
                    case 1 -> buffer.set(ValueLayout.JAVA_BYTE, WriteRecordDescriptor.VERSION_OFFSET,
                        (byte)(WriteRecordDescriptor.VERSION + 1));
                    case 2 -> buffer.set(ValueLayout.JAVA_BYTE, WriteRecordDescriptor.OPCODE_OFFSET, (byte)99);
                    case 3 -> appliedLength = length - 1; // the ring's length disagrees with the record's
                    case 4 -> buffer.set(ValueLayout.JAVA_BYTE, WriteRecordDescriptor.KEY_LENGTH_OFFSET, (byte)251);
                    case 5 -> buffer.set(ValueLayout.JAVA_INT_UNALIGNED, WriteRecordDescriptor.PARTITION_OFFSET, 1 << 20);
                    case 6 -> buffer.set(ValueLayout.JAVA_BYTE, WriteRecordDescriptor.STORE_MODE_OFFSET, (byte)17);
                    // a key hash that names another partition than the record's (4 partitions: bit 32 picks one)
                    case 7 -> buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, WriteRecordDescriptor.KEY_HASH_OFFSET,
                        keyHash ^ (1L << 32));
                    default -> { }
                }
                h.applier.apply(buffer, 0, appliedLength, reply);
                final byte status = decoded.wrap(reply.buffer(), 0).status();
                final boolean stored = h.table.get(MemorySegment.ofArray(key), 0, key.length, new ItemView());
                if (breakage == 0)
                {
                    assertEquals(WriteReplyDescriptor.STATUS_STORED, status, "the well-formed record");
                    assertEquals(77, decoded.ticket());
                    assertTrue(stored);
                    h.table.writer(h.table.partitionOf(MemorySegment.ofArray(key), 0, key.length))
                        .unlink(MemorySegment.ofArray(key), 0, key.length);
                }
                else
                {
                    assertEquals(WriteReplyDescriptor.STATUS_BAD_RECORD, status, "breakage " + breakage);
                    assertFalse(stored, "breakage " + breakage + " must apply nothing");
                }
            }
            // random bytes of every length never throw, and never decode as a record
            for (int i = 0; i < 20_000; i++)
            {
                final int n = random.nextInt(300);
                for (int b = 0; b < n; b++)
                {
                    buffer.set(ValueLayout.JAVA_BYTE, b, (byte)random.nextInt());
                }
                assertDoesNotThrow(() -> h.applier.apply(buffer, 0, n, reply));
                assertEquals(WriteReplyDescriptor.STATUS_BAD_RECORD, decoded.wrap(reply.buffer(), 0).status());
            }
        }
    }
}
