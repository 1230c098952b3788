package io.wirekv.dataplane.port;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test network: a namespace {@code wkx-<pid>x<n>} and a veth pair whose host end ({@code wkxh<pid>x<n>},
 * 10.99.N.1/24) stays here and whose peer ({@code wkxp<pid>x<n>}, 10.99.N.2/24) sits inside the namespace.
 * N is chosen so no route for 10.99.N.0/24 exists yet. Needs root and iproute2. {@link #close()} deletes
 * the namespace and the link, also after a failed setup.
 */
public final class VethNamespace implements AutoCloseable
{
    public final String namespace;
    public final String hostInterface;
    public final String peerInterface;
    public final int subnet;
    public final String hostAddress;
    public final String peerAddress;
    public byte[] hostMac;
    public byte[] peerMac;

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private VethNamespace(final long pid, final int subnet)
    {
        // Unique per fixture in this JVM too (test classes share the pid), and at most 15 characters.
        final String id = pid + "x" + INSTANCES.getAndIncrement() % 100;
        this.namespace = "wkx-" + id;
        this.hostInterface = "wkxh" + id;
        this.peerInterface = "wkxp" + id;
        this.subnet = subnet;
        this.hostAddress = "10.99." + subnet + ".1";
        this.peerAddress = "10.99." + subnet + ".2";
    }

    /**
     * @return true when running as root (uid 0).
     */
    public static boolean isRoot()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("Uid:"))
                {
                    return "0".equals(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        }
        catch (final IOException ignored)
        {
            // not Linux
        }
        return false;
    }

    public static VethNamespace create() throws IOException, InterruptedException
    {
        final long pid = ProcessHandle.current().pid();
        int subnet = (int)(pid % 200) + 20;
        for (int tries = 0; tries < 30; tries++, subnet = subnet % 250 + 1)
        {
            if (run(5, "ip", "-4", "route", "show", "10.99." + subnet + ".0/24").isBlank())
            {
                break;
            }
        }
        final VethNamespace net = new VethNamespace(pid, subnet);
        try
        {
            net.setUp();
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            net.close();
            throw ex;
        }
        return net;
    }

    private void setUp() throws IOException, InterruptedException
    {
        // Left over from an earlier run with the same pid (a killed JVM): remove quietly.
        runQuietly("ip", "netns", "del", namespace);
        runQuietly("ip", "link", "del", hostInterface);

        check("ip", "netns", "add", namespace);
        check("ip", "link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface);
        check("ip", "link", "set", peerInterface, "netns", namespace);
        check("ip", "addr", "add", hostAddress + "/24", "dev", hostInterface);
        check("ip", "link", "set", hostInterface, "up");
        check("ip", "-n", namespace, "addr", "add", peerAddress + "/24", "dev", peerInterface);
        check("ip", "-n", namespace, "link", "set", peerInterface, "up");
        check("ip", "-n", namespace, "link", "set", "lo", "up");
        // veth leaves UDP checksums to "hardware" (CHECKSUM_PARTIAL): turn that off in the namespace so the
        // frames the AF_XDP socket sees carry real checksums the test can verify.
        final Result offload = execute(10, List.of("ip", "netns", "exec", namespace, "ethtool", "-K", peerInterface, "tx", "off"));
        if (offload.exit != 0)
        {
            throw new IllegalStateException("ethtool -K " + peerInterface + " tx off failed (install Debian package " +
                "ethtool): without it XDP sees UDP checksums the veth never filled in. " + offload.output);
        }
        hostMac = HexFormat.ofDelimiter(":").parseHex(
            Files.readString(Path.of("/sys/class/net/" + hostInterface + "/address")).trim());
        peerMac = HexFormat.ofDelimiter(":").parseHex(
            inNamespace(5, "cat", "/sys/class/net/" + peerInterface + "/address").trim());
    }

    /**
     * Runs a command inside the namespace and returns its output; fails on a non-zero exit.
     */
    public String inNamespace(final int timeoutSeconds, final String... command) throws IOException, InterruptedException
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        final Result result = execute(timeoutSeconds, full);
        if (result.exit != 0)
        {
            throw new IllegalStateException(full + " exited " + result.exit + ": " + result.output);
        }
        return result.output;
    }

    /**
     * Starts a command inside the namespace without waiting (stdout and stderr merged).
     */
    public Process startInNamespace(final String... command) throws IOException
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return new ProcessBuilder(full).redirectErrorStream(true).start();
    }

    /**
     * @return the exit status of a command inside the namespace (output discarded).
     */
    public int exitStatusInNamespace(final int timeoutSeconds, final String... command) throws IOException, InterruptedException
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return execute(timeoutSeconds, full).exit;
    }

    @Override
    public void close()
    {
        // Deleting the namespace destroys the peer, and a veth goes with its peer; the second call is a safety net.
        runQuietly("ip", "netns", "del", namespace);
        runQuietly("ip", "link", "del", hostInterface);
    }

    private static void check(final String... command) throws IOException, InterruptedException
    {
        final Result result = execute(10, List.of(command));
        if (result.exit != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exit + ": " + result.output);
        }
    }

    private static String run(final int timeoutSeconds, final String... command) throws IOException, InterruptedException
    {
        return execute(timeoutSeconds, List.of(command)).output;
    }

    private static void runQuietly(final String... command)
    {
        try
        {
            execute(10, List.of(command));
        }
        catch (final IOException | RuntimeException ignored)
        {
            // best effort clean-up
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private record Result(int exit, String output)
    {
    }

    private static Result execute(final int timeoutSeconds, final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + command);
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
