package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import org.agrona.concurrent.SystemEpochClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code wirekv demo}: the quick start, a preset of {@code wirekv bench} ({@link BenchCommand}). Starts an
 * in-process server with the embedded defaults on loopback (free ports), then runs the bench engine
 * against it: every key stored once, then UDP and TCP threads at once (a mixed trial, closed loop) with a
 * GET/SET mix for {@code --duration}, a progress line every second on stderr, and the bench's table
 * (requests/s and latency percentiles per transport) on stdout; then stops the server. With
 * {@code --target} it drives an already running server (wirekv or memcached) instead. {@link #benchArgs}
 * is the whole preset.
 */
@Command(name = "demo", sortOptions = false,
    description = {"Quick start: run a server on loopback and drive it over UDP and TCP at once.",
        "Starts an in-process server with the default configuration on a free",
        "loopback port, then runs wirekv bench against it: stores every key once,",
        "drives a GET/SET mix over UDP and TCP at once for --duration with a",
        "progress line every second (stderr), prints requests/s and latency",
        "percentiles per transport (stdout), then stops the server. With --target",
        "HOST:PORT it drives an already running server (wirekv or memcached)",
        "instead. --json writes the bench report (schema wirekv-bench/1)."})
final class DemoCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s",
        description = "how long to drive the load, e.g. 10s, 500ms, 2m (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--target", paramLabel = "HOST:PORT",
        description = "drive this running server (same port for UDP and TCP) instead of starting one")
    String target;

    @Option(names = "--get-ratio", paramLabel = "R", defaultValue = "0.9",
        description = "share of GETs, 0..1; the rest are SETs (default: ${DEFAULT-VALUE})")
    double getRatio;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "10000", description = "key space (default: ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--key-size", paramLabel = "BYTES", defaultValue = "16", description = "key length (default: ${DEFAULT-VALUE})")
    int keySize;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "32", description = "value length (default: ${DEFAULT-VALUE})")
    int valueSize;

    @Option(names = "--udp-threads", paramLabel = "N", defaultValue = "2",
        description = "UDP client threads, 0 = no UDP (default: ${DEFAULT-VALUE})")
    int udpThreads;

    @Option(names = "--tcp-threads", paramLabel = "N", defaultValue = "2",
        description = "TCP client threads, 0 = no TCP (default: ${DEFAULT-VALUE})")
    int tcpThreads;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "8",
        description = "UDP requests outstanding per thread (default: ${DEFAULT-VALUE})")
    int inFlight;

    @Option(names = "--pipeline", paramLabel = "N", defaultValue = "4",
        description = "TCP requests outstanding per thread (default: ${DEFAULT-VALUE})")
    int pipeline;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "500",
        description = "a request unanswered this long is lost (default: ${DEFAULT-VALUE})")
    int timeoutMs;

    @Option(names = "--idle", paramLabel = "spin|yield|park", defaultValue = "yield",
        description = "what an idle client thread does; yield leaves the CPUs to the server (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--no-warm-up", description = "skip storing every key before measuring")
    boolean noWarmUp;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON to FILE (schema wirekv-bench/1)")
    Path json;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        checkThreads();
        if (target != null)
        {
            final ServerAddress address;
            try
            {
                address = ServerAddress.parse(target);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new UserException("--target " + ex.getMessage());
            }
            out.println("driving " + address + " over " + transports() + " for " + describe(duration));
            return bench(address);
        }

        final WirekvServer server = startServer();
        final Thread hook = new Thread(server::close, "wirekv-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            if (server.tcpPort() < 0 && tcpThreads > 0)
            {
                throw new UserException("the demo server has TCP disabled; use --tcp-threads 0");
            }
            final ServerAddress address = new ServerAddress("127.0.0.1", udpThreads > 0 ? server.udpPort() : server.tcpPort());
            out.println("demo server: " + address + " (udp and tcp); driving it over " + transports() + " for " +
                describe(duration));
            out.flush();
            return bench(address);
        }
        finally
        {
            server.close();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignore)
            {
                // already shutting down: the hook closes the server again, which is harmless
            }
            out.println("demo server stopped");
        }
    }

    /**
     * The in-process server on a loopback port that is free for both UDP and TCP: the bench drives one
     * address. Another process may take the port between the probe and the bind; then it tries another.
     */
    private static WirekvServer startServer()
    {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                return WirekvServer.start(config(freePort()), SystemEpochClock.INSTANCE, System.out);
            }
            catch (final RuntimeException ex)
            {
                WirekvCli.debug(ex);
                last = ex;
            }
        }
        throw new UserException("cannot start the demo server: " + last.getMessage());
    }

    private static int freePort()
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try (ServerSocket tcp = new ServerSocket(0, 1, loopback);
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, tcp.getLocalPort())))
            {
                return udp.getLocalPort();
            }
            catch (final IOException ex)
            {
                // the UDP side of that port is taken: try another
            }
        }
        throw new UserException("cannot find a loopback port free for both UDP and TCP");
    }

    private static ServerConfig config(final int port)
    {
        final ServerConfig defaults = ServerConfig.defaults();
        return new ServerConfig(
            "demo", "127.0.0.1", port, defaults.backend(), defaults.lcores(), defaults.lcoreCpus(), defaults.writers(),
            defaults.tcpThreads(), defaults.partitions(), defaults.memoryBytes(), defaults.memoryMode(),
            defaults.itemSizeMaxBytes(), defaults.udpMaxPayloadBytes(), defaults.burstSize(), defaults.udpSlotsPerLcore(),
            defaults.idle(), defaults.preferHugepages());
    }

    /** Runs {@code wirekv bench} with the preset, on this command's out and err. */
    private int bench(final ServerAddress address) throws InterruptedException
    {
        final BenchCommand bench = new BenchCommand();
        final CommandLine cl = new CommandLine(bench);
        cl.registerConverter(Duration.class, new DurationConverter());
        cl.setOut(spec.commandLine().getOut());
        cl.setErr(spec.commandLine().getErr());
        try
        {
            cl.parseArgs(benchArgs(address).toArray(String[]::new));
        }
        catch (final CommandLine.ParameterException ex)
        {
            throw new UserException(ex.getMessage());
        }
        return bench.call();
    }

    /** The demo as {@code wirekv bench} options: UDP threads with TCP threads beside them (or one of the two). */
    List<String> benchArgs(final ServerAddress address)
    {
        final List<String> a = new ArrayList<>(List.of("--target", address.toString(), "--duration", describe(duration),
            "--keys", Integer.toString(keys), "--key-size", Integer.toString(keySize), "--value-size",
            Integer.toString(valueSize), "--get-ratio", Double.toString(getRatio), "--timeout", timeoutMs + "ms",
            "--idle", idle, "--seed", Long.toString(seed)));
        if (udpThreads > 0)
        {
            a.addAll(List.of("--transport", "udp", "--threads", Integer.toString(udpThreads), "--outstanding",
                Integer.toString(inFlight)));
            if (tcpThreads > 0)
            {
                a.addAll(List.of("--tcp-threads", Integer.toString(tcpThreads), "--tcp-outstanding",
                    Integer.toString(pipeline)));
            }
        }
        else
        {
            a.addAll(List.of("--transport", "tcp", "--threads", Integer.toString(tcpThreads), "--outstanding",
                Integer.toString(pipeline)));
        }
        if (noWarmUp)
        {
            a.add("--no-warm-up");
        }
        if (json != null)
        {
            a.addAll(List.of("--json", json.toString()));
        }
        return a;
    }

    /** The demo's own thread options, named as the demo names them (the bench names them differently). */
    private void checkThreads()
    {
        if (udpThreads < 0 || udpThreads > 64 || tcpThreads < 0 || tcpThreads > 64)
        {
            throw new UserException("--udp-threads and --tcp-threads must each be from 0 to 64");
        }
        if (udpThreads + tcpThreads == 0)
        {
            throw new UserException("nothing to do: both --udp-threads and --tcp-threads are 0");
        }
        if (inFlight < 1 || inFlight > 4096 || pipeline < 1 || pipeline > 4096)
        {
            throw new UserException("--in-flight and --pipeline must be from 1 to 4096");
        }
        if (timeoutMs < 1 || timeoutMs > 60_000)
        {
            throw new UserException("--timeout-ms must be from 1 to 60000, got " + timeoutMs);
        }
    }

    private String transports()
    {
        return udpThreads > 0 && tcpThreads > 0 ? "UDP and TCP" : udpThreads > 0 ? "UDP" : "TCP";
    }

    private static String describe(final Duration d)
    {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
