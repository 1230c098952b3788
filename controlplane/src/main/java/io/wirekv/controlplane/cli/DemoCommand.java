package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.controlplane.load.LoadGenerator;
import io.wirekv.controlplane.load.LoadReport;
import io.wirekv.controlplane.load.LoadSpec;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import org.agrona.concurrent.SystemEpochClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code wirekv demo}: the quick start. Starts an in-process server with the embedded defaults
 * on loopback (free ports), drives it over UDP and TCP at once with a GET/SET mix, prints
 * progress once a second and a summary, then stops the server. With {@code --target} it drives
 * an already running server (wirekv or memcached) instead.
 */
@Command(name = "demo", sortOptions = false,
    description = {"Quick start: run a server on loopback and drive it over UDP and TCP at once.",
        "Starts an in-process server with the default configuration on free",
        "loopback ports, stores every key once, drives a GET/SET mix for --duration",
        "with a progress line every second, prints throughput and latency",
        "percentiles, then stops the server. With --target HOST:PORT it drives an",
        "already running server (wirekv or memcached) instead."})
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
        description = "TCP requests written per batch, per thread (default: ${DEFAULT-VALUE})")
    int pipeline;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "500",
        description = "a request unanswered this long is a timeout (default: ${DEFAULT-VALUE})")
    int timeoutMs;

    @Option(names = "--no-warm-up", description = "skip storing every key before measuring")
    boolean noWarmUp;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the summary as JSON to FILE")
    java.nio.file.Path json;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        // check the load options before anything starts
        loadSpec(new ServerAddress("127.0.0.1", 1), new ServerAddress("127.0.0.1", 1));
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
            out.println("driving " + address + " over UDP and TCP for " + describe(duration));
            return drive(address, address, out);
        }

        final ServerConfig defaults = ServerConfig.defaults();
        final ServerConfig config = new ServerConfig(
            "demo", "127.0.0.1", 0, defaults.backend(), defaults.lcores(), defaults.lcoreCpus(), defaults.writers(),
            defaults.tcpThreads(), defaults.partitions(), defaults.memoryBytes(), defaults.memoryMode(),
            defaults.itemSizeMaxBytes(), defaults.udpMaxPayloadBytes(), defaults.burstSize(), defaults.udpSlotsPerLcore(),
            defaults.idle(), defaults.preferHugepages());
        final WirekvServer server;
        try
        {
            server = WirekvServer.start(config, SystemEpochClock.INSTANCE, System.out);
        }
        catch (final RuntimeException ex)
        {
            WirekvCli.debug(ex);
            throw new UserException("cannot start the demo server: " + ex.getMessage());
        }
        final Thread hook = new Thread(server::close, "wirekv-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            final int tcpPort = server.tcpPort();
            if (tcpPort < 0 && tcpThreads > 0)
            {
                throw new UserException("the demo server has TCP disabled; use --tcp-threads 0");
            }
            final ServerAddress udp = new ServerAddress("127.0.0.1", server.udpPort());
            final ServerAddress tcp = new ServerAddress("127.0.0.1", tcpPort);
            out.println("demo server: udp " + udp + ", tcp " + tcp + "; driving it for " + describe(duration));
            return drive(udp, tcp, out);
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

    private int drive(final ServerAddress udp, final ServerAddress tcp, final PrintWriter out) throws InterruptedException
    {
        final LoadSpec loadSpec = loadSpec(udp, tcp);
        final LoadReport report = LoadGenerator.run(loadSpec, out);
        report.print(out);
        if (json != null)
        {
            try
            {
                java.nio.file.Files.writeString(json, report.toJson());
            }
            catch (final java.io.IOException ex)
            {
                throw new UserException("cannot write " + json + ": " + ex.getMessage());
            }
            out.println("wrote " + json);
        }
        if (report.totalOk() == 0)
        {
            throw new UserException("no request got a reply: is the server at " + (udpThreads > 0 ? udp : tcp) + " running?");
        }
        return 0;
    }

    private LoadSpec loadSpec(final ServerAddress udp, final ServerAddress tcp)
    {
        try
        {
            return new LoadSpec(udp, tcp, duration, keys, keySize, valueSize, getRatio, udpThreads, inFlight,
                tcpThreads, pipeline, timeoutMs, !noWarmUp, seed);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UserException(ex.getMessage());
        }
    }

    private static String describe(final Duration d)
    {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
