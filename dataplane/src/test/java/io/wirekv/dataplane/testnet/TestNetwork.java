package io.wirekv.dataplane.testnet;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A private network for a test: a network namespace with one end of a veth pair inside it and the
 * other end in this (the host) namespace, each with an address on a /24:
 * <pre>
 *   host ns:  HOST_IF  10.99.N.1/24   <--veth-->   PEER_IF  10.99.N.2/24  :netns NAME
 * </pre>
 * Names and the subnet are unique per process and instance, so parallel runs do not collide; traffic
 * only ever goes to the namespace (the network rule). {@link #close()} deletes the namespace, which
 * deletes the veth pair; a shutdown hook does it too if the test dies.
 * <p>
 * The namespace end computes its checksums in software (transmit offload off), as a real wire delivers them.
 * <p>
 * Code that must act from inside the namespace (a client's sockets) runs through
 * {@link #insideNamespace(Callable)}: a fresh platform thread enters the namespace with {@code setns},
 * and sockets it creates stay in the namespace when other threads use them.
 */
public final class TestNetwork implements AutoCloseable
{
    private static int instances;

    private final String namespace;
    private final String hostInterface;
    private final String peerInterface;
    private final String hostAddress;
    private final String peerAddress;
    private final Thread cleanup;
    private byte[] hostMac;
    private byte[] peerMac;

    private TestNetwork(final int id)
    {
        final long pid = ProcessHandle.current().pid();
        this.namespace = "wkv" + pid + "n" + id;
        this.hostInterface = "wkh" + (pid % 100_000) + "n" + id;
        this.peerInterface = "wkp" + (pid % 100_000) + "n" + id;
        final int subnet = freeSubnet((int)((pid * 7 + id) % 200) + 20);
        this.hostAddress = "10.99." + subnet + ".1";
        this.peerAddress = "10.99." + subnet + ".2";
        this.cleanup = new Thread(this::deleteQuietly, namespace + "-cleanup");
    }

    /**
     * @return why this cannot run here (not root, no {@code ip}), or null.
     */
    public static String skipReason()
    {
        return NetnsCommands.skipReason();
    }

    /**
     * Creates the namespace and the veth pair, addresses both ends and brings them (and the namespace's
     * loopback) up.
     *
     * @return the network; close it.
     */
    public static TestNetwork create()
    {
        return create(1);
    }

    /**
     * As {@link #create()}, with {@code queues} RX and TX queues on each end (a veth hands a frame to the
     * peer's RX queue of the index of the TX queue it was sent on, which the sender picks by flow hash).
     */
    public static synchronized TestNetwork create(final int queues)
    {
        final TestNetwork net = new TestNetwork(++instances);
        Runtime.getRuntime().addShutdownHook(net.cleanup);
        try
        {
            net.deleteQuietly(); // leftovers of a crashed run with the same pid
            run("ip", "netns", "add", net.namespace);
            final String q = Integer.toString(queues);
            run("ip", "link", "add", net.hostInterface, "numtxqueues", q, "numrxqueues", q, "type", "veth", "peer",
                "name", net.peerInterface, "numtxqueues", q, "numrxqueues", q);
            run("ip", "link", "set", net.peerInterface, "netns", net.namespace);
            run("ip", "addr", "add", net.hostAddress + "/24", "dev", net.hostInterface);
            run("ip", "link", "set", net.hostInterface, "up");
            net.inNamespace("ip", "addr", "add", net.peerAddress + "/24", "dev", net.peerInterface);
            net.inNamespace("ip", "link", "set", net.peerInterface, "up");
            net.inNamespace("ip", "link", "set", "lo", "up");
            // A veth "offloads" UDP checksums to nobody: the kernel leaves them partial (pseudo-header only),
            // which AF_XDP then shows as is. Real NICs put complete checksums on the wire; so must the peer.
            net.inNamespace("ethtool", "-K", net.peerInterface, "tx", "off");
            net.hostMac = java.util.HexFormat.ofDelimiter(":").parseHex(
                run("cat", "/sys/class/net/" + net.hostInterface + "/address").trim());
            net.peerMac = java.util.HexFormat.ofDelimiter(":").parseHex(
                net.inNamespace("cat", "/sys/class/net/" + net.peerInterface + "/address").trim());
            return net;
        }
        catch (final RuntimeException ex)
        {
            net.close();
            throw ex;
        }
    }

    public String namespace()
    {
        return namespace;
    }

    public String hostInterface()
    {
        return hostInterface;
    }

    public String peerInterface()
    {
        return peerInterface;
    }

    /** The host end's MAC address (6 bytes). */
    public byte[] hostMac()
    {
        return hostMac.clone();
    }

    /** The namespace end's MAC address (6 bytes). */
    public byte[] peerMac()
    {
        return peerMac.clone();
    }

    /** The host end's address (where the appliance serves). */
    public String hostAddress()
    {
        return hostAddress;
    }

    /** The namespace end's address (where clients sit). */
    public String peerAddress()
    {
        return peerAddress;
    }

    /**
     * Runs a command inside the namespace ({@code ip netns exec}) and returns its output.
     *
     * @throws IllegalStateException when it fails or runs past 30 s.
     */
    public String inNamespace(final String... command)
    {
        return inNamespace(30, command);
    }

    /**
     * Runs a command inside the namespace and returns its output.
     *
     * @throws IllegalStateException when it fails or runs past {@code timeoutSeconds}.
     */
    public String inNamespace(final int timeoutSeconds, final String... command)
    {
        return run(timeoutSeconds, inNamespaceCommand(command));
    }

    /**
     * @return the exit status of a command run inside the namespace (bounded by {@code timeoutSeconds}).
     */
    public int exitStatusInNamespace(final int timeoutSeconds, final String... command)
    {
        return execute(timeoutSeconds, inNamespaceCommand(command)).exit();
    }

    /**
     * Starts a long-running process inside the namespace; the caller stops it by its PID.
     */
    public Process startInNamespace(final String... command) throws IOException
    {
        return new ProcessBuilder(inNamespaceCommand(command)).redirectErrorStream(true).start();
    }

    private String[] inNamespaceCommand(final String... command)
    {
        return NetnsCommands.inNamespace(namespace, command);
    }

    /**
     * Runs {@code action} on a new platform thread that has entered the namespace, and returns its result:
     * sockets it creates belong to the namespace.
     */
    public <T> T insideNamespace(final Callable<T> action)
    {
        return NetnsCommands.inside(namespace, action);
    }

    @Override
    public void close()
    {
        deleteQuietly();
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        catch (final IllegalStateException ignore)
        {
            // already shutting down: the hook runs anyway
        }
    }

    private void deleteQuietly()
    {
        // Deleting the namespace deletes the peer end, and with it the whole veth pair.
        runQuietly("ip", "netns", "delete", namespace);
        runQuietly("ip", "link", "delete", hostInterface);
    }

    /** Runs a command, returns stdout+stderr; throws with the output when it fails or runs past 30 s. */
    public static String run(final String... command)
    {
        return NetnsCommands.run(command);
    }

    private static String run(final int timeoutSeconds, final String... command)
    {
        return NetnsCommands.run(timeoutSeconds, command);
    }

    private static NetnsCommands.Result execute(final int timeoutSeconds, final String... command)
    {
        return NetnsCommands.execute(timeoutSeconds, command);
    }

    /** The first 10.99.N.0/24 from {@code start} on that no route of this host uses yet. */
    private static int freeSubnet(final int start)
    {
        int subnet = start;
        for (int tries = 0; tries < 30; tries++, subnet = subnet % 250 + 1)
        {
            if (run(5, "ip", "-4", "route", "show", "10.99." + subnet + ".0/24").isBlank())
            {
                return subnet;
            }
        }
        return start;
    }

    private static void runQuietly(final String... command)
    {
        NetnsCommands.runQuietly(command);
    }
}
