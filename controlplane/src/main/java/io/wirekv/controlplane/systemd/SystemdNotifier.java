package io.wirekv.controlplane.systemd;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.libc.LibC;
import io.wirekv.nativebindings.libc.SockaddrUnDescriptor;
import io.wirekv.nativebindings.libc.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * systemd's readiness protocol ({@code sd_notify(3)}) without libsystemd: one datagram of
 * {@code KEY=VALUE} lines to the {@code AF_UNIX} datagram socket named by {@code NOTIFY_SOCKET}
 * (a file path, or {@code @name} in the abstract namespace). Java's own channels cannot send Unix
 * datagrams, so it goes through the FFM socket bindings. Under {@code Type=notify} the unit counts as
 * started only when {@code READY=1} arrives; sent from the service's main process (the JVM: the
 * launcher execs java), so {@code NotifyAccess=main} suffices.
 * <p>
 * Outside systemd ({@code NOTIFY_SOCKET} unset) every call does nothing. A failed send is reported to the
 * caller, never thrown: readiness is worth a line in the log, not a failed start. Called from the serve and
 * shutdown threads, never from the dataplane.
 */
public final class SystemdNotifier
{
    /** The environment variable systemd sets for {@code Type=notify} services. */
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

    private final String socketPath;

    private SystemdNotifier(final String socketPath)
    {
        this.socketPath = socketPath;
    }

    /** The notifier for this process: to {@code $NOTIFY_SOCKET}, or one that does nothing when it is unset. */
    public static SystemdNotifier fromEnvironment()
    {
        return forSocket(System.getenv(NOTIFY_SOCKET));
    }

    /** A notifier to the given socket path ({@code @name} = abstract); null or empty gives one that does nothing. */
    public static SystemdNotifier forSocket(final String socketPath)
    {
        return new SystemdNotifier(socketPath == null || socketPath.isBlank() ? null : socketPath.trim());
    }

    /** True when there is a socket to notify (running under systemd with Type=notify). */
    public boolean isEnabled()
    {
        return socketPath != null;
    }

    /** {@code READY=1} with a {@code STATUS=} line that {@code systemctl status} shows. */
    public String ready(final String status)
    {
        return notify("READY=1\nSTATUS=" + oneLine(status) + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    /** {@code STOPPING=1}: the service is shutting down (systemd stops counting it as running). */
    public String stopping(final String status)
    {
        return notify("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    /**
     * Sends {@code state} (newline-separated {@code KEY=VALUE} assignments) as one datagram.
     *
     * @return null when sent or when there is nothing to notify; otherwise why it was not sent.
     */
    public String notify(final String state)
    {
        if (socketPath == null)
        {
            return null;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment address = SockaddrUnDescriptor.allocate(arena, socketPath);
            if (address == null)
            {
                return NOTIFY_SOCKET + "=" + socketPath + " is not a Unix socket address (empty or longer than " +
                    (SockaddrUnDescriptor.PATH_BYTES - 1) + " bytes)";
            }
            final MemorySegment errno = Errno.allocateState(arena);
            final int fd = Sockets.socket(errno, Sockets.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                return "cannot open a Unix datagram socket: " + LibC.strerror(-fd);
            }
            try
            {
                final byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
                final MemorySegment data = arena.allocate(bytes.length);
                MemorySegment.copy(bytes, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
                final long sent = Sockets.sendto(errno, fd, data, 0, address);
                if (sent < 0)
                {
                    return "cannot notify systemd at " + socketPath + ": " + LibC.strerror((int)-sent);
                }
                return sent == bytes.length ? null : "systemd notification cut short (" + sent + " of " + bytes.length + " bytes)";
            }
            finally
            {
                LibC.close(errno, fd);
            }
        }
    }

    private static String oneLine(final String s)
    {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
