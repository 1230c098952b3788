package io.wirekv.nativebindings.dpdk;

import io.wirekv.nativebindings.NativeLibrary;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.NativeLibrary.CRITICAL;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw bindings to DPDK's EAL ({@code rte_eal.h}, {@code rte_lcore.h}, {@code rte_errno.h}) and to the
 * shim's exports of what those headers define inline ({@code rte_errno}, {@code rte_lcore_id()}).
 * <p>
 * <b>Errors.</b> DPDK does not report through the C {@code errno} but through {@code rte_errno}, a
 * per-thread variable (per lcore, hence the name), so these bindings take no errno state: functions that
 * return {@code -1} and set {@code rte_errno} are wrapped here to return {@code -rte_errno} directly,
 * the same {@code -errno} convention as the libc bindings. For a call that returns a pointer, read
 * {@link #rte_errno()} on the same thread right after a {@code NULL}.
 * <p>
 * One holder class per native function; handles are resolved through the shim (see {@link DpdkShim}),
 * whose dependencies are DPDK's libraries. Call {@link DpdkShim#library()} first to get a clean error
 * when DPDK is missing.
 */
public final class RteEal
{
    /** {@code E_RTE_SECONDARY}: operation not allowed in a secondary process. */
    public static final int E_RTE_SECONDARY = 1001;
    /** {@code E_RTE_NO_CONFIG}: missing rte_config. */
    public static final int E_RTE_NO_CONFIG = 1002;
    /** {@code EALREADY}: rte_eal_init was called before in this process. */
    public static final int EALREADY = 114;

    private RteEal()
    {
    }

    static NativeLibrary shim()
    {
        return DpdkShim.library();
    }

    private static final class rte_eal_init
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class rte_eal_cleanup
    {
        static final MethodHandle HANDLE = shim().downcall("rte_eal_cleanup", FunctionDescriptor.of(JAVA_INT));
    }

    private static final class rte_thread_register
    {
        static final MethodHandle HANDLE = shim().downcall("rte_thread_register", FunctionDescriptor.of(JAVA_INT));
    }

    private static final class rte_thread_unregister
    {
        static final MethodHandle HANDLE = shim().downcall("rte_thread_unregister", FunctionDescriptor.ofVoid());
    }

    private static final class rte_socket_id
    {
        static final MethodHandle HANDLE = shim().downcall("rte_socket_id", FunctionDescriptor.of(JAVA_INT), CRITICAL);
    }

    private static final class rte_strerror
    {
        static final MethodHandle HANDLE = shim().downcall("rte_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static final class wirekv_rte_errno
    {
        static final MethodHandle HANDLE = shim().downcall("wirekv_rte_errno", FunctionDescriptor.of(JAVA_INT), CRITICAL);
    }

    private static final class wirekv_lcore_id
    {
        static final MethodHandle HANDLE = shim().downcall("wirekv_lcore_id", FunctionDescriptor.of(JAVA_INT), CRITICAL);
    }

    private static final class wirekv_rte_version
    {
        static final MethodHandle HANDLE = shim().downcall("wirekv_rte_version", FunctionDescriptor.of(ADDRESS));
    }

    private static final class wirekv_layout
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_layout", FunctionDescriptor.of(JAVA_LONG, JAVA_INT), CRITICAL);
    }

    /**
     * Initialises the EAL. Pins the <em>calling</em> thread to the main lcore's CPU and may block while
     * it probes devices; call it from a dedicated thread (see {@link Eal}). Once per process.
     *
     * @param argc number of arguments, including {@code argv[0]}.
     * @param argv a {@code char *[]} of {@code argc} strings followed by {@code NULL}; must stay valid
     *             until {@link #rte_eal_cleanup()}.
     * @return the number of arguments parsed, or {@code -rte_errno}.
     */
    public static int rte_eal_init(final int argc, final MemorySegment argv)
    {
        final int result;
        try
        {
            result = (int)rte_eal_init.HANDLE.invokeExact(argc, argv);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -rte_errno();
    }

    /**
     * Releases the EAL's resources. No DPDK call may follow, and the EAL cannot be initialised again.
     *
     * @return 0, or a negative errno.
     */
    public static int rte_eal_cleanup()
    {
        try
        {
            return (int)rte_eal_cleanup.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * Gives the calling (non-EAL) thread an lcore id, so per-lcore mempool caches and {@code rte_errno}
     * work for it. Every thread that touches mbufs calls this once before its first burst.
     *
     * @return 0, or {@code -rte_errno} ({@code ENOMEM}: no free lcore id, see {@code RTE_MAX_LCORE}).
     */
    public static int rte_thread_register()
    {
        final int result;
        try
        {
            result = (int)rte_thread_register.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -rte_errno();
    }

    /**
     * Releases the calling thread's lcore id (from {@link #rte_thread_register()}).
     */
    public static void rte_thread_unregister()
    {
        try
        {
            rte_thread_unregister.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return the NUMA socket of the calling thread's lcore ({@code SOCKET_ID_ANY}, i.e. -1, when unknown).
     */
    public static int rte_socket_id()
    {
        try
        {
            return (int)rte_socket_id.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param errnum a positive errno or DPDK error ({@link #E_RTE_SECONDARY}, ...).
     * @return DPDK's text for it; setup paths only (allocates a String).
     */
    @SuppressWarnings("restricted")
    public static String rte_strerror(final int errnum)
    {
        final MemorySegment text;
        try
        {
            text = (MemorySegment)rte_strerror.HANDLE.invokeExact(errnum);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return text.reinterpret(1024).getString(0);
    }

    /**
     * @return the calling thread's {@code rte_errno}.
     */
    public static int rte_errno()
    {
        try
        {
            return (int)wirekv_rte_errno.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return the calling thread's lcore id, or {@code LCORE_ID_ANY} (as a negative int, -1) when the
     * thread is neither an EAL thread nor registered.
     */
    public static int rte_lcore_id()
    {
        try
        {
            return (int)wirekv_lcore_id.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return the DPDK version the shim was built against, e.g. {@code "DPDK 22.11.11"}.
     */
    @SuppressWarnings("restricted")
    public static String rte_version()
    {
        final MemorySegment text;
        try
        {
            text = (MemorySegment)wirekv_rte_version.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return text.reinterpret(256).getString(0);
    }

    /**
     * @param key a {@link DpdkLayout} key.
     * @return the shim's value for it (a {@code sizeof}, {@code offsetof} or constant), or
     * {@link Long#MIN_VALUE} when the shim does not know the key.
     */
    public static long wirekv_layout(final int key)
    {
        try
        {
            return (long)wirekv_layout.HANDLE.invokeExact(key);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    static RuntimeException rethrow(final Throwable ex)
    {
        if (ex instanceof RuntimeException re)
        {
            throw re;
        }
        if (ex instanceof Error err)
        {
            throw err;
        }
        throw new IllegalStateException(ex);
    }
}
