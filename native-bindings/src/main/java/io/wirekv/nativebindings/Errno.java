package io.wirekv.nativebindings;

import io.wirekv.nativebindings.libc.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Linux errno values (x86_64 and aarch64 share them) and access to the errno captured by
 * {@link Linker.Option#captureCallState(String...)}.
 * <p>
 * Bindings that can fail take an <em>errno state</em> segment as their first argument (allocate one
 * with {@link #allocateState(Arena)}, once per thread, or use {@link #threadState()} at setup) and
 * return {@code -errno} on failure, so the hot path reads errno without allocating or throwing.
 */
public final class Errno
{
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    /** Same value as {@link #EAGAIN} on Linux. */
    public static final int EWOULDBLOCK = EAGAIN;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EMSGSIZE = 90;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ECONNREFUSED = 111;

    /** Layout of the state written by {@code captureCallState("errno")}. */
    public static final MemoryLayout STATE_LAYOUT = Linker.Option.captureStateLayout();

    private static final VarHandle ERRNO = STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final ThreadLocal<MemorySegment> THREAD_STATE =
        ThreadLocal.withInitial(() -> allocateState(Arena.ofAuto()));

    private Errno()
    {
    }

    /**
     * @param arena owns the state.
     * @return a segment the bindings write errno into; reuse it for every call on one thread.
     */
    public static MemorySegment allocateState(final Arena arena)
    {
        return arena.allocate(STATE_LAYOUT);
    }

    /**
     * @return this thread's errno state, for setup calls; hot loops should hold their own from
     * {@link #allocateState(Arena)}.
     */
    public static MemorySegment threadState()
    {
        return THREAD_STATE.get();
    }

    /**
     * @param state a segment from {@link #allocateState(Arena)} that a binding has written.
     * @return the errno captured by the last call that used this state.
     */
    public static int read(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }

    /**
     * @param errno a positive errno value.
     * @return its symbolic name, e.g. {@code "EAGAIN"}, or {@code "errno N"} when unknown.
     */
    public static String name(final int errno)
    {
        return switch (errno)
        {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOSPC -> "ENOSPC";
            case EMSGSIZE -> "EMSGSIZE";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETUNREACH -> "ENETUNREACH";
            case ENOBUFS -> "ENOBUFS";
            case ECONNREFUSED -> "ECONNREFUSED";
            default -> "errno " + errno;
        };
    }

    /**
     * The C library's text for an errno (through {@code strerror}); setup paths only.
     *
     * @param errno a positive errno value.
     * @return e.g. {@code "Resource temporarily unavailable"}.
     */
    public static String describe(final int errno)
    {
        try
        {
            return LibC.strerror(errno);
        }
        catch (final Throwable ex)
        {
            return name(errno);
        }
    }
}
