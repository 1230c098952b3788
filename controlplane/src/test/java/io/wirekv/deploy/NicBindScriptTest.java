package io.wirekv.deploy;

import static io.wirekv.deploy.DeployScripts.runWithEnv;
import static io.wirekv.deploy.DeployScripts.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/nic-bind.sh, only ever in --dry-run or read-only modes: it must never take this
 * machine's NIC. As a second guard, dpdk-devbind.py is replaced (WIREKV_DEVBIND) by a fake that
 * only leaves a marker file, and every binding test asserts the marker is absent.
 */
class NicBindScriptTest
{
    private static final Pattern PCI = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");

    private Path dir;
    private Path marker;

    @BeforeEach
    void fakeDevbind() throws IOException
    {
        dir = Files.createTempDirectory("wirekv-nicbind-test-" + ProcessHandle.current().pid() + "-");
        marker = dir.resolve("devbind-ran");
        write(dir.resolve("dpdk-devbind.py"), "#!/bin/sh\necho \"fake devbind $*\"\ntouch '" + marker + "'\n");
        assertTrue(dir.resolve("dpdk-devbind.py").toFile().setExecutable(true));
    }

    @AfterEach
    void deleteDir()
    {
        DeployScripts.deleteTree(dir);
    }

    @Test
    void shouldRefuseToBindTheInterfaceCarryingTheDefaultRoute()
    {
        final String nic = defaultRouteInterface();
        assumeTrue(pciOf(nic) != null, nic + " is not a PCI device here (the script stops earlier, at 'not a PCI device')");
        final DeployScripts.Result r = runWithEnv(env(), "nic-bind.sh", "--bind", nic, "--dry-run");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("refusing to bind " + nic), r::toString);
        assertTrue(r.stderr().contains("carries the default route"), r::toString);
        assertFalse(r.stdout().contains("would run:"), r::toString);
        assertFalse(Files.exists(marker), "dpdk-devbind.py ran");
    }

    @Test
    void shouldRefuseToUnbindTheInterfaceCarryingTheDefaultRoute()
    {
        final String nic = defaultRouteInterface();
        assumeTrue(pciOf(nic) != null, nic + " is not a PCI device here (the script stops earlier, at 'not a PCI device')");
        final DeployScripts.Result r = runWithEnv(env(), "nic-bind.sh", "--unbind", nic, "--dry-run");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("refusing to unbind " + nic), r::toString);
        assertFalse(Files.exists(marker), "dpdk-devbind.py ran");
    }

    @Test
    void shouldPrintTheDevbindCommandInDryRunWhenForced()
    {
        final String nic = defaultRouteInterface();
        final String pci = pciOf(nic);
        assumeTrue(pci != null, nic + " is not a PCI device here; the forced dry-run needs one");
        final DeployScripts.Result r = runWithEnv(env(), "nic-bind.sh", "--bind", nic, "--force", "--noiommu", "--dry-run");

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.lines().contains("would run: " + dir.resolve("dpdk-devbind.py") + " --bind=vfio-pci --force " + pci), r::toString);
        if (!new File("/sys/module/vfio_pci").isDirectory())
        {
            assertTrue(r.lines().contains("would run: modprobe vfio-pci"), r::toString);
        }
        if (iommuGroups() == 0)
        {
            assertTrue(r.lines().contains("would write: 1 > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode"), r::toString);
        }
        assertTrue(r.stderr().contains("going ahead because of --force"), r::toString);
        assertFalse(Files.exists(marker), "dpdk-devbind.py ran in a dry run");
    }

    @Test
    void shouldRefuseVfioWithoutAnIommuUnlessAskedForNoIommuMode()
    {
        final String nic = defaultRouteInterface();
        assumeTrue(pciOf(nic) != null, nic + " is not a PCI device here");
        assumeTrue(iommuGroups() == 0, "this host has an IOMMU");
        assumeTrue(!"Y".equals(readOr("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode")), "no-IOMMU mode is on");
        final DeployScripts.Result r = runWithEnv(env(), "nic-bind.sh", "--bind", nic, "--force", "--dry-run");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("no IOMMU on this host"), r::toString);
        assertFalse(r.stdout().contains("dpdk-devbind.py"), r::toString);
    }

    @Test
    void shouldLeaveADeviceAlreadyOnTheAskedDriverAlone()
    {
        final String pci = pciOf(defaultRouteInterface());
        assumeTrue(pci != null, "the default-route interface is not a PCI device here");
        final String driver = Path.of(readLink("/sys/bus/pci/devices/" + pci + "/driver")).getFileName().toString();
        final DeployScripts.Result r = runWithEnv(env(), "nic-bind.sh", "--bind", pci, "--driver", driver, "--dry-run");

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains(pci + " is already bound to " + driver + ", unchanged"), r::toString);
        assertFalse(Files.exists(marker));
    }

    @Test
    void shouldRejectAnInterfaceWithoutAPciDevice()
    {
        final DeployScripts.Result r = runWithEnv(env(), "nic-bind.sh", "--bind", "lo", "--dry-run");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("lo is not a PCI device"), r::toString);
        assertTrue(r.stderr().contains("--vdev=net_af_xdp0,iface=lo"), r::toString);
    }

    @Test
    void shouldRejectAnUnknownDevice()
    {
        final DeployScripts.Result r = runWithEnv(env(), "nic-bind.sh", "--bind", "nosuchnic" + ProcessHandle.current().pid(), "--dry-run");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("no interface or PCI device named"), r::toString);
    }

    @Test
    void shouldListInterfacesAndDevbindStatus()
    {
        final String nic = defaultRouteInterface();
        final DeployScripts.Result r = runWithEnv(env(), "nic-bind.sh", "--status");

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.lines().contains("network interfaces:"), r::toString);
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("  " + nic + " ") && l.endsWith(", default route")), r::toString);
        assertTrue(r.stdout().contains("fake devbind --status-dev net"), r::toString);
        assertTrue(r.stdout().contains("IOMMU: "), r::toString);
    }

    private Map<String, String> env()
    {
        return Map.of("WIREKV_DEVBIND", dir.resolve("dpdk-devbind.py").toString());
    }

    private static String defaultRouteInterface()
    {
        final Matcher m = Pattern.compile("\\bdev (\\S+)").matcher(DeployScripts.command("ip", "-4", "route", "show", "default"));
        assumeTrue(m.find(), "this host has no IPv4 default route");
        return m.group(1);
    }

    /** The nearest PCI device above the interface in sysfs (virtio NICs sit one level below theirs), or null. */
    private static String pciOf(final String nic)
    {
        final File device = new File("/sys/class/net/" + nic + "/device");
        if (!device.exists())
        {
            return null;
        }
        try
        {
            for (Path p = device.toPath().toRealPath(); p != null && p.getFileName() != null; p = p.getParent())
            {
                if (PCI.matcher(p.getFileName().toString()).matches())
                {
                    return p.getFileName().toString();
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static int iommuGroups()
    {
        final String[] groups = new File("/sys/kernel/iommu_groups").list();
        return groups == null ? 0 : groups.length;
    }

    private static String readOr(final String path)
    {
        return new File(path).exists() ? DeployScripts.readKernelFile(path) : "";
    }

    private static String readLink(final String path)
    {
        try
        {
            return Files.readSymbolicLink(Path.of(path)).toString();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
