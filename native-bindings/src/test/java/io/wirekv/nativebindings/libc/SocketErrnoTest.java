package io.wirekv.nativebindings.libc;

import io.wirekv.nativebindings.Errno;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** recvmmsg and sendmmsg report why they failed, read from errno right after the critical call. */
class SocketErrnoTest
{
    @Test
    void shouldSayEagainForAnEmptySocketAndEbadfForNoSocket()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = Errno.allocateState(arena);
            final MemorySegment headers = arena.allocate(MmsghdrDescriptor.MMSGHDR_LAYOUT, 1);
            final int fd = Sockets.socket(state, Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK, 0);
            assertTrue(fd >= 0, "socket: " + fd);
            try
            {
                assertEquals(-Errno.EAGAIN, Sockets.recvmmsg(fd, headers, 1, Sockets.MSG_DONTWAIT),
                    "nothing to receive on a fresh non-blocking socket");
            }
            finally
            {
                LibC.close(state, fd);
            }
            assertEquals(-Errno.EBADF, Sockets.recvmmsg(fd, headers, 1, Sockets.MSG_DONTWAIT), "closed");
            assertEquals(-Errno.EBADF, Sockets.sendmmsg(-1, headers, 1, Sockets.MSG_DONTWAIT), "no socket");
        }
    }
}
