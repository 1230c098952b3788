package io.wirekv.nativebindings.libc;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.NativeLibrary.CAPTURE_ERRNO;
import static io.wirekv.nativebindings.NativeLibrary.CRITICAL;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * General C library calls: process, file descriptors, resource limits, error text.
 * <p>
 * One holder class per native function (jextract's shape): the handle is built the first time the
 * function is used and then kept in a {@code static final} field, called with {@code invokeExact}.
 * Calls that can fail take an errno state (see {@link Errno}) and return {@code -errno}.
 */
public final class LibC
{
    /** {@code O_RDONLY}. */
    public static final int O_RDONLY = 0;
    /** {@code O_RDWR}. */
    public static final int O_RDWR = 2;
    /** {@code O_CREAT}. */
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    /** {@code O_CLOEXEC}. */
    public static final int O_CLOEXEC = 02000000;

    /** {@code SYNC_FILE_RANGE_WAIT_BEFORE}: wait for writeback of the range already under way. */
    public static final int SYNC_FILE_RANGE_WAIT_BEFORE = 1;
    /** {@code SYNC_FILE_RANGE_WRITE}: start writeback of the range's dirty pages. */
    public static final int SYNC_FILE_RANGE_WRITE = 2;
    /** {@code SYNC_FILE_RANGE_WAIT_AFTER}: wait for the writeback just started. */
    public static final int SYNC_FILE_RANGE_WAIT_AFTER = 4;

    /** {@code RLIMIT_MEMLOCK}: bytes of memory a process may lock. */
    public static final int RLIMIT_MEMLOCK = 8;
    /** {@code RLIM_INFINITY}: no limit (all bits set, i.e. -1 as a signed long). */
    public static final long RLIM_INFINITY = -1L;

    static final NativeLibrary LIBC = NativeLibrary.libc();

    private LibC()
    {
    }

    private static final class strerror
    {
        static final MethodHandle HANDLE = LIBC.downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static final class getpid
    {
        static final MethodHandle HANDLE = LIBC.downcall("getpid", FunctionDescriptor.of(JAVA_INT), CRITICAL);
    }

    private static final class close
    {
        static final MethodHandle HANDLE = LIBC.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class open
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));
    }

    private static final class ftruncate
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class fallocate
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "fallocate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class sync_file_range
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "sync_file_range", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class errno_location
    {
        static final MethodHandle HANDLE = LIBC.downcall("__errno_location", FunctionDescriptor.of(JAVA_LONG), CRITICAL);
    }

    /** All of the address space, to read the thread's errno at the address libc gives (no segment per read). */
    @SuppressWarnings("restricted")
    private static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    static
    {
        // link the errno read now: linking it lazily, between a failed call and the read, sets errno (ENOENT)
        errnoAfterCritical();
    }

    private static final class unlink
    {
        static final MethodHandle HANDLE = LIBC.downcall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class getrlimit
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    }

    /**
     * @param errno a positive errno value.
     * @return the C library's text for it; setup paths only (allocates a String).
     */
    @SuppressWarnings("restricted")
    public static String strerror(final int errno)
    {
        final MemorySegment text;
        try
        {
            text = (MemorySegment)strerror.HANDLE.invokeExact(errno);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return text.reinterpret(1024).getString(0);
    }

    /**
     * @return this process's id.
     */
    public static int getpid()
    {
        try
        {
            return (int)getpid.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         the descriptor to close.
     * @return 0, or {@code -errno}.
     */
    public static int close(final MemorySegment errnoState, final int fd)
    {
        final int result;
        try
        {
            result = (int)close.HANDLE.invokeExact(errnoState, fd);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param path       the file's path.
     * @param flags      e.g. {@code O_RDWR | O_CREAT | O_CLOEXEC}.
     * @param mode       permissions when created, e.g. {@code 0600}.
     * @return the descriptor, or {@code -errno}.
     */
    public static int open(final MemorySegment errnoState, final String path, final int flags, final int mode)
    {
        final int result;
        try (Arena arena = Arena.ofConfined())
        {
            result = (int)open.HANDLE.invokeExact(errnoState, arena.allocateFrom(path), flags, mode);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         an open descriptor.
     * @param length     the new length in bytes.
     * @return 0, or {@code -errno}.
     */
    public static int ftruncate(final MemorySegment errnoState, final int fd, final long length)
    {
        final int result;
        try
        {
            result = (int)ftruncate.HANDLE.invokeExact(errnoState, fd, length);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * Linux {@code fallocate(fd, 0, offset, length)}: allocates the blocks of the range now (a full disk fails here
     * with ENOSPC), unwritten, so they read as zeros and cost no write of their own.
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         an open descriptor, writable.
     * @param offset     first byte of the range.
     * @param length     bytes to allocate.
     * @return 0, or {@code -errno} (ENOSPC, EOPNOTSUPP on filesystems without it).
     */
    public static int fallocate(final MemorySegment errnoState, final int fd, final long offset, final long length)
    {
        final int result;
        try
        {
            result = (int)fallocate.HANDLE.invokeExact(errnoState, fd, 0, offset, length);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * Linux {@code sync_file_range}: writes the range's dirty pages to the disk (data only: no metadata, no flush of
     * the disk's write cache). Durable only where the blocks were already written and a later flush covers them.
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         an open descriptor.
     * @param offset     first byte of the range.
     * @param length     bytes in the range.
     * @param flags      {@link #SYNC_FILE_RANGE_WAIT_BEFORE}, {@link #SYNC_FILE_RANGE_WRITE},
     *                   {@link #SYNC_FILE_RANGE_WAIT_AFTER}, or'd.
     * @return 0, or {@code -errno} (EIO: a writeback error, reported once per descriptor).
     */
    public static int syncFileRange(final MemorySegment errnoState, final int fd, final long offset, final long length,
        final int flags)
    {
        final int result;
        try
        {
            result = (int)sync_file_range.HANDLE.invokeExact(errnoState, fd, offset, length, flags);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * The calling thread's errno, read right after a {@linkplain io.wirekv.nativebindings.NativeLibrary#CRITICAL
     * critical} downcall failed: a critical call makes no thread-state transition, so the JVM has run nothing on
     * this thread since the call that could have changed errno. Only for critical calls (a non-critical one may
     * block on a safepoint on its way back, and that may set errno). Allocation-free.
     *
     * @return the positive errno value.
     */
    public static int errnoAfterCritical()
    {
        final long at;
        try
        {
            at = (long)errno_location.HANDLE.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return ALL_MEMORY.get(JAVA_INT, at);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param path       the file to remove.
     * @return 0, or {@code -errno}.
     */
    public static int unlink(final MemorySegment errnoState, final String path)
    {
        final int result;
        try (Arena arena = Arena.ofConfined())
        {
            result = (int)unlink.HANDLE.invokeExact(errnoState, arena.allocateFrom(path));
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * The soft limit of a resource ({@code struct rlimit.rlim_cur}).
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param resource   e.g. {@link #RLIMIT_MEMLOCK}.
     * @return the soft limit ({@link #RLIM_INFINITY} for none), or {@code -errno} when the call failed
     * (distinguish from infinity by checking {@code != RLIM_INFINITY}).
     */
    public static long getrlimitSoft(final MemorySegment errnoState, final int resource)
    {
        try (Arena arena = Arena.ofConfined())
        {
            // struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }: two unsigned longs.
            final MemorySegment rlimit = arena.allocate(16, 8);
            final int result = (int)getrlimit.HANDLE.invokeExact(errnoState, resource, rlimit);
            return result >= 0 ? rlimit.get(JAVA_LONG, 0) : -Errno.read(errnoState);
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
