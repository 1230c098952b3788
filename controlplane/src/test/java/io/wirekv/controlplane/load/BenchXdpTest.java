package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.ServerAddress;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.testnet.TestNetwork;
import io.wirekv.nativebindings.xdp.XdpLibraries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code wirekv bench --backend xdp} for real: a veth pair whose peer end sits in a network namespace
 * this test creates, a real memcached inside the namespace, and the bench on the host end building
 * its requests in AF_XDP frames (wirekv's XDP program sends the replies to its socket).
 */
class BenchXdpTest
{
    private static final String MEMCACHED = "/usr/bin/memcached";
    private static final int PORT = 11311;

    private static String skipReason;
    private static TestNetwork network;
    private static Process memcached;

    @BeforeAll
    static void start() throws Exception
    {
        skipReason = TestNetwork.skipReason();
        if (null == skipReason && !XdpLibraries.isAvailable())
        {
            skipReason = "libxdp/libbpf unavailable: " + XdpLibraries.unavailableReason();
        }
        if (null == skipReason && !Files.isExecutable(Path.of(MEMCACHED)))
        {
            skipReason = "memcached is not installed (apt-get install memcached)";
        }
        if (null != skipReason)
        {
            return;
        }
        network = TestNetwork.create();
        try
        {
            memcached = network.startInNamespace(MEMCACHED, "-u", "root", "-l", network.peerAddress(),
                "-p", Integer.toString(PORT), "-U", Integer.toString(PORT), "-t", "1", "-m", "64");
            awaitListening();
        }
        catch (final Exception | Error ex)
        {
            stop();
            throw ex;
        }
    }

    private static void awaitListening() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && memcached.isAlive())
        {
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress(network.peerAddress(), PORT), 200);
                return;
            }
            catch (final IOException notYet)
            {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("memcached did not start listening in " + network.namespace());
    }

    @AfterAll
    static void stop()
    {
        try
        {
            if (null != memcached)
            {
                memcached.destroy(); // `ip netns exec` execs memcached: this PID is memcached's
                try
                {
                    if (!memcached.waitFor(5, TimeUnit.SECONDS))
                    {
                        memcached.destroyForcibly();
                    }
                }
                catch (final InterruptedException ex)
                {
                    memcached.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
        finally
        {
            if (null != network)
            {
                network.close();
            }
        }
    }

    @BeforeEach
    void skipWithoutXdp()
    {
        assumeTrue(null == skipReason, skipReason);
    }

    @Test
    void shouldDriveMemcachedInTheNamespaceThroughAfXdpWithEveryCheckedValueRight() throws Exception
    {
        // forget the neighbour the readiness check taught the kernel: the bench must resolve it itself
        TestNetwork.run("ip", "neigh", "flush", "dev", network.hostInterface());
        final BenchSpec spec = new BenchSpec(new ServerAddress(network.peerAddress(), PORT), BenchSpec.Transport.UDP,
            BenchSpec.Protocol.META, 500, 16, 16, 200, 0, 0.9, 2, 1, null, 0, 8, Duration.ofMillis(800), 5_000_000,
            1_000_000_000L, 0.2, 7);
        final StringWriter progress = new StringWriter();
        final Bench.Run run = Bench.run(spec, backend(Duration.ofSeconds(2)), BenchPlan.single(true), new PrintWriter(progress));
        final BenchTrial t = run.trials().getFirst();

        assertEquals(null, t.failure(), progress.toString());
        assertTrue(run.warmUpKeys() > 450, "keys stored through the AF_XDP socket: " + run.warmUpKeys() + "\n" + progress);
        assertEquals(t.sent(), t.received() + t.lost(), "every request answered or lost");
        assertTrue(t.received() > 100, "answered " + t.received() + "\n" + progress);
        assertEquals(0, t.errors(), "errors\n" + progress);
        assertEquals(0, t.wrongAnswers(), "wrong answers");
        assertTrue(t.verified() > 0 && t.hits() > 0, "values checked " + t.verified() + ", hits " + t.hits());
        final String peerMac = java.util.HexFormat.ofDelimiter(":").formatHex(network.peerMac());
        assertTrue(run.ports().contains(peerMac + " (ARP)"), run.ports());
        assertTrue(BenchReport.toJson(run).contains("\"backend\": \"xdp\""));
    }

    @Test
    void shouldFailWithinTheArpTimeoutNamingTheFlagWhenTheTargetIsAbsent()
    {
        final String absent = network.peerAddress().substring(0, network.peerAddress().lastIndexOf('.')) + ".3";
        final BenchSpec spec = new BenchSpec(new ServerAddress(absent, PORT), BenchSpec.Transport.UDP,
            BenchSpec.Protocol.TEXT, 100, 16, 16, 16, 0, 0.9, 1, 1, null, 0, 8, Duration.ofMillis(200), 1000,
            1_000_000_000L, 0, 7);
        final long t0 = System.nanoTime();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Bench.run(spec, backend(Duration.ofMillis(500)), BenchPlan.single(true), null));
        final long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ex.getMessage().contains("no ARP reply for " + absent) && ex.getMessage().contains("--target-mac"),
            ex.getMessage());
        assertTrue(ms >= 500 && ms < 10_000, "gave up after the 500 ms ARP timeout, not before or long after: " + ms + " ms");
    }

    private static BenchBackend backend(final Duration arpTimeout)
    {
        return new BenchBackend(ServerConfig.Backend.XDP,
            new BypassSettings(List.of(), "", "", network.hostInterface(), "auto", true, false), -1, 0, false, arpTimeout, 0);
    }
}
