package io.wirekv.nativebindings.xdp;

import java.lang.foreign.MemorySegment;

import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_CACHED_CONS_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_CACHED_PROD_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_CONSUMER_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_FLAGS_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_MASK_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_PRODUCER_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_RING_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_SIZE_OFFSET;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The fields of a {@code struct xsk_ring_prod/cons} that libxdp filled in, as segments over the kernel's
 * mmapped ring (setup time only).
 */
record XskRingPointers(
    MemorySegment producer, MemorySegment consumer, MemorySegment flags, MemorySegment ring,
    int size, int mask, int cachedProd, int cachedCons, long producerAddress, long consumerAddress,
    long flagsAddress, long ringAddress)
{
    @SuppressWarnings("restricted")
    static XskRingPointers read(final MemorySegment struct, final int entryBytes)
    {
        final int size = struct.get(JAVA_INT, RING_SIZE_OFFSET);
        final int mask = struct.get(JAVA_INT, RING_MASK_OFFSET);
        if (size <= 0 || Integer.bitCount(size) != 1 || mask != size - 1)
        {
            throw new IllegalStateException(
                "libxdp's ring struct does not look like wirekv's XskDescriptor layout: size " + size + ", mask " + mask +
                "; rebuild wirekv against the installed libxdp and check XskDescriptor");
        }
        final MemorySegment producer = struct.get(ADDRESS, RING_PRODUCER_OFFSET);
        final MemorySegment consumer = struct.get(ADDRESS, RING_CONSUMER_OFFSET);
        final MemorySegment ring = struct.get(ADDRESS, RING_RING_OFFSET);
        final MemorySegment flags = struct.get(ADDRESS, RING_FLAGS_OFFSET);
        if (producer.address() == 0 || consumer.address() == 0 || ring.address() == 0 || flags.address() == 0)
        {
            throw new IllegalStateException("libxdp left a ring pointer NULL: the ring was not mapped");
        }
        return new XskRingPointers(
            producer.reinterpret(4), consumer.reinterpret(4), flags.reinterpret(4),
            ring.reinterpret((long)size * entryBytes), size, mask,
            struct.get(JAVA_INT, RING_CACHED_PROD_OFFSET), struct.get(JAVA_INT, RING_CACHED_CONS_OFFSET),
            producer.address(), consumer.address(), flags.address(), ring.address());
    }
}
