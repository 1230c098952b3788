package io.wirekv.deploy;

import io.wirekv.testsupport.MiniJson;

import static io.wirekv.deploy.DeployScripts.meminfo;
import static io.wirekv.deploy.DeployScripts.readKernelFile;
import static io.wirekv.deploy.DeployScripts.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * deploy/preflight.sh reports this machine as it is: CPUs as nproc counts them, hugepages as
 * /proc/meminfo has them, the running kernel, a verdict per backend; the JSON parses; and it
 * runs without root too.
 */
class PreflightScriptTest
{
    private static final Set<String> BACKENDS = Set.of("kernel", "xdp", "dpdk", "rdma");

    @Test
    void shouldReportThisMachineInText()
    {
        final DeployScripts.Result r = run("preflight.sh");
        final String nproc = DeployScripts.command("nproc");

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("cpu: " + nproc + " CPUs (online ")), r::toString);
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("host: kernel " + readKernelFile("/proc/sys/kernel/osrelease") + ", ")),
            r::toString);
        assertTrue(r.stdout().contains("hugepages /proc/meminfo: HugePages_Total " + meminfo("HugePages_Total") + ", "), r::toString);
        assertTrue(r.stdout().contains("hugepages 2 MiB: " + readKernelFile("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages") +
            " reserved, "), r::toString);
        assertTrue(r.lines().contains("verdict kernel: ok"), r::toString);
        assertTrue(r.lines().stream().anyMatch(l -> l.matches("verdict xdp: (ok|limited|no)")), r::toString);
        assertTrue(r.lines().stream().anyMatch(l -> l.matches("verdict dpdk: (ok|limited|no)")), r::toString);
        assertTrue(r.lines().stream().anyMatch(l -> l.matches("verdict rdma: (ok|none)")), r::toString);
        assertTrue(r.stdout().contains("heuristic"), "the XDP columns must say they are a heuristic");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReportThisMachineInJson()
    {
        final DeployScripts.Result r = run("preflight.sh", "--json");
        assertEquals(0, r.exitCode(), r::toString);
        final Object json = MiniJson.parse(r.stdout());

        assertEquals(Long.parseLong(DeployScripts.command("nproc")), MiniJson.at(json, "cpu.count"));
        assertEquals(readKernelFile("/proc/sys/kernel/osrelease"), MiniJson.at(json, "host.kernel"));
        assertEquals(DeployScripts.isRoot(), MiniJson.at(json, "host.root"));
        assertEquals(meminfo("HugePages_Total"), MiniJson.at(json, "hugepages.meminfo.total"));
        assertEquals(meminfo("Hugepagesize"), MiniJson.at(json, "hugepages.meminfo.sizeKb"));
        assertEquals(Long.parseLong(readKernelFile("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")),
            MiniJson.at(json, "hugepages.2M.reserved"));
        assertEquals(new File("/sys/kernel/mm/hugepages/hugepages-1048576kB").isDirectory(), MiniJson.at(json, "hugepages.1G.supported"));
        assertEquals(meminfo("MemTotal"), MiniJson.at(json, "memory.totalKb"));
        final String[] nodes = new File("/sys/devices/system/node").list((d, n) -> n.matches("node\\d+"));
        assertEquals(nodes == null ? 0 : nodes.length, ((List<Object>)MiniJson.at(json, "numa.nodes")).size());

        final Map<String, Object> verdicts = (Map<String, Object>)MiniJson.at(json, "verdicts");
        assertEquals(BACKENDS, verdicts.keySet());
        assertEquals("ok", MiniJson.at(json, "verdicts.kernel.status"));
        assertTrue(Set.of("ok", "limited", "no").contains(MiniJson.at(json, "verdicts.xdp.status")), r::toString);
        assertTrue(Set.of("ok", "limited", "no").contains(MiniJson.at(json, "verdicts.dpdk.status")), r::toString);
        for (final String backend : BACKENDS)
        {
            assertFalse(((List<Object>)MiniJson.at(json, "verdicts." + backend + ".reasons")).isEmpty(), backend + " has no reasons");
        }
        final String[] rdma = new File("/sys/class/infiniband").list();
        assertEquals(rdma == null || rdma.length == 0 ? "none" : "ok", MiniJson.at(json, "verdicts.rdma.status"));

        // Every NIC in /sys/class/net but lo is listed (interfaces other tests create may come and go).
        final List<Object> nics = (List<Object>)MiniJson.at(json, "nics");
        final String defaultNic = DeployScripts.command("sh", "-c", "ip -4 route show default | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p' | head -1");
        if (!defaultNic.isEmpty())
        {
            final Map<String, Object> nic = nics.stream().map(n -> (Map<String, Object>)n)
                .filter(n -> defaultNic.equals(n.get("name"))).findFirst().orElseThrow(() -> new AssertionError(defaultNic + " missing"));
            assertEquals(Boolean.TRUE, nic.get("defaultRoute"));
            assertEquals(Long.parseLong(readKernelFile("/sys/class/net/" + defaultNic + "/mtu")), nic.get("mtu"));
        }
        assertTrue(nics.stream().noneMatch(n -> "lo".equals(((Map<String, Object>)n).get("name"))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldRunWithoutRoot() throws IOException
    {
        assumeTrue(DeployScripts.isRoot(), "this test drops from root to nobody; as non-root the other tests already cover it");
        assumeTrue(DeployScripts.onPath("setpriv"), "setpriv (util-linux) is not installed");
        // A copy under /tmp: the checkout may sit under a directory nobody cannot enter (/root).
        final Path dir = Files.createTempDirectory(Path.of("/tmp"), "wirekv-preflight-" + ProcessHandle.current().pid() + "-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try
        {
            Files.createDirectories(dir.resolve("lib"));
            Files.copy(DeployScripts.script("preflight.sh"), dir.resolve("preflight.sh"), StandardCopyOption.COPY_ATTRIBUTES);
            Files.copy(DeployScripts.script("lib/common.sh"), dir.resolve("lib/common.sh"), StandardCopyOption.COPY_ATTRIBUTES);
            for (final String f : new String[] {"lib", "lib/common.sh", "preflight.sh"})
            {
                Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            final List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

            final DeployScripts.Result json = DeployScripts.run(Map.of(), asNobody, dir.resolve("preflight.sh").toString(), "--json");
            assertEquals(0, json.exitCode(), json::toString);
            final Object parsed = MiniJson.parse(json.stdout());
            assertEquals(Boolean.FALSE, MiniJson.at(parsed, "host.root"));
            assertEquals("ok", MiniJson.at(parsed, "verdicts.kernel.status"));
            assertEquals(meminfo("HugePages_Total"), MiniJson.at(parsed, "hugepages.meminfo.total"));
            assertTrue(((List<Object>)MiniJson.at(parsed, "verdicts.xdp.reasons")).stream().anyMatch(s -> ((String)s).startsWith("needs root")),
                json::toString);

            final DeployScripts.Result text = DeployScripts.run(Map.of(), asNobody, dir.resolve("preflight.sh").toString());
            assertEquals(0, text.exitCode(), text::toString);
            assertTrue(text.stdout().contains("not root (some facts hidden"), text::toString);

            // Not root, but with the capabilities the systemd unit grants: preflight says they are enough.
            final String caps = "+net_admin,+net_raw,+ipc_lock,+bpf,+perfmon";
            final List<String> withCaps = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=" + caps, "--ambient-caps=" + caps);
            final DeployScripts.Result capable = DeployScripts.run(Map.of(), withCaps, dir.resolve("preflight.sh").toString());
            assertEquals(0, capable.exitCode(), capable::toString);
            assertTrue(capable.stdout().contains("not root, but this process holds CAP_NET_ADMIN"), capable::toString);
            assertTrue(!capable.stdout().contains("memlock limit") || capable.stdout().contains("unlimited"), capable::toString);
        }
        finally
        {
            DeployScripts.deleteTree(dir);
        }
    }

    @Test
    void shouldRejectAnUnknownOption()
    {
        final DeployScripts.Result r = run("preflight.sh", "--jsn");

        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("unknown option '--jsn'"), r::toString);
    }
}
