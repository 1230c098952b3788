package io.wirekv.nativebindings.verbs;

import io.wirekv.nativebindings.NativeLibrary;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.verbs.VerbsLibrary.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw bindings to libibverbs ({@code <infiniband/verbs.h>}, rdma-core 44), C names kept. Each handle is created
 * on first use of its function, so loading this class costs nothing on a host without the library.
 * <p>
 * <b>Which symbols, and why.</b> {@code nm -D libibverbs.so.1.14.44.0} exports two versions of most functions
 * ({@code @IBVERBS_1.0}, the pre-2007 ABI, and the default {@code @@IBVERBS_1.1}); {@code dlsym} returns the
 * default one, which is what a C program compiled against the header links to.
 * <ul>
 *   <li>{@code ibv_query_port} is a macro in the header over the {@code static inline ___ibv_query_port}, which
 *   calls the extended context's {@code query_port} op when the provider has one and otherwise the exported
 *   {@code ibv_query_port(context, port, struct _compat_ibv_port_attr *)}. We bind that exported symbol: the
 *   compat struct is the leading part of {@code struct ibv_port_attr} (everything up to {@code
 *   port_cap_flags2}) and we read only {@code state}, {@code lid} and {@code link_layer} from it. Callers pass a
 *   zeroed {@link VerbsLayouts#IBV_PORT_ATTR}-sized buffer, as the inline does.</li>
 *   <li>{@code ibv_reg_mr} is a macro over the inline {@code __ibv_reg_mr}, which calls the exported
 *   {@code ibv_reg_mr(pd, addr, length, int access)} when no {@code IBV_ACCESS_OPTIONAL_RANGE} flag is set and
 *   {@code ibv_reg_mr_iova2} otherwise. wirekv uses only LOCAL_WRITE / REMOTE_WRITE, so we bind the exported
 *   {@code ibv_reg_mr@@IBVERBS_1.1}.</li>
 *   <li>{@code ibv_post_send} and {@code ibv_poll_cq} are {@code static inline}: they call
 *   {@code qp->context->ops.post_send} and {@code cq->context->ops.poll_cq}. There is no symbol; we do what the
 *   inline does: read the function pointer out of the context ({@link VerbsLayouts#CONTEXT_OPS_POST_SEND},
 *   {@link VerbsLayouts#CONTEXT_OPS_POLL_CQ}) once at set-up and call it through an address-taking downcall
 *   handle ({@link #post_send}, {@link #poll_cq}), linked critical (a provider's post/poll never blocks).</li>
 * </ul>
 * These are set-up calls except {@link #post_send} and {@link #poll_cq}, which return codes and never throw.
 * <p>
 * <b>Never executed here:</b> the development and CI machines have no RDMA device and no RDMA kernel support;
 * only {@code ibv_get_device_list} / {@code ibv_free_device_list} have run (returning no device). Everything
 * that needs an {@code ibv_context} has been compiled and its struct offsets checked against the header, not run.
 */
public final class LibIbverbs
{
    private static final Linker LINKER = Linker.nativeLinker();

    private LibIbverbs()
    {
    }

    private static final class ibv_get_device_list
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_get_device_list",
            FunctionDescriptor.of(ADDRESS, ADDRESS), NativeLibrary.CAPTURE_ERRNO);
    }

    private static final class ibv_free_device_list
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_free_device_list",
            FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static final class ibv_get_device_name
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_get_device_name",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    private static final class ibv_open_device
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_open_device",
            FunctionDescriptor.of(ADDRESS, ADDRESS), NativeLibrary.CAPTURE_ERRNO);
    }

    private static final class ibv_close_device
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_close_device",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class ibv_query_device
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_query_device",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class ibv_query_port
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_query_port",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BYTE, ADDRESS));
    }

    private static final class ibv_query_gid
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_query_gid",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BYTE, JAVA_INT, ADDRESS));
    }

    private static final class ibv_alloc_pd
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_alloc_pd",
            FunctionDescriptor.of(ADDRESS, ADDRESS), NativeLibrary.CAPTURE_ERRNO);
    }

    private static final class ibv_dealloc_pd
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_dealloc_pd",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class ibv_reg_mr
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_reg_mr",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT), NativeLibrary.CAPTURE_ERRNO);
    }

    private static final class ibv_dereg_mr
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_dereg_mr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class ibv_create_comp_channel
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_create_comp_channel",
            FunctionDescriptor.of(ADDRESS, ADDRESS), NativeLibrary.CAPTURE_ERRNO);
    }

    private static final class ibv_create_cq
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_create_cq",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), NativeLibrary.CAPTURE_ERRNO);
    }

    private static final class ibv_destroy_cq
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_destroy_cq",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class ibv_create_qp
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_create_qp",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), NativeLibrary.CAPTURE_ERRNO);
    }

    private static final class ibv_modify_qp
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_modify_qp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    private static final class ibv_destroy_qp
    {
        static final MethodHandle HANDLE = VerbsLibrary.library().downcall("ibv_destroy_qp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /** {@code int (*post_send)(struct ibv_qp *, struct ibv_send_wr *, struct ibv_send_wr **)}, called by address. */
    private static final MethodHandle POST_SEND = LINKER.downcallHandle(
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), NativeLibrary.CRITICAL);

    /** {@code int (*poll_cq)(struct ibv_cq *, int, struct ibv_wc *)}, called by address. */
    private static final MethodHandle POLL_CQ = LINKER.downcallHandle(
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), NativeLibrary.CRITICAL);

    /**
     * {@code struct ibv_device **ibv_get_device_list(int *num_devices)}.
     *
     * @param errnoState written with errno ({@code ENOSYS} where the kernel has no RDMA support).
     * @return the NULL-terminated array, or {@code NULL} on failure.
     */
    public static MemorySegment ibv_get_device_list(final MemorySegment errnoState, final MemorySegment numDevices)
    {
        try
        {
            return (MemorySegment)ibv_get_device_list.HANDLE.invokeExact(errnoState, numDevices);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** {@code void ibv_free_device_list(struct ibv_device **list)}. */
    public static void ibv_free_device_list(final MemorySegment list)
    {
        try
        {
            ibv_free_device_list.HANDLE.invokeExact(list);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return {@code const char *} the kernel device name, e.g. {@code mlx5_0}. */
    public static MemorySegment ibv_get_device_name(final MemorySegment device)
    {
        try
        {
            return (MemorySegment)ibv_get_device_name.HANDLE.invokeExact(device);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return {@code struct ibv_context *}, or {@code NULL} with errno set. */
    public static MemorySegment ibv_open_device(final MemorySegment errnoState, final MemorySegment device)
    {
        try
        {
            return (MemorySegment)ibv_open_device.HANDLE.invokeExact(errnoState, device);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return 0, or -1. */
    public static int ibv_close_device(final MemorySegment context)
    {
        try
        {
            return (int)ibv_close_device.HANDLE.invokeExact(context);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return 0, or an errno value. */
    public static int ibv_query_device(final MemorySegment context, final MemorySegment deviceAttr)
    {
        try
        {
            return (int)ibv_query_device.HANDLE.invokeExact(context, deviceAttr);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * The exported {@code ibv_query_port} (see the class comment); {@code portAttr} must be a zeroed
     * {@link VerbsLayouts#IBV_PORT_ATTR}.
     *
     * @return 0, or an errno value.
     */
    public static int ibv_query_port(final MemorySegment context, final byte portNum, final MemorySegment portAttr)
    {
        try
        {
            return (int)ibv_query_port.HANDLE.invokeExact(context, portNum, portAttr);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** {@code int ibv_query_gid(ctx, port_num, index, union ibv_gid *gid)}: 0, or -1. */
    public static int ibv_query_gid(final MemorySegment context, final byte portNum, final int index, final MemorySegment gid)
    {
        try
        {
            return (int)ibv_query_gid.HANDLE.invokeExact(context, portNum, index, gid);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return {@code struct ibv_pd *}, or {@code NULL} with errno set. */
    public static MemorySegment ibv_alloc_pd(final MemorySegment errnoState, final MemorySegment context)
    {
        try
        {
            return (MemorySegment)ibv_alloc_pd.HANDLE.invokeExact(errnoState, context);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return 0, or an errno value. */
    public static int ibv_dealloc_pd(final MemorySegment pd)
    {
        try
        {
            return (int)ibv_dealloc_pd.HANDLE.invokeExact(pd);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** The exported {@code ibv_reg_mr} (see the class comment). @return {@code struct ibv_mr *}, or {@code NULL}. */
    public static MemorySegment ibv_reg_mr(
        final MemorySegment errnoState, final MemorySegment pd, final MemorySegment addr, final long length,
        final int access)
    {
        try
        {
            return (MemorySegment)ibv_reg_mr.HANDLE.invokeExact(errnoState, pd, addr, length, access);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return 0, or an errno value. */
    public static int ibv_dereg_mr(final MemorySegment mr)
    {
        try
        {
            return (int)ibv_dereg_mr.HANDLE.invokeExact(mr);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return {@code struct ibv_comp_channel *}, or {@code NULL} with errno set. */
    public static MemorySegment ibv_create_comp_channel(final MemorySegment errnoState, final MemorySegment context)
    {
        try
        {
            return (MemorySegment)ibv_create_comp_channel.HANDLE.invokeExact(errnoState, context);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** {@code ibv_create_cq(ctx, cqe, cq_context, channel, comp_vector)}: the CQ, or {@code NULL}. */
    public static MemorySegment ibv_create_cq(
        final MemorySegment errnoState, final MemorySegment context, final int cqe, final MemorySegment cqContext,
        final MemorySegment channel, final int compVector)
    {
        try
        {
            return (MemorySegment)ibv_create_cq.HANDLE.invokeExact(errnoState, context, cqe, cqContext, channel, compVector);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return 0, or an errno value. */
    public static int ibv_destroy_cq(final MemorySegment cq)
    {
        try
        {
            return (int)ibv_destroy_cq.HANDLE.invokeExact(cq);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return {@code struct ibv_qp *}, or {@code NULL} with errno set; {@code initAttr.cap} is updated. */
    public static MemorySegment ibv_create_qp(final MemorySegment errnoState, final MemorySegment pd, final MemorySegment initAttr)
    {
        try
        {
            return (MemorySegment)ibv_create_qp.HANDLE.invokeExact(errnoState, pd, initAttr);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return 0, or an errno value. */
    public static int ibv_modify_qp(final MemorySegment qp, final MemorySegment attr, final int attrMask)
    {
        try
        {
            return (int)ibv_modify_qp.HANDLE.invokeExact(qp, attr, attrMask);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /** @return 0, or an errno value. */
    public static int ibv_destroy_qp(final MemorySegment qp)
    {
        try
        {
            return (int)ibv_destroy_qp.HANDLE.invokeExact(qp);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * What the inline {@code ibv_post_send} does: {@code qp->context->ops.post_send(qp, wr, bad_wr)}.
     *
     * @param postSend the function pointer, read once by {@link #contextOp}.
     * @return 0, or an errno value (never throws for a provider error).
     */
    public static int post_send(final MemorySegment postSend, final MemorySegment qp, final MemorySegment wr, final MemorySegment badWr)
    {
        try
        {
            return (int)POST_SEND.invokeExact(postSend, qp, wr, badWr);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * What the inline {@code ibv_poll_cq} does: {@code cq->context->ops.poll_cq(cq, num_entries, wc)}.
     *
     * @param pollCq the function pointer, read once by {@link #contextOp}.
     * @return completions written to {@code wc} (0 when none), or a negative value on error.
     */
    public static int poll_cq(final MemorySegment pollCq, final MemorySegment cq, final int numEntries, final MemorySegment wc)
    {
        try
        {
            return (int)POLL_CQ.invokeExact(pollCq, cq, numEntries, wc);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * Reads a function pointer from an object's context ops: {@code object->context->ops.<op>}.
     *
     * @param object        a {@code struct ibv_qp *} or {@code struct ibv_cq *} (both start with their context).
     * @param opOffset      {@link VerbsLayouts#CONTEXT_OPS_POST_SEND} or {@link VerbsLayouts#CONTEXT_OPS_POLL_CQ}.
     * @return the function's address.
     */
    @SuppressWarnings("restricted")
    public static MemorySegment contextOp(final MemorySegment object, final long opOffset)
    {
        final MemorySegment head = object.reinterpret(VerbsLayouts.IBV_QP_HEAD.byteSize());
        final MemorySegment context = head.get(ADDRESS, VerbsLayouts.QP_CONTEXT)
            .reinterpret(VerbsLayouts.IBV_CONTEXT_HEAD.byteSize());
        return context.get(ADDRESS, opOffset);
    }
}
