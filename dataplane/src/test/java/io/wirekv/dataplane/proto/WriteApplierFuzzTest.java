package io.wirekv.dataplane.proto;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wirekv.dataplane.record.WriteRecordDecoder;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.record.WriteReplyDecoder;
import io.wirekv.dataplane.record.WriteReplyDescriptor;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableCounters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jazzer target for the writer's side of the write path: {@link WriteApplier} handed arbitrary record bytes,
 * as a corrupted ring or log would hand them. Invariants: it throws nothing; a record that does not decode
 * ({@link WriteRecordDecoder#wrap} refuses it) is answered {@code STATUS_BAD_RECORD}; a {@code BAD_RECORD}
 * answer leaves the table as it was (item count, bytes, items ever stored, and a sentinel item with its
 * CAS); the applier never writes into the record it reads, nor around it; and a record long enough to
 * carry a ticket gets its ticket back.
 * <p>
 * Corpus: {@code src/test/resources/io/wirekv/dataplane/proto/WriteApplierFuzzTestInputs/arbitraryRecord/},
 * seeded with the records real requests produce ({@link FuzzCorpusSeeds}).
 */
class WriteApplierFuzzTest
{
    /** Records sit at this offset inside guard bytes, as a record sits inside its ring. */
    private static final int RECORD_OFFSET = 8;
    private static final int GUARD = 64;
    private static final byte GUARD_BYTE = (byte)0xA5;
    private static final byte[] SENTINEL = ProtoHarness.bytes("fuzz-sentinel");

    private static ProtoHarness harness;
    /** Larger than libFuzzer's default -max_len (4096); longer inputs are cut. */
    private static final int MAX_RECORD = 64 * 1024;
    private static final MemorySegment RING = MemorySegment.ofArray(new byte[RECORD_OFFSET + MAX_RECORD + GUARD]);
    private static final MemorySegment COPY = MemorySegment.ofArray(new byte[RECORD_OFFSET + MAX_RECORD + GUARD]);
    private static final WriteReplyEncoder REPLY = new WriteReplyEncoder(MemorySegment.ofArray(new byte[256 * 1024]));
    private static final WriteReplyDecoder DECODED = new WriteReplyDecoder();
    private static final WriteRecordDecoder ORACLE = new WriteRecordDecoder();
    private static final ItemView ITEM = new ItemView();

    @BeforeAll
    static void open()
    {
        harness = new ProtoHarness(64 * 1024);
    }

    @AfterAll
    static void close()
    {
        harness.close();
    }

    @FuzzTest(maxDuration = "5s")
    void arbitraryRecord(final byte[] record)
    {
        final int length = Math.min(record.length, MAX_RECORD);
        ensureSentinel();
        final long span = RECORD_OFFSET + length + GUARD; // the record and the guard bytes around it
        RING.asSlice(0, span).fill(GUARD_BYTE);
        MemorySegment.copy(record, 0, RING, ValueLayout.JAVA_BYTE, RECORD_OFFSET, length);
        MemorySegment.copy(RING, 0, COPY, 0, span);
        final TableCounters counters = harness.table.counters();
        final long items = counters.items();
        final long bytes = counters.bytes();
        final long totalItems = counters.totalItems();
        final long sentinelCas = sentinelCas();
        final boolean decodes = ORACLE.wrap(RING, RECORD_OFFSET, length);

        harness.applier.apply(RING, RECORD_OFFSET, length, REPLY);

        final byte status = DECODED.wrap(REPLY.buffer(), 0).status();
        assertEquals(-1, MemorySegment.mismatch(RING, 0, span, COPY, 0, span), "the applier wrote into its ring");
        assertTrue(status >= WriteReplyDescriptor.STATUS_STORED && status <= WriteReplyDescriptor.STATUS_BAD_RECORD,
            "status " + status);
        if (!decodes)
        {
            assertEquals(WriteReplyDescriptor.STATUS_BAD_RECORD, status, "a record that does not decode");
        }
        if (status == WriteReplyDescriptor.STATUS_BAD_RECORD)
        {
            assertEquals(items, counters.items(), "items after BAD_RECORD");
            assertEquals(bytes, counters.bytes(), "bytes after BAD_RECORD");
            assertEquals(totalItems, counters.totalItems(), "total items after BAD_RECORD");
            assertEquals(sentinelCas, sentinelCas(), "the sentinel after BAD_RECORD");
        }
        if (length >= WriteRecordDescriptor.TICKET_OFFSET + Long.BYTES)
        {
            assertEquals(RING.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), RECORD_OFFSET + WriteRecordDescriptor.TICKET_OFFSET),
                DECODED.ticket(), "the ticket comes back");
        }
        harness.reader.quiescent();
    }

    /** The sentinel's CAS, or -1 when it is gone. */
    private static long sentinelCas()
    {
        final MemorySegment key = MemorySegment.ofArray(SENTINEL);
        return harness.table.get(key, 0, SENTINEL.length, ITEM) ? ITEM.cas() : -1;
    }

    private static void ensureSentinel()
    {
        if (sentinelCas() >= 0)
        {
            return;
        }
        final MemorySegment key = MemorySegment.ofArray(SENTINEL);
        final byte[] value = ProtoHarness.bytes("v");
        final int length = WriteRecordDescriptor.recordLength(SENTINEL.length, value.length);
        final MemorySegment buffer = MemorySegment.ofArray(new byte[length]);
        new WriteRecordEncoder().wrap(buffer, 0, length)
            .opcode(WriteRecordDescriptor.OP_STORE).storeMode(WriteRecordDescriptor.MODE_SET)
            .partition(harness.table.partitionOf(key, 0, SENTINEL.length)).ticket(1)
            .keyHash(Table.keyHash(key, 0, SENTINEL.length))
            .key(key, 0, SENTINEL.length).value(MemorySegment.ofArray(value), 0, value.length);
        harness.applier.apply(buffer, 0, length, REPLY);
        assertEquals(WriteReplyDescriptor.STATUS_STORED, DECODED.wrap(REPLY.buffer(), 0).status(),
            () -> "sentinel not stored: " + Arrays.toString(value));
    }
}
