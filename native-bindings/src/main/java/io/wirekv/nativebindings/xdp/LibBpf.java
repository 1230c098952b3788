package io.wirekv.nativebindings.xdp;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.xdp.XdpLibraries.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw bindings to libbpf 1.1 ({@code <bpf/libbpf.h>}, {@code <bpf/bpf.h>}), C names kept: map lookups and
 * updates on the maps of wirekv's XDP program. Setup and report calls; libbpf 1.x returns {@code -errno}
 * directly.
 */
public final class LibBpf
{
    /** {@code BPF_ANY}: create or update. */
    public static final long BPF_ANY = 0;

    private LibBpf()
    {
    }

    private static final class bpf_object__find_map_fd_by_name
    {
        static final MethodHandle HANDLE = XdpLibraries.libbpf().downcall(
            "bpf_object__find_map_fd_by_name", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class bpf_map_update_elem
    {
        static final MethodHandle HANDLE = XdpLibraries.libbpf().downcall(
            "bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }

    private static final class bpf_map_lookup_elem
    {
        static final MethodHandle HANDLE = XdpLibraries.libbpf().downcall(
            "bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class bpf_map_delete_elem
    {
        static final MethodHandle HANDLE = XdpLibraries.libbpf().downcall(
            "bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class libbpf_num_possible_cpus
    {
        static final MethodHandle HANDLE = XdpLibraries.libbpf().downcall(
            "libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
    }

    /**
     * @param object a {@code struct bpf_object *}.
     * @param name   the map's name (NUL-terminated).
     * @return the map's descriptor, or {@code -errno} ({@code -ENOENT} when there is no such map).
     */
    public static int bpf_object__find_map_fd_by_name(final MemorySegment object, final MemorySegment name)
    {
        try
        {
            return (int)bpf_object__find_map_fd_by_name.HANDLE.invokeExact(object, name);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return 0, or {@code -errno}.
     */
    public static int bpf_map_update_elem(final int fd, final MemorySegment key, final MemorySegment value, final long flags)
    {
        try
        {
            return (int)bpf_map_update_elem.HANDLE.invokeExact(fd, key, value, flags);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return 0, or {@code -errno}.
     */
    public static int bpf_map_lookup_elem(final int fd, final MemorySegment key, final MemorySegment value)
    {
        try
        {
            return (int)bpf_map_lookup_elem.HANDLE.invokeExact(fd, key, value);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return 0, or {@code -errno}.
     */
    public static int bpf_map_delete_elem(final int fd, final MemorySegment key)
    {
        try
        {
            return (int)bpf_map_delete_elem.HANDLE.invokeExact(fd, key);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @return possible CPUs (the number of values a per-CPU map lookup returns), or {@code -errno}.
     */
    public static int libbpf_num_possible_cpus()
    {
        try
        {
            return (int)libbpf_num_possible_cpus.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }
}
