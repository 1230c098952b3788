package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.CLayoutProbe;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link XskDescriptor} against the installed {@code <xdp/xsk.h>} and {@code <linux/if_xdp.h>}, compiled with
 * the system C compiler (the run-time check in {@link XskSocket#create} covers the ring pointers only).
 */
class XskLayoutTest
{
    @Test
    void shouldMatchTheInstalledLibxdpAndKernelHeaders(@TempDir final Path dir) throws IOException, InterruptedException
    {
        final String cc = CLayoutProbe.compiler();
        Assumptions.assumeTrue(cc != null, "skipped: no C compiler (gcc/cc/clang) to read the headers with");
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/include/xdp/xsk.h")),
            "skipped: /usr/include/xdp/xsk.h missing (install Debian package libxdp-dev)");

        final String source = """
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/socket.h>
            #include <xdp/xsk.h>
            #include <linux/if_xdp.h>
            #define P(name, value) printf("%s=%ld\\n", name, (long)(value))
            int main(void) {
              P("ring.size", sizeof(struct xsk_ring_prod));
              P("ring.cons.size", sizeof(struct xsk_ring_cons));
              P("ring.cached_prod", offsetof(struct xsk_ring_prod, cached_prod));
              P("ring.cached_cons", offsetof(struct xsk_ring_prod, cached_cons));
              P("ring.mask", offsetof(struct xsk_ring_prod, mask));
              P("ring.size_field", offsetof(struct xsk_ring_prod, size));
              P("ring.producer", offsetof(struct xsk_ring_prod, producer));
              P("ring.consumer", offsetof(struct xsk_ring_prod, consumer));
              P("ring.ring", offsetof(struct xsk_ring_prod, ring));
              P("ring.flags", offsetof(struct xsk_ring_prod, flags));
              P("desc.size", sizeof(struct xdp_desc));
              P("desc.addr", offsetof(struct xdp_desc, addr));
              P("desc.len", offsetof(struct xdp_desc, len));
              P("desc.options", offsetof(struct xdp_desc, options));
              P("umem_config.size", sizeof(struct xsk_umem_config));
              P("umem_config.fill_size", offsetof(struct xsk_umem_config, fill_size));
              P("umem_config.comp_size", offsetof(struct xsk_umem_config, comp_size));
              P("umem_config.frame_size", offsetof(struct xsk_umem_config, frame_size));
              P("umem_config.frame_headroom", offsetof(struct xsk_umem_config, frame_headroom));
              P("umem_config.flags", offsetof(struct xsk_umem_config, flags));
              P("socket_config.size", sizeof(struct xsk_socket_config));
              P("socket_config.rx_size", offsetof(struct xsk_socket_config, rx_size));
              P("socket_config.tx_size", offsetof(struct xsk_socket_config, tx_size));
              P("socket_config.libxdp_flags", offsetof(struct xsk_socket_config, libxdp_flags));
              P("socket_config.xdp_flags", offsetof(struct xsk_socket_config, xdp_flags));
              P("socket_config.bind_flags", offsetof(struct xsk_socket_config, bind_flags));
              P("statistics.size", sizeof(struct xdp_statistics));
              P("statistics.tx_ring_empty_descs", offsetof(struct xdp_statistics, tx_ring_empty_descs));
              P("mmap_offsets.size", sizeof(struct xdp_mmap_offsets));
              P("mmap_offsets.tx", offsetof(struct xdp_mmap_offsets, tx));
              P("mmap_offsets.fr", offsetof(struct xdp_mmap_offsets, fr));
              P("mmap_offsets.cr", offsetof(struct xdp_mmap_offsets, cr));
              P("ring_offset.flags", offsetof(struct xdp_ring_offset, flags));
              P("AF_XDP", AF_XDP);
              P("SOL_XDP", SOL_XDP);
              P("XDP_MMAP_OFFSETS", XDP_MMAP_OFFSETS);
              P("XDP_STATISTICS", XDP_STATISTICS);
              P("XDP_OPTIONS", XDP_OPTIONS);
              P("XDP_OPTIONS_ZEROCOPY", XDP_OPTIONS_ZEROCOPY);
              P("XDP_COPY", XDP_COPY);
              P("XDP_ZEROCOPY", XDP_ZEROCOPY);
              P("XDP_USE_NEED_WAKEUP", XDP_USE_NEED_WAKEUP);
              P("XDP_RING_NEED_WAKEUP", XDP_RING_NEED_WAKEUP);
              P("XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD", XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD);
              P("XDP_PACKET_HEADROOM", 256);
              return 0;
            }
            """;
        final Map<String, Long> actual = CLayoutProbe.probe(cc, dir, "xsk_layout", source, List.of("-I/usr/include/" + multiarch()));

        assertEquals(XskDescriptor.RING_SIZE, actual.get("ring.size"));
        assertEquals(XskDescriptor.RING_SIZE, actual.get("ring.cons.size"));
        assertEquals(XskDescriptor.RING_CACHED_PROD_OFFSET, actual.get("ring.cached_prod"));
        assertEquals(XskDescriptor.RING_CACHED_CONS_OFFSET, actual.get("ring.cached_cons"));
        assertEquals(XskDescriptor.RING_MASK_OFFSET, actual.get("ring.mask"));
        assertEquals(XskDescriptor.RING_SIZE_OFFSET, actual.get("ring.size_field"));
        assertEquals(XskDescriptor.RING_PRODUCER_OFFSET, actual.get("ring.producer"));
        assertEquals(XskDescriptor.RING_CONSUMER_OFFSET, actual.get("ring.consumer"));
        assertEquals(XskDescriptor.RING_RING_OFFSET, actual.get("ring.ring"));
        assertEquals(XskDescriptor.RING_FLAGS_OFFSET, actual.get("ring.flags"));
        assertEquals(XskDescriptor.DESC_SIZE, actual.get("desc.size"));
        assertEquals(XskDescriptor.DESC_ADDR_OFFSET, actual.get("desc.addr"));
        assertEquals(XskDescriptor.DESC_LEN_OFFSET, actual.get("desc.len"));
        assertEquals(XskDescriptor.DESC_OPTIONS_OFFSET, actual.get("desc.options"));
        assertEquals(XskDescriptor.UMEM_CONFIG_SIZE, actual.get("umem_config.size"));
        assertEquals(XskDescriptor.UMEM_CONFIG_FILL_SIZE_OFFSET, actual.get("umem_config.fill_size"));
        assertEquals(XskDescriptor.UMEM_CONFIG_COMP_SIZE_OFFSET, actual.get("umem_config.comp_size"));
        assertEquals(XskDescriptor.UMEM_CONFIG_FRAME_SIZE_OFFSET, actual.get("umem_config.frame_size"));
        assertEquals(XskDescriptor.UMEM_CONFIG_FRAME_HEADROOM_OFFSET, actual.get("umem_config.frame_headroom"));
        assertEquals(XskDescriptor.UMEM_CONFIG_FLAGS_OFFSET, actual.get("umem_config.flags"));
        assertEquals(XskDescriptor.SOCKET_CONFIG_SIZE, actual.get("socket_config.size"));
        assertEquals(XskDescriptor.SOCKET_CONFIG_RX_SIZE_OFFSET, actual.get("socket_config.rx_size"));
        assertEquals(XskDescriptor.SOCKET_CONFIG_TX_SIZE_OFFSET, actual.get("socket_config.tx_size"));
        assertEquals(XskDescriptor.SOCKET_CONFIG_LIBXDP_FLAGS_OFFSET, actual.get("socket_config.libxdp_flags"));
        assertEquals(XskDescriptor.SOCKET_CONFIG_XDP_FLAGS_OFFSET, actual.get("socket_config.xdp_flags"));
        assertEquals(XskDescriptor.SOCKET_CONFIG_BIND_FLAGS_OFFSET, actual.get("socket_config.bind_flags"));
        assertEquals(XskDescriptor.STATISTICS_SIZE, actual.get("statistics.size"));
        assertEquals(8L * (XskDescriptor.STATISTICS_NAMES.length - 1), actual.get("statistics.tx_ring_empty_descs"));
        assertEquals(XskDescriptor.MMAP_OFFSETS_SIZE, actual.get("mmap_offsets.size"));
        assertEquals(XskDescriptor.MMAP_OFFSETS_TX, actual.get("mmap_offsets.tx"));
        assertEquals(XskDescriptor.MMAP_OFFSETS_FILL, actual.get("mmap_offsets.fr"));
        assertEquals(XskDescriptor.MMAP_OFFSETS_COMPLETION, actual.get("mmap_offsets.cr"));
        assertEquals(XskDescriptor.RING_OFFSET_FLAGS, actual.get("ring_offset.flags"));
        assertEquals(XskDescriptor.AF_XDP, actual.get("AF_XDP"));
        assertEquals(XskDescriptor.SOL_XDP, actual.get("SOL_XDP"));
        assertEquals(XskDescriptor.XDP_MMAP_OFFSETS, actual.get("XDP_MMAP_OFFSETS"));
        assertEquals(XskDescriptor.XDP_STATISTICS, actual.get("XDP_STATISTICS"));
        assertEquals(XskDescriptor.XDP_OPTIONS, actual.get("XDP_OPTIONS"));
        assertEquals(XskDescriptor.XDP_OPTIONS_ZEROCOPY, actual.get("XDP_OPTIONS_ZEROCOPY"));
        assertEquals(XskDescriptor.XDP_COPY, actual.get("XDP_COPY"));
        assertEquals(XskDescriptor.XDP_ZEROCOPY, actual.get("XDP_ZEROCOPY"));
        assertEquals(XskDescriptor.XDP_USE_NEED_WAKEUP, actual.get("XDP_USE_NEED_WAKEUP"));
        assertEquals(XskDescriptor.XDP_RING_NEED_WAKEUP, actual.get("XDP_RING_NEED_WAKEUP"));
        assertEquals(XskDescriptor.XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD, actual.get("XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD"));
    }

    private static String multiarch()
    {
        final String arch = System.getProperty("os.arch");
        return ("amd64".equals(arch) ? "x86_64" : arch) + "-linux-gnu";
    }


}
