package io.wirekv.controlplane.cnc;

import io.wirekv.testsupport.MiniJson;

import io.wirekv.dataplane.cnc.CncFile;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.wirekv.controlplane.cnc.CncTestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator CLI against a running in-process appliance, through its CnC file. */
class CncCliTest
{
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static String instance;
    private static WirekvServer server;

    @BeforeAll
    static void start()
    {
        instance = CncTestSupport.uniqueInstance("cli");
        server = CncTestSupport.startServer(instance, LOG);
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldCreateAPrivateCncFileAndLogLifecycleEvents() throws IOException
    {
        final Path file = CncFileDescriptor.cncFile(CncFileDescriptor.baseDirectory(), instance);
        assertTrue(Files.exists(file), file.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        final String log = LOG.toString();
        assertTrue(log.matches("(?s).*\\d{4}-\\d\\d-\\d\\dT\\S+ INFO instance=" + instance + " event=start .*"), log);
        assertTrue(log.contains("INFO instance=" + instance + " event=ready"), log);
    }

    @Test
    void shouldReportStatusOfARunningInstance()
    {
        final CncTestSupport.Run r = cli("status", "--instance", instance);
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("instance     " + instance), r.out());
        assertTrue(r.out().contains("pid          " + ProcessHandle.current().pid()), r.out());
        assertTrue(r.out().contains("health       ok"), r.out());
        assertTrue(r.out().contains("backend      kernel"), r.out());
        assertTrue(r.out().contains("lcore 0"), r.out());
        assertTrue(r.out().contains("uptime"), r.out());
        assertTrue(r.out().contains("persistence  none (a cache)"), r.out());
    }

    @Test
    void shouldReportTheLogOfAPersistentInstance() throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("cli-log");
        final Path dataDir = Path.of("target", "cli-log-" + System.nanoTime()).toAbsolutePath();
        final ServerConfig config = new ServerConfig(
            name, "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 4,
            32L * 1024 * 1024, MemoryMode.CACHE, 64 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withPersistence(new io.wirekv.dataplane.log.PersistenceSettings(
                io.wirekv.dataplane.log.PersistenceSettings.Mode.SYNC, dataDir, 1000, 1L << 20, false));
        try (WirekvServer s = WirekvServer.start(config, SystemEpochClock.INSTANCE,
            new PrintStream(new ByteArrayOutputStream(), true),
            "  instance = " + name + " (test)\n  persistence = sync (test)\n  data.dir = " + dataDir + " (test)\n");
            java.net.Socket socket = new java.net.Socket("127.0.0.1", s.tcpPort()))
        {
            socket.getOutputStream().write("set k 0 0 1\r\nv\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final byte[] stored = new byte[8];
            assertEquals(8, socket.getInputStream().readNBytes(stored, 0, 8));
            final CncTestSupport.Run r = cli("status", "--instance", name);
            assertEquals(0, r.code(), r.err() + r.out());
            assertTrue(r.out().contains("persistence  sync, data.dir " + dataDir), r.out());
            assertTrue(r.out().matches("(?s).*log          \\d+ bytes, last sync .* ago, sync lag \\d+ records, [1-9]\\d* syncs, " +
                "0 sync errors, 0 writes refused.*"), r.out());
        }
        finally
        {
            try (java.util.stream.Stream<Path> all = Files.walk(dataDir))
            {
                for (final Path p : all.sorted(java.util.Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldPrintStatAsJsonWithRatesAndEveryCounter() throws IOException
    {
        final int gets = 5;
        for (int i = 0; i < gets; i++)
        {
            assertEquals("END\r\n", CncTestSupport.udpRequest(server.udpPort(), "get stat:none\r\n"));
        }
        final CncTestSupport.Run r = cli("stat", "--instance", instance, "--once", "--json", "--interval", "300ms");
        assertEquals(0, r.code(), r.err());
        final Map<String, Object> sample = (Map<String, Object>)MiniJson.parse(r.out().strip());
        assertEquals(instance, sample.get("instance"));
        assertEquals(ProcessHandle.current().pid(), sample.get("pid"));
        assertEquals(Boolean.FALSE, sample.get("heartbeat_stale"));
        final List<Map<String, Object>> counters = (List<Map<String, Object>>)sample.get("counters");
        final Set<String> names = counters.stream().map(c -> (String)c.get("name")).collect(Collectors.toSet());
        for (final CncMetric m : CncMetric.values())
        {
            if (m.scope() != CncMetric.Scope.LCORE_NET) // the kernel backend has no L2/L3 stack
            {
                assertTrue(names.contains(m.metricName()), m.metricName() + " in " + names);
            }
        }
        final Map<String, Object> rx = counters.stream()
            .filter(c -> c.get("name").equals("rx_packets")).findFirst().orElseThrow();
        assertEquals(Map.of("lcore", "0", "port", "0"), rx.get("labels"));
        assertEquals("counter", rx.get("type"));
        assertTrue((Long)rx.get("value") >= gets, rx.toString());
        assertTrue(rx.get("rate") instanceof Number, rx.toString());
        final Map<String, Object> cmdGet = counters.stream()
            .filter(c -> c.get("name").equals("cmd_get")).findFirst().orElseThrow();
        assertTrue((Long)cmdGet.get("value") >= gets, cmdGet.toString());
        final Map<String, Object> items = counters.stream()
            .filter(c -> c.get("name").equals("items")).findFirst().orElseThrow();
        assertEquals("gauge", items.get("type"));
        assertFalse(items.containsKey("rate"), "gauges have no rate");
    }

    @Test
    void shouldPrintStatAsTextAndTopSortedByRate()
    {
        final CncTestSupport.Run stat = cli("stat", "--instance", instance, "--once", "--interval", "200ms");
        assertEquals(0, stat.code(), stat.err());
        assertTrue(stat.out().contains("rx_packets{lcore=\"0\",port=\"0\"}"), stat.out());
        assertTrue(stat.out().contains("RATE/s"), stat.out());
        final CncTestSupport.Run top = cli("top", "--instance", instance, "--count", "1", "--interval", "200ms",
            "--limit", "5");
        assertEquals(0, top.code(), top.err());
        assertEquals(5 + 2, top.out().strip().split("\n").length, top.out()); // header, column titles, 5 rows
    }

    @Test
    void shouldRecordMalformedFramesInTheErrorLogAndCounters() throws Exception
    {
        final long before = server.malformedFrames();
        final byte[] twoDatagrams = {0, 1, 0, 0, 0, 2, 0, 0, 'g', 'e', 't', ' ', 'a', '\r', '\n'};
        final byte[] tooShort = {0, 1, 0};
        assertNull(CncTestSupport.udp(server.udpPort(), twoDatagrams, 200));
        assertNull(CncTestSupport.udp(server.udpPort(), tooShort, 200));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        CncTestSupport.Run errors;
        do
        {
            Thread.sleep(50);
            errors = cli("errors", "--instance", instance);
        }
        while (!errors.out().contains("malformed") && System.nanoTime() < deadline);
        assertEquals(0, errors.code(), errors.err());
        assertTrue(errors.out().contains("lcore 0: UDP frames dropped as malformed"), errors.out());
        assertTrue(errors.out().matches("(?s)\\d+ distinct errors in instance.*\\d+ observations, first \\S+, last \\S+.*"),
            errors.out());
        assertTrue(server.malformedFrames() >= before + 2);
        try (CncReader cnc = CncReader.open(CncFileDescriptor.baseDirectory(), instance, false))
        {
            final long published = CounterSnapshot.take(cnc, 0).samples().stream()
                .filter(s -> s.name().equals("malformed_frames")).mapToLong(CounterSnapshot.Sample::value).sum();
            assertTrue(published >= before + 2, "published " + published);
        }
    }

    @Test
    void shouldSetGetDeleteAndFlushThroughTheAdminChannel() throws IOException
    {
        assertEquals(0, cli("admin", "set", "--instance", instance, "admin:k", "hello", "--flags", "42").code());
        final CncTestSupport.Run get = cli("admin", "get", "--instance", instance, "--show-flags", "admin:k");
        assertEquals(0, get.code(), get.err());
        assertEquals("hello", get.out().strip());
        assertTrue(get.err().contains("flags 42"), get.err());
        // the same item, seen by a memcached client over UDP
        assertEquals("VALUE admin:k 42 5\r\nhello\r\nEND\r\n", CncTestSupport.udpRequest(server.udpPort(), "get admin:k\r\n"));

        final CncTestSupport.Run delete = cli("admin", "delete", "--instance", instance, "admin:k");
        assertEquals(0, delete.code(), delete.err());
        assertEquals("DELETED", delete.out().strip());
        final CncTestSupport.Run missing = cli("admin", "get", "--instance", instance, "admin:k");
        assertEquals(1, missing.code());
        assertEquals("NOT_FOUND", missing.err().strip());

        assertEquals(0, cli("admin", "set", "--instance", instance, "admin:f", "x").code());
        final CncTestSupport.Run flush = cli("admin", "flush", "--instance", instance);
        assertEquals(0, flush.code(), flush.err());
        assertEquals("OK", flush.out().strip());
        assertEquals(1, cli("admin", "get", "--instance", instance, "admin:f").code());
    }

    @Test
    void shouldRefuseAKeyThatWouldInjectProtocol()
    {
        final CncTestSupport.Run r = cli("admin", "set", "--instance", instance, "a\r\nflush_all", "x");
        assertEquals(1, r.code());
        assertEquals("wirekv: a key may not contain spaces or control characters", r.err().strip());
    }

    @Test
    void shouldPrintTheConcludedConfiguration()
    {
        final CncTestSupport.Run r = cli("config", "--instance", instance);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("instance = " + instance), r.out());
    }

    @Test
    void shouldFailWithOneLineForAnUnknownInstance()
    {
        final CncTestSupport.Run r = cli("stat", "--instance", "no-such-instance-" + ProcessHandle.current().pid(), "--once");
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().startsWith("wirekv: no instance 'no-such-instance-"), r.err());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"status", "stat", "top", "errors", "config", "shutdown",
        "admin", "admin get", "admin set", "admin delete", "admin flush", "completion"})
    void shouldPrintHelpForEveryOperatorCommand(final String command)
    {
        final String[] words = command.split(" ");
        final String[] args = java.util.Arrays.copyOf(words, words.length + 1);
        args[words.length] = "--help";
        final CncTestSupport.Run r = cli(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: wirekv " + command), r.out());
        if (!command.equals("admin") && !command.equals("completion"))
        {
            assertTrue(r.out().contains("--instance"), r.out());
        }
        assertTrue(cli("--help").out().contains("\n  " + words[0] + " "), words[0] + " listed in wirekv --help");
    }

    @Test
    void shouldPrintACompletionScript()
    {
        final CncTestSupport.Run r = cli("completion");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("complete -F") && r.out().contains("stat") && r.out().contains("admin"), r.out());
    }

    @Test
    void shouldShutDownThroughTheCommandRingAndRemoveTheFile() throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("shutdown");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final WirekvServer other = CncTestSupport.startServer(name, log);
        try
        {
            final Path file = CncFileDescriptor.cncFile(CncFileDescriptor.baseDirectory(), name);
            assertTrue(Files.exists(file));
            final CncTestSupport.Run r = cli("shutdown", "--instance", name);
            assertEquals(0, r.code(), r.err());
            assertEquals("instance '" + name + "' (pid " + ProcessHandle.current().pid() + ") stopped\n", r.out(),
                "stdout: the result only");
            assertTrue(r.err().startsWith("shutdown: instance '" + name + "'") && r.err().contains("waiting"),
                "stderr: the progress line: " + r.err());
            assertFalse(Files.exists(file), "the CnC file is removed on shutdown");
            final Thread waiter = Thread.ofPlatform().start(() ->
            {
                try
                {
                    other.awaitShutdown();
                }
                catch (final InterruptedException ignore)
                {
                    // ends the thread
                }
            });
            waiter.join(5000);
            assertFalse(waiter.isAlive(), "the server stopped");
            assertTrue(log.toString().contains("event=shutdown"), log.toString());
            assertTrue(log.toString().contains("event=stopped"), log.toString());
        }
        finally
        {
            other.close();
        }
    }

    @Test
    void shouldReportAStaleHeartbeatWhenTheDataplaneStopsBeating(@TempDir final Path dir) throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("stale");
        try (CncFile cnc = CncFile.create(dir, name, 8, 4096, "  backend = kernel\n", SystemEpochClock.INSTANCE))
        {
            cnc.publishReady("  lcore 0      test\n");
            cnc.heartbeat(System.currentTimeMillis() - 10_000);

            final CncTestSupport.Run json = cli("stat", "--instance", name, "--cnc-dir", dir.toString(), "--once", "--json",
                "--interval", "100ms");
            assertEquals(0, json.code(), json.err());
            @SuppressWarnings("unchecked")
            final Map<String, Object> sample = (Map<String, Object>)MiniJson.parse(json.out().strip());
            assertEquals(Boolean.TRUE, sample.get("heartbeat_stale"));
            assertTrue((Long)sample.get("heartbeat_age_ms") >= 10_000, sample.toString());

            final CncTestSupport.Run text = cli("stat", "--instance", name, "--cnc-dir", dir.toString(), "--once",
                "--interval", "100ms");
            assertTrue(text.out().contains("WARNING: heartbeat"), text.out());
            final CncTestSupport.Run status = cli("status", "--instance", name, "--cnc-dir", dir.toString());
            assertEquals(1, status.code(), "a stalled instance is not healthy");
            assertTrue(status.out().contains("health       STALLED"), status.out());
        }
    }

    @Test
    void shouldReportTheStaleFileOfACrashedInstance(@TempDir final Path dir) throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("crashed");
        final long deadPid = deadPid();
        try (CncFile cnc = CncFile.create(dir, name, 8, 4096, "", SystemEpochClock.INSTANCE))
        {
            cnc.publishReady("");
            writeHeaderLong(cnc.path(), CncFileDescriptor.PID_OFFSET, deadPid);
            final CncTestSupport.Run r = cli("status", "--instance", name, "--cnc-dir", dir.toString());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("stale CnC file") && r.err().contains("pid " + deadPid), r.err());

            final CncTestSupport.Run list = cli("status", "--cnc-dir", dir.toString());
            assertEquals(0, list.code(), list.err());
            assertTrue(list.out().contains(name) && list.out().contains("crashed"), list.out());

            // starting the instance again replaces the stale file
            try (CncFile again = CncFile.create(dir, name, 8, 4096, "", SystemEpochClock.INSTANCE))
            {
                assertNotNull(again.replaced());
                assertTrue(again.replaced().contains("crashed"), again.replaced());
            }
        }
    }

    @Test
    void shouldRefuseAFileOfAnotherLayoutVersion(@TempDir final Path dir) throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("version");
        try (CncFile cnc = CncFile.create(dir, name, 8, 4096, "", SystemEpochClock.INSTANCE))
        {
            cnc.publishReady("");
            writeHeaderInt(cnc.path(), CncFileDescriptor.VERSION_OFFSET, 99);
            final CncTestSupport.Run r = cli("stat", "--instance", name, "--cnc-dir", dir.toString(), "--once");
            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("wirekv: CnC file ") && r.err().contains("layout version 99") &&
                r.err().contains("reads version " + CncFileDescriptor.LAYOUT_VERSION), r.err());
        }
    }

    @Test
    void shouldSayWhenNoInstanceIsFound(@TempDir final Path dir)
    {
        final CncTestSupport.Run r = cli("status", "--cnc-dir", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("wirekv: no running instance"), r.err());
    }

    @Test
    void shouldRefuseToStartASecondLiveInstanceOfTheSameName(@TempDir final Path dir) throws Exception
    {
        final String name = CncTestSupport.uniqueInstance("twice");
        final Process sleeper = new ProcessBuilder("sleep", "30").start();
        try (CncFile cnc = CncFile.create(dir, name, 8, 4096, "", SystemEpochClock.INSTANCE))
        {
            writeHeaderLong(cnc.path(), CncFileDescriptor.PID_OFFSET, sleeper.pid());
            final IllegalStateException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> CncFile.create(dir, name, 8, 4096, "", SystemEpochClock.INSTANCE));
            assertTrue(ex.getMessage().contains("already running as pid " + sleeper.pid()), ex.getMessage());
        }
        finally
        {
            sleeper.destroy();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static long deadPid() throws Exception
    {
        final Process p = new ProcessBuilder("true").start();
        p.waitFor(5, TimeUnit.SECONDS);
        return p.pid();
    }

    private static void writeHeaderLong(final Path file, final int offset, final long value) throws IOException
    {
        try (Arena arena = Arena.ofConfined();
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            new UnsafeBuffer(channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena).address(), 4096)
                .putLongVolatile(offset, value);
        }
    }

    private static void writeHeaderInt(final Path file, final int offset, final int value) throws IOException
    {
        try (Arena arena = Arena.ofConfined();
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            new UnsafeBuffer(channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena).address(), 4096)
                .putIntVolatile(offset, value);
        }
    }
}
