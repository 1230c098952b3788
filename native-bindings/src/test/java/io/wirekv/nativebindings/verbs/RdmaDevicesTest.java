package io.wirekv.nativebindings.verbs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery on the real host, through the real libibverbs: it answers without throwing, and a host with no
 * {@code /sys/class/infiniband} entries is "no device" with a reason.
 */
class RdmaDevicesTest
{
    @Test
    void shouldAnswerWithoutThrowingAndSayNoDeviceWhereTheHostHasNone() throws IOException
    {
        final RdmaDiscovery discovery = RdmaDevices.discover();

        assertNotNull(discovery);
        assertFalse(discovery.summary().isBlank());
        if (!hostHasInfinibandDevices())
        {
            final RdmaDiscovery.NoDevice none = assertInstanceOf(RdmaDiscovery.NoDevice.class, discovery,
                "no /sys/class/infiniband entries, yet discovery found: " + discovery.summary());
            assertTrue(none.reason().contains("ibv_get_device_list returned 0 devices") ||
                none.reason().startsWith("RDMA unavailable: libibverbs.so.1 not found"), none.reason());
            assertTrue(none.summary().startsWith("no RDMA device: "), none.summary());
        }
    }

    @Test
    void shouldAnswerTheSameWhenAskedTwice()
    {
        assertTrue(RdmaDevices.discover().getClass() == RdmaDevices.discover().getClass());
    }

    @Test
    void shouldNameTheMissingKernelSupportForEnosys()
    {
        final String reason = RdmaDevices.noListReason(RdmaDevices.ENOSYS, "Function not implemented");

        assertTrue(reason.startsWith("ibv_get_device_list returned 0 devices (errno 38, Function not implemented"), reason);
        assertTrue(reason.contains("no RDMA support in the kernel"), reason);
    }

    private static boolean hostHasInfinibandDevices() throws IOException
    {
        final Path dir = Path.of("/sys/class/infiniband");
        if (!Files.isDirectory(dir))
        {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.findAny().isPresent();
        }
    }
}
