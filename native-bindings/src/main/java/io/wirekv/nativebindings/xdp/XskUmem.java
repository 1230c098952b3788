package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.wirekv.nativebindings.xdp.XskDescriptor.ADDR_ENTRY_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.UMEM_CONFIG_COMP_SIZE_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.UMEM_CONFIG_FILL_SIZE_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.UMEM_CONFIG_FLAGS_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.UMEM_CONFIG_FRAME_HEADROOM_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.UMEM_CONFIG_FRAME_SIZE_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.UMEM_CONFIG_SIZE;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An AF_XDP UMEM registered over memory the caller owns (e.g. a hugepage {@code MemoryRegion}), with its
 * fill and completion rings driven from Java. Owns libxdp's {@code struct xsk_umem} and the ring structs
 * libxdp keeps pointers to (they live in this object's arena until {@link #close()}).
 * <p>
 * <b>Lifetime.</b> Close every {@link XskSocket} on it first; then {@link #close()} unregisters it. The
 * memory itself stays the caller's to unmap, after this is closed.
 * <p>
 * <b>Threading.</b> Created and closed at setup; the rings belong to one lcore.
 */
public final class XskUmem implements AutoCloseable
{
    private final Arena arena;
    private final MemorySegment umem;
    private final MemorySegment area;
    private final MemorySegment fillStruct;
    private final MemorySegment completionStruct;
    private final XskProducerRing fill;
    private final XskConsumerRing completion;
    private final int frameSize;
    private final int frameHeadroom;
    private boolean closed;

    private XskUmem(
        final Arena arena, final MemorySegment umem, final MemorySegment area, final MemorySegment fillStruct,
        final MemorySegment completionStruct, final int frameSize, final int frameHeadroom)
    {
        this.arena = arena;
        this.umem = umem;
        this.area = area;
        this.fillStruct = fillStruct;
        this.completionStruct = completionStruct;
        this.fill = XskProducerRing.fromStruct(fillStruct, ADDR_ENTRY_SIZE);
        this.completion = XskConsumerRing.fromStruct(completionStruct, ADDR_ENTRY_SIZE);
        this.frameSize = frameSize;
        this.frameHeadroom = frameHeadroom;
    }

    /**
     * Registers {@code area} as a UMEM ({@code xsk_umem__create}).
     *
     * @param area           page-aligned memory, a whole number of frames; must outlive this UMEM.
     * @param frameSize      bytes per frame: 2048 or 4096 (aligned mode).
     * @param frameHeadroom  extra bytes the kernel leaves before received data (on top of
     *                       {@link XskDescriptor#XDP_PACKET_HEADROOM}), usually 0.
     * @param fillSize       fill ring entries, a power of two.
     * @param completionSize completion ring entries, a power of two.
     * @return the UMEM.
     * @throws NativeException with the errno text and what to do.
     */
    public static XskUmem create(
        final MemorySegment area, final int frameSize, final int frameHeadroom, final int fillSize, final int completionSize)
    {
        if (frameSize != 2048 && frameSize != 4096)
        {
            throw new IllegalArgumentException("AF_XDP frame size must be 2048 or 4096, was " + frameSize);
        }
        if (area.byteSize() % frameSize != 0 || (area.address() & 4095) != 0)
        {
            throw new IllegalArgumentException(
                "UMEM must be page-aligned and a whole number of frames: " + area.byteSize() + " bytes at 0x" +
                Long.toHexString(area.address()));
        }
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment fillStruct = arena.allocate(RING_SIZE, 8);
            final MemorySegment completionStruct = arena.allocate(RING_SIZE, 8);
            final MemorySegment config = arena.allocate(UMEM_CONFIG_SIZE, 4);
            config.set(JAVA_INT, UMEM_CONFIG_FILL_SIZE_OFFSET, fillSize);
            config.set(JAVA_INT, UMEM_CONFIG_COMP_SIZE_OFFSET, completionSize);
            config.set(JAVA_INT, UMEM_CONFIG_FRAME_SIZE_OFFSET, frameSize);
            config.set(JAVA_INT, UMEM_CONFIG_FRAME_HEADROOM_OFFSET, frameHeadroom);
            config.set(JAVA_INT, UMEM_CONFIG_FLAGS_OFFSET, 0);
            final MemorySegment out = arena.allocate(ADDRESS);
            final int result = LibXdp.xsk_umem__create(out, area, area.byteSize(), fillStruct, completionStruct, config);
            if (result < 0)
            {
                throw new NativeException(
                    "xsk_umem__create(" + area.byteSize() + " bytes, frame " + frameSize + ", fill " + fillSize +
                    ", completion " + completionSize + ")", -result, umemHint(-result));
            }
            final XskUmem created = new XskUmem(
                arena, out.get(ADDRESS, 0), area, fillStruct, completionStruct, frameSize, frameHeadroom);
            if (created.fill.size() != fillSize || created.completion.size() != completionSize)
            {
                created.close();
                throw new IllegalStateException("libxdp's ring struct does not match XskDescriptor: fill size " +
                    created.fill.size() + " (asked " + fillSize + "), completion size " + created.completion.size());
            }
            return created;
        }
        catch (final RuntimeException ex)
        {
            if (arena.scope().isAlive())
            {
                arena.close();
            }
            throw ex;
        }
    }

    private static String umemHint(final int errno)
    {
        return switch (errno)
        {
            case Errno.EPERM, Errno.EACCES -> "AF_XDP needs CAP_NET_RAW and CAP_NET_ADMIN (run as root or grant them)";
            case Errno.ENOMEM, Errno.ENOBUFS -> "the UMEM could not be pinned: raise RLIMIT_MEMLOCK (ulimit -l) or run as root";
            case Errno.EINVAL -> "the kernel refused the UMEM geometry (frame size, alignment, ring sizes)";
            case 97 -> "this kernel has no AF_XDP (CONFIG_XDP_SOCKETS)"; // EAFNOSUPPORT
            default -> "";
        };
    }

    /**
     * @return libxdp's {@code struct xsk_umem *}.
     */
    public MemorySegment pointer()
    {
        return umem;
    }

    /**
     * @return the registered memory.
     */
    public MemorySegment area()
    {
        return area;
    }

    /**
     * @return the fill ring (frames for the kernel to receive into).
     */
    public XskProducerRing fill()
    {
        return fill;
    }

    /**
     * @return the completion ring (frames the kernel has sent).
     */
    public XskConsumerRing completion()
    {
        return completion;
    }

    /**
     * @return bytes per frame.
     */
    public int frameSize()
    {
        return frameSize;
    }

    /**
     * @return bytes the kernel leaves before received data in a frame: {@code XDP_PACKET_HEADROOM} plus the
     * configured frame headroom.
     */
    public int rxHeadroom()
    {
        return XskDescriptor.XDP_PACKET_HEADROOM + frameHeadroom;
    }

    /**
     * @return the UMEM's socket descriptor.
     */
    public int fd()
    {
        return LibXdp.xsk_umem__fd(umem);
    }

    XskRingPointers fillPointers()
    {
        return XskRingPointers.read(fillStruct, ADDR_ENTRY_SIZE);
    }

    XskRingPointers completionPointers()
    {
        return XskRingPointers.read(completionStruct, ADDR_ENTRY_SIZE);
    }

    /**
     * Unregisters the UMEM ({@code xsk_umem__delete}); once; close its sockets first.
     *
     * @throws NativeException when a socket still uses it.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        final int result = LibXdp.xsk_umem__delete(umem);
        if (result < 0)
        {
            throw new NativeException("xsk_umem__delete", -result, "close every XskSocket on the UMEM first");
        }
        closed = true;
        arena.close();
    }
}
