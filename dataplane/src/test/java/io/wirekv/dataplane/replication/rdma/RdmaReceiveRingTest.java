package io.wirekv.dataplane.replication.rdma;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The inbox ring's logic, with this test writing the ring and doorbell where the peer's NIC would (the bytes an
 * RDMA WRITE places are ordinary memory to the receiving CPU); no device involved.
 */
class RdmaReceiveRingTest
{
    private static final long CAPACITY = 4096;

    @Test
    void shouldSeeNothingUntilTheDoorbellRingsThenTheBatchBelowIt()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final RdmaReceiveRing ring = new RdmaReceiveRing(arena.allocate(RdmaReceiveRing.bytesFor(CAPACITY), 64), CAPACITY);
            assertEquals(0, ring.available());
            assertEquals(ring.ringAddress() + CAPACITY, ring.doorbellAddress());

            place(ring, 0, bytes(100, 1));
            assertEquals(0, ring.available(), "bytes without a doorbell are not visible");
            ringDoorbell(ring, 100);

            assertEquals(100, ring.available());
            assertEquals(0, ring.peerConsumed());
            ring.memory().set(JAVA_LONG, CAPACITY + RdmaReceiveRing.CONSUMED_OFFSET, 77);
            assertEquals(77, ring.peerConsumed(), "the peer's consumed position of the ring this side writes");
            assertEquals(100, ring.available(), "the consumed word is not the producer word");
            final MemorySegment out = arena.allocate(100);
            ring.copy(0, out, 0, 100);
            assertArrayEquals(bytes(100, 1), out.toArray(JAVA_BYTE));
            ring.consumedUpTo(100);
            assertEquals(0, ring.available());
        }
    }

    @Test
    void shouldReadABatchThatWrapsTheRingsEnd()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final RdmaReceiveRing ring = new RdmaReceiveRing(arena.allocate(RdmaReceiveRing.bytesFor(CAPACITY), 64), CAPACITY);
            final long start = CAPACITY - 30; // as if 4066 bytes had been consumed already
            ringDoorbell(ring, start);
            ring.consumedUpTo(start);
            final byte[] batch = bytes(80, 7);
            place(ring, start, batch); // the peer's two WRITEs: 30 bytes at the end, 50 at the start
            ringDoorbell(ring, start + 80);

            assertEquals(80, ring.available());
            final MemorySegment out = arena.allocate(80);
            ring.copy(start, out, 0, 80);
            assertArrayEquals(batch, out.toArray(JAVA_BYTE));
        }
    }

    @Test
    void shouldReportAnImpossibleProducerPositionAsCorrupt()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final RdmaReceiveRing ring = new RdmaReceiveRing(arena.allocate(RdmaReceiveRing.bytesFor(CAPACITY), 64), CAPACITY);
            ringDoorbell(ring, CAPACITY + 1);
            assertEquals(-1, ring.available(), "more than a ring ahead of the consumer");
            ringDoorbell(ring, 200);
            ring.consumedUpTo(200);
            ringDoorbell(ring, 100);
            assertEquals(-1, ring.available(), "behind the consumer");
            assertThrows(IllegalArgumentException.class, () -> ring.consumedUpTo(50));
        }
    }

    @Test
    void shouldRefuseABadCapacityOrMemory()
    {
        try (Arena arena = Arena.ofConfined())
        {
            assertThrows(IllegalArgumentException.class, () -> new RdmaReceiveRing(arena.allocate(8192, 64), 5000));
            assertThrows(IllegalArgumentException.class, () -> new RdmaReceiveRing(arena.allocate(CAPACITY, 64), CAPACITY));
            assertThrows(IllegalArgumentException.class,
                () -> new RdmaReceiveRing(MemorySegment.ofArray(new byte[8192]), CAPACITY));
        }
    }

    private static void place(final RdmaReceiveRing ring, final long position, final byte[] data)
    {
        final MemorySegment memory = ring.memory();
        for (int i = 0; i < data.length; i++)
        {
            memory.set(JAVA_BYTE, (position + i) % CAPACITY, data[i]);
        }
    }

    private static void ringDoorbell(final RdmaReceiveRing ring, final long producer)
    {
        JAVA_LONG.varHandle().setRelease(ring.memory(), CAPACITY + RdmaReceiveRing.PRODUCER_OFFSET, producer);
    }

    private static byte[] bytes(final int length, final int seed)
    {
        final byte[] out = new byte[length];
        for (int i = 0; i < length; i++)
        {
            out[i] = (byte)(seed * 31 + i);
        }
        return out;
    }
}
