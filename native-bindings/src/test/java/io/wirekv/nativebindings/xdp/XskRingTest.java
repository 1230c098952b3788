package io.wirekv.nativebindings.xdp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java ring logic (libxdp's reserve/submit/peek/release/cancel with cached indices) over plain memory,
 * with the test playing the kernel's side of each ring.
 */
class XskRingTest
{
    private static final int SIZE = 8;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment producerWord = arena.allocate(64, 64);
    private final MemorySegment consumerWord = arena.allocate(64, 64);
    private final MemorySegment flagsWord = arena.allocate(64, 64);
    private final MemorySegment entries = arena.allocate((long)SIZE * XskDescriptor.DESC_SIZE, 64);

    @AfterEach
    void close()
    {
        arena.close();
    }

    private XskProducerRing producerRing(final int start)
    {
        producerWord.set(JAVA_INT, 0, start);
        consumerWord.set(JAVA_INT, 0, start);
        // As libxdp initialises it: cached_cons is one ring ahead of the consumer word.
        return new XskProducerRing(producerWord, consumerWord, flagsWord, entries, SIZE, start, start + SIZE);
    }

    private XskConsumerRing consumerRing(final int start)
    {
        producerWord.set(JAVA_INT, 0, start);
        consumerWord.set(JAVA_INT, 0, start);
        return new XskConsumerRing(producerWord, consumerWord, flagsWord, entries, SIZE, start, start);
    }

    @Test
    void shouldReserveAllOrNothingAndSeeSlotsTheKernelConsumed()
    {
        final XskProducerRing ring = producerRing(0);

        assertEquals(SIZE, ring.reserve(SIZE));
        assertEquals(0, ring.index());
        assertEquals(0, ring.reserve(1), "a full ring reserves nothing");
        ring.submit(SIZE);

        consumerWord.set(JAVA_INT, 0, 3); // the kernel took three entries
        assertEquals(0, ring.reserve(4), "only three slots are free: all or nothing");
        assertEquals(3, ring.reserve(3));
        assertEquals(SIZE, ring.index());
    }

    @Test
    void shouldPublishEntriesOnlyOnSubmit()
    {
        final XskProducerRing ring = producerRing(0);

        assertEquals(2, ring.reserve(2));
        ring.setAddress(ring.index(), 4096);
        ring.setAddress(ring.index() + 1, 8192);
        assertEquals(0, producerWord.get(JAVA_INT, 0), "nothing is visible to the kernel before submit");

        ring.submit(2);

        assertEquals(2, producerWord.get(JAVA_INT, 0));
        assertEquals(4096, entries.get(JAVA_LONG, 0));
        assertEquals(8192, entries.get(JAVA_LONG, 8));
        assertEquals(2, ring.outstanding());
    }

    @Test
    void shouldWrapProducerIndicesPastTheTopOfTheU32Range()
    {
        final int start = -2; // 0xFFFF_FFFE
        final XskProducerRing ring = producerRing(start);

        assertEquals(4, ring.reserve(4));
        for (int i = 0; i < 4; i++)
        {
            ring.setAddress(ring.index() + i, 1000 + i);
        }
        ring.submit(4);

        assertEquals(2, producerWord.get(JAVA_INT, 0), "0xFFFFFFFE + 4 wraps to 2");
        assertEquals(1000, entries.get(JAVA_LONG, 6 * 8L), "index 0xFFFFFFFE is slot 6");
        assertEquals(1001, entries.get(JAVA_LONG, 7 * 8L));
        assertEquals(1002, entries.get(JAVA_LONG, 0));
        assertEquals(1003, entries.get(JAVA_LONG, 8));
        assertEquals(SIZE - 4, ring.free(1));
    }

    @Test
    void shouldGiveBackCancelledReservations()
    {
        final XskProducerRing ring = producerRing(0);

        assertEquals(5, ring.reserve(5));
        ring.cancel(2);
        ring.submit(3);

        assertEquals(3, producerWord.get(JAVA_INT, 0));
        assertEquals(5, ring.reserve(5), "the cancelled slots are free again");
        assertEquals(3, ring.index());
    }

    @Test
    void shouldWriteTxDescriptorsInTheKernelLayout()
    {
        final XskProducerRing ring = producerRing(0);

        assertEquals(1, ring.reserve(1));
        ring.setDescriptor(ring.index(), 2048 + 256, 60);
        ring.submit(1);

        assertEquals(2048 + 256, entries.get(JAVA_LONG, XskDescriptor.DESC_ADDR_OFFSET));
        assertEquals(60, entries.get(JAVA_INT, XskDescriptor.DESC_LEN_OFFSET));
        assertEquals(0, entries.get(JAVA_INT, XskDescriptor.DESC_OPTIONS_OFFSET));
    }

    @Test
    void shouldReportNeedsWakeupFromTheFlagsWord()
    {
        final XskProducerRing ring = producerRing(0);

        assertFalse(ring.needsWakeup());
        flagsWord.set(JAVA_INT, 0, XskDescriptor.XDP_RING_NEED_WAKEUP);
        assertTrue(ring.needsWakeup());
        flagsWord.set(JAVA_INT, 0, 0);
        assertFalse(ring.needsWakeup());
    }

    @Test
    void shouldPeekNothingUntilTheKernelPublishes()
    {
        final XskConsumerRing ring = consumerRing(0);

        writeRxDescriptor(0, 4096 + 256, 42);
        assertEquals(0, ring.peek(4), "written but not published");

        producerWord.set(JAVA_INT, 0, 1);
        assertEquals(1, ring.peek(4));
        assertEquals(0, ring.index());
        assertEquals(4096 + 256, ring.descriptorAddress(ring.index()));
        assertEquals(42, ring.descriptorLength(ring.index()));
    }

    @Test
    void shouldPeekAtMostWhatWasAskedAndReleaseToTheKernel()
    {
        final XskConsumerRing ring = consumerRing(0);
        for (int i = 0; i < 5; i++)
        {
            writeRxDescriptor(i, i * 2048L, 60 + i);
        }
        producerWord.set(JAVA_INT, 0, 5);

        assertEquals(3, ring.peek(3));
        assertEquals(0, ring.index());
        assertEquals(2, ring.peek(3), "the rest of what the kernel published");
        assertEquals(3, ring.index());
        assertEquals(64, ring.descriptorLength(4));
        assertEquals(0, consumerWord.get(JAVA_INT, 0), "the kernel sees nothing consumed before release");

        ring.release(5);

        assertEquals(5, consumerWord.get(JAVA_INT, 0));
        assertEquals(0, ring.peek(3));
    }

    @Test
    void shouldPeekCancelledEntriesAgain()
    {
        final XskConsumerRing ring = consumerRing(0);
        writeRxDescriptor(0, 0, 60);
        writeRxDescriptor(1, 2048, 61);
        producerWord.set(JAVA_INT, 0, 2);

        assertEquals(2, ring.peek(2));
        ring.cancel(1);

        assertEquals(1, ring.peek(2));
        assertEquals(1, ring.index());
        assertEquals(61, ring.descriptorLength(ring.index()));
    }

    @Test
    void shouldWrapConsumerIndicesPastTheTopOfTheU32Range()
    {
        final int start = -1; // 0xFFFF_FFFF
        final XskConsumerRing ring = consumerRing(start);
        // Completion ring entries: UMEM addresses, 8 bytes each, slots 7, 0, 1.
        entries.set(JAVA_LONG, 7 * 8L, 100);
        entries.set(JAVA_LONG, 0, 200);
        entries.set(JAVA_LONG, 8, 300);
        producerWord.set(JAVA_INT, 0, start + 3);

        assertEquals(3, ring.peek(SIZE));
        assertEquals(start, ring.index());
        assertEquals(100, ring.address(ring.index()));
        assertEquals(200, ring.address(ring.index() + 1));
        assertEquals(300, ring.address(ring.index() + 2));
        ring.release(3);
        assertEquals(2, consumerWord.get(JAVA_INT, 0));
    }

    private void writeRxDescriptor(final int slot, final long address, final int length)
    {
        final long offset = (long)(slot & (SIZE - 1)) * XskDescriptor.DESC_SIZE;
        entries.set(JAVA_LONG, offset + XskDescriptor.DESC_ADDR_OFFSET, address);
        entries.set(JAVA_INT, offset + XskDescriptor.DESC_LEN_OFFSET, length);
        entries.set(JAVA_INT, offset + XskDescriptor.DESC_OPTIONS_OFFSET, 0);
    }
}
