package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeLibrary;
import io.wirekv.nativebindings.libc.LibC;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.NativeLibrary.CAPTURE_ERRNO;
import static io.wirekv.nativebindings.NativeLibrary.CRITICAL;
import static io.wirekv.nativebindings.xdp.XdpLibraries.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls an AF_XDP socket needs beyond {@link io.wirekv.nativebindings.libc.Sockets}: the
 * wakeup syscalls ({@code sendto} / {@code recvfrom} with no data and {@code MSG_DONTWAIT}) and a raw
 * {@code getsockopt} for the {@code SOL_XDP} structs.
 * <p>
 * The wakeups are per-burst calls, made only when a ring's {@code needs_wakeup} flag asks for one: linked
 * {@code critical} (they never block with {@code MSG_DONTWAIT}), they return {@code -errno} and allocate
 * nothing (see the note on errno below).
 */
public final class XskSyscalls
{
    /** {@code MSG_DONTWAIT}. */
    public static final int MSG_DONTWAIT = 0x40;

    private static final NativeLibrary LIBC = NativeLibrary.libc();

    private XskSyscalls()
    {
    }

    /*
     * The wakeups pass their NULL pointers as plain longs and read errno only on failure
     * ({@link LibC#errnoAfterCritical}), instead of capturing it: no MemorySegment crosses the call, so nothing is
     * allocated even when the call site runs interpreted or in C1 (captureCallState slices its state segment on
     * every call until C2's escape analysis removes it, which the allocation test showed does not always happen on
     * a busy machine).
     */
    private static final class sendto
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT),
            CRITICAL);
    }

    private static final class recvfrom
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG),
            CRITICAL);
    }

    private static final class getsockopt
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }

    static
    {
        // LibC links its errno read when it loads: loading it lazily, between a failed wakeup and the read, would
        // set errno itself
        LibC.errnoAfterCritical();
    }

    /**
     * TX wakeup: {@code sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0)}; the kernel then sends what the TX ring holds.
     * Allocates nothing.
     *
     * @param fd the AF_XDP socket.
     * @return 0, or {@code -errno} ({@code -EAGAIN}/{@code -EBUSY}/{@code -ENOBUFS} are transient).
     */
    public static int kickTx(final int fd)
    {
        final long result;
        try
        {
            result = (long)sendto.HANDLE.invokeExact(fd, 0L, 0L, MSG_DONTWAIT, 0L, 0);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? 0 : -LibC.errnoAfterCritical();
    }

    /**
     * RX / fill wakeup: {@code recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL)}; the kernel then looks at the
     * fill ring again. Allocates nothing.
     *
     * @param fd the AF_XDP socket.
     * @return 0, or {@code -errno}.
     */
    public static int kickRx(final int fd)
    {
        final long result;
        try
        {
            result = (long)recvfrom.HANDLE.invokeExact(fd, 0L, 0L, MSG_DONTWAIT, 0L, 0L);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? 0 : -LibC.errnoAfterCritical();
    }

    /**
     * @param errnoState an errno state.
     * @param fd         the socket.
     * @param level      e.g. {@link XskDescriptor#SOL_XDP}.
     * @param option     e.g. {@link XskDescriptor#XDP_STATISTICS}.
     * @param value      receives the option; its size is passed as the buffer length.
     * @param length     a 4-byte segment; receives the length the kernel wrote.
     * @return 0, or {@code -errno}.
     */
    public static int getsockopt(
        final MemorySegment errnoState, final int fd, final int level, final int option, final MemorySegment value,
        final MemorySegment length)
    {
        final int result;
        try
        {
            length.set(JAVA_INT, 0, (int)value.byteSize());
            result = (int)getsockopt.HANDLE.invokeExact(errnoState, fd, level, option, value, length);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? 0 : -Errno.read(errnoState);
    }
}
