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

import io.wirekv.dataplane.testnet.TestNetwork;
import io.wirekv.nativebindings.xdp.XdpLibraries;
import org.junit.jupiter.api.Test;

/**
 * The systemd unit's promise, checked without systemd: wirekv serves on the xdp backend as an
 * unprivileged user holding exactly the unit's AmbientCapabilities (read from the unit file), with
 * its hugepage memory locked. The server runs as nobody under setpriv on a veth pair whose peer
 * sits in a namespace this test creates; the client sends memcached UDP from inside it.
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
        final String caps = unitCapabilities();
        final Path dir = Files.createTempDirectory(Path.of("/tmp"), "wirekv-caps-" + ProcessHandle.current().pid() + "-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Process server = null;
        try (TestNetwork net = TestNetwork.create())
        {
            // nobody cannot read the build's class path where it is (~/.m2 is private): copy it.
            final String classPath = copyClassPath(dir);
            final List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=" + caps, "--ambient-caps=" + caps, "--bounding-set=-all," + caps,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Xmx256m", "-cp", classPath, "io.wirekv.controlplane.cli.WirekvCli", "serve", "--backend", "xdp",
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

    /** AmbientCapabilities= of deploy/systemd/wirekv@.service in setpriv's form: +net_admin,+net_raw,... */
    private static String unitCapabilities()
    {
        final String line = DeployScripts.read(DeployScripts.script("systemd/wirekv@.service")).lines()
            .filter(l -> l.startsWith("AmbientCapabilities=")).findFirst().orElseThrow();
        final List<String> caps = new ArrayList<>();
        for (final String cap : line.substring("AmbientCapabilities=".length()).trim().split("\\s+"))
        {
            caps.add("+" + cap.toLowerCase(Locale.ROOT).replaceFirst("^cap_", ""));
        }
        return String.join(",", caps);
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
