package io.wirekv.dataplane.testnet;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two network namespaces joined by one veth pair, for tests of two processes talking over a link the test can
 * cut, delay and make lossy (a replication primary and its backup):
 * <pre>
 *   netns wkv-PID-Na:  wkv-PID-Na  10.213.S.1/30   <--veth-->   10.213.S.2/30  wkv-PID-Nb  :netns wkv-PID-Nb
 *   with a delay:      wkv-PID-Nta (TUN) <--> relay process (host namespace) <--> wkv-PID-Ntb (TUN)
 * </pre>
 * Names are unique per process and link ({@code wkv-} prefix, PID in base 36), so parallel runs do not collide;
 * the addresses live only inside the two namespaces, so they collide with nothing on the host. Both ends transmit
 * complete checksums ({@code ethtool -K DEV tx off}): a veth otherwise hands over partial UDP checksums.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #create()} needs root and {@code ip}/{@code tc}/{@code ethtool} (iproute2, ethtool); check
 *       {@link #skipReason()} first. It returns with both ends up and addressed, or throws having removed what it
 *       made. {@link #delay} also needs {@code /dev/net/tun} and Debian's {@code /usr/bin/python3}, {@link #loss}
 *       {@code nft} (nftables); deploy/install-deps.sh installs both, and they throw saying so when one is
 *       missing.</li>
 *   <li>Processes: {@link #start} runs a command inside an end's namespace ({@code ip netns exec}, which execs the
 *       command, so the {@link Process}'s PID is the command's own) and keeps it; {@link #execPrefix} gives the
 *       prefix for callers that start processes themselves. {@link #inside} runs Java code (sockets) in a
 *       namespace.</li>
 *   <li>Faults, all applied to both directions and each taking effect when it returns: {@link #cut()}/{@link #heal()}
 *       set both ends down/up (established TCP connections survive a short cut; segments sent meanwhile are
 *       retransmitted after heal, after the sender's backed-off RTO); {@link #delay} and {@link #loss} combine
 *       with each other and with a cut; {@link #clear()} removes both (and any qdisc a test put on the veth).</li>
 *   <li>No netem here: this kernel has no {@code sch_netem} (nor fq or etf), so the two impairments are made with
 *       what it has. Loss: an nf_tables table ({@code inet wirekvlink}) in each namespace drops that share of the
 *       packets arriving from the other end ({@code numgen random}), before any socket sees them: real kernel drops
 *       of real packets, on whichever path they came. Delay: a user-space relay in the style of Mahimahi's
 *       delayshell ({@link TunDelayRelay}, {@code deploy/lib/netns-relay.py}): a TUN device in each namespace, a
 *       host route to the other end's address through it (more specific than the veth's /30, so both directions
 *       take it and the addresses stay the same), and a process that holds each packet for the one-way delay (a
 *       round trip gains twice that) and writes it to the other TUN device. It is an honest substitute, not the
 *       same thing: the queue is in user space (microseconds of scheduling noise on top), and a packet crosses
 *       two TUN devices instead of the veth while a delay is set.</li>
 *   <li>{@link #close()} (idempotent; also run by a shutdown hook if the JVM exits first) stops the relay (its TUN
 *       devices and routes vanish with it; it also exits by itself when this JVM dies), kills, by PID, the
 *       processes {@link #start} started and any other process still inside the two namespaces (only the test can
 *       have put them there), then deletes both namespaces, which deletes the veth pair and the nf_tables
 *       tables.</li>
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

    private static final String NFT = "/usr/sbin/nft";
    private static final String NFT_TABLE = "wirekvlink";
    private static final Pattern DROP_COUNTER = Pattern.compile("counter packets (\\d+) bytes \\d+ drop comment \"(\\w+)\"");
    private static int links;

    private final String[] namespaces = new String[2];
    private final String[] devices = new String[2];
    private final String[] addresses = new String[2];
    private final String[] tunDevices = new String[2];
    private final List<Process> processes = new ArrayList<>();
    private final Thread cleanup;
    private TunDelayRelay relay;
    private boolean isCut;
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
            tunDevices[end.ordinal()] = name + "t" + suffix; // at most 15 characters too
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
     * namespace's loopback) up.
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

    /** The TUN device the delay relay adds at this end, inside its namespace, while a {@link #delay} is set. */
    public String tunDevice(final End end)
    {
        return tunDevices[end.ordinal()];
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

    /** Cuts the link: both ends down (with the delay relay's TUN devices). Routes over it vanish until {@link #heal()}. */
    public synchronized void cut()
    {
        isCut = true;
        for (final End end : End.values())
        {
            exec(end, "ip", "link", "set", device(end), "down");
            if (null != relay)
            {
                exec(end, "ip", "link", "set", tunDevices[end.ordinal()], "down");
            }
        }
    }

    /** Heals a {@link #cut()}: both ends up again (the address routes come back with them, and any delay's). */
    public synchronized void heal()
    {
        isCut = false;
        for (final End end : End.values())
        {
            exec(end, "ip", "link", "set", device(end), "up");
        }
        if (null != relay)
        {
            routeThroughRelay();
        }
    }

    /**
     * Delays every packet in each direction by {@code ms} plus or minus up to {@code jitterMs} (uniform, so packets
     * may be reordered, as with netem's jitter): a round trip gains about twice that. 0 removes the delay; any
     * {@link #loss} stays. Packets held by a previous delay are lost when it changes (TCP retransmits them).
     *
     * @throws IllegalStateException when the relay cannot run here (no TUN device, no {@code /usr/bin/python3}).
     */
    public synchronized void delay(final int ms, final int jitterMs)
    {
        if (ms < 0 || jitterMs < 0 || jitterMs > ms)
        {
            throw new IllegalArgumentException("delay " + ms + " ms, jitter " + jitterMs + " ms: want 0 <= jitter <= delay");
        }
        stopRelay(); // its devices and their routes go with it: the veth carries everything meanwhile
        if (0 == ms)
        {
            return;
        }
        relay = TunDelayRelay.start(tunDevices[0], tunDevices[1], ms, jitterMs);
        try
        {
            for (final End end : End.values())
            {
                NetnsCommands.run("ip", "link", "set", tunDevices[end.ordinal()], "netns", namespace(end));
            }
            if (!isCut)
            {
                routeThroughRelay();
            }
        }
        catch (final RuntimeException ex)
        {
            stopRelay();
            throw ex;
        }
    }

    /**
     * Drops {@code percent} of the packets arriving at each end from the other (so each direction loses that
     * share, a round trip about twice it), at random, with nf_tables; 0 drops none. Any {@link #delay} stays.
     *
     * @throws IllegalStateException when {@code nft} (Debian package nftables) is not installed.
     */
    public synchronized void loss(final double percent)
    {
        if (percent < 0 || percent > 100)
        {
            throw new IllegalArgumentException("loss " + percent + "%: want 0..100");
        }
        if (!Files.isExecutable(Path.of(NFT)))
        {
            throw new IllegalStateException("no " + NFT + " for packet loss: run deploy/install-deps.sh (Debian " +
                "package nftables)");
        }
        final long perTenThousand = Math.round(percent * 100);
        for (final End end : End.values())
        {
            if (0 == perTenThousand)
            {
                NetnsCommands.runQuietly(NetnsCommands.inNamespace(namespace(end), NFT, "delete", "table", "inet",
                    NFT_TABLE));
                continue;
            }
            final String match = "ip saddr " + address(End.values()[1 - end.ordinal()]) + " ip daddr " + address(end);
            final String share = perTenThousand < 10_000 ? " numgen random mod 10000 < " + perTenThousand : "";
            // "table; delete table; table {...}": replaces it in one transaction, whether it existed or not.
            // UDP has its own rule (and counter) so a test can count its datagrams apart from TCP's stray ACKs.
            nft(end, "table inet " + NFT_TABLE + "\ndelete table inet " + NFT_TABLE + "\n" +
                "table inet " + NFT_TABLE + " {\n" +
                "  chain ingress {\n" +
                "    type filter hook prerouting priority raw; policy accept;\n" +
                "    " + match + " meta l4proto udp" + share + " counter drop comment \"udp\"\n" +
                "    " + match + " meta l4proto != udp" + share + " counter drop comment \"other\"\n" +
                "  }\n" +
                "}\n");
        }
    }

    /** How many packets from the other end {@link #loss} has dropped at this end since it was last set. */
    public synchronized long droppedPackets(final End end)
    {
        return dropped(end, "udp") + dropped(end, "other");
    }

    /** How many of those were UDP datagrams (TCP segments, a delayed ACK say, are not). */
    public synchronized long droppedDatagrams(final End end)
    {
        return dropped(end, "udp");
    }

    private long dropped(final End end, final String rule)
    {
        final NetnsCommands.Result r = NetnsCommands.execute(30, NetnsCommands.inNamespace(namespace(end), NFT, "list",
            "table", "inet", NFT_TABLE));
        final Matcher m = DROP_COUNTER.matcher(r.output());
        while (r.exit() == 0 && m.find())
        {
            if (m.group(2).equals(rule))
            {
                return Long.parseLong(m.group(1));
            }
        }
        return 0;
    }

    /** Removes delay and loss, and any qdisc a test put on the veth ends; harmless when none is set. */
    public synchronized void clear()
    {
        delay(0, 0);
        if (Files.isExecutable(Path.of(NFT)))
        {
            loss(0);
        }
        for (final End end : End.values())
        {
            NetnsCommands.runQuietly(NetnsCommands.inNamespace(namespace(end), "tc", "qdisc", "del", "dev", device(end),
                "root"));
        }
    }

    /** Brings the relay's TUN devices up and routes each end's traffic to the other through its own. */
    private void routeThroughRelay()
    {
        if (!relay.isAlive())
        {
            throw new IllegalStateException("the delay relay exited: " + relay.output().trim());
        }
        for (final End end : End.values())
        {
            final String tun = tunDevices[end.ordinal()];
            exec(end, "ip", "link", "set", tun, "up");
            exec(end, "ip", "route", "replace", address(End.values()[1 - end.ordinal()]) + "/32", "dev", tun, "src",
                address(end));
        }
    }

    private void stopRelay()
    {
        if (null != relay)
        {
            relay.close();
            relay = null;
        }
    }

    private void nft(final End end, final String ruleset)
    {
        try
        {
            final Path file = Files.createTempFile("wirekv-link", ".nft");
            try
            {
                Files.writeString(file, ruleset);
                exec(end, NFT, "-f", file.toString());
            }
            finally
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
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
        stopRelay();
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
