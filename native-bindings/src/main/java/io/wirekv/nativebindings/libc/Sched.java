package io.wirekv.nativebindings.libc;

import io.wirekv.nativebindings.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.NativeLibrary.CAPTURE_ERRNO;
import static io.wirekv.nativebindings.NativeLibrary.CRITICAL;
import static io.wirekv.nativebindings.libc.LibC.LIBC;
import static io.wirekv.nativebindings.libc.LibC.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <sched.h>}: CPU affinity. A {@code cpu_set_t} is a bit mask of {@link #CPU_SETSIZE} bits
 * ({@link #CPU_SET_BYTES} bytes), CPU n at bit {@code n % 64} of the n/64-th native-endian long.
 */
public final class Sched
{
    /** Bits in glibc's {@code cpu_set_t}. */
    public static final int CPU_SETSIZE = 1024;
    /** {@code sizeof(cpu_set_t)}. */
    public static final int CPU_SET_BYTES = CPU_SETSIZE / 8;
    /** {@code CLONE_NEWNET}: the network namespace, for {@link #setns}. */
    public static final int CLONE_NEWNET = 0x40000000;

    private Sched()
    {
    }

    private static final class sched_setaffinity
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "sched_setaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class sched_getaffinity
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "sched_getaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class setns
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class sched_getcpu
    {
        // vDSO/rseq-backed and non-blocking: safe to call from an lcore per cycle.
        static final MethodHandle HANDLE = LIBC.downcall(
            "sched_getcpu", FunctionDescriptor.of(JAVA_INT), CAPTURE_ERRNO, CRITICAL);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param tid        thread id, 0 for the calling thread.
     * @param mask       a {@code cpu_set_t} of {@link #CPU_SET_BYTES} bytes.
     * @return 0, or {@code -errno} ({@code EINVAL}: no CPU in the mask is online and allowed).
     */
    public static int sched_setaffinity(final MemorySegment errnoState, final int tid, final MemorySegment mask)
    {
        final int result;
        try
        {
            result = (int)sched_setaffinity.HANDLE.invokeExact(errnoState, tid, mask.byteSize(), mask);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param tid        thread id, 0 for the calling thread.
     * @param mask       receives the {@code cpu_set_t}; {@link #CPU_SET_BYTES} bytes.
     * @return 0, or {@code -errno}.
     */
    public static int sched_getaffinity(final MemorySegment errnoState, final int tid, final MemorySegment mask)
    {
        final int result;
        try
        {
            result = (int)sched_getaffinity.HANDLE.invokeExact(errnoState, tid, mask.byteSize(), mask);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        // The raw syscall returns the bytes written; glibc's wrapper returns 0.
        return result >= 0 ? 0 : -Errno.read(errnoState);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @return the CPU the calling thread runs on, or {@code -errno}.
     */
    public static int sched_getcpu(final MemorySegment errnoState)
    {
        final int result;
        try
        {
            result = (int)sched_getcpu.HANDLE.invokeExact(errnoState);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * Moves the calling thread into the namespace {@code fd} refers to (e.g. an open
     * {@code /var/run/netns/NAME} with {@link #CLONE_NEWNET}); sockets the thread creates afterwards
     * belong to that namespace. Needs CAP_SYS_ADMIN.
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         an open namespace file.
     * @param nstype     {@link #CLONE_NEWNET}, or 0 for any type.
     * @return 0, or {@code -errno}.
     */
    public static int setns(final MemorySegment errnoState, final int fd, final int nstype)
    {
        final int result;
        try
        {
            result = (int)setns.HANDLE.invokeExact(errnoState, fd, nstype);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }
}
