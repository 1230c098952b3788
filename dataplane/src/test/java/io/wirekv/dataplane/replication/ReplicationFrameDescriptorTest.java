package io.wirekv.dataplane.replication;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.wirekv.dataplane.replication.ReplicationFrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The frame layout's offsets, sizes and alignment, and that what the encoders write reads back. */
class ReplicationFrameDescriptorTest
{
    @Test
    void shouldLayOutTheHeaderAndBodiesAsTheDiagramSays()
    {
        assertEquals(0, LENGTH_OFFSET);
        assertEquals(4, TYPE_OFFSET);
        assertEquals(8, PARTITION_OFFSET);
        assertEquals(16, HEADER_LENGTH);
        assertEquals(0, HEADER_LENGTH % ALIGNMENT, "records after a header stay 8-byte aligned");
        assertEquals(16, HELLO_MAGIC_OFFSET);
        assertEquals(20, HELLO_VERSION_OFFSET);
        assertEquals(24, HELLO_EPOCH_OFFSET);
        assertEquals(32, HELLO_PARTITIONS_OFFSET);
        assertEquals(36, HELLO_NAME_LENGTH_OFFSET);
        assertEquals(40, HELLO_NAME_OFFSET);
        assertEquals(16, REPLY_EPOCH_OFFSET);
        assertEquals(24, REPLY_PARTITIONS_OFFSET);
        assertEquals(28, REPLY_FLAGS_OFFSET);
        assertEquals(32, REPLY_SEQUENCES_OFFSET);
        assertEquals(24, REFUSED_REASON_LENGTH_OFFSET);
        assertEquals(28, REFUSED_FENCE_OFFSET);
        assertEquals(32, REFUSED_REASON_OFFSET);
        assertEquals(24, RESET_LENGTH);
        assertEquals(32, ACK_LENGTH);
        assertEquals(24, HEARTBEAT_LENGTH);
        assertEquals('W' | 'K' << 8 | 'V' << 16 | 'R' << 24, MAGIC);
    }

    @Test
    void shouldEncodeFramesThatReadBackPaddedToEightBytes()
    {
        final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        putHello(b, VERSION, 7, 4, "node-a");
        assertEquals(48, b.position(), "40 + 6 name bytes, padded to 48");
        assertEquals(48, b.getInt(LENGTH_OFFSET));
        assertEquals(TYPE_HELLO, b.getShort(TYPE_OFFSET));
        assertEquals(7, b.getLong(HELLO_EPOCH_OFFSET));
        assertEquals("node-a", text(b, 0, HELLO_NAME_LENGTH_OFFSET, HELLO_NAME_OFFSET, 48));
        assertEquals(48, frameLength(b, 1 << 20));
        final int at = b.position();
        putAck(b, 3, 10, 9);
        assertEquals(at + ACK_LENGTH, b.position());
        assertEquals(3, b.getInt(at + PARTITION_OFFSET));
        assertEquals(10, b.getLong(at + ACK_APPLIED_OFFSET));
        assertEquals(9, b.getLong(at + ACK_DURABLE_OFFSET));
        b.clear();
        putRefused(b, 5, true, "no");
        assertEquals(40, b.position());
        assertEquals(1, b.getInt(REFUSED_FENCE_OFFSET));
        b.clear();
        putHelloReply(b, 2, FLAG_SYNCS_LOG, new long[] {NEEDS_FULL_SYNC, 12});
        assertEquals(48, b.getInt(LENGTH_OFFSET));
        assertEquals(12, b.getLong(REPLY_SEQUENCES_OFFSET + 8));
        b.clear().putInt(0, 12).position(4);
        assertEquals(-1, frameLength(b, 1 << 20), "shorter than a header");
        b.clear().putInt(0, 20).position(4);
        assertEquals(-1, frameLength(b, 1 << 20), "not a multiple of 8");
        b.clear().putInt(0, 1 << 21).position(4);
        assertEquals(-1, frameLength(b, 1 << 20), "too long");
    }
}
