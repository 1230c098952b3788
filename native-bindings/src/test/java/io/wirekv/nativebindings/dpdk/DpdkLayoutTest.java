package io.wirekv.nativebindings.dpdk;

import io.wirekv.nativebindings.NativeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shim's layout values and loading, without initialising the EAL (so it runs beside every other
 * test class in the same JVM).
 */
class DpdkLayoutTest
{
    @Test
    void shouldAgreeWithEveryStructLayoutOfTheInstalledDpdk()
    {
        assumeShim();
        assertEquals(List.of(), DpdkLayout.mismatches());
        DpdkLayout.verify();
        assertTrue(RteEal.rte_version().startsWith("DPDK 22.11"), RteEal.rte_version());
        assertEquals(22, DpdkLayout.rteVersionNumber() >>> 24, "RTE_VERSION year");
    }

    @Test
    void shouldAnswerUnknownLayoutKeysWithMinValue()
    {
        assumeShim();
        assertEquals(Long.MIN_VALUE, RteEal.wirekv_layout(99_999));
    }

    @Test
    void shouldAgreeOnMbufAccessorsBetweenShimAndDescriptor()
    {
        assumeShim();
        // A fake mbuf in ordinary memory: both sides must read the same fields at the same places.
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mbuf = arena.allocate(MbufDescriptor.SIZE + 2048, 64);
            final long address = mbuf.address();
            mbuf.set(JAVA_LONG, MbufDescriptor.BUF_ADDR_OFFSET, address + MbufDescriptor.SIZE);
            mbuf.set(JAVA_SHORT, MbufDescriptor.DATA_OFF_OFFSET, (short)MbufDescriptor.HEADROOM);
            mbuf.set(JAVA_SHORT, MbufDescriptor.BUF_LEN_OFFSET, (short)2048);
            RteMbuf.wirekv_pktmbuf_set_len(address, 1234);

            assertEquals(1234, MbufDescriptor.dataLength(address));
            assertEquals(1234, MbufDescriptor.packetLength(address));
            assertEquals(RteMbuf.wirekv_pktmbuf_mtod(address), MbufDescriptor.dataAddress(address));
            assertEquals(address + MbufDescriptor.SIZE + MbufDescriptor.HEADROOM, MbufDescriptor.dataAddress(address));

            MbufDescriptor.setLength(address, 77);
            assertEquals(77, RteMbuf.wirekv_pktmbuf_data_len(address));
            assertEquals(77, RteMbuf.wirekv_pktmbuf_pkt_len(address));
            assertEquals(2048 - MbufDescriptor.HEADROOM - 77, RteMbuf.wirekv_pktmbuf_tailroom(address));
        }
    }

    @Test
    void shouldNameThePropertyWhenTheNativeDirHasNoShim(@TempDir final Path dir)
    {
        final NativeException ex = assertThrows(NativeException.class,
            () -> DpdkShim.locate(dir.toString(), DpdkShim.resourceName(), getClass().getClassLoader()));
        assertTrue(ex.getMessage().contains(DpdkShim.NATIVE_DIR_PROPERTY), ex.getMessage());
        assertTrue(ex.getMessage().contains(DpdkShim.LIBRARY_FILE), ex.getMessage());
    }

    @Test
    void shouldNameTheDebianPackagesWhenTheBuildSkippedTheShim()
    {
        final NativeException ex = assertThrows(NativeException.class,
            () -> DpdkShim.locate(null, "native/linux-none/" + DpdkShim.LIBRARY_FILE, getClass().getClassLoader()));
        assertTrue(ex.getMessage().contains("install Debian packages dpdk and libdpdk-dev"), ex.getMessage());
        assertTrue(ex.getMessage().contains("apt-get install dpdk libdpdk-dev"), ex.getMessage());
    }

    @Test
    void shouldSkipTheShimBuildWithAWarningWhenLibdpdkIsMissing(@TempDir final Path dir)
        throws IOException, InterruptedException
    {
        final Path script = Path.of("src/main/c/build-shim.sh").toAbsolutePath();
        assumeTrue(Files.isRegularFile(script), "run from the native-bindings module directory: " + script);
        final ProcessBuilder builder = new ProcessBuilder(
            "bash", script.toString(), script.getParent().toString(), dir.resolve("build").toString(),
            dir.resolve("classes").toString()).redirectErrorStream(true);
        builder.environment().put("PKG_CONFIG_LIBDIR", dir.resolve("no-pkgconfig").toString());
        builder.environment().put("PKG_CONFIG_PATH", "");
        final Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "build-shim.sh did not finish");
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("[WARNING] wirekv DPDK shim not built"), output);
        assertTrue(output.contains("install Debian packages dpdk and libdpdk-dev"), output);
        assertFalse(Files.exists(dir.resolve("build/native/" + DpdkShim.LIBRARY_FILE)));
    }

    private static void assumeShim()
    {
        assumeTrue(DpdkShim.isAvailable(), () -> "DPDK shim unavailable: " + DpdkShim.unavailableReason());
    }
}
