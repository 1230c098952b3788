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
 * only, no hugepages, no PCI, no runtime files (one empty directory). Devices are made per test
 * as {@link RingPortPair}s, so nothing is fixed at EAL start and no device is ever reopened.
 */
public final class TestDpdk
{
    /** Set by the build's second DPDK run: the same tests with the EAL on hugepages. */
    public static final boolean HUGEPAGES = Boolean.getBoolean("wirekv.test.dpdk.hugepages");

    public static final List<String> EAL_ARGS = HUGEPAGES ?
        List.of("-l", "0", "--in-memory", "--no-pci", "--no-telemetry", "--log-level=notice") :
        // --no-shconf leaves only an empty /var/run/dpdk/PREFIX directory and no lock: one fixed prefix lets test
        // JVMs share it instead of leaving one directory per run (--in-memory is refused beside --no-huge)
        List.of("-l", "0", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix=wirekv-dp-test",
            "--no-telemetry", "--log-level=notice");

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
        if (HUGEPAGES && freeHugepages() < 16)
        {
            return "the hugepages run needs at least 16 free 2 MiB hugepages (deploy/install-deps.sh reserves 128)";
        }
        return DpdkShim.isAvailable() ? null : "DPDK shim unavailable: " + DpdkShim.unavailableReason();
    }

    /**
     * @return bytes this process has mapped in hugepages (hugetlb mappings in /proc/self/smaps): a
     * measure other processes cannot disturb, unlike the system-wide free count.
     */
    public static long hugepageBytesMappedHere()
    {
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/smaps")) // NIO sees one byte of /proc files
        {
            long total = 0;
            long size = 0;
            for (final String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n"))
            {
                if (line.startsWith("Size:"))
                {
                    size = kilobytes(line);
                }
                else if (line.startsWith("KernelPageSize:") && kilobytes(line) >= 2048)
                {
                    total += size * 1024;
                }
            }
            return total;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
    }

    private static long kilobytes(final String smapsLine)
    {
        return Long.parseLong(smapsLine.substring(smapsLine.indexOf(':') + 1).replace("kB", "").trim());
    }

    /**
     * @return HugePages_Free of the default size from /proc/meminfo (0 when unreadable).
     */
    public static long freeHugepages()
    {
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/meminfo")) // NIO sees one byte of /proc files here
        {
            for (final String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split("\n"))
            {
                if (line.startsWith("HugePages_Free:"))
                {
                    return Long.parseLong(line.substring("HugePages_Free:".length()).trim());
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return 0;
        }
        return 0;
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
