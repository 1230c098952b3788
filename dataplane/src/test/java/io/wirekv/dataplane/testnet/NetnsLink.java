package io.wirekv.dataplane.testnet;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by one veth pair, for tests of two processes talking over a link the test can
 * cut, delay and make lossy (a replication primary and its backup):
 * <pre>
 *   netns wkv-PID-Na:  wkv-PID-Na  10.213.S.1/30   <--veth-->   10.213.S.2/30  wkv-PID-Nb  :netns wkv-PID-Nb
 * </pre>
 * Names are unique per process and link ({@code wkv-} prefix, PID in base 36), so parallel runs do not collide;
 * the addresses live only inside the two namespaces, so they collide with nothing on the host. Both ends transmit
 * complete checksums ({@code ethtool -K DEV tx off}): a veth otherwise hands over partial UDP checksums.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #create()} needs root and {@code ip}/{@code tc}/{@code ethtool} (iproute2, ethtool); check
 *       {@link #skipReason()} first. It returns with both ends up and addressed, or throws having removed what it
 *       made.</li>
 *   <li>Processes: {@link #start} runs a command inside an end's namespace ({@code ip netns exec}, which execs the
 *       command, so the {@link Process}'s PID is the command's own) and keeps it; {@link #execPrefix} gives the
 *       prefix for callers that start processes themselves. {@link #inside} runs Java code (sockets) in a
 *       namespace.</li>
 *   <li>Faults, all applied to both directions and each taking effect when it returns: {@link #cut()}/{@link #heal()}
 *       set both ends down/up (established TCP connections survive a short cut; segments sent meanwhile are
 *       retransmitted after heal, after the sender's backed-off RTO); {@link #delay}/{@link #loss} replace a
 *       {@code netem} qdisc on both ends (so a round trip gains twice the delay), and combine; {@link #clear()}
 *       removes it. Delay and loss need the kernel's {@code sch_netem}: {@link #netemSkipReason()} says when it is
 *       missing, and they throw then.</li>
 *   <li>{@link #close()} (idempotent; also run by a shutdown hook if the JVM exits first) kills, by PID, the
 *       processes {@link #start} started and any other process still inside the two namespaces (only the test can
 *       have put them there), then deletes both namespaces, which deletes the veth pair.</li>
 * </ul>
 * Threading: one test thread drives a link; {@link #close()} may also run on the shutdown hook's thread.
 */
public final class NetnsLink implements AutoCloseable
{
    /** One end of the link. */
    public enum End
    {
        A, B
    }

    private static int links;

    private final String[] namespaces = new String[2];
    private final String[] devices = new String[2];
    private final String[] addresses = new String[2];
    private final List<Process> processes = new ArrayList<>();
    private final Thread cleanup;
    private String netemSkipReason;
    private int delayMs;
    private int jitterMs;
    private double lossPercent;
    private boolean closed;

    private NetnsLink(final int id)
    {
        final String name = "wkv-" + Long.toString(ProcessHandle.current().pid(), 36) + "-" + id;
        final int subnet = id % 250;
        for (final End end : End.values())
        {
            final String suffix = end.name().toLowerCase(Locale.ROOT);
            namespaces[end.ordinal()] = name + suffix;
            devices[end.ordinal()] = name + suffix; // at most 15 characters: "wkv-" + 5 of PID + "-" + id + "a"
            addresses[end.ordinal()] = "10.213." + subnet + "." + (end.ordinal() + 1);
        }
        this.cleanup = new Thread(this::shutDown, name + "-cleanup");
    }

    /** Why links cannot be made here (not root, no {@code ip}), or null. */
    public static String skipReason()
    {
        return NetnsCommands.skipReason();
    }

    /**
     * Creates both namespaces and the veth pair between them, addresses both ends and brings them (and each
     * namespace's loopback) up; finds out whether netem works.
     *
     * @return the link; close it.
     */
    public static synchronized NetnsLink create()
    {
        final NetnsLink link = new NetnsLink(++links);
        Runtime.getRuntime().addShutdownHook(link.cleanup);
        try
        {
            link.deleteQuietly(); // leftovers of a crashed run with the same PID
            NetnsCommands.run("ip", "netns", "add", link.namespaces[0]);
            NetnsCommands.run("ip", "netns", "add", link.namespaces[1]);
            NetnsCommands.run("ip", "link", "add", link.devices[0], "netns", link.namespaces[0], "type", "veth",
                "peer", "name", link.devices[1], "netns", link.namespaces[1]);
            for (final End end : End.values())
            {
                link.exec(end, "ip", "addr", "add", link.address(end) + "/30", "dev", link.device(end));
                link.exec(end, "ip", "link", "set", link.device(end), "up");
                link.exec(end, "ip", "link", "set", "lo", "up");
                link.exec(end, "ethtool", "-K", link.device(end), "tx", "off");
            }
            link.netemSkipReason = link.probeNetem();
            return link;
        }
        catch (final RuntimeException ex)
        {
            link.close();
            throw ex;
        }
    }

    public String namespace(final End end)
    {
        return namespaces[end.ordinal()];
    }

    /** The end's veth device, inside its namespace. */
    public String device(final End end)
    {
        return devices[end.ordinal()];
    }

    /** The end's IPv4 address (on a /30 shared with the other end). */
    public String address(final End end)
    {
        return addresses[end.ordinal()];
    }

    /** {@code ip netns exec NAME}: prepend it to a command to run that command inside the end's namespace. */
    public List<String> execPrefix(final End end)
    {
        return List.of("ip", "netns", "exec", namespace(end));
    }

    /**
     * Runs a command inside the end's namespace to its end (at most 30 s) and returns its output.
     *
     * @throws IllegalStateException when it fails, with its output.
     */
    public String exec(final End end, final String... command)
    {
        return NetnsCommands.run(NetnsCommands.inNamespace(namespace(end), command));
    }

    /**
     * Starts a long-running process inside the end's namespace, output (stdout and stderr) to {@code output};
     * {@link #close()} kills it if it still runs.
     */
    public synchronized Process start(final End end, final File output, final String... command) throws IOException
    {
        if (closed)
        {
            throw new IllegalStateException("link closed");
        }
        final Process process = new ProcessBuilder(NetnsCommands.inNamespace(namespace(end), command))
            .redirectErrorStream(true).redirectOutput(output).start();
        processes.add(process);
        return process;
    }

    /** Runs {@code action} on a thread inside the end's namespace (its sockets stay there); at most 60 s. */
    public <T> T inside(final End end, final Callable<T> action)
    {
        return NetnsCommands.inside(namespace(end), action);
    }

    /** Cuts the link: both ends down. Routes over it vanish until {@link #heal()}. */
    public void cut()
    {
        for (final End end : End.values())
        {
            exec(end, "ip", "link", "set", device(end), "down");
        }
    }

    /** Heals a {@link #cut()}: both ends up again (the address routes come back with them). */
    public void heal()
    {
        for (final End end : End.values())
        {
            exec(end, "ip", "link", "set", device(end), "up");
        }
    }

    /**
     * Delays every packet in each direction by {@code ms} plus or minus {@code jitterMs} (a round trip gains about
     * twice that), keeping any {@link #loss} set.
     *
     * @throws IllegalStateException when the kernel has no netem ({@link #netemSkipReason()}).
     */
    public void delay(final int ms, final int jitterMs)
    {
        if (ms < 0 || jitterMs < 0 || jitterMs > ms)
        {
            throw new IllegalArgumentException("delay " + ms + " ms, jitter " + jitterMs + " ms: want 0 <= jitter <= delay");
        }
        this.delayMs = ms;
        this.jitterMs = jitterMs;
        applyNetem();
    }

    /**
     * Drops {@code percent} of the packets in each direction, at random, keeping any {@link #delay} set.
     *
     * @throws IllegalStateException when the kernel has no netem ({@link #netemSkipReason()}).
     */
    public void loss(final double percent)
    {
        if (percent < 0 || percent > 100)
        {
            throw new IllegalArgumentException("loss " + percent + "%: want 0..100");
        }
        this.lossPercent = percent;
        applyNetem();
    }

    /** Removes delay and loss (the netem qdisc) from both ends; harmless when none is set. */
    public void clear()
    {
        delayMs = 0;
        jitterMs = 0;
        lossPercent = 0;
        for (final End end : End.values())
        {
            NetnsCommands.runQuietly(NetnsCommands.inNamespace(namespace(end), "tc", "qdisc", "del", "dev", device(end),
                "root"));
        }
    }

    /** Why {@link #delay} and {@link #loss} cannot work on this kernel (no {@code sch_netem}), or null. */
    public String netemSkipReason()
    {
        return netemSkipReason;
    }

    private void applyNetem()
    {
        if (null != netemSkipReason)
        {
            throw new IllegalStateException(netemSkipReason);
        }
        for (final End end : End.values())
        {
            exec(end, "tc", "qdisc", "replace", "dev", device(end), "root", "netem", "delay", delayMs + "ms",
                jitterMs + "ms", "loss", String.format(Locale.ROOT, "%.3f%%", lossPercent));
        }
    }

    /** Loads sch_netem where modprobe exists, then tries a netem qdisc on end A: null if it works, else why not. */
    private String probeNetem()
    {
        if (new File("/usr/sbin/modprobe").canExecute() || new File("/sbin/modprobe").canExecute())
        {
            NetnsCommands.runQuietly("modprobe", "sch_netem");
        }
        final NetnsCommands.Result r = NetnsCommands.execute(30, NetnsCommands.inNamespace(namespace(End.A),
            "tc", "qdisc", "replace", "dev", device(End.A), "root", "netem", "delay", "0ms"));
        if (r.exit() != 0)
        {
            return "this kernel has no netem qdisc (sch_netem; `tc qdisc ... netem` says: " + r.output().trim() +
                "): delay and loss cannot be emulated here";
        }
        clear();
        return null;
    }

    /** Kills what runs in the namespaces (by PID) and deletes them with the veth pair; idempotent. */
    @Override
    public void close()
    {
        shutDown();
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // the hook is running or will run: it finds nothing left
        }
    }

    private synchronized void shutDown()
    {
        closed = true;
        deleteQuietly();
    }

    private synchronized void deleteQuietly()
    {
        for (final Process p : processes)
        {
            p.destroy();
        }
        for (final Process p : processes)
        {
            try
            {
                if (!p.waitFor(5, TimeUnit.SECONDS))
                {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (final String namespace : namespaces)
        {
            // processes started in the namespace by other means (a ServeProcess) that outlived their owner
            final NetnsCommands.Result pids = NetnsCommands.execute(10, "ip", "netns", "pids", namespace);
            if (pids.exit() == 0)
            {
                pids.output().lines().map(String::strip).filter(s -> s.matches("\\d+"))
                    .forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly));
            }
            NetnsCommands.runQuietly("ip", "netns", "delete", namespace); // its veth end goes, and with it the peer
        }
    }
}
