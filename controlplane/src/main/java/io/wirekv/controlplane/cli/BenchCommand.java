package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.controlplane.load.Bench;
import io.wirekv.controlplane.load.BenchBackend;
import io.wirekv.controlplane.load.BenchChart;
import io.wirekv.controlplane.load.BenchPlan;
import io.wirekv.controlplane.load.BenchReport;
import io.wirekv.controlplane.load.BenchSpec;
import io.wirekv.controlplane.load.BenchTrial;
import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code wirekv bench}: a memcached load generator for any memcached-protocol server (wirekv,
 * memcached, ...) over the kernel's UDP or TCP, or with UDP in AF_XDP or DPDK packet buffers it fills
 * itself ({@code --backend}, {@link BenchBackend}). Open loop at a fixed rate or closed loop, text or
 * meta commands, uniform or Zipf keys, sampled value checks, search for the highest rate within
 * loss and p99 limits; reports a table, JSON ({@link BenchReport}) and an SVG chart ({@link BenchChart}).
 */
@Command(name = "bench", sortOptions = false,
    description = {"Drive a memcached-protocol server (wirekv, memcached, ...) and measure it.",
        "Stores every key once (warm-up), then sends GETs and SETs over UDP or TCP: open loop at",
        "--rate requests/s (latency from each request's intended send time, so it is corrected",
        "for coordinated omission), or closed loop with --outstanding requests per thread.",
        "--search finds the highest rate whose loss and p99 stay within --max-loss and --max-p99.",
        "Prints a progress line every second (stderr) and a table at the end (stdout);",
        "--json and --chart write the report as JSON and as an SVG chart. Exit code 1",
        "when nothing was answered or a checked value was wrong. --warmup runs the load",
        "unmeasured first; --server-pid reports the server's CPU time; --tcp-threads",
        "adds TCP threads to a UDP run (wirekv demo is such a run).",
        "--backend xdp|dpdk puts the UDP requests in packet buffers itself (AF_XDP on",
        "--xdp-interface, or a DPDK ethdev --dpdk-device with --eal-args, e.g. net_memif to reach a",
        "DPDK appliance in another process); the target's MAC comes from ARP or --target-mac.",
        "Generator ceiling: --no-replies counts what one generator sends, e.g. --backend dpdk",
        "--eal-args '--vdev=net_null0 --no-huge -m 256 --no-pci' --dpdk-device net_null0",
        "--bypass-address 192.0.2.1 --target 192.0.2.2:11211 --no-replies (closed loop: as fast as it can)."})
final class BenchCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--target", paramLabel = "HOST:PORT", required = true,
        description = "the server to drive, e.g. 127.0.0.1:11211")
    String target;

    @Option(names = "--transport", paramLabel = "udp|tcp", defaultValue = "udp",
        description = "udp (memcached's UDP frame, recvmmsg/sendmmsg bursts) or tcp (default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--backend", paramLabel = "kernel|xdp|dpdk", defaultValue = "kernel",
        description = "where UDP requests are built: kernel sockets, AF_XDP packet buffers on --xdp-interface, or DPDK " +
            "mbufs on --dpdk-device (default: ${DEFAULT-VALUE}); xdp and dpdk need --transport udp")
    String backend;

    @Option(names = "--xdp-interface", paramLabel = "IF",
        description = "xdp: the interface the target is reached through (as the appliance's xdp.interface)")
    String xdpInterface;

    @Option(names = "--xdp-mode", paramLabel = "auto|zero-copy|copy",
        description = "xdp: auto (zero-copy where the driver can, else copy), zero-copy or copy (default: auto)")
    String xdpMode;

    @Option(names = {"--eal-args", "--dpdk-eal-args"}, paramLabel = "ARGS",
        description = "dpdk: EAL arguments in one string, e.g. '--vdev=net_memif0,role=client,socket=/run/memif.sock " +
            "--no-huge -m 512 --no-pci' (default: --in-memory --no-telemetry)")
    String ealArgs;

    @Option(names = "--dpdk-device", paramLabel = "NAME",
        description = "dpdk: the ethdev to send through, a vdev name (net_memif0, net_null0) or a PCI address")
    String dpdkDevice;

    @Option(names = {"--bypass-address", "--local-address"}, paramLabel = "A.B.C.D",
        description = "xdp and dpdk: the bench's source IPv4 (replies come to it); needed with dpdk, xdp defaults to " +
            "the interface's address")
    String bypassAddress;

    @Option(names = "--local-port", paramLabel = "N", defaultValue = "0",
        description = "xdp and dpdk: the bench's source UDP port; 0 = a free ephemeral port (default)")
    int localPort;

    @Option(names = "--target-mac", paramLabel = "MAC",
        description = "xdp and dpdk: the target's MAC, e.g. 02:00:00:00:00:01, instead of resolving it by ARP")
    String targetMac;

    @Option(names = "--arp-timeout", paramLabel = "TIME", defaultValue = "2s",
        description = "xdp and dpdk: how long to wait for the target's ARP reply (default: ${DEFAULT-VALUE})")
    Duration arpTimeout;

    @Option(names = "--dpdk-queues", paramLabel = "N", defaultValue = "0",
        description = "dpdk: queues to open, at least --threads; 0 = one per thread (default). Against a net_memif " +
            "appliance give its lcore count: DPDK's memif garbles a queue its peer leaves unconnected")
    int dpdkQueues;

    @Option(names = "--no-replies",
        description = "measure sending only (the generator ceiling, e.g. on net_null): replies are not expected, " +
            "nothing counts as lost, no warm-up, no ARP (frames go to --target-mac or a placeholder MAC)")
    boolean noReplies;

    @Option(names = "--protocol", paramLabel = "text|meta", defaultValue = "text",
        description = "text get/set or meta mg/ms commands (default: ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = "--noreply",
        description = "tcp: SETs ask for no reply (text 'set ... noreply', meta 'ms ... q') and are pipelined; an 'mn' " +
            "no-op after every --outstanding/4 SETs (and at each flush) is a sync point whose reply counts them as " +
            "answered; --outstanding still bounds the SETs in flight")
    boolean noreplySets;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "0",
        description = "open loop at N requests/s over all threads; 0 = closed loop (default)")
    long rate;

    @Option(names = "--outstanding", paramLabel = "N", defaultValue = "16",
        description = "closed loop: requests in flight per thread (default: ${DEFAULT-VALUE})")
    int outstanding;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "10s",
        description = "measured time, e.g. 10s, 500ms, 2m (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--max-requests", paramLabel = "N", defaultValue = "1000000000",
        description = "stop a trial after N requests (default: ${DEFAULT-VALUE})")
    long maxRequests;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
        description = "generator threads (lcores): each with its own socket on --backend kernel; on xdp/dpdk " +
            "thread i sends and receives on device queue i, all from one source port, with a slice of the request-id " +
            "space each, which needs a device that answers on the request's queue (net_memif, a ring pair, and an " +
            "appliance serving queue i with lcore i); replies landing on another thread's queue (a NIC's RSS) are " +
            "counted misrouted, and more than 1%% of them stops the run (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--tcp-threads", paramLabel = "N", defaultValue = "0",
        description = "with --transport udp on --backend kernel: also run N TCP threads against the same target in the " +
            "same trial (closed loop), reported per transport, as wirekv demo does (default: ${DEFAULT-VALUE})")
    int tcpThreads;

    @Option(names = "--tcp-outstanding", paramLabel = "N", defaultValue = "0",
        description = "requests in flight per --tcp-threads thread; 0 = --outstanding (default)")
    int tcpOutstanding;

    @Option(names = "--cpus", paramLabel = "LIST", split = ",",
        description = "pin thread i to the i-th CPU of this list, e.g. 2,3 (default: not pinned)")
    int[] cpus;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "100000", description = "key space (default: ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--key-size", paramLabel = "BYTES", defaultValue = "16", description = "key length (default: ${DEFAULT-VALUE})")
    int keySize;

    @Option(names = "--value-size", paramLabel = "N|MIN-MAX", defaultValue = "32",
        description = "value length, fixed or uniform per key in MIN-MAX (default: ${DEFAULT-VALUE})")
    String valueSize;

    @Option(names = "--zipf", paramLabel = "THETA", defaultValue = "0",
        description = "Zipf key choice with this θ in (0,1), e.g. 0.99; 0 = uniform (default)")
    double zipf;

    @Option(names = "--get-ratio", paramLabel = "R", defaultValue = "0.9",
        description = "share of GETs, 0..1; the rest are SETs (default: ${DEFAULT-VALUE})")
    double getRatio;

    @Option(names = "--multiget", paramLabel = "N", defaultValue = "1",
        description = "keys per GET (default: ${DEFAULT-VALUE})")
    int multiget;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "1s",
        description = "a request unanswered this long after its intended send time is lost (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--verify-fraction", paramLabel = "F", defaultValue = "0.01",
        description = "share of GETs whose values are checked byte for byte (default: ${DEFAULT-VALUE})")
    double verifyFraction;

    @Option(names = "--idle", paramLabel = "spin|yield|park", defaultValue = "spin",
        description = "when a thread has nothing to do: spin (most precise), yield (share CPUs with a local " +
            "server) or park 50 us (least CPU, timestamps up to ~100 us late; in a closed loop whose round trip is " +
            "that short the rate then measures the parks, not the server) (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--no-warm-up", description = "skip storing every key before measuring")
    boolean noWarmUp;

    @Option(names = "--warmup", paramLabel = "TIME",
        description = "run the load this long, unmeasured, before measuring (after the keys are stored), so the " +
            "server's JIT and caches settle, e.g. 5s (default: none)")
    Duration warmUpLoad;

    @Option(names = "--server-pid", paramLabel = "PID", defaultValue = "0",
        description = "a server process on this host: sample its CPU time (every thread, /proc) over each measured " +
            "trial and report server CPU-seconds and requests per server CPU-second")
    long serverPid;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--search", description = "search for the highest rate with loss <= --max-loss and p99 <= --max-p99")
    boolean search;

    @Option(names = "--search-low", paramLabel = "N", defaultValue = "1000",
        description = "search: lowest rate tried, req/s (default: ${DEFAULT-VALUE})")
    long searchLow;

    @Option(names = "--search-high", paramLabel = "N", defaultValue = "0",
        description = "search: highest rate tried; 0 = 1.2 x a closed-loop probe's throughput (default)")
    long searchHigh;

    @Option(names = "--search-resolution", paramLabel = "F", defaultValue = "0.02",
        description = "search: stop when (high-low)/high <= F (default: ${DEFAULT-VALUE})")
    double resolution;

    @Option(names = "--max-trials", paramLabel = "N", defaultValue = "12",
        description = "search: most fixed-rate trials (default: ${DEFAULT-VALUE})")
    int maxTrials;

    @Option(names = "--trial-duration", paramLabel = "TIME", defaultValue = "2s",
        description = "search and sweep: length of each trial (default: ${DEFAULT-VALUE})")
    Duration trialDuration;

    @Option(names = "--max-loss", paramLabel = "F", defaultValue = "0",
        description = "search: highest loss ratio that passes, e.g. 0.001 (default: ${DEFAULT-VALUE})")
    double maxLoss;

    @Option(names = "--max-p99", paramLabel = "TIME", defaultValue = "1ms",
        description = "search: highest p99 that passes, e.g. 500us, 1ms (default: ${DEFAULT-VALUE})")
    String maxP99;

    @Option(names = "--sweep", paramLabel = "RATES", split = ",",
        description = "run one trial at each of these rates (req/s), e.g. 10000,20000,40000")
    List<Long> sweep;

    @Option(names = "--json", paramLabel = "FILE", description = "write the report as JSON (schema wirekv-bench/1)")
    Path json;

    @Option(names = "--chart", paramLabel = "FILE.svg",
        description = "write an SVG chart: percentiles against offered load (search, sweep) or the latency distribution")
    Path chart;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final BenchSpec benchSpec = benchSpec();
        final BenchSpec tcpSide = tcpSide(benchSpec);
        final BenchPlan plan = plan();
        final BenchBackend benchBackend = backend();
        if (search && sweep != null)
        {
            throw new UserException("--search and --sweep cannot be used together");
        }
        try
        {
            benchBackend.check(benchSpec);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UserException(ex.getMessage());
        }
        out.printf(Locale.ROOT, "bench: %s over %s on %s (%s), %d thread(s)%s, %,d keys of %d bytes, values %s bytes, %s keys, " +
                "%.0f%% GETs%s%s, timeout %d ms%n", benchSpec.target(), benchSpec.transport().label(),
            benchBackend.describe(), benchSpec.protocol().label(), benchSpec.threads(), cpus == null ? "" : " pinned to " + java.util.Arrays.toString(cpus),
            benchSpec.keySpace(), benchSpec.keySizeBytes(), valueSize, benchSpec.zipfTheta() > 0 ?
                "Zipf θ=" + benchSpec.zipfTheta() : "uniform", 100 * benchSpec.getRatio(),
            benchSpec.multiget() > 1 ? " of " + benchSpec.multiget() + " keys" : "",
            benchSpec.noreply() ? ", SETs without replies" : "", benchSpec.timeoutNs() / 1_000_000);
        if (tcpSide != null)
        {
            out.printf(Locale.ROOT, "bench: and %d TCP thread(s) with %d outstanding each, at the same time%n",
                tcpSide.threads(), tcpSide.outstanding());
        }
        final Bench.Run run;
        try
        {
            run = Bench.run(benchSpec, tcpSide, benchBackend, plan, quiet ? null : spec.commandLine().getErr());
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            throw new UserException(ex.getMessage());
        }
        catch (final io.wirekv.nativebindings.NativeException ex)
        {
            throw new UserException("--backend " + benchBackend.label() + ": " + ex.getMessage() + " (" +
                (benchBackend.label().equals("dpdk") ? "check --eal-args and --dpdk-device" :
                    "check --xdp-interface and --xdp-mode") + ")");
        }
        BenchReport.print(run, out);
        write(json, BenchReport.toJson(run), out);
        write(chart, BenchChart.svg(run), out);
        long sent = 0;
        long received = 0;
        long wrong = 0;
        for (final BenchTrial t : run.trials())
        {
            if (t.stoppedByMisrouting())
            {
                throw new UserException(t.failure());
            }
            sent += t.sent();
            received += t.received();
            wrong += t.wrongAnswers();
        }
        if (noReplies)
        {
            if (sent == 0)
            {
                throw new UserException("nothing was sent through " + run.ports());
            }
            return 0;
        }
        if (received == 0)
        {
            throw new UserException("no request got a reply: is the server at " + benchSpec.target() + " running" +
                (benchSpec.transport() == BenchSpec.Transport.UDP ? " with UDP enabled (memcached -U PORT)?" : "?"));
        }
        if (wrong > 0)
        {
            throw new UserException(wrong + " checked value(s) differed from what was stored: the server answered wrongly");
        }
        return 0;
    }

    private static void write(final Path file, final String text, final PrintWriter out)
    {
        if (file == null)
        {
            return;
        }
        try
        {
            Files.writeString(file, text);
        }
        catch (final IOException ex)
        {
            throw new UserException("cannot write " + file + ": " + ex.getMessage());
        }
        out.println("wrote " + file);
    }

    BenchSpec benchSpec()
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
        final int[] sizes = sizes(valueSize);
        try
        {
            return new BenchSpec(address, enumOf(BenchSpec.Transport.class, "--transport", transport),
                enumOf(BenchSpec.Protocol.class, "--protocol", protocol), keys, keySize, sizes[0], sizes[1], zipf, getRatio,
                multiget, threads, cpus, rate, outstanding, duration, maxRequests, timeout.toNanos(), verifyFraction, seed,
                enumOf(BenchSpec.Idle.class, "--idle", idle), noreplySets);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UserException(ex.getMessage());
        }
    }

    /** The TCP side of a mixed run ({@code --tcp-threads}), or null. */
    BenchSpec tcpSide(final BenchSpec udp)
    {
        if (tcpThreads == 0)
        {
            return null;
        }
        if (tcpOutstanding < 0)
        {
            throw new UserException("--tcp-outstanding must be 0 (as --outstanding) or more, got " + tcpOutstanding);
        }
        try
        {
            return udp.tcpSide(tcpThreads, tcpOutstanding == 0 ? outstanding : tcpOutstanding);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UserException(ex.getMessage().replace("--threads", "--tcp-threads")
                .replace("--outstanding", "--tcp-outstanding"));
        }
    }

    /** The backend flags, checked against each other; the combination with the trial is {@link BenchBackend#check}. */
    BenchBackend backend()
    {
        final ServerConfig.Backend kind = enumOf(ServerConfig.Backend.class, "--backend", backend);
        if (kind != ServerConfig.Backend.XDP && (xdpInterface != null || xdpMode != null))
        {
            throw new UserException((xdpInterface != null ? "--xdp-interface" : "--xdp-mode") + " needs --backend xdp");
        }
        if (kind != ServerConfig.Backend.DPDK && (ealArgs != null || dpdkDevice != null))
        {
            throw new UserException((ealArgs != null ? "--eal-args" : "--dpdk-device") + " needs --backend dpdk");
        }
        if (kind == ServerConfig.Backend.KERNEL && (bypassAddress != null || targetMac != null || localPort != 0))
        {
            throw new UserException((bypassAddress != null ? "--bypass-address" : targetMac != null ? "--target-mac" :
                "--local-port") + " needs --backend xdp or dpdk (the kernel backend uses the kernel's addresses, ports " +
                "and neighbour table)");
        }
        final String mode = xdpMode == null ? "auto" : xdpMode.trim().toLowerCase(Locale.ROOT);
        if (!List.of("auto", "zero-copy", "copy").contains(mode))
        {
            throw new UserException("--xdp-mode must be auto, zero-copy or copy, got '" + xdpMode + "'");
        }
        final String address = bypassAddress == null ? "" : bypassAddress.trim();
        if (!address.isEmpty())
        {
            try
            {
                NetAddress.parseIpv4(address);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new UserException("--bypass-address must be an IPv4 address such as 10.0.0.1, got '" + address + "'");
            }
        }
        long mac = -1;
        if (targetMac != null)
        {
            try
            {
                mac = NetAddress.parseMac(targetMac.trim());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new UserException("--target-mac must be six hex octets such as 02:00:00:00:00:01, got '" + targetMac + "'");
            }
        }
        final List<String> eal = ealArgs == null ? BypassSettings.defaults().dpdkEalArgs() :
            ealArgs.isBlank() ? List.of() : List.of(ealArgs.trim().split("\\s+"));
        final BypassSettings settings = new BypassSettings(eal, dpdkDevice == null ? "" : dpdkDevice.trim(), address,
            xdpInterface == null ? "" : xdpInterface.trim(), mode, true, false);
        try
        {
            return new BenchBackend(kind, settings, mac, localPort, noReplies, arpTimeout, dpdkQueues);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UserException(ex.getMessage());
        }
    }

    private BenchPlan plan()
    {
        try
        {
            final BenchPlan.Mode mode = search ? BenchPlan.Mode.SEARCH :
                sweep != null ? BenchPlan.Mode.SWEEP : BenchPlan.Mode.SINGLE;
            return new BenchPlan(mode, !noWarmUp, trialDuration, searchLow, searchHigh, resolution, maxTrials, maxLoss,
                latencyNs(maxP99), sweep == null ? List.of() : new ArrayList<>(sweep),
                warmUpLoad == null ? Duration.ZERO : warmUpLoad, serverPid);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UserException(ex.getMessage());
        }
    }

    private static <E extends Enum<E>> E enumOf(final Class<E> type, final String option, final String text)
    {
        try
        {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UserException(option + " must be one of " +
                java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT) + ", got '" + text + "'");
        }
    }

    /** "32" or "16-1024". */
    static int[] sizes(final String text)
    {
        try
        {
            final String t = text.trim();
            final int dash = t.indexOf('-', 1);
            if (dash < 0)
            {
                final int n = Integer.parseInt(t);
                return new int[] {n, n};
            }
            return new int[] {Integer.parseInt(t.substring(0, dash).trim()), Integer.parseInt(t.substring(dash + 1).trim())};
        }
        catch (final NumberFormatException ex)
        {
            throw new UserException("--value-size must be N or MIN-MAX (bytes), got '" + text + "'");
        }
    }

    /** "500us", "1ms", "0.5ms", "2s" to nanoseconds. */
    static long latencyNs(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        try
        {
            final double ns;
            if (t.endsWith("us"))
            {
                ns = Double.parseDouble(t.substring(0, t.length() - 2)) * 1e3;
            }
            else if (t.endsWith("ms"))
            {
                ns = Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6;
            }
            else if (t.endsWith("s"))
            {
                ns = Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9;
            }
            else
            {
                throw new NumberFormatException();
            }
            if (!(ns >= 1))
            {
                throw new NumberFormatException();
            }
            return (long)ns;
        }
        catch (final NumberFormatException ex)
        {
            throw new UserException("--max-p99 must be a time such as 500us, 1ms or 0.5ms, got '" + text + "'");
        }
    }
}
