package io.wirekv.controlplane.systemd;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.libc.LibC;
import io.wirekv.nativebindings.libc.SockaddrUnDescriptor;
import io.wirekv.nativebindings.libc.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** A fake NOTIFY_SOCKET: an AF_UNIX datagram socket the test binds (Java's channels cannot) and reads. */
public final class UnixDatagramReceiver implements AutoCloseable
{
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Errno.allocateState(arena);
    private final MemorySegment buffer = arena.allocate(4096);
    private final int fd;

    /** Binds {@code path} (a file path, or {@code @name} for the abstract namespace). */
    public UnixDatagramReceiver(final String path)
    {
        final MemorySegment address = SockaddrUnDescriptor.allocate(arena, path);
        fd = Sockets.socket(errno, Sockets.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC | Sockets.SOCK_NONBLOCK, 0);
        if (fd < 0 || Sockets.bind(errno, fd, address) < 0)
        {
            final int e = Errno.read(errno);
            arena.close();
            throw new IllegalStateException("cannot bind a Unix datagram socket at " + path + ": " + LibC.strerror(e));
        }
    }

    /** The next datagram as text, or null when none arrives within {@code timeoutMs}. */
    public String receive(final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final long n = Sockets.recv(errno, fd, buffer, Sockets.MSG_DONTWAIT);
            if (n >= 0)
            {
                return new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            }
            if (n != -Errno.EAGAIN)
            {
                throw new IllegalStateException("recv: " + LibC.strerror((int)-n));
            }
            if (System.nanoTime() > deadline)
            {
                return null;
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close()
    {
        LibC.close(errno, fd);
        arena.close();
    }
}
