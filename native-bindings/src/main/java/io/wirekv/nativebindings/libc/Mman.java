package io.wirekv.nativebindings.libc;

import io.wirekv.nativebindings.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.NativeLibrary.CAPTURE_ERRNO;
import static io.wirekv.nativebindings.libc.LibC.LIBC;
import static io.wirekv.nativebindings.libc.LibC.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <sys/mman.h>}: mapping, advising and locking memory. Setup-time calls (they may fault in
 * pages or sleep), so none is marked critical.
 */
public final class Mman
{
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_HUGETLB = 0x40000;
    /** The page size of a {@code MAP_HUGETLB} mapping is {@code log2(size) << MAP_HUGE_SHIFT}. */
    public static final int MAP_HUGE_SHIFT = 26;
    public static final int MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;
    public static final int MAP_HUGE_1GB = 30 << MAP_HUGE_SHIFT;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_NOHUGEPAGE = 15;
    public static final int MADV_DONTDUMP = 16;
    /** Faults the range in writable without touching its bytes (Linux 5.14+; EINVAL before). */
    public static final int MADV_POPULATE_WRITE = 23;

    private Mman()
    {
    }

    private static final class mmap
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            CAPTURE_ERRNO);
    }

    private static final class munmap
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class madvise
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class mincore
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "mincore", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class mlock
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "mlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class munlock
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "munlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    }

    /**
     * {@code mmap(NULL, length, prot, flags, fd, offset)}.
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param length     bytes to map.
     * @param prot       e.g. {@code PROT_READ | PROT_WRITE}.
     * @param flags      e.g. {@code MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB}.
     * @param fd         a file descriptor, or -1 for anonymous memory.
     * @param offset     offset in the file.
     * @return the mapping's address (user-space addresses are positive), or {@code -errno}.
     */
    public static long mmap(
        final MemorySegment errnoState, final long length, final int prot, final int flags, final int fd, final long offset)
    {
        final MemorySegment address;
        try
        {
            address = (MemorySegment)mmap.HANDLE.invokeExact(errnoState, MemorySegment.NULL, length, prot, flags, fd, offset);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        // MAP_FAILED is (void *)-1.
        return address.address() == -1L ? -Errno.read(errnoState) : address.address();
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param address    start of the mapping.
     * @param length     bytes.
     * @return 0, or {@code -errno}.
     */
    public static int munmap(final MemorySegment errnoState, final MemorySegment address, final long length)
    {
        return check(invoke(munmap.HANDLE, errnoState, address, length), errnoState);
    }

    /**
     * Which pages of a mapping are resident (diagnostics and tests, not the hot path).
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param address    page-aligned start.
     * @param length     bytes.
     * @param vector     one byte per page of {@code length}; bit 0 set = resident.
     * @return 0, or {@code -errno}.
     */
    public static int mincore(
        final MemorySegment errnoState, final MemorySegment address, final long length, final MemorySegment vector)
    {
        final int result;
        try
        {
            result = (int)mincore.HANDLE.invokeExact(errnoState, address, length, vector);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return check(result, errnoState);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param address    page-aligned start.
     * @param length     bytes.
     * @param advice     e.g. {@link #MADV_HUGEPAGE}.
     * @return 0, or {@code -errno}.
     */
    public static int madvise(final MemorySegment errnoState, final MemorySegment address, final long length, final int advice)
    {
        final int result;
        try
        {
            result = (int)madvise.HANDLE.invokeExact(errnoState, address, length, advice);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return check(result, errnoState);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param address    start.
     * @param length     bytes.
     * @return 0, or {@code -errno} ({@code EPERM}/{@code ENOMEM} when over {@code RLIMIT_MEMLOCK}).
     */
    public static int mlock(final MemorySegment errnoState, final MemorySegment address, final long length)
    {
        return check(invoke(mlock.HANDLE, errnoState, address, length), errnoState);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param address    start.
     * @param length     bytes.
     * @return 0, or {@code -errno}.
     */
    public static int munlock(final MemorySegment errnoState, final MemorySegment address, final long length)
    {
        return check(invoke(munlock.HANDLE, errnoState, address, length), errnoState);
    }

    private static int invoke(
        final MethodHandle handle, final MemorySegment errnoState, final MemorySegment address, final long length)
    {
        try
        {
            return (int)handle.invokeExact(errnoState, address, length);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    private static int check(final int result, final MemorySegment errnoState)
    {
        return result >= 0 ? result : -Errno.read(errnoState);
    }
}
