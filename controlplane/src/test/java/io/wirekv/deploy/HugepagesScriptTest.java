package io.wirekv.deploy;

import static io.wirekv.deploy.DeployScripts.read;
import static io.wirekv.deploy.DeployScripts.readKernelFile;
import static io.wirekv.deploy.DeployScripts.run;
import static io.wirekv.deploy.DeployScripts.runWithEnv;
import static io.wirekv.deploy.DeployScripts.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/hugepages.sh: dry-run output, a real reserve and release of 2 MiB pages on this machine
 * (root only; never below the count found, which other tests rely on), and the per-node,
 * unsupported-size and persistence paths on a fake sysfs/procfs tree.
 */
class HugepagesScriptTest
{
    private static final String NR_2M = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages";

    private Path tree;

    @BeforeEach
    void createTree() throws IOException
    {
        tree = Files.createTempDirectory("wirekv-hugepages-test-" + ProcessHandle.current().pid() + "-");
    }

    @AfterEach
    void deleteTree()
    {
        DeployScripts.deleteTree(tree);
    }

    @Test
    void shouldPrintTheWriteInDryRunAndChangeNothing()
    {
        final long before = Long.parseLong(readKernelFile("/proc/sys/vm/nr_hugepages"));
        final DeployScripts.Result r = run("hugepages.sh", "--2m", Long.toString(before + 7), "--no-mount", "--dry-run");

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.lines().contains("would write: " + (before + 7) + " > " + NR_2M), r::toString);
        assertEquals(before, Long.parseLong(readKernelFile("/proc/sys/vm/nr_hugepages")), "dry-run changed nr_hugepages");
    }

    @Test
    void shouldReserveAndReleaseTwoMebibytePagesForReal()
    {
        assumeTrue(DeployScripts.isRoot(), "reserving hugepages needs root; run the suite as root (CI does)");
        final long original = Long.parseLong(readKernelFile("/proc/sys/vm/nr_hugepages"));
        try
        {
            final DeployScripts.Result reserve = run("hugepages.sh", "--2m", Long.toString(original + 2), "--no-mount");
            final long granted = Long.parseLong(readKernelFile("/proc/sys/vm/nr_hugepages"));

            assertTrue(granted > original, () -> "nr_hugepages did not grow from " + original + ": " + reserve);
            assertTrue(reserve.stdout().contains(
                "2 MiB pages: asked " + (original + 2) + ", kernel granted " + granted + " (was " + original + ")"), reserve::toString);
            assertEquals(granted == original + 2 ? 0 : 1, reserve.exitCode(), reserve::toString);
            assertEquals(granted, DeployScripts.meminfo("HugePages_Total"), "/proc/meminfo disagrees");

            final DeployScripts.Result again = run("hugepages.sh", "--2m", Long.toString(granted), "--no-mount");
            assertEquals(0, again.exitCode(), again::toString);
            assertTrue(again.stdout().contains("2 MiB pages: " + granted + " reserved already (asked " + granted + "), unchanged"),
                again::toString);

            final DeployScripts.Result release = run("hugepages.sh", "--release", "--2m", Long.toString(original));
            assertEquals(0, release.exitCode(), release::toString);
            assertEquals(original, Long.parseLong(readKernelFile("/proc/sys/vm/nr_hugepages")), release::toString);
            assertTrue(release.stdout().contains("2 MiB pages: asked " + original + ", kernel granted " + original), release::toString);
        }
        finally
        {
            // Whatever happened above, leave the machine with exactly the pages it had.
            run("hugepages.sh", "--release", "--2m", Long.toString(original));
            run("hugepages.sh", "--2m", Long.toString(original), "--no-mount");
        }
    }

    @Test
    void shouldReserveOnEveryNumaNodeAndPersistABootUnit() throws IOException
    {
        fakeSysfs(2, 0, false);
        final DeployScripts.Result r = runWithEnv(env(), "hugepages.sh", "--2m", "64", "--node", "all", "--persist");

        assertEquals(0, r.exitCode(), r::toString);
        for (final int node : new int[] {0, 1})
        {
            assertEquals("64", read(nodeFile(node, "2048")));
            assertTrue(r.stdout().contains("2 MiB pages on node" + node + ": asked 64, kernel granted 64 (was 0)"), r::toString);
        }
        final String unit = read(tree.resolve("etc/systemd/system/wirekv-hugepages.service"));
        assertTrue(unit.contains("ExecStart=" + DeployScripts.DEPLOY.toRealPath() + "/hugepages.sh --2m 64 --node 0-1"), unit);
        assertFalse(Files.exists(tree.resolve("etc/sysctl.d/80-wirekv-hugepages.conf")), "per-node counts are not a sysctl");
        assertTrue(r.stdout().contains("systemd is not running here") || r.stdout().contains("enable later"), r::toString);
    }

    @Test
    void shouldNotLowerAReservationUnlessReleasing()
    {
        fakeSysfs(1, 10, false);
        final DeployScripts.Result keep = runWithEnv(env(), "hugepages.sh", "--2m", "4");
        assertEquals(0, keep.exitCode(), keep::toString);
        assertTrue(keep.stdout().contains("2 MiB pages: 10 reserved already (asked 4), unchanged"), keep::toString);
        assertEquals("10", read(globalFile("2048")));

        final DeployScripts.Result release = runWithEnv(env(), "hugepages.sh", "--release", "--2m", "4");
        assertEquals(0, release.exitCode(), release::toString);
        assertEquals("4", read(globalFile("2048")));
        assertTrue(release.stdout().contains("2 MiB pages: asked 4, kernel granted 4 (was 10)"), release::toString);
    }

    @Test
    void shouldSayCleanlyWhenGigabytePagesAreNotSupported()
    {
        fakeSysfs(1, 0, false);
        final DeployScripts.Result r = runWithEnv(env(), "hugepages.sh", "--1g", "2");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("1 GiB pages are not supported on this machine"), r::toString);
        assertTrue(r.stdout().contains("1 GiB pages: not supported on this machine"), r::toString);

        final DeployScripts.Result status = runWithEnv(env(), "hugepages.sh", "--status");
        assertEquals(0, status.exitCode(), status::toString);
        assertTrue(status.stdout().contains("2 MiB pages: 0 reserved, 0 free, 0 surplus (node0 0); hugetlbfs: /dev/hugepages"),
            status::toString);
    }

    @Test
    void shouldShowPersistenceFilesAndMountsInDryRun()
    {
        fakeSysfs(1, 0, true);
        final DeployScripts.Result r = runWithEnv(env(), "hugepages.sh", "--2m", "300", "--1g", "1", "--persist", "--dry-run");
        final String etc = tree.resolve("etc").toString();

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.lines().contains("would write: 300 > " + globalFile("2048")), r::toString);
        assertTrue(r.lines().contains("would write: 1 > " + globalFile("1048576")), r::toString);
        assertTrue(r.lines().contains("would run: mkdir -p /dev/hugepages1G"), r::toString);
        assertTrue(r.lines().contains("would run: mount -t hugetlbfs -o pagesize=1G nodev /dev/hugepages1G"), r::toString);
        assertTrue(r.lines().contains("would write: " + etc + "/sysctl.d/80-wirekv-hugepages.conf"), r::toString);
        assertTrue(r.lines().contains("    vm.nr_hugepages = 300"), r::toString);
        assertTrue(r.lines().contains("would write: " + etc + "/systemd/system/dev-hugepages1G.mount"), r::toString);
        assertTrue(r.lines().contains("    Options=pagesize=1G"), r::toString);
        assertTrue(r.stdout().contains("default_hugepagesz=2M hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=300"), r::toString);
        assertEquals("0", read(globalFile("2048")), "dry-run wrote a count");
        assertFalse(Files.exists(tree.resolve("etc")), "dry-run wrote files");
    }

    private Map<String, String> env()
    {
        return Map.of("WIREKV_SYSFS", tree.resolve("sys").toString(), "WIREKV_PROCFS", tree.resolve("proc").toString(),
            "WIREKV_ETC", tree.resolve("etc").toString());
    }

    private Path globalFile(final String kb)
    {
        return tree.resolve("sys/kernel/mm/hugepages/hugepages-" + kb + "kB/nr_hugepages");
    }

    private Path nodeFile(final int node, final String kb)
    {
        return tree.resolve("sys/devices/system/node/node" + node + "/hugepages/hugepages-" + kb + "kB/nr_hugepages");
    }

    /** A sysfs/procfs tree with `nodes` NUMA nodes, `reserved` 2 MiB pages, hugetlbfs on /dev/hugepages only. */
    private void fakeSysfs(final int nodes, final int reserved, final boolean gigabytePages)
    {
        for (final String kb : gigabytePages ? new String[] {"2048", "1048576"} : new String[] {"2048"})
        {
            final Path dir = globalFile(kb).getParent();
            write(dir.resolve("nr_hugepages"), kb.equals("2048") ? Integer.toString(reserved) : "0");
            write(dir.resolve("free_hugepages"), "0");
            write(dir.resolve("surplus_hugepages"), "0");
            for (int n = 0; n < nodes; n++)
            {
                write(nodeFile(n, kb), "0");
            }
        }
        write(tree.resolve("proc/mounts"), "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n");
        write(tree.resolve("proc/sys/vm/compact_memory"), "");
    }
}
