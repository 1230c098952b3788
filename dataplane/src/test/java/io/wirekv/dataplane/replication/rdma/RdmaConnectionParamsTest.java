package io.wirekv.dataplane.replication.rdma;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RdmaConnectionParamsTest
{
    private static final byte[] GID = {(byte)0xfe, (byte)0x80, 0, 0, 0, 0, 0, 0, 2, 0x1b, 0x21, (byte)0xff, (byte)0xfe,
        0x12, 0x34, 0x56};
    private static final RdmaConnectionParams BACKUP = new RdmaConnectionParams(
        3, 0x00abcdef, 0x00123456, 0xbeef, GID, 0x1122_3344, 0x7f12_3456_0000L, 1L << 24, 0x7f12_3556_0000L);

    @Test
    void shouldEncodeTheDocumentedBytesAndDecodeThemBack()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(3 + RdmaConnectionParams.LENGTH + 5);
        buffer.position(3);
        BACKUP.encode(buffer);

        assertEquals(3 + RdmaConnectionParams.LENGTH, buffer.position());
        final byte[] bytes = buffer.array();
        assertArrayEquals(new byte[] {'W', 'K', 'R', 'D', 0, 1, 3, 0}, slice(bytes, 3, 8), "magic, version, mtu");
        assertArrayEquals(new byte[] {0, (byte)0xab, (byte)0xcd, (byte)0xef}, slice(bytes, 3 + 8, 4), "qp_num, big-endian");
        assertArrayEquals(new byte[] {0, 0x12, 0x34, 0x56}, slice(bytes, 3 + 12, 4), "psn");
        assertArrayEquals(new byte[] {(byte)0xbe, (byte)0xef, 0, 0}, slice(bytes, 3 + 16, 4), "lid + pad");
        assertArrayEquals(new byte[] {0x11, 0x22, 0x33, 0x44}, slice(bytes, 3 + 20, 4), "ring rkey");
        assertArrayEquals(GID, slice(bytes, 3 + 24, 16), "gid");
        assertEquals(0x7f12_3456_0000L, ByteBuffer.wrap(bytes).getLong(3 + 40), "ring address");
        assertEquals(1L << 24, ByteBuffer.wrap(bytes).getLong(3 + 48), "ring capacity");
        assertEquals(0x7f12_3556_0000L, ByteBuffer.wrap(bytes).getLong(3 + 56), "doorbell address");

        buffer.position(3);
        final RdmaConnectionParams decoded = RdmaConnectionParams.decode(buffer);
        assertEquals(BACKUP, decoded);
        assertEquals(3 + RdmaConnectionParams.LENGTH, buffer.position());
        assertTrue(decoded.offersRing());
    }

    @Test
    void shouldRoundTripThePrimarysParametersWithoutARing()
    {
        final RdmaConnectionParams primary = new RdmaConnectionParams(5, 7, 0, 1, new byte[16], 0, 0, 0, 0);
        final ByteBuffer buffer = ByteBuffer.allocate(RdmaConnectionParams.LENGTH);
        primary.encode(buffer);
        buffer.flip();

        final RdmaConnectionParams decoded = RdmaConnectionParams.decode(buffer);
        assertEquals(primary, decoded);
        assertFalse(decoded.offersRing());
    }

    @Test
    void shouldRefuseGarbageAnOldVersionAndFieldsOutOfRangeWithTheReason()
    {
        assertRefused(encoded(), 0, (byte)'X', "bad magic");
        assertRefused(encoded(), 5, (byte)2, "version 2, this node speaks 1");
        assertRefused(encoded(), 6, (byte)9, "mtu enum 9");
        assertRefused(encoded(), 8, (byte)1, "outside 24 bits"); // qp_num's top byte set
        assertRefused(encoded(), 48 + 7, (byte)1, "not a power of two"); // capacity 2^24 + 1
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> RdmaConnectionParams.decode(ByteBuffer.allocate(RdmaConnectionParams.LENGTH - 1)));
        assertTrue(ex.getMessage().contains("need 64"), ex.getMessage());
    }

    private static byte[] encoded()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(RdmaConnectionParams.LENGTH);
        BACKUP.encode(buffer);
        return buffer.array();
    }

    private static void assertRefused(final byte[] bytes, final int index, final byte value, final String reason)
    {
        bytes[index] = value;
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> RdmaConnectionParams.decode(ByteBuffer.wrap(bytes)));
        assertTrue(ex.getMessage().contains(reason), ex.getMessage());
    }

    private static byte[] slice(final byte[] bytes, final int from, final int length)
    {
        final byte[] out = new byte[length];
        System.arraycopy(bytes, from, out, 0, length);
        return out;
    }
}
