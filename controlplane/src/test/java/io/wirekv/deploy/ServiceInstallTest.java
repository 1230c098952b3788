package io.wirekv.deploy;

import static io.wirekv.deploy.DeployScripts.read;
import static io.wirekv.deploy.DeployScripts.run;
import static io.wirekv.deploy.DeployScripts.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.wirekv.controlplane.config.ConcludedConfig;
import io.wirekv.controlplane.config.ConfigLoader;
import io.wirekv.controlplane.config.ConfigValidator;
import io.wirekv.controlplane.config.Machine;
import io.wirekv.controlplane.config.Setting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The systemd unit (key settings; systemd-analyze finds nothing wrong), the production
 * configuration example (valid for a production-sized machine), and install-service.sh
 * (dry-run lines; a real staged install under --destdir, twice, then uninstall).
 */
class ServiceInstallTest
{
    private static final Path UNIT = DeployScripts.script("systemd/wirekv@.service");
    private static final Path EXAMPLE = DeployScripts.script("systemd/wirekv.conf.example");

    private Path dir;

    @BeforeEach
    void createDir() throws IOException
    {
        dir = Files.createTempDirectory("wirekv-service-test-" + ProcessHandle.current().pid() + "-");
    }

    @AfterEach
    void deleteDir()
    {
        DeployScripts.deleteTree(dir);
    }

    @Test
    void shouldRunTheLauncherWithLockedMemoryAndCapabilitiesNotRoot()
    {
        final List<String> lines = read(UNIT).lines().toList();

        assertTrue(lines.contains("ExecStart=/opt/wirekv/deploy/wirekv serve --config /etc/wirekv/%i.conf --instance %i"), UNIT::toString);
        assertTrue(lines.contains("ExecStartPre=/opt/wirekv/deploy/wirekv serve --config /etc/wirekv/%i.conf --instance %i --check"));
        assertTrue(lines.contains("LimitMEMLOCK=infinity"));
        assertTrue(lines.contains("Restart=on-failure"));
        assertTrue(lines.contains("User=wirekv"));
        assertTrue(lines.contains("NoNewPrivileges=yes"));
        assertTrue(lines.contains("SuccessExitStatus=143"));
        // Type=notify: started means serving (READY=1 from the JVM, the main process); logs carry their levels.
        assertTrue(lines.contains("Type=notify"));
        assertTrue(lines.contains("NotifyAccess=main"));
        assertTrue(lines.contains("SyslogLevelPrefix=yes"));
        // The unit itself grants what the kernel backend needs: binding a port, nothing else.
        assertTrue(lines.contains("AmbientCapabilities=CAP_NET_BIND_SERVICE"), UNIT::toString);
        assertTrue(lines.contains("CapabilityBoundingSet=CAP_NET_BIND_SERVICE"), UNIT::toString);
        // The bypass backends add theirs in drop-ins, both lists alike.
        final Map<String, String[]> backendCaps = Map.of(
            "xdp", new String[] {"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_BPF", "CAP_PERFMON", "CAP_IPC_LOCK"},
            "dpdk", new String[] {"CAP_IPC_LOCK", "CAP_SYS_ADMIN"});
        for (final Map.Entry<String, String[]> backend : backendCaps.entrySet())
        {
            final List<String> dropIn = read(DeployScripts.script("systemd/backend-" + backend.getKey() + ".conf")).lines().toList();
            assertTrue(dropIn.contains("[Service]"), backend.getKey());
            for (final String prefix : new String[] {"AmbientCapabilities=", "CapabilityBoundingSet="})
            {
                final String caps = dropIn.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
                for (final String cap : backend.getValue())
                {
                    assertTrue(caps.contains(cap), backend.getKey() + " " + prefix + " lacks " + cap);
                }
            }
        }
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("MemoryDenyWriteExecute=yes")), "the JVM's JIT needs W+X memory");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("PrivateDevices=yes")), "DPDK needs /dev/vfio");
        // ProtectClock implies DeviceAllow=char-rtc, and any DeviceAllow turns devices into an allow-list.
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("ProtectClock=yes") || l.startsWith("DeviceAllow=")),
            "a device allow-list would deny DPDK /dev/vfio");
    }

    @Test
    void shouldPassSystemdAnalyzeVerify() throws IOException
    {
        assumeTrue(DeployScripts.onPath("systemd-analyze"), "systemd-analyze is not installed");
        // The launcher is not installed under /opt here: point the commands at /bin/true so that
        // verify checks everything else (keys, values, sections).
        // Each backend's drop-in is checked as part of the unit (a second [Service] section is what it adds).
        for (final String backend : new String[] {"kernel", "xdp", "dpdk"})
        {
            final Path dropIn = DeployScripts.script("systemd/backend-" + backend + ".conf");
            final Path unit = dir.resolve("wirekv@ci-" + backend + ".service");
            write(unit, read(UNIT).replace("/opt/wirekv/deploy/wirekv", "/bin/true") + "\n" +
                (Files.exists(dropIn) ? read(dropIn) + "\n" : ""));
            final DeployScripts.Result r = DeployScripts.exec(Map.of(), List.of("systemd-analyze", "verify", "--man=no", unit.toString()));

            assertEquals(0, r.exitCode(), r::toString);
            assertEquals("", r.all().trim(), "systemd-analyze complained about the unit with the " + backend + " drop-in");
        }
    }

    @Test
    void shouldShipAValidProductionConfigurationExample()
    {
        final Map<String, Setting> settings = ConfigLoader.load(EXAMPLE);
        final ConcludedConfig config = ConfigValidator.validate(settings, new Machine(16, 64L << 30));

        assertEquals("xdp", settings.get("backend").value());
        assertEquals("busy-spin", settings.get("idle").value());
        assertEquals(2, settings.get("cpus").value().split(",").length);
        assertEquals("2", settings.get("lcores").value());
        assertEquals(9151, config.metricsPort(), "the example ships with the Prometheus exporter on");
        assertEquals("127.0.0.1", config.metricsListen(), "and bound to loopback");
        assertTrue(config.toString().length() > 0);
    }

    @Test
    void shouldPrintEveryStepInDryRun()
    {
        final DeployScripts.Result r = run("install-service.sh", "--instance", "edge1", "--enable", "--dry-run");
        final String deploy = DeployScripts.DEPLOY.toString();

        assertEquals(0, r.exitCode(), r::toString);
        assumeTrue(!Files.exists(Path.of("/opt/wirekv")), "wirekv is installed under /opt/wirekv on this machine; the lines would differ");
        assertTrue(r.lines().contains("would run: install -D -m 0755 " + deploy + "/wirekv /opt/wirekv/deploy/wirekv"), r::toString);
        assertTrue(r.lines().contains("would run: install -D -m 0755 " + deploy + "/hugepages.sh /opt/wirekv/deploy/hugepages.sh"), r::toString);
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("would run: install -D -m 0644 ") && l.endsWith(" /opt/wirekv/lib/wirekv.jar")),
            r::toString);
        if (!Files.exists(Path.of("/etc/systemd/system/wirekv@.service")))
        {
            assertTrue(r.lines().contains("would write: /etc/systemd/system/wirekv@.service"), r::toString);
            assertTrue(r.lines().contains("    ExecStart=/opt/wirekv/deploy/wirekv serve --config /etc/wirekv/%i.conf --instance %i"), r::toString);
        }
        if (!Files.exists(Path.of("/etc/wirekv/edge1.conf")))
        {
            assertTrue(r.lines().contains("would run: install -D -m 0640 " + deploy + "/systemd/wirekv.conf.example /etc/wirekv/edge1.conf"),
                r::toString);
        }
        assertTrue(r.stdout().contains("systemctl enable wirekv@edge1.service"), r::toString);
        assertFalse(Files.exists(Path.of("/etc/wirekv/edge1.conf")), "dry-run created the configuration");
    }

    @Test
    void shouldStageAnInstallIdempotentlyAndUninstallIt()
    {
        final Path jar = dir.resolve("wirekv.jar");
        write(jar, "not really a jar");
        final Path stage = dir.resolve("stage");

        final DeployScripts.Result first = run("install-service.sh", "--destdir", stage.toString(), "--prefix", "/srv/wk",
            "--jar", jar.toString(), "--instance", "cache1");

        assertEquals(0, first.exitCode(), first::toString);
        assertTrue(Files.isExecutable(stage.resolve("srv/wk/deploy/wirekv")));
        assertTrue(Files.isExecutable(stage.resolve("srv/wk/deploy/preflight.sh")));
        assertTrue(Files.isRegularFile(stage.resolve("srv/wk/deploy/lib/common.sh")));
        assertEquals("not really a jar", read(stage.resolve("srv/wk/lib/wirekv.jar")));
        final String unit = read(stage.resolve("etc/systemd/system/wirekv@.service"));
        assertTrue(unit.contains("ExecStart=/srv/wk/deploy/wirekv serve --config /etc/wirekv/%i.conf --instance %i"), unit);
        assertTrue(unit.contains("Environment=WIREKV_JAR=/srv/wk/lib/wirekv.jar"), unit);
        assertFalse(unit.contains("/opt/wirekv"), unit);
        assertEquals(read(EXAMPLE), read(stage.resolve("etc/wirekv/cache1.conf")));
        assertTrue(read(stage.resolve("etc/udev/rules.d/70-wirekv-vfio.rules")).contains("SUBSYSTEM==\"vfio\", GROUP=\"wirekv\""));
        // The example serves xdp: its capabilities come as this instance's drop-in.
        final Path dropIn = stage.resolve("etc/systemd/system/wirekv@cache1.service.d/backend.conf");
        assertEquals(read(DeployScripts.script("systemd/backend-xdp.conf")), read(dropIn));
        assertTrue(Files.isRegularFile(stage.resolve("srv/wk/deploy/systemd/backend-dpdk.conf")));

        write(stage.resolve("etc/wirekv/cache1.conf"), "memory = 1g\n");
        final DeployScripts.Result second = run("install-service.sh", "--destdir", stage.toString(), "--prefix", "/srv/wk",
            "--jar", jar.toString(), "--instance", "cache1");
        assertEquals(0, second.exitCode(), second::toString);
        assertTrue(second.lines().contains("unchanged: " + stage.resolve("srv/wk/deploy/wirekv")), second::toString);
        assertTrue(second.stdout().contains("kept existing " + stage.resolve("etc/wirekv/cache1.conf")), second::toString);
        assertEquals("memory = 1g", read(stage.resolve("etc/wirekv/cache1.conf")), "the operator's configuration was overwritten");
        assertFalse(second.stdout().contains("installed: "), second::toString);
        assertTrue(second.stdout().contains("backend kernel: no capabilities beyond the unit's"), "memory = 1g names no " +
            "backend, so the default kernel backend's: " + second);
        assertFalse(Files.exists(dropIn), "the kernel backend keeps no drop-in");
        final DeployScripts.Result dpdk = run("install-service.sh", "--destdir", stage.toString(), "--prefix", "/srv/wk",
            "--jar", jar.toString(), "--instance", "cache1", "--backend", "dpdk");
        assertEquals(0, dpdk.exitCode(), dpdk::toString);
        assertEquals(read(DeployScripts.script("systemd/backend-dpdk.conf")), read(dropIn));

        final DeployScripts.Result asRoot = run("install-service.sh", "--destdir", stage.toString(), "--prefix", "/srv/wk",
            "--jar", jar.toString(), "--instance", "cache1", "--as-root");
        assertEquals(0, asRoot.exitCode(), asRoot::toString);
        assertTrue(read(stage.resolve("etc/systemd/system/wirekv@.service")).lines().anyMatch("User=root"::equals));

        final DeployScripts.Result uninstall = run("install-service.sh", "--destdir", stage.toString(), "--prefix", "/srv/wk",
            "--instance", "cache1", "--uninstall");
        assertEquals(0, uninstall.exitCode(), uninstall::toString);
        assertFalse(Files.exists(stage.resolve("srv/wk")));
        assertFalse(Files.exists(stage.resolve("etc/systemd/system/wirekv@.service")));
        assertFalse(Files.exists(dropIn.getParent()), "uninstall removes the instance's drop-in");
        assertTrue(Files.exists(stage.resolve("etc/wirekv/cache1.conf")), "uninstall must keep the configuration");
    }

    @Test
    void shouldRefuseToInstallWithoutAJar()
    {
        final DeployScripts.Result r = run("install-service.sh", "--destdir", dir.resolve("stage").toString(),
            "--jar", dir.resolve("missing.jar").toString());

        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("missing.jar not found: build it first"), r::toString);
    }
}
