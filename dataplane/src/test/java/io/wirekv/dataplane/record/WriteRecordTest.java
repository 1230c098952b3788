package io.wirekv.dataplane.record;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class WriteRecordTest
{
    @Test
    void shouldLayOutTheRecordHeaderAsItsDiagramSays()
    {
        assertEquals(0, LENGTH_OFFSET);
        assertEquals(4, CRC32C_OFFSET);
        assertEquals(8, SEQUENCE_OFFSET);
        assertEquals(16, VERSION_OFFSET);
        assertEquals(17, OPCODE_OFFSET);
        assertEquals(18, OPTIONS_OFFSET);
        assertEquals(20, PARTITION_OFFSET);
        assertEquals(24, CLIENT_FLAGS_OFFSET);
        assertEquals(28, KEY_LENGTH_OFFSET);
        assertEquals(29, STORE_MODE_OFFSET);
        assertEquals(30, META_BITS_OFFSET);
        assertEquals(32, EXPTIME_OFFSET);
        assertEquals(40, NEW_CAS_OFFSET);
        assertEquals(48, VALUE_LENGTH_OFFSET);
        assertEquals(52, STORED_AT_OFFSET);
        assertEquals(56, EFFECT_HEADER_LENGTH);
        assertEquals(56, TICKET_OFFSET);
        assertEquals(64, KEY_HASH_OFFSET);
        assertEquals(72, COMPARE_CAS_OFFSET);
        assertEquals(80, NUMBER_OFFSET);
        assertEquals(88, INITIAL_OFFSET);
        assertEquals(96, VIVIFY_EXPTIME_OFFSET);
        assertEquals(104, HEADER_LENGTH);
        assertEquals(EFFECT_HEADER_LENGTH, MIN_LENGTH);
        assertEquals(0, EFFECT_HEADER_LENGTH % ALIGNMENT);
        assertEquals(EFFECT_HEADER_LENGTH, headerLength(OP_RESTORE));
        assertEquals(EFFECT_HEADER_LENGTH, headerLength(OP_UNLINK));
        for (byte op = OP_STORE; op <= OP_MAX; op++)
        {
            if (op != OP_RESTORE && op != OP_UNLINK)
            {
                assertEquals(HEADER_LENGTH, headerLength(op), "opcode " + op + " is a request: the long header");
            }
        }
        for (final int u64 : new int[] {SEQUENCE_OFFSET, TICKET_OFFSET, KEY_HASH_OFFSET, EXPTIME_OFFSET, COMPARE_CAS_OFFSET,
            NEW_CAS_OFFSET, NUMBER_OFFSET, INITIAL_OFFSET, VIVIFY_EXPTIME_OFFSET})
        {
            assertEquals(0, u64 % Long.BYTES, "u64 at " + u64 + " is naturally aligned");
        }
        assertEquals(0, HEADER_LENGTH % ALIGNMENT);
        assertEquals(CRC32C_OFFSET + Integer.BYTES, CRC_COVERAGE_OFFSET, "the CRC covers everything after itself");
    }

    @Test
    void shouldLayOutTheReplyHeaderAsItsDiagramSays()
    {
        assertEquals(0, WriteReplyDescriptor.TICKET_OFFSET);
        assertEquals(8, WriteReplyDescriptor.STATUS_OFFSET);
        assertEquals(9, WriteReplyDescriptor.META_BITS_OFFSET);
        assertEquals(10, WriteReplyDescriptor.FACTS_OFFSET);
        assertEquals(12, WriteReplyDescriptor.VALUE_LENGTH_OFFSET);
        assertEquals(16, WriteReplyDescriptor.CAS_OFFSET);
        assertEquals(24, WriteReplyDescriptor.CLIENT_FLAGS_OFFSET);
        assertEquals(28, WriteReplyDescriptor.ITEM_VALUE_LENGTH_OFFSET);
        assertEquals(32, WriteReplyDescriptor.EXPIRES_AT_OFFSET);
        assertEquals(40, WriteReplyDescriptor.EXPIRY_BEFORE_OFFSET);
        assertEquals(48, WriteReplyDescriptor.STORED_AT_OFFSET);
        assertEquals(56, WriteReplyDescriptor.HEADER_LENGTH);
        assertEquals(0, WriteReplyDescriptor.HEADER_LENGTH % ALIGNMENT);
    }

    @Test
    void shouldDecodeEveryFieldItWasGivenInLittleEndian()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocateFrom("user:42", StandardCharsets.US_ASCII);
            final int keyLength = 7;
            final MemorySegment value = arena.allocateFrom("hello world", StandardCharsets.US_ASCII);
            final int length = recordLength(keyLength, 11);
            final MemorySegment buffer = arena.allocate(length + 16);
            buffer.fill((byte)0x5A); // stale bytes from an earlier record must not leak into this one
            new WriteRecordEncoder().wrap(buffer, 16, length)
                .opcode(OP_STORE).storeMode(MODE_CAS).options(OPTION_COMPARE_CAS | OPTION_NEW_CAS)
                .partition(3).ticket(0x1122_3344_5566_7788L).keyHash(0x8877_6655_4433_2211L).clientFlags(0xDEAD_BEEF)
                .exptime(1_700_000_123L).compareCas(-2L).newCas(99).number(5).initial(6).vivifyExptime(7)
                .key(key, 0, keyLength).value(value, 0, 11);

            final WriteRecordDecoder d = new WriteRecordDecoder();
            assertTrue(d.wrap(buffer, 16, length));
            assertEquals(length, d.length());
            assertEquals(0, d.sequence());
            assertEquals(OP_STORE, d.opcode());
            assertEquals(MODE_CAS, d.storeMode());
            assertTrue(d.has(OPTION_COMPARE_CAS) && d.has(OPTION_NEW_CAS) && !d.has(OPTION_INVALIDATE));
            assertEquals(3, d.partition());
            assertEquals(0x1122_3344_5566_7788L, d.ticket());
            assertEquals(0x8877_6655_4433_2211L, d.keyHash());
            assertEquals(0xDEAD_BEEF, d.clientFlags());
            assertEquals(1_700_000_123L, d.exptime());
            assertEquals(-2L, d.compareCas());
            assertEquals(99, d.newCas());
            assertEquals(5, d.number());
            assertEquals(6, d.initial());
            assertEquals(7, d.vivifyExptime());
            assertEquals("user:42", string(buffer, d.keyOffset(), d.keyLength()));
            assertEquals("hello world", string(buffer, d.valueOffset(), d.valueLength()));
            assertEquals(0, buffer.get(java.lang.foreign.ValueLayout.JAVA_INT, 16 + STORED_AT_OFFSET),
                "reserved bytes are cleared");
            // a file format: little-endian whatever the machine
            assertEquals((byte)0x88, buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 16 + TICKET_OFFSET));
            assertEquals(ByteOrder.LITTLE_ENDIAN, Le.LONG.order());
        }
    }

    @Test
    void shouldWriteAnEffectRecordWithTheShortHeaderOnly()
    {
        final MemorySegment buffer = MemorySegment.ofArray(new byte[256]);
        buffer.fill((byte)0x5A);
        final MemorySegment key = MemorySegment.ofArray("k1".getBytes(StandardCharsets.US_ASCII));
        final MemorySegment value = MemorySegment.ofArray("v".getBytes(StandardCharsets.US_ASCII));
        final int length = effectLength(2, 1);
        assertEquals(59, length);
        new WriteRecordEncoder().wrapEffect(buffer, 8, length, OP_RESTORE).partition(1).clientFlags(5).exptime(6)
            .newCas(7).storedAt(8).metaBits(9).key(key, 0, 2).value(value, 0, 1);
        for (int at = 8 + length; at < 8 + HEADER_LENGTH; at++)
        {
            assertEquals((byte)0x5A, buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at),
                "byte " + at + ", past the record's end, is not the encoder's to clear");
        }
        final WriteRecordDecoder d = new WriteRecordDecoder();
        assertTrue(d.wrap(buffer, 8, length));
        assertEquals(OP_RESTORE, d.opcode());
        assertEquals(8 + EFFECT_HEADER_LENGTH, d.keyOffset());
        assertEquals("k1", string(buffer, d.keyOffset(), d.keyLength()));
        assertEquals("v", string(buffer, d.valueOffset(), d.valueLength()));
        assertEquals(1, d.partition());
        assertEquals(5, d.clientFlags());
        assertEquals(6, d.exptime());
        assertEquals(7, d.newCas());
        assertEquals(8, d.storedAt());
        assertEquals(9, d.metaBits());

        // the opcode decides the header: an effect opcode on a request-length record does not add up
        final int requestLength = recordLength(2, 1);
        new WriteRecordEncoder().wrap(buffer, 8, requestLength).opcode(OP_RESTORE).key(key, 0, 2).value(value, 0, 1);
        assertFalse(d.wrap(buffer, 8, requestLength), "an effect opcode with the long header");
        new WriteRecordEncoder().wrapEffect(buffer, 8, length, OP_STORE).key(key, 0, 2).value(value, 0, 1);
        assertFalse(d.wrap(buffer, 8, length), "a request opcode with the short header");
    }

    @Test
    void shouldRefuseRecordsWhoseFramingDoesNotHoldTogether()
    {
        final MemorySegment buffer = MemorySegment.ofArray(new byte[512]);
        final MemorySegment key = MemorySegment.ofArray("k".getBytes(StandardCharsets.US_ASCII));
        final int length = recordLength(1, 0);
        final WriteRecordDecoder d = new WriteRecordDecoder();
        new WriteRecordEncoder().wrap(buffer, 0, length).opcode(OP_DELETE).key(key, 0, 1);
        assertTrue(d.wrap(buffer, 0, length));
        assertFalse(d.wrap(buffer, 0, length + 8), "ring length and record length differ");
        assertFalse(d.wrap(buffer, 0, HEADER_LENGTH - 1), "shorter than a header");
        assertFalse(d.wrap(buffer, 0, MIN_LENGTH - 1), "shorter than any record");
        assertFalse(d.wrap(buffer, 500, length), "runs past the buffer");
        new WriteRecordEncoder().wrap(buffer, 0, length).opcode((byte)0).key(key, 0, 1);
        assertFalse(d.wrap(buffer, 0, length), "opcode 0");
        new WriteRecordEncoder().wrap(buffer, 0, length).opcode(OP_DELETE).key(key, 0, 1).value(key, 0, 1);
        assertFalse(d.wrap(buffer, 0, length), "a value the length has no room for");
    }

    @Test
    void shouldEncodeAndDecodeWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocateFrom("key:0000000001", StandardCharsets.US_ASCII);
            final MemorySegment value = arena.allocate(32);
            final MemorySegment ring = arena.allocate(4096, 8);
            final WriteReplyEncoder replyOut = new WriteReplyEncoder(arena.allocate(4096, 8));
            final WriteRecordEncoder encoder = new WriteRecordEncoder();
            final WriteRecordDecoder decoder = new WriteRecordDecoder();
            final WriteReplyDecoder replyIn = new WriteReplyDecoder();
            long sink = 0;
            long allocated = -1;
            for (int round = 0; round < 5 && allocated != 0; round++) // the first rounds warm the JIT up
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200_000; i++)
                {
                    final int length = recordLength(14, 32);
                    encoder.wrap(ring, (i & 7) * 512, length).opcode(OP_STORE).partition(i & 3).ticket(i).keyHash(i)
                        .exptime(i).key(key, 0, 14).value(value, 0, 32);
                    if (decoder.wrap(ring, (i & 7) * 512, length))
                    {
                        replyOut.reset(decoder.ticket(), WriteReplyDescriptor.STATUS_STORED)
                            .item(decoder.exptime(), decoder.clientFlags(), decoder.valueLength(), 0, 0, 0)
                            .value(ring, decoder.valueOffset(), decoder.valueLength());
                        sink += replyIn.wrap(replyOut.buffer(), 0).ticket() + replyIn.valueLength();
                    }
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertTrue(sink > 0);
            assertEquals(0, allocated, "bytes allocated by 200,000 record and reply round trips");
        }
    }

    private static String string(final MemorySegment s, final long offset, final int length)
    {
        final byte[] b = new byte[length];
        MemorySegment.copy(s, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, b, 0, length);
        return new String(b, StandardCharsets.US_ASCII);
    }
}
