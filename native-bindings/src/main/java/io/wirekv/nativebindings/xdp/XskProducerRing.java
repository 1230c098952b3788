package io.wirekv.nativebindings.xdp;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.wirekv.nativebindings.xdp.XskDescriptor.ADDR_ENTRY_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.DESC_ADDR_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.DESC_LEN_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.DESC_OPTIONS_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.DESC_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.XDP_RING_NEED_WAKEUP;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A ring user space produces into and the kernel consumes from: the fill ring (UMEM addresses for the
 * kernel to receive into) or the TX ring ({@code struct xdp_desc}s to send). The Java form of
 * {@code struct xsk_ring_prod} and its {@code static inline} helpers in {@code <xdp/xsk.h>}, with the same
 * names and the same cached-index scheme:
 * <ul>
 *     <li>{@link #reserve(int)} takes {@code nb} slots (all or none) starting at {@link #index()}; fill them
 *     with {@link #setAddress} / {@link #setDescriptor};</li>
 *     <li>{@link #submit(int)} publishes them to the kernel (store-release of the producer word);</li>
 *     <li>{@link #needsWakeup()} says whether the kernel wants a syscall to notice.</li>
 * </ul>
 * {@code cachedCons} is kept {@code size} ahead of the real consumer word (as in libxdp), so the free count
 * is {@code cachedCons - cachedProd}. Indices are free-running {@code u32}s: Java {@code int} arithmetic
 * wraps the same way, and only differences are compared.
 * <p>
 * <b>Memory ordering</b> (see the kernel's net/xdp/xsk_queue.h): the consumer word is read with acquire
 * (pairs with the kernel's release when it is done with the entries, so the slots may be overwritten);
 * entries are written plainly, then the producer word with release (pairs with the kernel's acquire
 * before it reads the entries).
 * <p>
 * <b>Threading.</b> One thread (the queue's lcore). Nothing allocates or throws.
 */
public final class XskProducerRing
{
    private static final VarHandle U32 = JAVA_INT.varHandle();

    private final MemorySegment producer;
    private final MemorySegment consumer;
    private final MemorySegment flags;
    private final MemorySegment ring;
    private final int mask;
    private final int size;
    private int cachedProd;
    private int cachedCons;
    private int index;

    /**
     * @param producer   the producer word (4 bytes).
     * @param consumer   the consumer word (4 bytes).
     * @param flags      the flags word (4 bytes).
     * @param ring       the entries: {@code size * entryBytes} bytes.
     * @param size       entries, a power of two.
     * @param cachedProd the producer index to start from (the producer word's value).
     * @param cachedCons the consumer index to start from plus {@code size}.
     */
    public XskProducerRing(
        final MemorySegment producer,
        final MemorySegment consumer,
        final MemorySegment flags,
        final MemorySegment ring,
        final int size,
        final int cachedProd,
        final int cachedCons)
    {
        if (size <= 0 || Integer.bitCount(size) != 1)
        {
            throw new IllegalArgumentException("ring size must be a power of two, was " + size);
        }
        this.producer = producer;
        this.consumer = consumer;
        this.flags = flags;
        this.ring = ring;
        this.size = size;
        this.mask = size - 1;
        this.cachedProd = cachedProd;
        this.cachedCons = cachedCons;
    }

    /**
     * Reads a {@code struct xsk_ring_prod} that libxdp filled in.
     *
     * @param struct     the struct ({@link XskDescriptor#RING_SIZE} bytes).
     * @param entryBytes {@link XskDescriptor#ADDR_ENTRY_SIZE} for the fill ring, {@link XskDescriptor#DESC_SIZE} for TX.
     * @return the ring.
     */
    public static XskProducerRing fromStruct(final MemorySegment struct, final int entryBytes)
    {
        final XskRingPointers p = XskRingPointers.read(struct, entryBytes);
        return new XskProducerRing(p.producer(), p.consumer(), p.flags(), p.ring(), p.size(), p.cachedProd(), p.cachedCons());
    }

    /**
     * {@code xsk_prod_nb_free}: free slots, re-reading the consumer word only when the cached count is
     * below {@code nb}.
     *
     * @param nb slots wanted.
     * @return free slots (may be fewer than {@code nb}).
     */
    public int free(final int nb)
    {
        final int freeEntries = cachedCons - cachedProd;
        if (freeEntries >= nb)
        {
            return freeEntries;
        }
        // acquire: the kernel is done with the entries before this index; pairs with its release of the consumer word.
        cachedCons = (int)U32.getAcquire(consumer, 0L) + size;
        return cachedCons - cachedProd;
    }

    /**
     * {@code xsk_ring_prod__reserve}: takes {@code nb} slots, or none.
     *
     * @param nb slots wanted.
     * @return {@code nb}, or 0 when fewer are free; the first slot's index is {@link #index()}.
     */
    public int reserve(final int nb)
    {
        if (free(nb) < nb)
        {
            return 0;
        }
        index = cachedProd;
        cachedProd += nb;
        return nb;
    }

    /**
     * @return the index of the first slot taken by the last successful {@link #reserve(int)}.
     */
    public int index()
    {
        return index;
    }

    /**
     * {@code xsk_ring_prod__submit}: publishes {@code nb} reserved (and written) slots to the kernel.
     *
     * @param nb slots, in reservation order.
     */
    public void submit(final int nb)
    {
        // Only this thread writes the producer word, so a plain read of it is current.
        final int produced = (int)U32.get(producer, 0L);
        // release: entries written before; pairs with the kernel's acquire of the producer word.
        U32.setRelease(producer, 0L, produced + nb);
    }

    /**
     * Gives back the last {@code nb} reserved slots before they are submitted (libxdp has no such helper;
     * it is the producer-side mirror of {@code xsk_ring_cons__cancel}).
     *
     * @param nb slots, at most those reserved since the last {@link #submit(int)}.
     */
    public void cancel(final int nb)
    {
        cachedProd -= nb;
    }

    /**
     * {@code xsk_ring_prod__needs_wakeup}: the kernel set {@code XDP_RING_NEED_WAKEUP} and will not look
     * at the ring until a syscall ({@code sendto} for TX, {@code recvfrom}/{@code poll} for fill).
     *
     * @return true when a wakeup syscall is needed.
     */
    public boolean needsWakeup()
    {
        // opaque: a fresh read of a flag the kernel flips with WRITE_ONCE; libxdp reads it plainly after submit.
        return ((int)U32.getOpaque(flags, 0L) & XDP_RING_NEED_WAKEUP) != 0;
    }

    /**
     * {@code *xsk_ring_prod__fill_addr(fill, idx) = address}: fill ring entry.
     *
     * @param idx     a reserved index.
     * @param address a UMEM address (offset of a frame in the UMEM).
     */
    public void setAddress(final int idx, final long address)
    {
        ring.set(JAVA_LONG, (long)(idx & mask) * ADDR_ENTRY_SIZE, address);
    }

    /**
     * {@code xsk_ring_prod__tx_desc(tx, idx)}: TX ring entry.
     *
     * @param idx     a reserved index.
     * @param address UMEM address of the frame's first byte.
     * @param length  frame length in bytes.
     */
    public void setDescriptor(final int idx, final long address, final int length)
    {
        final long offset = (long)(idx & mask) * DESC_SIZE;
        ring.set(JAVA_LONG, offset + DESC_ADDR_OFFSET, address);
        ring.set(JAVA_INT, offset + DESC_LEN_OFFSET, length);
        ring.set(JAVA_INT, offset + DESC_OPTIONS_OFFSET, 0);
    }

    /**
     * @param idx an index.
     * @return the fill ring entry at {@code idx} (tests and diagnostics).
     */
    public long address(final int idx)
    {
        return ring.get(JAVA_LONG, (long)(idx & mask) * ADDR_ENTRY_SIZE);
    }

    /**
     * @return entries in the ring.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return slots submitted but not yet consumed by the kernel, as last seen (diagnostics; reads the consumer word).
     */
    public int outstanding()
    {
        return (int)U32.get(producer, 0L) - (int)U32.getAcquire(consumer, 0L);
    }
}
