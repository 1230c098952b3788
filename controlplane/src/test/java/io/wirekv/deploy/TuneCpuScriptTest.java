package io.wirekv.deploy;

import static io.wirekv.deploy.DeployScripts.read;
import static io.wirekv.deploy.DeployScripts.run;
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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/tune-cpu.sh: the dry-run against this machine's /proc/irq (nothing written), refusals,
 * and a real run on a fake 4-CPU procfs/sysfs tree (IRQ affinity, default affinity, workqueue
 * mask, governor), run twice to show it is idempotent.
 */
class TuneCpuScriptTest
{
    private Path tree;

    @BeforeEach
    void createTree() throws IOException
    {
        tree = Files.createTempDirectory("wirekv-tunecpu-test-" + ProcessHandle.current().pid() + "-");
    }

    @AfterEach
    void deleteTree()
    {
        DeployScripts.deleteTree(tree);
    }

    @Test
    void shouldPrintKernelCommandLineAndIrqWritesInDryRun()
    {
        final int cpus = Integer.parseInt(DeployScripts.command("nproc", "--all"));
        assumeTrue(cpus >= 2, "needs two CPUs: one lcore and one for housekeeping");
        final String lcore = Integer.toString(cpus - 1);
        final String housekeeping = cpus == 2 ? "0" : "0-" + (cpus - 2);
        final DeployScripts.Result r = run("tune-cpu.sh", "--cpus", lcore, "--no-governor", "--dry-run");

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.lines().contains("tune-cpu: lcore CPUs " + lcore + "; housekeeping CPUs " + housekeeping), r::toString);
        final String params = "isolcpus=managed_irq,domain," + lcore + " nohz_full=" + lcore + " rcu_nocbs=" + lcore +
            " irqaffinity=" + housekeeping;
        if (!DeployScripts.readKernelFile("/proc/cmdline").contains("isolcpus="))
        {
            assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("GRUB_CMDLINE_LINUX_DEFAULT=\"") && l.endsWith(params + "\"")),
                r::toString);
        }
        assertTrue(r.stdout().contains("wirekv configuration: lcores = 1, cpus = " + lcore + ", idle = busy-spin"), r::toString);
        assertTrue(r.lines().stream().noneMatch(l -> l.startsWith("tune-cpu: IRQ affinity: ") && l.contains("refused")), r::toString);
        // Every IRQ not already on the housekeeping CPUs shows up as a write; nothing is written.
        for (final String irq : irqs())
        {
            final String before = DeployScripts.readKernelFile("/proc/irq/" + irq + "/smp_affinity_list");
            if (!before.equals(housekeeping))
            {
                assertTrue(r.lines().contains("would write: " + housekeeping + " > /proc/irq/" + irq + "/smp_affinity_list"), r::toString);
            }
        }
        assertTrue(r.stdout().contains("irqbalance"), r::toString);
    }

    @Test
    void shouldRefuseToTakeEveryCpu()
    {
        final int cpus = Integer.parseInt(DeployScripts.command("nproc", "--all"));
        final DeployScripts.Result r = run("tune-cpu.sh", "--cpus", "0-" + (cpus - 1), "--dry-run");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("takes every online CPU"), r::toString);
    }

    @Test
    void shouldRefuseACpuThatIsNotOnline()
    {
        final DeployScripts.Result r = run("tune-cpu.sh", "--cpus", "4095", "--dry-run");

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("CPU 4095 is not online"), r::toString);
    }

    @Test
    void shouldRejectAMalformedCpuList()
    {
        final DeployScripts.Result r = run("tune-cpu.sh", "--cpus", "2-x", "--dry-run");

        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("is not a CPU list"), r::toString);
    }

    @Test
    void shouldMoveIrqsAndSetTheGovernorOnAFakeTreeIdempotently()
    {
        write(tree.resolve("sys/devices/system/cpu/online"), "0-3\n");
        for (int cpu = 0; cpu < 4; cpu++)
        {
            write(tree.resolve("sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_governor"), "powersave\n");
            write(tree.resolve("sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_available_governors"), "performance powersave\n");
        }
        write(tree.resolve("sys/devices/virtual/workqueue/cpumask"), "f\n");
        write(tree.resolve("proc/irq/24/smp_affinity_list"), "0-3\n");
        write(tree.resolve("proc/irq/25/smp_affinity_list"), "2\n");
        write(tree.resolve("proc/irq/26/smp_affinity_list"), "0-1\n");
        write(tree.resolve("proc/irq/default_smp_affinity"), "f\n");
        write(tree.resolve("proc/cmdline"), "root=/dev/sda1 quiet nohz_full=2-3\n");
        final Map<String, String> env = Map.of("WIREKV_SYSFS", tree.resolve("sys").toString(), "WIREKV_PROCFS", tree.resolve("proc").toString());

        final DeployScripts.Result first = runWithEnv(env, "tune-cpu.sh", "--cpus", "2,3");

        assertEquals(0, first.exitCode(), first::toString);
        assertEquals("0-1", read(tree.resolve("proc/irq/24/smp_affinity_list")));
        assertEquals("0-1", read(tree.resolve("proc/irq/25/smp_affinity_list")));
        assertEquals("0-1", read(tree.resolve("proc/irq/26/smp_affinity_list")));
        assertEquals("3", read(tree.resolve("proc/irq/default_smp_affinity")));
        assertEquals("3", read(tree.resolve("sys/devices/virtual/workqueue/cpumask")));
        assertEquals("performance", read(tree.resolve("sys/devices/system/cpu/cpu2/cpufreq/scaling_governor")));
        assertEquals("performance", read(tree.resolve("sys/devices/system/cpu/cpu3/cpufreq/scaling_governor")));
        assertEquals("powersave", read(tree.resolve("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")), "housekeeping CPU touched");
        assertTrue(first.stdout().contains("IRQ affinity: 3 set to CPUs 0-1, 1 already there, 0 refused"), first::toString);
        assertTrue(first.stdout().contains("kernel command line: nohz_full=2-3 active"), first::toString);
        assertTrue(first.stdout().contains("kernel command line: missing isolcpus=managed_irq,domain,2-3 rcu_nocbs=2-3 irqaffinity=0-1"),
            first::toString);

        final DeployScripts.Result second = runWithEnv(env, "tune-cpu.sh", "--cpus", "2-3");
        assertEquals(0, second.exitCode(), second::toString);
        assertTrue(second.stdout().contains("IRQ affinity: 0 set to CPUs 0-1, 4 already there"), second::toString);
        assertTrue(second.stdout().contains("CPU 2: governor performance already"), second::toString);
        assertTrue(second.stdout().contains("unbound workqueues already on CPUs 0-1"), second::toString);

        final DeployScripts.Result reset = runWithEnv(env, "tune-cpu.sh", "--reset");
        assertEquals(0, reset.exitCode(), reset::toString);
        assertEquals("0-3", read(tree.resolve("proc/irq/24/smp_affinity_list")));
        assertEquals("f", read(tree.resolve("proc/irq/default_smp_affinity")));
        assertFalse(reset.stdout().contains("GRUB_CMDLINE"), reset::toString);
    }

    private static String[] irqs()
    {
        final String[] names = new File("/proc/irq").list((d, n) -> n.matches("\\d+") && new File(d, n + "/smp_affinity_list").exists());
        return names == null ? new String[0] : names;
    }
}
