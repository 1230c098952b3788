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
 * {@code <sys/socket.h>} and {@code <net/if.h>}: the socket calls of the kernel UDP port.
 * <p>
 * {@link #recvmmsg} and {@link #sendmmsg} are the per-burst calls: they are linked
 * {@code critical} (no thread-state transition) and must only be used with {@link #MSG_DONTWAIT}
 * on a non-blocking socket, so they never block while holding up a safepoint.
 */
public final class Sockets
{
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int IPPROTO_UDP = 17;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_REUSEPORT = 15;
    /** Like {@link #SO_SNDBUF} but ignores {@code wmem_max}; needs CAP_NET_ADMIN. */
    public static final int SO_SNDBUFFORCE = 32;
    /** Like {@link #SO_RCVBUF} but ignores {@code rmem_max}; needs CAP_NET_ADMIN. */
    public static final int SO_RCVBUFFORCE = 33;

    /** In {@code msg_flags}: the datagram was longer than the buffer and was cut. */
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;

    private Sockets()
    {
    }

    private static final class socket
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class bind
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class setsockopt
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class getsockopt
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class getsockname
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class sendto
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class recv
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    }

    static
    {
        // link both calls and the errno read before they are used: lazy linking after a failed call sets errno
        recvmmsg(-1, MemorySegment.NULL, 0, MSG_DONTWAIT);
        sendmmsg(-1, MemorySegment.NULL, 0, MSG_DONTWAIT);
    }

    private static final class recvmmsg
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), CRITICAL);
    }

    private static final class sendmmsg
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CRITICAL);
    }

    private static final class if_nametoindex
    {
        static final MethodHandle HANDLE = LIBC.downcall(
            "if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param domain     e.g. {@link #AF_INET}.
     * @param type       e.g. {@code SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC}.
     * @param protocol   e.g. {@link #IPPROTO_UDP}, or 0.
     * @return the descriptor, or {@code -errno}.
     */
    public static int socket(final MemorySegment errnoState, final int domain, final int type, final int protocol)
    {
        final int result;
        try
        {
            result = (int)socket.HANDLE.invokeExact(errnoState, domain, type, protocol);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return check(result, errnoState);
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         the socket.
     * @param address    a {@code sockaddr} (e.g. {@link SockaddrInDescriptor}); its byte size is passed as the length.
     * @return 0, or {@code -errno}.
     */
    public static int bind(final MemorySegment errnoState, final int fd, final MemorySegment address)
    {
        final int result;
        try
        {
            result = (int)bind.HANDLE.invokeExact(errnoState, fd, address, (int)address.byteSize());
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return check(result, errnoState);
    }

    /**
     * Sets an {@code int} socket option.
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         the socket.
     * @param level      e.g. {@link #SOL_SOCKET}.
     * @param option     e.g. {@link #SO_REUSEPORT}.
     * @param value      the option's value.
     * @return 0, or {@code -errno}.
     */
    public static int setsockoptInt(
        final MemorySegment errnoState, final int fd, final int level, final int option, final int value)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment valueSegment = arena.allocateFrom(JAVA_INT, value);
            final int result = (int)setsockopt.HANDLE.invokeExact(errnoState, fd, level, option, valueSegment, 4);
            return check(result, errnoState);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * Reads an {@code int} socket option.
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         the socket.
     * @param level      e.g. {@link #SOL_SOCKET}.
     * @param option     e.g. {@link #SO_RCVBUF}.
     * @return the value (non-negative for every option used here), or {@code -errno}.
     */
    public static int getsockoptInt(final MemorySegment errnoState, final int fd, final int level, final int option)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment value = arena.allocate(JAVA_INT);
            final MemorySegment length = arena.allocateFrom(JAVA_INT, 4);
            final int result = (int)getsockopt.HANDLE.invokeExact(errnoState, fd, level, option, value, length);
            return result >= 0 ? value.get(JAVA_INT, 0) : -Errno.read(errnoState);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         the socket.
     * @param address    receives the local {@code sockaddr}; its byte size is the buffer length.
     * @return the address length the kernel wrote, or {@code -errno}.
     */
    public static int getsockname(final MemorySegment errnoState, final int fd, final MemorySegment address)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment length = arena.allocateFrom(JAVA_INT, (int)address.byteSize());
            final int result = (int)getsockname.HANDLE.invokeExact(errnoState, fd, address, length);
            return result >= 0 ? length.get(JAVA_INT, 0) : -Errno.read(errnoState);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * Sends one datagram (set-up and control traffic, e.g. systemd's readiness notification; not the hot path).
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         the socket.
     * @param data       the whole datagram.
     * @param flags      e.g. {@link #MSG_DONTWAIT}, or 0.
     * @param address    the destination {@code sockaddr} (e.g. {@link SockaddrUnDescriptor}); its byte size is the length.
     * @return bytes sent, or {@code -errno}.
     */
    public static long sendto(
        final MemorySegment errnoState, final int fd, final MemorySegment data, final int flags, final MemorySegment address)
    {
        final long result;
        try
        {
            result = (long)sendto.HANDLE.invokeExact(errnoState, fd, data, data.byteSize(), flags, address,
                (int)address.byteSize());
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * Receives one datagram into {@code buffer} (set-up and control traffic; not the hot path).
     *
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param fd         the socket.
     * @param buffer     receives the datagram; its byte size is the most read.
     * @param flags      e.g. {@link #MSG_DONTWAIT}, or 0.
     * @return bytes received, or {@code -errno} ({@code -EAGAIN} when none is waiting and {@link #MSG_DONTWAIT} is set).
     */
    public static long recv(final MemorySegment errnoState, final int fd, final MemorySegment buffer, final int flags)
    {
        final long result;
        try
        {
            result = (long)recv.HANDLE.invokeExact(errnoState, fd, buffer, buffer.byteSize(), flags);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -Errno.read(errnoState);
    }

    /**
     * Receives up to {@code vlen} datagrams, without a timeout. Hot path: allocates nothing, never throws
     * for an error return. Critical and without captured state: errno is read straight after the call
     * ({@link LibC#errnoAfterCritical}), because the JDK's capture slices its state segment on every call, which
     * only C2's escape analysis removes, and not in every compilation (seen: 40 bytes per call in a test).
     *
     * @param fd         a non-blocking socket.
     * @param msgvec     {@code vlen} {@code struct mmsghdr}s (see {@link MmsghdrDescriptor}).
     * @param vlen       how many.
     * @param flags      must include {@link #MSG_DONTWAIT}.
     * @return datagrams received, or {@code -errno} ({@code -EAGAIN} when none is waiting).
     */
    public static int recvmmsg(final int fd, final MemorySegment msgvec, final int vlen, final int flags)
    {
        final int result;
        try
        {
            result = (int)recvmmsg.HANDLE.invokeExact(fd, msgvec, vlen, flags, MemorySegment.NULL);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -LibC.errnoAfterCritical();
    }

    /**
     * Sends up to {@code vlen} datagrams. Hot path: allocates nothing, never throws for an error return. Critical
     * and without captured state, as {@link #recvmmsg}.
     *
     * @param fd         a non-blocking socket.
     * @param msgvec     {@code vlen} {@code struct mmsghdr}s, each with {@code msg_name} set (see {@link MmsghdrDescriptor}).
     * @param vlen       how many.
     * @param flags      must include {@link #MSG_DONTWAIT}.
     * @return datagrams sent (may be fewer than {@code vlen}), or {@code -errno} when the first one failed.
     */
    public static int sendmmsg(final int fd, final MemorySegment msgvec, final int vlen, final int flags)
    {
        final int result;
        try
        {
            result = (int)sendmmsg.HANDLE.invokeExact(fd, msgvec, vlen, flags);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
        return result >= 0 ? result : -LibC.errnoAfterCritical();
    }

    /**
     * @param errnoState see {@link Errno#allocateState(Arena)}.
     * @param name       an interface name, e.g. {@code "lo"}.
     * @return the interface index (positive), or {@code -errno} ({@code -ENODEV} when there is no such interface).
     */
    public static int if_nametoindex(final MemorySegment errnoState, final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int result = (int)if_nametoindex.HANDLE.invokeExact(errnoState, arena.allocateFrom(name));
            if (result != 0)
            {
                return result;
            }
            final int errno = Errno.read(errnoState);
            return -(errno != 0 ? errno : Errno.ENODEV);
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
