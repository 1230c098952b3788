package io.wirekv.dataplane.port;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatagramBatchTest
{
    @Test
    void shouldRefuseAddsWhenFull()
    {
        try (Arena arena = Arena.ofConfined(); DatagramBatch batch = new DatagramBatch(2))
        {
            final MemorySegment buffer = arena.allocate(100);
            assertEquals(0, batch.add(buffer, 0, 10, 0x7f000001, 11211));
            assertEquals(1, batch.add(buffer, 10, 20, 0x0a000001, 53));
            assertTrue(batch.isFull());
            assertEquals(-1, batch.add(buffer, 0, 10, 0x7f000001, 11211));
            assertEquals(2, batch.count());
            assertSame(buffer, batch.segment(1));
            assertEquals(10, batch.offset(1));
            assertEquals(20, batch.bufferLength(1));
            assertEquals(0x0a000001, batch.peerAddress(1));
            assertEquals(53, batch.peerPort(1));
        }
    }

    @Test
    void shouldCopyPeersBetweenBatches()
    {
        try (DatagramBatch rx = new DatagramBatch(4); DatagramBatch tx = new DatagramBatch(4))
        {
            rx.setPeer(3, 0xC0A80001, 65535);
            tx.copyPeer(0, rx, 3);
            assertEquals(0xC0A80001, tx.peerAddress(0));
            assertEquals(65535, tx.peerPort(0));
        }
    }

    @Test
    void shouldRejectBuffersOutsideTheirSegmentOrOnTheHeap()
    {
        try (Arena arena = Arena.ofConfined(); DatagramBatch batch = new DatagramBatch(1))
        {
            final MemorySegment buffer = arena.allocate(64);
            assertThrows(IndexOutOfBoundsException.class, () -> batch.setBuffer(0, buffer, 32, 64));
            assertThrows(IllegalArgumentException.class, () -> batch.setBuffer(0, MemorySegment.ofArray(new byte[64]), 0, 64));
            batch.setBuffer(0, buffer, 0, 64);
            assertThrows(IndexOutOfBoundsException.class, () -> batch.setBufferLength(0, 65));
            batch.setBufferLength(0, 5);
            assertEquals(5, batch.bufferLength(0));
        }
        assertThrows(IllegalArgumentException.class, () -> new DatagramBatch(0));
    }
}
