package io.wirekv.nativebindings;

import io.wirekv.nativebindings.libc.LibC;
import io.wirekv.nativebindings.libc.Mman;
import io.wirekv.nativebindings.libc.Sockets;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeLibraryTest
{
    @Test
    void shouldNameTheDebianPackageWhenALibraryIsMissing()
    {
        final NativeException ex = assertThrows(
            NativeException.class, () -> NativeLibrary.load("libwirekv-does-not-exist.so.9", "libwirekv-nothing9"));
        assertTrue(ex.getMessage().contains("apt-get install libwirekv-nothing9"), ex.getMessage());
        assertTrue(ex.call().contains("libwirekv-does-not-exist.so.9"));
    }

    @Test
    void shouldNameTheSymbolWhenAFunctionIsMissing()
    {
        final NativeException ex = assertThrows(NativeException.class, () -> NativeLibrary.libc().downcall(
            "wirekv_no_such_function", java.lang.foreign.FunctionDescriptor.ofVoid()));
        assertTrue(ex.getMessage().contains("wirekv_no_such_function"), ex.getMessage());
        assertTrue(ex.getMessage().contains("libc6"), ex.getMessage());
    }

    @Test
    void shouldReturnNegativeErrnoAndDescribeIt()
    {
        final int result = LibC.close(Errno.threadState(), 987_654);
        assertEquals(-Errno.EBADF, result);
        final NativeException ex = assertThrows(
            NativeException.class, () -> NativeException.check(result, "close(987654)", "pass an open descriptor"));
        assertEquals(Errno.EBADF, ex.errno());
        assertTrue(ex.getMessage().contains("EBADF"), ex.getMessage());
        assertTrue(ex.getMessage().contains("Bad file descriptor"), ex.getMessage());
        assertTrue(ex.getMessage().contains("pass an open descriptor"), ex.getMessage());
    }

    @Test
    @SuppressWarnings("restricted")
    void shouldMapWriteAndUnmapAnonymousMemory()
    {
        final MemorySegment state = Errno.threadState();
        final long length = 1 << 20;
        final long address = Mman.mmap(
            state, length, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        assertTrue(address > 0, "mmap: " + address);
        final MemorySegment segment = MemorySegment.ofAddress(address).reinterpret(length);
        segment.set(ValueLayout.JAVA_LONG, length - 8, 0x1234_5678_9ABCL);
        assertEquals(0x1234_5678_9ABCL, segment.get(ValueLayout.JAVA_LONG, length - 8));
        assertEquals(0, Mman.madvise(state, segment, length, Mman.MADV_HUGEPAGE));
        assertEquals(0, Mman.munmap(state, segment, length));
    }

    @Test
    void shouldFailMmapWithEinvalForZeroLength()
    {
        assertEquals(-Errno.EINVAL, Mman.mmap(
            Errno.threadState(), 0, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0));
    }

    @Test
    void shouldFindTheLoopbackInterface()
    {
        assertTrue(Sockets.if_nametoindex(Errno.threadState(), "lo") > 0);
        assertEquals(-Errno.ENODEV, Sockets.if_nametoindex(Errno.threadState(), "wirekv-none0"));
    }

    @Test
    void shouldReadTheMemlockLimitAndPid()
    {
        final long limit = LibC.getrlimitSoft(Errno.threadState(), LibC.RLIMIT_MEMLOCK);
        assertTrue(limit == LibC.RLIM_INFINITY || limit >= 0, "limit " + limit);
        assertEquals(ProcessHandle.current().pid(), LibC.getpid());
    }

    @Test
    void shouldCaptureErrnoPerStateSegment()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = Errno.allocateState(arena);
            assertEquals(-Errno.EBADF, LibC.close(state, -1));
            assertEquals(Errno.EBADF, Errno.read(state));
        }
    }
}
