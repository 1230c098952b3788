package io.wirekv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.wirekv.controlplane.systemd.UnixDatagramReceiver;
import io.wirekv.dataplane.testnet.TestNetwork;
import io.wirekv.nativebindings.xdp.XdpLibraries;
import org.junit.jupiter.api.Test;

/**
 * The systemd unit's promise, checked without systemd: wirekv serves as an unprivileged user holding
 * exactly the capabilities the unit grants its backend (AmbientCapabilities of the unit plus the backend's
 * drop-in, read from the files). On xdp, with its hugepage memory locked, on a veth pair whose peer sits
 * in a namespace this test creates (the client sends memcached UDP from inside it). On the kernel backend,
 * with no capability at all (a port above 1024), under LimitMEMLOCK=infinity as the unit sets it, telling
 * a fake systemd READY=1 on NOTIFY_SOCKET once it serves, with journal level prefixes on its output.
 */
class UnitCapabilitiesTest
{
    private static final Pattern SERVING = Pattern.compile("wirekv: serving udp xdp \\S+:(\\d+)");

    @Test
    void shouldServeXdpAsAnUnprivilegedUserWithOnlyTheUnitsCapabilities() throws Exception
    {
        final String skip = TestNetwork.skipReason();
        assumeTrue(skip == null, skip);
        assumeTrue(XdpLibraries.isAvailable(), () -> "libxdp/libbpf: " + XdpLibraries.unavailableReason());
        assumeTrue(DeployScripts.onPath("setpriv"), "setpriv (util-linux) is not installed");
        final String caps = unitCapabilities("xdp");
        final Path dir = Files.createTempDirectory(Path.of("/tmp"), "wirekv-caps-" + ProcessHandle.current().pid() + "-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Process server = null;
        try (TestNetwork net = TestNetwork.create())
        {
            // nobody cannot read the build's class path where it is (~/.m2 is private): copy it.
            final String classPath = copyClassPath(dir);
            final List<String> command = asNobodyWith(caps, classPath, List.of("serve", "--backend", "xdp",
                "--xdp-interface", net.hostInterface(), "--listen", net.hostAddress(), "--port", "0", "--memory", "32m",
                "--tcp-threads", "0", "--instance", "caps-test"));
            server = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile()).start();
            final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
            final StringBuilder log = new StringBuilder();
            final Process s = server;
            Thread.ofPlatform().daemon().start(() ->
            {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)))
                {
                    for (String line; (line = r.readLine()) != null; )
                    {
                        lines.offer(line);
                    }
                }
                catch (final IOException ignored)
                {
                    // the server exited
                }
            });
            int port = -1;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (port < 0 && System.nanoTime() < deadline && server.isAlive())
            {
                final String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null)
                {
                    log.append(line).append('\n');
                    final Matcher m = SERVING.matcher(line);
                    if (m.find())
                    {
                        port = Integer.parseInt(m.group(1));
                    }
                }
            }
            assertTrue(port > 0, () -> "the server did not start as nobody with " + caps + ":\n" + log + drain(lines));

            final String status = Files.readString(Path.of("/proc/" + server.pid() + "/status"));
            assertTrue(status.contains("\nUid:\t65534\t65534\t65534\t65534"), status);
            assertTrue(log.toString().contains("locked"), () -> "memory not locked:\n" + log);

            final InetSocketAddress target = new InetSocketAddress(net.hostAddress(), port);
            final String replies = net.insideNamespace(() ->
            {
                try (DatagramSocket socket = new DatagramSocket())
                {
                    socket.setSoTimeout(2000);
                    return exchange(socket, target, 1, "set caps:k 0 0 5\r\nhello\r\n") + exchange(socket, target, 2, "get caps:k\r\n");
                }
            });
            assertEquals("STORED\r\nVALUE caps:k 0 5\r\nhello\r\nEND\r\n", replies);

            server.destroy();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
            assertEquals(143, server.exitValue(), () -> log + drain(lines));
        }
        finally
        {
            if (server != null && server.isAlive())
            {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            DeployScripts.deleteTree(dir);
        }
    }

    @Test
    void shouldServeKernelBackendWithNoCapabilityAndNotifySystemdWhenReady() throws Exception
    {
        assumeTrue(DeployScripts.isRoot(), "needs root to drop to nobody with setpriv");
        assumeTrue(DeployScripts.onPath("setpriv"), "setpriv (util-linux) is not installed");
        final String caps = unitCapabilities("kernel");
        assertEquals("+net_bind_service", caps, "the kernel backend needs nothing but binding a port");
        final Path dir = Files.createTempDirectory(Path.of("/tmp"), "wirekv-caps-" + ProcessHandle.current().pid() + "-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        final Path socket = dir.resolve("notify.sock");
        Process server = null;
        try (UnixDatagramReceiver systemd = new UnixDatagramReceiver(socket.toString()))
        {
            DeployScripts.command("chmod", "0777", socket.toString()); // as systemd's: the service may write to it
            final String classPath = copyClassPath(dir);
            // (LimitMEMLOCK=infinity cannot be had here without CAP_SYS_RESOURCE: the table may stay unlocked, with a warning.)
            final List<String> command = asNobodyWith(caps, classPath, List.of("serve", "--backend", "kernel", "--listen",
                "127.0.0.1", "--port", "0", "--memory", "32", "--tcp-threads", "1", "--instance",
                "caps-kernel-" + ProcessHandle.current().pid()));
            final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
            pb.environment().put("NOTIFY_SOCKET", socket.toString());
            pb.environment().put("JOURNAL_STREAM", "8:4242");
            server = pb.start();
            final StringBuffer log = new StringBuffer();
            final Process p = server;
            Thread.ofPlatform().daemon().start(() ->
            {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
                {
                    for (String line; (line = r.readLine()) != null; )
                    {
                        log.append(line).append('\n');
                    }
                }
                catch (final IOException ignored)
                {
                    // the server exited
                }
            });

            final String ready = systemd.receive(60_000);
            assertTrue(ready != null && ready.startsWith("READY=1\n"), () -> "no READY=1 from the server (got " + ready + "):\n" + log);
            assertTrue(ready.contains("\nMAINPID=" + server.pid()), ready);
            final Matcher m = Pattern.compile("STATUS=serving udp 127\\.0\\.0\\.1:\\d+, tcp 127\\.0\\.0\\.1:(\\d+)").matcher(ready);
            assertTrue(m.find(), ready);
            // READY=1 means ready: the port answers now, no waiting.
            try (java.net.Socket tcp = new java.net.Socket("127.0.0.1", Integer.parseInt(m.group(1))))
            {
                tcp.setSoTimeout(5_000);
                tcp.getOutputStream().write("set caps:k 0 0 5\r\nhello\r\nget caps:k\r\n".getBytes(StandardCharsets.US_ASCII));
                final byte[] expected = "STORED\r\nVALUE caps:k 0 5\r\nhello\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);
                assertEquals(new String(expected, StandardCharsets.US_ASCII),
                    new String(tcp.getInputStream().readNBytes(expected.length), StandardCharsets.US_ASCII));
            }
            final String status = Files.readString(Path.of("/proc/" + server.pid() + "/status"));
            assertTrue(status.contains("\nUid:\t65534\t65534\t65534\t65534"), status);
            assertTrue(status.contains("\nCapEff:\t0000000000000400"), "only CAP_NET_BIND_SERVICE:\n" + status);

            server.destroy();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
            assertEquals(143, server.exitValue(), log::toString);
            assertEquals("STOPPING=1\nSTATUS=shutting down", systemd.receive(5_000));
            // Under systemd (JOURNAL_STREAM set) every line carries its syslog level for the journal.
            // (The JVM's own warnings, e.g. about sun.misc.Unsafe, bypass System.err and stay as they are.)
            final List<String> lines = log.toString().lines().filter(l -> !l.startsWith("WARNING: ")).toList();
            assertTrue(lines.stream().allMatch(l -> l.matches("<[346]>.*")), log::toString);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("<6>wirekv: serving udp 127.0.0.1:")), log::toString);
            assertTrue(lines.stream().filter(l -> l.contains("mlock(")).allMatch(l -> l.startsWith("<4>WARNING: wirekv: mlock(")),
                log::toString);
        }
        finally
        {
            if (server != null && server.isAlive())
            {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            DeployScripts.deleteTree(dir);
        }
    }

    /**
     * What the unit grants a backend, in setpriv's form (+net_admin,+net_raw,...): AmbientCapabilities= of
     * deploy/systemd/wirekv@.service plus those of deploy/systemd/backend-BACKEND.conf where there is one
     * (systemd merges the lines); the bounding set must be the same list.
     */
    static String unitCapabilities(final String backend)
    {
        final List<String> caps = new ArrayList<>();
        final List<String> bounding = new ArrayList<>();
        final List<Path> files = new ArrayList<>(List.of(DeployScripts.script("systemd/wirekv@.service")));
        final Path dropIn = DeployScripts.script("systemd/backend-" + backend + ".conf");
        if (Files.exists(dropIn))
        {
            files.add(dropIn);
        }
        for (final Path file : files)
        {
            for (final String line : DeployScripts.read(file).lines().toList())
            {
                final List<String> into = line.startsWith("AmbientCapabilities=") ? caps :
                    line.startsWith("CapabilityBoundingSet=") ? bounding : null;
                if (into != null)
                {
                    for (final String cap : line.substring(line.indexOf('=') + 1).trim().split("\\s+"))
                    {
                        into.add("+" + cap.toLowerCase(Locale.ROOT).replaceFirst("^cap_", ""));
                    }
                }
            }
        }
        assertEquals(caps, bounding, "AmbientCapabilities and CapabilityBoundingSet differ for " + backend);
        return String.join(",", caps);
    }

    /** java running WirekvCli as nobody (uid/gid 65534) under setpriv with exactly {@code caps}. */
    private static List<String> asNobodyWith(final String caps, final String classPath, final List<String> args)
    {
        final List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=" + caps, "--ambient-caps=" + caps, "--bounding-set=-all," + caps,
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Xmx256m", "-cp", classPath, "io.wirekv.controlplane.cli.WirekvCli"));
        command.addAll(args);
        return command;
    }

    private static String copyClassPath(final Path dir) throws IOException
    {
        final String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final List<String> copied = new ArrayList<>();
        int i = 0;
        for (final String entry : cp.split(File.pathSeparator))
        {
            final Path source = Path.of(entry);
            if (!Files.exists(source))
            {
                continue;
            }
            final Path target = dir.resolve("cp" + i++ + (Files.isDirectory(source) ? "" : ".jar"));
            if (Files.isDirectory(source))
            {
                try (Stream<Path> files = Files.walk(source))
                {
                    for (final Path p : (Iterable<Path>)files::iterator)
                    {
                        final Path t = target.resolve(source.relativize(p).toString());
                        if (Files.isDirectory(p))
                        {
                            Files.createDirectories(t);
                        }
                        else
                        {
                            Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
            else
            {
                Files.copy(source, target);
            }
            copied.add(target.toString());
        }
        DeployScripts.command("chmod", "-R", "a+rX", dir.toString());
        return String.join(File.pathSeparator, copied);
    }

    private static String exchange(final DatagramSocket socket, final InetSocketAddress target, final int requestId, final String request)
        throws IOException
    {
        final byte[] body = request.getBytes(StandardCharsets.US_ASCII);
        final byte[] frame = new byte[8 + body.length];
        frame[0] = (byte)(requestId >> 8);
        frame[1] = (byte)requestId;
        frame[5] = 1; // datagram count 1
        System.arraycopy(body, 0, frame, 8, body.length);
        socket.send(new DatagramPacket(frame, frame.length, target));
        final byte[] reply = new byte[2048];
        final DatagramPacket packet = new DatagramPacket(reply, reply.length);
        socket.receive(packet);
        return new String(reply, 8, packet.getLength() - 8, StandardCharsets.US_ASCII);
    }

    private static String drain(final BlockingQueue<String> lines)
    {
        final List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        return String.join("\n", rest);
    }
}
