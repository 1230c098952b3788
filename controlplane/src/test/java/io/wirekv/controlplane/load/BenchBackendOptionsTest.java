package io.wirekv.controlplane.load;

import io.wirekv.controlplane.cli.WirekvCli;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wirekv bench}'s backend flags: bad combinations are refused before anything is opened, with
 * a message that names the flag and the fix; the help lists the flags.
 */
class BenchBackendOptionsTest
{
    private static final String[] DPDK = {"--backend", "dpdk", "--dpdk-device", "net_null0", "--bypass-address", "192.0.2.1"};

    @Test
    void shouldRefuseBadBackendCombinationsNamingTheFlag()
    {
        refused("--transport udp", "--backend", "dpdk", "--transport", "tcp", "--dpdk-device", "net_null0",
            "--bypass-address", "192.0.2.1");
        refused("--transport udp", "--backend", "xdp", "--xdp-interface", "lo", "--transport", "tcp");
        refused("needs --xdp-interface", "--backend", "xdp");
        refused("needs --dpdk-device", "--backend", "dpdk", "--bypass-address", "192.0.2.1");
        refused("needs --bypass-address", "--backend", "dpdk", "--dpdk-device", "net_null0");
        refused("--xdp-interface needs --backend xdp", "--xdp-interface", "eth1");
        refused("--eal-args needs --backend dpdk", "--backend", "xdp", "--xdp-interface", "lo", "--eal-args", "--no-huge");
        refused("--target-mac needs --backend xdp or dpdk", "--target-mac", "02:00:00:00:00:01");
        refused("--target-mac must be six hex octets", concat(DPDK, "--target-mac", "02:00:zz"));
        refused("--bypass-address must be an IPv4 address", "--backend", "dpdk", "--dpdk-device", "net_null0",
            "--bypass-address", "10.0.0");
        refused("--xdp-mode must be auto, zero-copy or copy", "--backend", "xdp", "--xdp-interface", "lo", "--xdp-mode", "fast");
        refused("--backend must be one of", "--backend", "fpga");
        refused("drop --search", concat(DPDK, "--no-replies", "--search"));
        refused("does not fit one 1500-byte Ethernet frame", concat(DPDK, "--value-size", "2000"));
        refused("--arp-timeout", concat(DPDK, "--arp-timeout", "2m"));
        refused("--dpdk-queues needs --backend dpdk", "--dpdk-queues", "2");
        refused("--dpdk-queues 1 is fewer than --threads 2", concat(DPDK, "--dpdk-queues", "1", "--threads", "2"));
    }

    @Test
    void shouldListTheBackendFlagsInTheHelp()
    {
        final StringWriter out = new StringWriter();
        assertEquals(0, WirekvCli.run(new String[] {"bench", "--help"}, new PrintWriter(out), new PrintWriter(new StringWriter())));
        for (final String option : new String[] {"--backend", "--xdp-interface", "--xdp-mode", "--eal-args", "--dpdk-device",
            "--bypass-address", "--local-port", "--target-mac", "--arp-timeout", "--no-replies", "--dpdk-queues"})
        {
            assertTrue(out.toString().contains(option), option + " in --help");
        }
    }

    private static void refused(final String expected, final String... options)
    {
        final String[] args = concat(new String[] {"bench", "--target", "192.0.2.2:11211", "--duration", "100ms"}, options);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = WirekvCli.run(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(1, code, String.join(" ", args) + "\n" + out + err);
        assertTrue(err.toString().contains(expected), String.join(" ", args) + ": expected '" + expected + "' in: " + err);
    }

    private static String[] concat(final String[] a, final String... b)
    {
        final String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
