package io.wirekv.nativebindings.libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct sockaddr_un} (Unix domain socket address), at most 110 bytes.
 * <pre>
 *   0       2                                                              110
 *   +-------+----------------------------------------------------------------+
 *   |family |  sun_path: a file path ending in NUL, or (abstract namespace)  |
 *   | (u16) |  NUL then the name, not NUL-terminated; 108 bytes at most       |
 *   +-------+----------------------------------------------------------------+
 * </pre>
 * The address length passed to the kernel is {@link #PATH_OFFSET} plus the bytes of {@code sun_path} used,
 * which is what {@link #allocate} sizes its segment to (so {@link Sockets#bind} and {@link Sockets#sendto}
 * pass the right length). Offsets are checked against the C headers by {@code SocketLayoutTest}.
 */
public final class SockaddrUnDescriptor
{
    /** {@code AF_UNIX}. */
    public static final short AF_UNIX = 1;

    public static final int FAMILY_OFFSET = 0;
    public static final int PATH_OFFSET = FAMILY_OFFSET + 2;
    /** {@code sizeof(sun_path)}. */
    public static final int PATH_BYTES = 108;
    /** {@code sizeof(struct sockaddr_un)}. */
    public static final int SIZE = PATH_OFFSET + PATH_BYTES;

    private SockaddrUnDescriptor()
    {
    }

    /**
     * An address for {@code path} the way systemd's {@code NOTIFY_SOCKET} writes it: a file path, or
     * {@code @name} for the abstract namespace.
     *
     * @return a segment exactly as long as the address, or null when the path does not fit {@code sun_path}.
     */
    public static MemorySegment allocate(final Arena arena, final String path)
    {
        final boolean isAbstract = path.startsWith("@");
        final byte[] name = (isAbstract ? path.substring(1) : path).getBytes(StandardCharsets.UTF_8);
        // abstract: a leading NUL, no terminator; a file path: its bytes and a terminating NUL.
        final int used = name.length + 1;
        if (name.length == 0 || used > PATH_BYTES)
        {
            return null;
        }
        final MemorySegment address = arena.allocate(PATH_OFFSET + used, 2);
        address.set(ValueLayout.JAVA_SHORT, FAMILY_OFFSET, AF_UNIX);
        MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, PATH_OFFSET + (isAbstract ? 1 : 0), name.length);
        return address;
    }
}
