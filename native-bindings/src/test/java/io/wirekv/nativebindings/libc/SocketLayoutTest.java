package io.wirekv.nativebindings.libc;

import io.wirekv.nativebindings.CLayoutProbe;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemoryLayout.PathElement;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SocketLayoutTest
{
    @Test
    void shouldAgreeBetweenLayoutsAndOffsetConstants()
    {
        assertEquals(MmsghdrDescriptor.IOVEC_SIZE, MmsghdrDescriptor.IOVEC_LAYOUT.byteSize());
        assertEquals(MmsghdrDescriptor.MSGHDR_SIZE, MmsghdrDescriptor.MSGHDR_LAYOUT.byteSize());
        assertEquals(MmsghdrDescriptor.MMSGHDR_SIZE, MmsghdrDescriptor.MMSGHDR_LAYOUT.byteSize());
        assertEquals(8, MmsghdrDescriptor.MMSGHDR_LAYOUT.byteAlignment());
        assertEquals(MmsghdrDescriptor.MSG_NAMELEN_OFFSET, offset(MmsghdrDescriptor.MSGHDR_LAYOUT, "msg_namelen"));
        assertEquals(MmsghdrDescriptor.MSG_IOV_OFFSET, offset(MmsghdrDescriptor.MSGHDR_LAYOUT, "msg_iov"));
        assertEquals(MmsghdrDescriptor.MSG_IOVLEN_OFFSET, offset(MmsghdrDescriptor.MSGHDR_LAYOUT, "msg_iovlen"));
        assertEquals(MmsghdrDescriptor.MSG_CONTROL_OFFSET, offset(MmsghdrDescriptor.MSGHDR_LAYOUT, "msg_control"));
        assertEquals(MmsghdrDescriptor.MSG_CONTROLLEN_OFFSET, offset(MmsghdrDescriptor.MSGHDR_LAYOUT, "msg_controllen"));
        assertEquals(MmsghdrDescriptor.MSG_FLAGS_OFFSET, offset(MmsghdrDescriptor.MSGHDR_LAYOUT, "msg_flags"));
        assertEquals(MmsghdrDescriptor.MSG_LEN_OFFSET, offset(MmsghdrDescriptor.MMSGHDR_LAYOUT, "msg_len"));
        assertEquals(MmsghdrDescriptor.IOV_LEN_OFFSET, offset(MmsghdrDescriptor.IOVEC_LAYOUT, "iov_len"));
        assertEquals(SockaddrInDescriptor.SIZE, SockaddrInDescriptor.LAYOUT.byteSize());
        assertEquals(SockaddrInDescriptor.PORT_OFFSET, offset(SockaddrInDescriptor.LAYOUT, "sin_port"));
        assertEquals(SockaddrInDescriptor.ADDR_OFFSET, offset(SockaddrInDescriptor.LAYOUT, "sin_addr"));
        assertEquals(SockaddrInDescriptor.ZERO_OFFSET, offset(SockaddrInDescriptor.LAYOUT, "sin_zero"));
    }

    @Test
    void shouldMatchTheSystemHeaders(@TempDir final Path dir) throws IOException, InterruptedException
    {
        final String cc = CLayoutProbe.compiler();
        Assumptions.assumeTrue(cc != null, "skipped: no C compiler (gcc/cc/clang) to read the system headers with");

        final String source = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/socket.h>
            #include <sys/uio.h>
            #include <netinet/in.h>
            #include <sys/un.h>
            #include <sched.h>
            #include <sys/mman.h>
            #include <errno.h>
            #define P(name, value) printf("%s=%ld\\n", name, (long)(value))
            int main(void) {
              P("iovec.size", sizeof(struct iovec));
              P("iovec.iov_len", offsetof(struct iovec, iov_len));
              P("msghdr.size", sizeof(struct msghdr));
              P("msghdr.msg_namelen", offsetof(struct msghdr, msg_namelen));
              P("msghdr.msg_iov", offsetof(struct msghdr, msg_iov));
              P("msghdr.msg_iovlen", offsetof(struct msghdr, msg_iovlen));
              P("msghdr.msg_control", offsetof(struct msghdr, msg_control));
              P("msghdr.msg_controllen", offsetof(struct msghdr, msg_controllen));
              P("msghdr.msg_flags", offsetof(struct msghdr, msg_flags));
              P("mmsghdr.size", sizeof(struct mmsghdr));
              P("mmsghdr.msg_len", offsetof(struct mmsghdr, msg_len));
              P("sockaddr_in.size", sizeof(struct sockaddr_in));
              P("sockaddr_in.sin_port", offsetof(struct sockaddr_in, sin_port));
              P("sockaddr_in.sin_addr", offsetof(struct sockaddr_in, sin_addr));
              P("sockaddr_un.size", sizeof(struct sockaddr_un));
              P("sockaddr_un.sun_path", offsetof(struct sockaddr_un, sun_path));
              P("AF_UNIX", AF_UNIX);
              P("cpu_set_t.size", sizeof(cpu_set_t));
              P("MSG_DONTWAIT", MSG_DONTWAIT);
              P("MSG_TRUNC", MSG_TRUNC);
              P("SO_REUSEPORT", SO_REUSEPORT);
              P("SO_RCVBUFFORCE", SO_RCVBUFFORCE);
              P("SOCK_NONBLOCK", SOCK_NONBLOCK);
              P("MAP_HUGETLB", MAP_HUGETLB);
              P("MAP_POPULATE", MAP_POPULATE);
              P("MADV_HUGEPAGE", MADV_HUGEPAGE);
              P("EAGAIN", EAGAIN);
              P("ENOBUFS", ENOBUFS);
              return 0;
            }
            """;
        final Map<String, Long> actual = CLayoutProbe.probe(cc, dir, "layout", source, List.of());

        assertEquals(MmsghdrDescriptor.IOVEC_SIZE, actual.get("iovec.size"));
        assertEquals(MmsghdrDescriptor.IOV_LEN_OFFSET, actual.get("iovec.iov_len"));
        assertEquals(MmsghdrDescriptor.MSGHDR_SIZE, actual.get("msghdr.size"));
        assertEquals(MmsghdrDescriptor.MSG_NAMELEN_OFFSET, actual.get("msghdr.msg_namelen"));
        assertEquals(MmsghdrDescriptor.MSG_IOV_OFFSET, actual.get("msghdr.msg_iov"));
        assertEquals(MmsghdrDescriptor.MSG_IOVLEN_OFFSET, actual.get("msghdr.msg_iovlen"));
        assertEquals(MmsghdrDescriptor.MSG_CONTROL_OFFSET, actual.get("msghdr.msg_control"));
        assertEquals(MmsghdrDescriptor.MSG_CONTROLLEN_OFFSET, actual.get("msghdr.msg_controllen"));
        assertEquals(MmsghdrDescriptor.MSG_FLAGS_OFFSET, actual.get("msghdr.msg_flags"));
        assertEquals(MmsghdrDescriptor.MMSGHDR_SIZE, actual.get("mmsghdr.size"));
        assertEquals(MmsghdrDescriptor.MSG_LEN_OFFSET, actual.get("mmsghdr.msg_len"));
        assertEquals(SockaddrInDescriptor.SIZE, actual.get("sockaddr_in.size"));
        assertEquals(SockaddrInDescriptor.PORT_OFFSET, actual.get("sockaddr_in.sin_port"));
        assertEquals(SockaddrInDescriptor.ADDR_OFFSET, actual.get("sockaddr_in.sin_addr"));
        assertEquals(SockaddrUnDescriptor.SIZE, actual.get("sockaddr_un.size"));
        assertEquals(SockaddrUnDescriptor.PATH_OFFSET, actual.get("sockaddr_un.sun_path"));
        assertEquals(SockaddrUnDescriptor.AF_UNIX, actual.get("AF_UNIX"));
        assertEquals(Sockets.AF_UNIX, actual.get("AF_UNIX"));
        assertEquals(Sched.CPU_SET_BYTES, actual.get("cpu_set_t.size"));
        assertEquals(Sockets.MSG_DONTWAIT, actual.get("MSG_DONTWAIT"));
        assertEquals(Sockets.MSG_TRUNC, actual.get("MSG_TRUNC"));
        assertEquals(Sockets.SO_REUSEPORT, actual.get("SO_REUSEPORT"));
        assertEquals(Sockets.SO_RCVBUFFORCE, actual.get("SO_RCVBUFFORCE"));
        assertEquals(Sockets.SOCK_NONBLOCK, actual.get("SOCK_NONBLOCK"));
        assertEquals(Mman.MAP_HUGETLB, actual.get("MAP_HUGETLB"));
        assertEquals(Mman.MAP_POPULATE, actual.get("MAP_POPULATE"));
        assertEquals(Mman.MADV_HUGEPAGE, actual.get("MADV_HUGEPAGE"));
        assertEquals(io.wirekv.nativebindings.Errno.EAGAIN, actual.get("EAGAIN"));
        assertEquals(io.wirekv.nativebindings.Errno.ENOBUFS, actual.get("ENOBUFS"));
    }

    private static long offset(final java.lang.foreign.MemoryLayout layout, final String name)
    {
        return layout.byteOffset(PathElement.groupElement(name));
    }


}
