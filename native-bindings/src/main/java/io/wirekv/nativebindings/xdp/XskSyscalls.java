package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeLibrary;

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
 * {@code critical} (they never block with {@code MSG_DONTWAIT}), they take the caller's errno state and
 * return {@code -errno}, allocating nothing.
 */
public final class XskSyscalls
{
    /** {@code MSG_DONTWAIT}. */
    public static final int MSG_DONTWAIT = 0x40;

    private static final NativeLibrary LIBC = NativeLibrary.libc();

    private XskSyscalls()
    {
    }

    private static final class sendto
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            CAPTURE_ERRNO, CRITICAL);
    }

    private static final class recvfrom
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS),
            CAPTURE_ERRNO, CRITICAL);
    }

    private static final class getsockopt
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }

    /**
     * TX wakeup: {@code sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0)}; the kernel then sends what the TX ring holds.
     *
     * @param errnoState the caller thread's errno state.
     * @param fd         the AF_XDP socket.
     * @return 0, or {@code -errno} ({@code -EAGAIN}/{@code -EBUSY}/{@code -ENOBUFS} are transient).
     */
    public static int kickTx(final MemorySegment errnoState, final int fd)
    {
        final long result;
        try
        {
            result = (long)sendto.HANDLE.invokeExact(errnoState, fd, MemorySegment.NULL, 0L, MSG_DONTWAIT, MemorySegment.NULL, 0);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? 0 : -Errno.read(errnoState);
    }

    /**
     * RX / fill wakeup: {@code recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL)}; the kernel then looks at the
     * fill ring again.
     *
     * @param errnoState the caller thread's errno state.
     * @param fd         the AF_XDP socket.
     * @return 0, or {@code -errno}.
     */
    public static int kickRx(final MemorySegment errnoState, final int fd)
    {
        final long result;
        try
        {
            result = (long)recvfrom.HANDLE.invokeExact(
                errnoState, fd, MemorySegment.NULL, 0L, MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? 0 : -Errno.read(errnoState);
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
