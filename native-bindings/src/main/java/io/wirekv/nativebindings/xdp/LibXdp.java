package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.xdp.XdpLibraries.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw bindings to libxdp 1.3 ({@code <xdp/xsk.h>}, {@code <xdp/libxdp.h>}), C names kept. All are setup-time
 * calls (they open sockets, map rings, load programs): none is linked critical, none is on the per-packet
 * path (the rings are driven from Java, see {@link XskProducerRing} / {@link XskConsumerRing}).
 * <p>
 * libxdp returns {@code -errno} from int functions and encodes errors in returned pointers
 * ({@link #libxdp_get_error}).
 */
public final class LibXdp
{
    /** {@code enum xdp_attach_mode}: {@code XDP_MODE_UNSPEC}. */
    public static final int XDP_MODE_UNSPEC = 0;
    /** {@code XDP_MODE_NATIVE}: in the driver (DRV). */
    public static final int XDP_MODE_NATIVE = 1;
    /** {@code XDP_MODE_SKB}: generic XDP, after the kernel built an skb. */
    public static final int XDP_MODE_SKB = 2;
    /** {@code XDP_MODE_HW}: offloaded to the NIC. */
    public static final int XDP_MODE_HW = 3;

    private LibXdp()
    {
    }

    private static final class xsk_umem__create
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xsk_umem__create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
    }

    private static final class xsk_umem__delete
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xsk_umem__delete", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class xsk_umem__fd
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xsk_umem__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class xsk_socket__create
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xsk_socket__create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    }

    private static final class xsk_socket__delete
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xsk_socket__delete", FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static final class xsk_socket__fd
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xsk_socket__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class xsk_socket__update_xskmap
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xsk_socket__update_xskmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class libxdp_get_error
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "libxdp_get_error", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    }

    private static final class libxdp_strerror
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "libxdp_strerror", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class xdp_program__open_file
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xdp_program__open_file", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    }

    private static final class xdp_program__close
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xdp_program__close", FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static final class xdp_program__attach
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xdp_program__attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class xdp_program__detach
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xdp_program__detach", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class xdp_program__bpf_obj
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xdp_program__bpf_obj", FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    private static final class xdp_program__fd
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xdp_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class xdp_program__is_attached
    {
        static final MethodHandle HANDLE = XdpLibraries.libxdp().downcall(
            "xdp_program__is_attached", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    /**
     * {@code int xsk_umem__create(struct xsk_umem **umem, void *umem_area, __u64 size, struct xsk_ring_prod *fill,
     * struct xsk_ring_cons *comp, const struct xsk_umem_config *config)}.
     *
     * @return 0, or {@code -errno}.
     */
    public static int xsk_umem__create(
        final MemorySegment umemOut, final MemorySegment area, final long size, final MemorySegment fill,
        final MemorySegment comp, final MemorySegment config)
    {
        try
        {
            return (int)xsk_umem__create.HANDLE.invokeExact(umemOut, area, size, fill, comp, config);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return 0, or {@code -EBUSY} while a socket still uses the UMEM.
     */
    public static int xsk_umem__delete(final MemorySegment umem)
    {
        try
        {
            return (int)xsk_umem__delete.HANDLE.invokeExact(umem);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return the UMEM's socket descriptor.
     */
    public static int xsk_umem__fd(final MemorySegment umem)
    {
        try
        {
            return (int)xsk_umem__fd.HANDLE.invokeExact(umem);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code int xsk_socket__create(struct xsk_socket **xsk, const char *ifname, __u32 queue_id, struct xsk_umem *umem,
     * struct xsk_ring_cons *rx, struct xsk_ring_prod *tx, const struct xsk_socket_config *config)}.
     *
     * @return 0, or {@code -errno}.
     */
    public static int xsk_socket__create(
        final MemorySegment xskOut, final MemorySegment ifname, final int queueId, final MemorySegment umem,
        final MemorySegment rx, final MemorySegment tx, final MemorySegment config)
    {
        try
        {
            return (int)xsk_socket__create.HANDLE.invokeExact(xskOut, ifname, queueId, umem, rx, tx, config);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    public static void xsk_socket__delete(final MemorySegment xsk)
    {
        try
        {
            xsk_socket__delete.HANDLE.invokeExact(xsk);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return the socket's descriptor.
     */
    public static int xsk_socket__fd(final MemorySegment xsk)
    {
        try
        {
            return (int)xsk_socket__fd.HANDLE.invokeExact(xsk);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * Puts the socket into an XSKMAP under its queue id.
     *
     * @return 0, or {@code -errno}.
     */
    public static int xsk_socket__update_xskmap(final MemorySegment xsk, final int xsksMapFd)
    {
        try
        {
            return (int)xsk_socket__update_xskmap.HANDLE.invokeExact(xsk, xsksMapFd);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param pointer a pointer libxdp returned.
     * @return 0 when it is a valid object, else {@code -errno} (also for NULL).
     */
    public static long libxdp_get_error(final MemorySegment pointer)
    {
        try
        {
            return (long)libxdp_get_error.HANDLE.invokeExact(pointer);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param error a negative error from libxdp (libxdp has its own codes beyond errno, e.g. for a bad BPF object).
     * @return libxdp's text for it.
     */
    public static String libxdp_strerror(final int error)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(256);
            final int result = (int)libxdp_strerror.HANDLE.invokeExact(error, buffer, 256L);
            return result == 0 ? buffer.getString(0) : "libxdp error " + error;
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code struct xdp_program *xdp_program__open_file(const char *filename, const char *section_name,
     * struct bpf_object_open_opts *opts)}.
     *
     * @return the program, or an error pointer (check with {@link #libxdp_get_error}).
     */
    public static MemorySegment xdp_program__open_file(
        final MemorySegment filename, final MemorySegment sectionName, final MemorySegment opts)
    {
        try
        {
            return (MemorySegment)xdp_program__open_file.HANDLE.invokeExact(filename, sectionName, opts);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    public static void xdp_program__close(final MemorySegment program)
    {
        try
        {
            xdp_program__close.HANDLE.invokeExact(program);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param mode e.g. {@link #XDP_MODE_NATIVE}.
     * @return 0, or a negative error.
     */
    public static int xdp_program__attach(final MemorySegment program, final int ifindex, final int mode, final int flags)
    {
        try
        {
            return (int)xdp_program__attach.HANDLE.invokeExact(program, ifindex, mode, flags);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return 0, or a negative error.
     */
    public static int xdp_program__detach(final MemorySegment program, final int ifindex, final int mode, final int flags)
    {
        try
        {
            return (int)xdp_program__detach.HANDLE.invokeExact(program, ifindex, mode, flags);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return the program's {@code struct bpf_object *} (its maps), valid while the program is open.
     */
    public static MemorySegment xdp_program__bpf_obj(final MemorySegment program)
    {
        try
        {
            return (MemorySegment)xdp_program__bpf_obj.HANDLE.invokeExact(program);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return the loaded program's descriptor, or a negative error before load.
     */
    public static int xdp_program__fd(final MemorySegment program)
    {
        try
        {
            return (int)xdp_program__fd.HANDLE.invokeExact(program);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return the {@code XDP_MODE_*} it is attached in on {@code ifindex}, or {@link #XDP_MODE_UNSPEC} when it is not.
     */
    public static int xdp_program__is_attached(final MemorySegment program, final int ifindex)
    {
        try
        {
            return (int)xdp_program__is_attached.HANDLE.invokeExact(program, ifindex);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }
}
