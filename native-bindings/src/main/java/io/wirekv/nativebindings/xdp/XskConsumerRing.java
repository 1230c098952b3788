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
 * A ring the kernel produces into and user space consumes from: the completion ring (UMEM addresses of
 * sent frames) or the RX ring ({@code struct xdp_desc}s of received frames). The Java form of
 * {@code struct xsk_ring_cons} and its {@code static inline} helpers in {@code <xdp/xsk.h>}:
 * <ul>
 *     <li>{@link #peek(int)} takes up to {@code nb} entries starting at {@link #index()}; read them with
 *     {@link #address} / {@link #descriptorAddress} / {@link #descriptorLength};</li>
 *     <li>{@link #release(int)} gives the slots back to the kernel (store-release of the consumer word);</li>
 *     <li>{@link #cancel(int)} un-peeks entries not yet released.</li>
 * </ul>
 * Indices are free-running {@code u32}s held in Java {@code int}s (wrapping arithmetic, differences only).
 * <p>
 * <b>Memory ordering:</b> the producer word is read with acquire (pairs with the kernel's release after it
 * wrote the entries); entries are read plainly, then the consumer word is written with release (pairs
 * with the kernel's acquire before it reuses the slots).
 * <p>
 * <b>Threading.</b> One thread (the queue's lcore). Nothing allocates or throws.
 */
public final class XskConsumerRing
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
     * @param cachedProd the producer index to start from.
     * @param cachedCons the consumer index to start from (the consumer word's value).
     */
    public XskConsumerRing(
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
     * Reads a {@code struct xsk_ring_cons} that libxdp filled in.
     *
     * @param struct     the struct ({@link XskDescriptor#RING_SIZE} bytes).
     * @param entryBytes {@link XskDescriptor#ADDR_ENTRY_SIZE} for completion, {@link XskDescriptor#DESC_SIZE} for RX.
     * @return the ring.
     */
    public static XskConsumerRing fromStruct(final MemorySegment struct, final int entryBytes)
    {
        final XskRingPointers p = XskRingPointers.read(struct, entryBytes);
        return new XskConsumerRing(p.producer(), p.consumer(), p.flags(), p.ring(), p.size(), p.cachedProd(), p.cachedCons());
    }

    /**
     * {@code xsk_cons_nb_avail}: entries ready, re-reading the producer word only when none is cached.
     *
     * @param nb most entries wanted.
     * @return entries available, at most {@code nb}.
     */
    public int available(final int nb)
    {
        int entries = cachedProd - cachedCons;
        if (entries == 0)
        {
            // acquire: entries before this index are written; pairs with the kernel's release of the producer word.
            cachedProd = (int)U32.getAcquire(producer, 0L);
            entries = cachedProd - cachedCons;
        }
        return Math.min(entries, nb);
    }

    /**
     * {@code xsk_ring_cons__peek}: takes up to {@code nb} entries.
     *
     * @param nb most entries wanted.
     * @return entries taken (0 when none is ready); the first one's index is {@link #index()}.
     */
    public int peek(final int nb)
    {
        final int entries = available(nb);
        if (entries > 0)
        {
            index = cachedCons;
            cachedCons += entries;
        }
        return entries;
    }

    /**
     * @return the index of the first entry taken by the last successful {@link #peek(int)}.
     */
    public int index()
    {
        return index;
    }

    /**
     * {@code xsk_ring_cons__cancel}: puts back the last {@code nb} peeked entries (not yet released).
     *
     * @param nb entries.
     */
    public void cancel(final int nb)
    {
        cachedCons -= nb;
    }

    /**
     * {@code xsk_ring_cons__release}: hands {@code nb} consumed slots back to the kernel.
     *
     * @param nb slots, in peek order.
     */
    public void release(final int nb)
    {
        // Only this thread writes the consumer word, so a plain read of it is current.
        final int consumed = (int)U32.get(consumer, 0L);
        // release: entries read before; pairs with the kernel's acquire of the consumer word before reuse.
        U32.setRelease(consumer, 0L, consumed + nb);
    }

    /**
     * @param idx a peeked index.
     * @return the completion ring entry: the UMEM address a sent frame was given with.
     */
    public long address(final int idx)
    {
        return ring.get(JAVA_LONG, (long)(idx & mask) * ADDR_ENTRY_SIZE);
    }

    /**
     * @param idx a peeked index.
     * @return the RX descriptor's UMEM address (of the frame's first byte).
     */
    public long descriptorAddress(final int idx)
    {
        return ring.get(JAVA_LONG, (long)(idx & mask) * DESC_SIZE + DESC_ADDR_OFFSET);
    }

    /**
     * @param idx a peeked index.
     * @return the RX descriptor's length in bytes.
     */
    public int descriptorLength(final int idx)
    {
        return ring.get(JAVA_INT, (long)(idx & mask) * DESC_SIZE + DESC_LEN_OFFSET);
    }

    /**
     * @param idx a peeked index.
     * @return the RX descriptor's options ({@code XDP_PKT_CONTD} for multi-buffer frames).
     */
    public int descriptorOptions(final int idx)
    {
        return ring.get(JAVA_INT, (long)(idx & mask) * DESC_SIZE + DESC_OPTIONS_OFFSET);
    }

    /**
     * @return true when the kernel set {@code XDP_RING_NEED_WAKEUP} on this ring (not used by the kernel for
     * RX or completion today; kept for symmetry and diagnostics).
     */
    public boolean needsWakeup()
    {
        return ((int)U32.getOpaque(flags, 0L) & XDP_RING_NEED_WAKEUP) != 0;
    }

    /**
     * @return entries in the ring.
     */
    public int size()
    {
        return size;
    }
}
