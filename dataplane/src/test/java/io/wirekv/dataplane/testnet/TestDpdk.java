package io.wirekv.dataplane.testnet;

import io.wirekv.dataplane.port.DpdkRuntime;
import io.wirekv.nativebindings.dpdk.DpdkShim;
import io.wirekv.nativebindings.dpdk.Eal;
import io.wirekv.nativebindings.dpdk.RingPortPair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one EAL every DPDK test in this module shares (DPDK allows one per process): virtual devices
 * only, no hugepages, no PCI, its runtime files under a per-process prefix. Devices are made per test
 * as {@link RingPortPair}s, so nothing is fixed at EAL start and no device is ever reopened.
 */
public final class TestDpdk
{
    public static final List<String> EAL_ARGS = List.of(
        "-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
        "--file-prefix=wirekv-dp-" + ProcessHandle.current().pid(), "--no-telemetry", "--log-level=notice");

    private static final AtomicInteger PAIRS = new AtomicInteger();

    private TestDpdk()
    {
    }

    /**
     * @return why DPDK tests cannot run here, or null when they can (CI runs them: root, DPDK installed).
     */
    public static String skipReason()
    {
        try
        {
            final int uid = (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (uid != 0)
            {
                return "DPDK's EAL needs root here (effective uid " + uid + "); CI runs these as root";
            }
        }
        catch (final IOException ex)
        {
            return "cannot read the effective uid: " + ex;
        }
        return DpdkShim.isAvailable() ? null : "DPDK shim unavailable: " + DpdkShim.unavailableReason();
    }

    /**
     * @return the shared EAL (started on first use).
     */
    public static Eal eal()
    {
        return DpdkRuntime.eal(EAL_ARGS);
    }

    /**
     * @param queues queues per side.
     * @return a new back-to-back pair of ring ports (side a for the appliance, b for the test).
     */
    public static RingPortPair newPair(final int queues)
    {
        eal();
        return RingPortPair.create("wkr" + PAIRS.incrementAndGet(), queues, 1024);
    }
}
