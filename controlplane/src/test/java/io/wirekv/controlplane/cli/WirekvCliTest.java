package io.wirekv.controlplane.cli;

import io.wirekv.e2e.MemcachedProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WirekvCliTest
{
    private record Run(int code, String out, String err)
    {
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = WirekvCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldListEveryCommandInTopLevelHelp()
    {
        final Run r = run("--help");
        assertEquals(0, r.code());
        for (final String command : new String[] {"serve", "get", "set", "delete", "mc", "demo", "help"})
        {
            assertTrue(r.out().contains("\n  " + command + " "), command + " in\n" + r.out());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "get", "set", "delete", "mc", "demo"})
    void shouldPrintHelpForEveryCommand(final String command)
    {
        final Run r = run(command, "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: wirekv " + command), r.out());
        assertTrue(r.out().contains("--help"), r.out());
        if (!command.equals("serve") && !command.equals("demo"))
        {
            assertTrue(r.out().contains("--server") && r.out().contains("--udp"), r.out());
        }
    }

    @Test
    void shouldShowEveryServeFlagInItsHelp()
    {
        final String help = run("serve", "--help").out();
        for (final String flag : new String[] {"--config", "--listen", "--port", "--backend", "--memory", "--lcores",
            "--cpus", "--writers", "--tcp-threads", "--partitions", "--mode", "--item-size-max", "--idle", "--instance",
            "--no-hugepages", "--set", "--check"})
        {
            assertTrue(help.contains(flag), flag);
        }
    }

    @Test
    void shouldPrintTheBuildsVersionCommitDateAndJdk()
    {
        final Run r = run("--version");
        assertEquals(0, r.code(), r.err());
        final String[] lines = r.out().replace("\r", "").split("\n");
        assertTrue(lines[0].matches("wirekv \\d+\\.\\d+\\.\\d+\\S* \\(commit ([0-9a-f]{12}(-dirty)?|unknown), " +
            "built \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)"), r.out());
        assertTrue(lines[1].startsWith("JDK " + Runtime.version()), r.out());
    }

    @Test
    void shouldReadABareMemoryFlagAsMibAndSayItInTheHelp()
    {
        assertTrue(run("serve", "--help").out().contains("a bare number is MiB"), "--memory's help says a bare number is MiB");
        final Run bare = run("serve", "--port", "0", "--memory", "64", "--check");
        assertEquals(0, bare.code(), bare.err());
        assertTrue(bare.out().contains("memory           = 64m              (--memory)"), bare.out());
        final Run suffixed = run("serve", "--port", "0", "--memory", "65536k", "--check");
        assertEquals(0, suffixed.code(), suffixed.err());
        assertTrue(suffixed.out().contains("memory           = 64m              (--memory)"), suffixed.out());
    }

    @Test
    void shouldFailWithUsageForAnUnknownOption()
    {
        final Run r = run("serve", "--bogus");
        assertEquals(2, r.code());
        assertEquals("wirekv: Unknown option: '--bogus'\nTry 'wirekv serve --help'.\n", r.err().replace("\r", ""));
    }

    @Test
    void shouldPrintTheConcludedConfigurationWithFlagsOverridingTheFile(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("w.conf");
        Files.writeString(file, "port = 20001\npartitions = 32\n");

        final Run r = run("serve", "--config", file.toString(), "--port", "0", "--set", "burst.size=8", "--check");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("port             = 0                (--port)"), r.out());
        assertTrue(r.out().contains("partitions       = 32               (" + file + " line 2)"), r.out());
        assertTrue(r.out().contains("burst.size       = 8                (--set burst.size)"), r.out());
        assertTrue(r.out().contains("configuration OK"), r.out());
    }

    @Test
    void shouldRefuseABadConfigurationWithOneLinePerProblemAndNoStackTrace(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("w.conf");
        Files.writeString(file, "partitions = 12\n");

        final Run r = run("serve", "--config", file.toString(), "--backend", "xdp");

        assertEquals(1, r.code());
        assertEquals("wirekv: partitions = 12: must be a power of two, e.g. 16 (" + file + " line 1)\n" +
            "wirekv: xdp.interface = : backend xdp needs the network interface to serve on, e.g. eth1 " +
            "(`ip -br link` lists them)\n",
            r.err().replace("\r", ""));
        assertFalse(r.out().contains("configuration:"), "nothing is printed as concluded");
    }

    @Test
    void shouldRefuseAMissingConfigFile(@TempDir final Path dir)
    {
        final Run r = run("serve", "--config", dir.resolve("none.conf").toString());
        assertEquals(1, r.code());
        assertEquals("wirekv: cannot read config file " + dir.resolve("none.conf") + ": no such file\n",
            r.err().replace("\r", ""));
    }

    @Test
    void shouldSayWhenTheServerIsNotRunning() throws Exception
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        final Run r = run("get", "k", "--server", "127.0.0.1:" + port);
        assertEquals(1, r.code());
        assertEquals("wirekv: cannot connect to 127.0.0.1:" + port + " over TCP: connection refused — is `wirekv serve` " +
            "running?\n", r.err().replace("\r", ""));
    }

    @Test
    void shouldRejectABadServerAddress()
    {
        final Run r = run("get", "k", "--server", "localhost:99999");
        assertEquals(1, r.code());
        assertEquals("wirekv: --server 'localhost:99999' is not HOST:PORT; the port must be from 1 to 65535\n",
            r.err().replace("\r", ""));
    }

    @Test
    void shouldSetGetAndDeleteAgainstMemcachedOverTcpAndUdp() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final String server = "127.0.0.1:" + memcached.tcpPort();
            assertEquals(new Run(0, "STORED\n", ""), normalize(run("set", "cli", "v1", "--flags", "3", "--server", server)));
            assertEquals(new Run(0, "v1\n", ""), normalize(run("get", "cli", "--server", server, "--udp")));
            assertEquals(new Run(0, "VALUE cli 3 2\r\nv1\r\nEND\r\n", ""),
                run("mc", "get cli", "--server", server, "--udp"));
            assertEquals(new Run(0, "DELETED\n", ""), normalize(run("delete", "cli", "--server", server)));
            assertEquals(new Run(1, "", "NOT_FOUND\n"), normalize(run("get", "cli", "--server", server)));
            assertEquals(new Run(1, "", "NOT_FOUND\n"), normalize(run("delete", "cli", "--server", server, "--udp")));
        }
    }

    @Test
    void shouldRunTheDemoAgainstATargetServer(@TempDir final Path dir) throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess())
        {
            final Run r = run("demo", "--target", "127.0.0.1:" + memcached.tcpPort(), "--duration", "1s", "--keys", "100",
                "--udp-threads", "1", "--tcp-threads", "1");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("warm-up: stored 100 of 100 keys"), r.err());
            assertTrue(r.out().contains("warm-up: 100 keys in"), r.out());
            assertTrue(r.out().matches("(?s).*\nudp +closed .*\ntcp +closed .*"), "a row per transport:\n" + r.out());
            final java.nio.file.Path json = dir.resolve("demo.json");
            final Run j = run("demo", "--target", "127.0.0.1:" + memcached.tcpPort(), "--duration", "500ms", "--keys", "100",
                "--udp-threads", "0", "--tcp-threads", "1", "--json", json.toString());
            assertEquals(0, j.code(), j.err());
            final String report = java.nio.file.Files.readString(json);
            assertTrue(report.contains("\"schema\": \"wirekv-bench/1\"") && report.contains("\"transport\": \"tcp\""),
                report);
        }
    }

    @Test
    void shouldRejectABadDuration()
    {
        final Run r = run("demo", "--duration", "soon");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("wirekv: Invalid value for option '--duration': 'soon' is not a duration"), r.err());
    }

    private static Run normalize(final Run r)
    {
        return new Run(r.code(), r.out().replace("\r\n", "\n"), r.err().replace("\r\n", "\n"));
    }
}
