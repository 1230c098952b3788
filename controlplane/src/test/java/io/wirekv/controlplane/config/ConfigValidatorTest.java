package io.wirekv.controlplane.config;

import io.wirekv.dataplane.net.ReassemblySettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.table.MemoryMode;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigValidatorTest
{
    private static final Machine MACHINE = new Machine(4, 8L << 30);

    private static ConcludedConfig validate(final String... keyValues)
    {
        final Map<String, Setting> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            settings.put(keyValues[i], new Setting(keyValues[i], keyValues[i + 1], "test"));
        }
        return ConfigValidator.validate(settings, MACHINE);
    }

    private static void assertProblem(final String expected, final String... keyValues)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> validate(keyValues));
        assertEquals(List.of(expected), ex.problems());
    }

    @Test
    void shouldConcludeTheEmbeddedDefaultsWhenNothingIsSet()
    {
        final ConcludedConfig c = validate();
        assertEquals(ServerConfig.defaults(), c.config());
        assertEquals(Setting.DEFAULT_ORIGIN, c.origins().get(ConfigKey.PORT));
    }

    @Test
    void shouldApplyEveryKey()
    {
        final ServerConfig c = validate(
            "instance", "cache-1", "listen", "0.0.0.0", "port", "0", "backend", "kernel", "memory", "1g",
            "mode", "store", "item.size.max", "2m", "lcores", "2", "cpus", "2-3", "writers", "2", "partitions", "64",
            "tcp.threads", "0", "udp.max.payload", "9000", "burst.size", "64", "udp.slots", "128", "idle", "busy-spin",
            "hugepages", "false").config();
        assertEquals(new ServerConfig("cache-1", "0.0.0.0", 0, ServerConfig.Backend.KERNEL, 2, List.of(2, 3), 2, 0, 64,
            1L << 30, MemoryMode.STORE, 2 << 20, 9000, 64, 128, ServerConfig.IdleMode.BUSY_SPIN, false), c);
    }

    @Test
    void shouldEnableTheShutdownCommandOnlyWhenAsked()
    {
        assertEquals(false, validate().config().shutdownCommand(), "memcached refuses shutdown without -A");
        assertEquals(true, validate("shutdown.command", "true").config().shutdownCommand());
        assertEquals(ServerConfig.defaults().withShutdownCommand(true), validate("shutdown.command", "yes").config());
        assertEquals(1, assertThrows(ConfigException.class, () -> validate("shutdown.command", "maybe")).problems().size());
    }

    @Test
    void shouldTurnSaslOnOnlyWithAReadablePasswordFile() throws java.io.IOException
    {
        assertEquals(false, validate().config().auth().sasl(), "memcached has no SASL without -S");
        final List<String> missing =
            assertThrows(ConfigException.class, () -> validate("auth.sasl", "true")).problems();
        assertEquals(1, missing.size(), missing.toString());
        assertTrue(missing.get(0).startsWith("auth.sasl.password.file = : must name the password file"), missing.get(0));
        final List<String> unreadable = assertThrows(ConfigException.class, () -> validate("auth.sasl", "true",
            "auth.sasl.password.file", "/nonexistent/wirekv-users")).problems();
        assertEquals(1, unreadable.size(), unreadable.toString());
        assertTrue(unreadable.get(0).startsWith("auth.sasl.password.file = /nonexistent/wirekv-users: is not a " +
            "readable file"), unreadable.get(0));
        final java.nio.file.Path users = java.nio.file.Files.createTempFile("wirekv-sasl", ".txt");
        try
        {
            java.nio.file.Files.writeString(users, "alice:secret\n");
            assertEquals(ServerConfig.defaults().withAuth(new io.wirekv.dataplane.server.AuthSettings(true,
                users.toString())), validate("auth.sasl", "true", "auth.sasl.password.file", users.toString()).config());
        }
        finally
        {
            java.nio.file.Files.delete(users);
        }
    }

    @Test
    void shouldRecordWhereEachValueCameFrom()
    {
        final ConcludedConfig c = validate("port", "1234");
        assertEquals("test", c.origins().get(ConfigKey.PORT));
        assertTrue(c.describe().contains("port             = 1234             (test)"), c.describe());
    }

    @Test
    void shouldRejectPartitionsThatAreNotAPowerOfTwo()
    {
        assertProblem("partitions = 12: must be a power of two, e.g. 16 (test)", "partitions", "12");
    }

    @Test
    void shouldRejectFewerPartitionsThanWriters()
    {
        assertProblem("partitions = 4: must be at least writers (6), e.g. 8; or lower writers (test)",
            "partitions", "4", "writers", "6");
    }

    @Test
    void shouldRejectPartitionsOutOfRange()
    {
        assertProblem("partitions = 0: must be a whole number from 1 to 65536 (test)", "partitions", "0");
        assertProblem("partitions = lots: must be a whole number from 1 to 65536 (test)", "partitions", "lots");
    }

    @Test
    void shouldRejectAPortOutOfRange()
    {
        assertProblem("port = 65536: must be a whole number from 0 to 65535; 0 picks a free port (test)", "port", "65536");
        assertProblem("port = -1: must be a whole number from 0 to 65535; 0 picks a free port (test)", "port", "-1");
    }

    @Test
    void shouldNameTheDeviceAndAddressABypassBackendNeeds()
    {
        final ConfigException dpdk = assertThrows(ConfigException.class, () -> validate("backend", "dpdk"));
        assertEquals(List.of(
            "dpdk.device = : backend dpdk needs the ethdev to serve on, e.g. net_memif0 (with " +
                "--vdev=net_memif0 in dpdk.eal.args) or a PCI address bound to vfio-pci (see deploy/README.md)",
            "bypass.address = : backend dpdk needs the IPv4 address to answer on, e.g. 10.0.0.1: " +
                "DPDK takes the NIC from the kernel, so no interface address applies"), dpdk.problems());
        assertProblem("xdp.interface = : backend xdp needs the network interface to serve on, e.g. eth1 " +
            "(`ip -br link` lists them)", "backend", "xdp");
    }

    @Test
    void shouldRefuseReplyDatagramsLargerThanOneFrameOnBypassBackends()
    {
        assertProblem("udp.max.payload = 1473: must be at most 1472 with backend xdp: a reply datagram must fit one " +
            "1500-byte Ethernet frame, as the bypass backends do not fragment; 1400 is the default (test)",
            "backend", "xdp", "udp.max.payload", "1473", "xdp.interface", "eth1");
        validate("backend", "xdp", "udp.max.payload", "1472", "xdp.interface", "eth1");
    }

    @Test
    void shouldConcludeTheReassemblyKeys()
    {
        assertEquals(ReassemblySettings.defaults(), validate().config().bypass().reassembly());
        assertEquals(new ReassemblySettings(4, 4, 250_000_000L), // the default share follows a smaller pool
            validate("udp.reassembly.contexts", "4", "udp.reassembly.timeout", "250ms").config().bypass().reassembly());
        assertEquals(new ReassemblySettings(32, 2, 2_000_000_000L),
            validate("udp.reassembly.per.source", "2", "udp.reassembly.timeout", "2s").config().bypass().reassembly());
        assertEquals(new ReassemblySettings(32, 8, 40_000_000L),
            validate("udp.reassembly.timeout", "40").config().bypass().reassembly());
        assertEquals(ReassemblySettings.disabled(), validate("udp.reassembly.contexts", "0").config().bypass().reassembly());
    }

    @Test
    void shouldRejectBadReassemblyKeys()
    {
        assertProblem("udp.reassembly.contexts = 1025: must be a whole number from 0 to 1024; each takes 64 KiB per " +
            "lcore, 0 drops every fragment (test)", "udp.reassembly.contexts", "1025");
        assertProblem("udp.reassembly.per.source = 9: must be at most udp.reassembly.contexts (8) (test)",
            "udp.reassembly.contexts", "8", "udp.reassembly.per.source", "9");
        assertProblem("udp.reassembly.per.source = 0: must be a whole number from 1 to 1024 (test)",
            "udp.reassembly.per.source", "0");
        assertProblem("udp.reassembly.timeout = 31s: must be a duration from 1ms to 30s, e.g. 1s or 250ms (test)",
            "udp.reassembly.timeout", "31s");
        assertProblem("udp.reassembly.timeout = soon: must be a duration from 1ms to 30s, e.g. 1s or 250ms (test)",
            "udp.reassembly.timeout", "soon");
        assertProblem("udp.reassembly.timeout = 0ms: must be a duration from 1ms to 30s, e.g. 1s or 250ms (test)",
            "udp.reassembly.timeout", "0ms");
    }

    @Test
    void shouldConcludeTheExposureKeys()
    {
        final ServerConfig c = validate("udp.allow", "10.0.0.0/8, 192.0.2.7", "udp.unvalidated.reply.factor", "0",
            "udp.validated.sources", "256", "max.connections", "50", "udp.unvalidated.reply.rate", "1m").config();
        assertEquals(List.of("10.0.0.0/8", "192.0.2.7"), c.exposure().udpAllow());
        assertEquals(0, c.exposure().unvalidatedReplyFactor());
        assertEquals(256, c.exposure().validatedSources());
        assertEquals(50, c.exposure().maxConnections());
        assertEquals(1L << 20, c.exposure().unvalidatedReplyRate());
        final ServerConfig defaults = validate().config();
        assertEquals(List.of(), defaults.exposure().udpAllow(), "empty: loopback and the serving subnet, at start-up");
        assertEquals(3, defaults.exposure().unvalidatedReplyFactor());
        assertEquals(1024, defaults.exposure().maxConnections());
        assertEquals(0, defaults.exposure().unvalidatedReplyRate(), "no rate limit unless asked for");
    }

    @Test
    void shouldRejectBadExposureKeys()
    {
        assertProblem("udp.allow = 10.0.0.0/33: '10.0.0.0/33' is not an IPv4 CIDR block: the prefix length must be 0..32; " +
            "write CIDR blocks separated by commas, e.g. 127.0.0.0/8,10.0.0.0/24, or leave it empty for loopback and the " +
            "serving subnet (test)", "udp.allow", "10.0.0.0/33");
        assertProblem("udp.unvalidated.reply.factor = -1: must be a whole number from 0 to 1000; 3 is QUIC's limit, 0 " +
            "removes the cap (an open UDP amplifier unless udp.allow is narrow) (test)", "udp.unvalidated.reply.factor", "-1");
        assertProblem("udp.validated.sources = 100: must be a power of two, e.g. 128 (test)", "udp.validated.sources", "100");
        assertProblem("udp.unvalidated.reply.rate = fast: 'fast' is not a byte rate; write bytes per second, e.g. 1m or " +
            "65536, or 0 for no limit (test)", "udp.unvalidated.reply.rate", "fast");
        assertProblem("max.connections = 0: must be a whole number from 1 to 1048576 (test)", "max.connections", "0");
    }

    @Test
    void shouldRejectAnUnknownXdpModeAndABadBypassAddress()
    {
        assertProblem("xdp.mode = fast: must be auto, zero-copy or copy (test)", "xdp.mode", "fast");
        assertProblem("bypass.address = 10.0.0: must be an IPv4 address such as 10.0.0.1 (test)", "bypass.address", "10.0.0");
    }

    @Test
    void shouldSplitEalArgumentsOnWhitespace()
    {
        final ServerConfig config = validate("backend", "dpdk", "dpdk.eal.args", " --no-huge  -m 256 --vdev=net_memif0 ",
            "dpdk.device", "net_memif0", "bypass.address", "10.0.0.1").config();
        assertEquals(List.of("--no-huge", "-m", "256", "--vdev=net_memif0"), config.bypass().dpdkEalArgs());
        assertEquals("net_memif0", config.bypass().dpdkDevice());
        assertEquals(ServerConfig.Backend.DPDK, config.backend());
    }

    @Test
    void shouldRejectAnUnknownBackend()
    {
        assertProblem("backend = rdma: must be kernel, xdp or dpdk (test)", "backend", "rdma");
    }

    @Test
    void shouldRejectAMemoryThatIsNotASize()
    {
        assertProblem("memory = 64x: not a size; write MiB (a bare number, as memcached's -m) or a number with k, m or g, " +
            "e.g. 64m (test)", "memory", "64x");
    }

    @Test
    void shouldRejectTooLittleMemory()
    {
        assertProblem("memory = 512k: must be at least 1m (test)", "memory", "512k");
    }

    @Test
    void shouldRejectMoreMemoryThanTheMachineHas()
    {
        assertProblem("memory = 16g: exceeds this machine's memory (8192m; a bare number is MiB); use less, e.g. 4g (test)",
            "memory", "16g");
    }

    @Test
    void shouldRejectMoreMemoryThanTheExpiryWheelIndexes()
    {
        final Map<String, Setting> settings = new LinkedHashMap<>();
        settings.put("memory", new Setting("memory", "128g", "test"));
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigValidator.validate(settings, new Machine(4, 512L << 30)));
        assertTrue(ex.getMessage().contains("memory = 128g: at most 127g per instance"), ex.getMessage());
        settings.put("memory", new Setting("memory", "127g", "test"));
        assertEquals(127L << 30, ConfigValidator.validate(settings, new Machine(4, 512L << 30)).config().memoryBytes());
    }

    @Test
    void shouldReadABareMemoryNumberAsMibLikeMemcached()
    {
        assertEquals(64L << 20, validate("memory", "64").config().memoryBytes());
        assertEquals(65536L << 10, validate("memory", "65536k").config().memoryBytes());
        assertEquals(1L << 30, validate("memory", "1g").config().memoryBytes());
    }

    @Test
    void shouldSayABareNumberIsMibWhenAByteCountIsTooLarge()
    {
        // 67108864 was 64 MiB in bytes before the memcached convention; now it asks for 64 TiB and says why.
        assertProblem("memory = 67108864: exceeds this machine's memory (8192m; a bare number is MiB); use less, " +
            "e.g. 4g (test)", "memory", "67108864");
    }

    @Test
    void shouldRejectAnUnknownMode()
    {
        assertProblem("mode = lru: must be cache or store (test)", "mode", "lru");
    }

    @Test
    void shouldRejectAnItemSizeOutOfRange()
    {
        assertProblem("item.size.max = 512: must be between 1k and 1g, e.g. 1m (test)", "item.size.max", "512");
        assertProblem("item.size.max = 2g: must be between 1k and 1g, e.g. 1m (test)", "item.size.max", "2g");
        assertProblem("item.size.max = big: not a size; write bytes or a number with k, m or g, e.g. 1m (test)",
            "item.size.max", "big");
    }

    @Test
    void shouldRejectAnItemSizeLargerThanMemory()
    {
        assertProblem("item.size.max = 4m: must not exceed memory (2m); lower item.size.max or raise memory (test)",
            "item.size.max", "4m", "memory", "2m");
    }

    @Test
    void shouldRejectMemoryTooSmallForOneSlabPagePerPartition()
    {
        assertProblem("memory = 16m: must hold two slab pages (item.size.max rounded up to a power of two) per " +
            "partition: at least 32m for 16 partitions; raise memory, or lower partitions or item.size.max (test)",
            "memory", "16m", "partitions", "16", "item.size.max", "1m");
    }

    @Test
    void shouldRejectZeroLcores()
    {
        assertProblem("lcores = 0: must be a whole number from 1 to 1024 (test)", "lcores", "0");
    }

    @Test
    void shouldRejectCpusNotMatchingLcores()
    {
        assertProblem("cpus = 1,2: lists 2 cpus but lcores = 1; give exactly one cpu per lcore, or leave cpus empty " +
            "to not pin (test)", "cpus", "1,2");
    }

    @Test
    void shouldRejectACpuTheMachineDoesNotHave()
    {
        assertProblem("cpus = 2,7: cpu 7 does not exist; this machine has cpus 0-3 (test)", "cpus", "2,7", "lcores", "2");
    }

    @Test
    void shouldRejectACpuListedTwice()
    {
        assertProblem("cpus = 1,1: cpu 1 is listed twice; give each lcore its own cpu (test)", "cpus", "1,1", "lcores", "2");
    }

    @Test
    void shouldRejectACpuListThatDoesNotParse()
    {
        assertProblem("cpus = a,b: must be a list of cpu ids such as 2,3 or 2-5 (test)", "cpus", "a,b");
        assertProblem("cpus = 3-1: must be a list of cpu ids such as 2,3 or 2-5 (test)", "cpus", "3-1");
    }

    @Test
    void shouldRejectZeroWriters()
    {
        assertProblem("writers = 0: must be a whole number from 1 to 1024 (test)", "writers", "0");
    }

    @Test
    void shouldRejectNegativeTcpThreads()
    {
        assertProblem("tcp.threads = -1: must be a whole number from 0 to 1024; 0 disables TCP (test)", "tcp.threads", "-1");
    }

    @Test
    void shouldRejectAUdpPayloadOutOfRange()
    {
        assertProblem("udp.max.payload = 63: must be a whole number from 64 to 65507 (test)", "udp.max.payload", "63");
        assertProblem("udp.max.payload = 65508: must be a whole number from 64 to 65507 (test)", "udp.max.payload", "65508");
    }

    @Test
    void shouldRejectABurstOutOfRange()
    {
        assertProblem("burst.size = 0: must be a whole number from 1 to 1024 (test)", "burst.size", "0");
        assertProblem("burst.size = 1025: must be a whole number from 1 to 1024 (test)", "burst.size", "1025");
    }

    @Test
    void shouldRejectFewerUdpSlotsThanBurst()
    {
        assertProblem("udp.slots = 16: must be at least burst.size (32); raise udp.slots to 32 or lower burst.size (test)",
            "udp.slots", "16");
    }

    @Test
    void shouldRejectAnUnknownIdleMode()
    {
        assertProblem("idle = sleep: must be busy-spin or backoff (test)", "idle", "sleep");
    }

    @Test
    void shouldRejectAHugepagesValueThatIsNotABoolean()
    {
        assertProblem("hugepages = maybe: must be true or false (test)", "hugepages", "maybe");
    }

    @Test
    void shouldRejectABadInstanceName()
    {
        assertProblem("instance = ../etc: must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.', " +
            "e.g. default (test)", "instance", "../etc");
    }

    @Test
    void shouldRejectAListenAddressThatIsNotIpv4()
    {
        assertProblem("listen = 300.1.1.1: must be an IPv4 address such as 127.0.0.1, or 0.0.0.0 for every interface (test)",
            "listen", "300.1.1.1");
        assertProblem("listen = localhost: must be an IPv4 address such as 127.0.0.1, or 0.0.0.0 for every interface (test)",
            "listen", "localhost");
    }

    @Test
    void shouldRejectAnUnknownKeyFromFlags()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> validate("udp.max.paylod", "1400"));
        assertEquals(List.of("test: unknown key 'udp.max.paylod'; did you mean 'udp.max.payload'? Valid keys: " +
            ConfigKey.validKeys()), ex.problems());
    }

    @Test
    void shouldReportEveryBadKeyAtOnce()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> validate("port", "x", "partitions", "3", "idle", "nap", "backend", "dpdk"));
        assertEquals(5, ex.problems().size(), "port, partitions, idle, and dpdk's missing device and address: " +
            ex.problems());
        assertTrue(ex.getMessage().contains("partitions = 3"), ex.getMessage());
    }

    @Test
    void shouldAcceptBooleanSpellingsAndCaseInChoices()
    {
        final ServerConfig c = validate("hugepages", "off", "mode", "STORE", "backend", "Kernel").config();
        assertEquals(false, c.preferHugepages());
        assertEquals(MemoryMode.STORE, c.memoryMode());
    }

    @Test
    void shouldShipASampleFileThatDocumentsEveryKeyAtItsDefault() throws Exception
    {
        final String sample;
        try (InputStream in = getClass().getResourceAsStream("/wirekv.conf.sample"))
        {
            assertNotNull(in, "wirekv.conf.sample is on the classpath");
            sample = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        final Map<String, Setting> settings = ConfigLoader.parse(sample, "wirekv.conf.sample");
        assertEquals(ConfigKey.values().length, settings.size());
        for (final ConfigKey key : ConfigKey.values())
        {
            assertEquals(key.defaultValue(), settings.get(key.key()).value(), key.key());
        }
        assertEquals(ServerConfig.defaults(), ConfigValidator.validate(settings, MACHINE).config());
    }

    @Test
    void shouldConcludePersistenceSettings(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
    {
        final io.wirekv.dataplane.log.PersistenceSettings p = validate("persistence", "sync", "data.dir", dir.toString(),
            "persistence.async.interval", "250ms", "log.segment.size", "16m").config().persistence();
        assertEquals(io.wirekv.dataplane.log.PersistenceSettings.Mode.SYNC, p.mode());
        assertEquals(dir.toAbsolutePath(), p.dataDir());
        assertEquals(250, p.asyncIntervalMs());
        assertEquals(16L << 20, p.segmentSizeBytes());
        assertEquals(2.0, p.snapshotLogFactor(), "default");
        assertEquals(64L << 20, p.snapshotMinLogBytes(), "default");
        final io.wirekv.dataplane.log.PersistenceSettings t = validate("persistence", "async", "data.dir", dir.toString(),
            "snapshot.log.factor", "3.5", "snapshot.min.log.size", "1g").config().persistence();
        assertEquals(3.5, t.snapshotLogFactor());
        assertEquals(1L << 30, t.snapshotMinLogBytes());
        assertEquals(io.wirekv.dataplane.log.PersistenceSettings.Mode.NONE,
            validate().config().persistence().mode(), "a cache by default");
    }

    @Test
    void shouldRefuseBadPersistenceCombinationsNamingKeyAndFix(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws java.io.IOException
    {
        assertProblem("persistence = sync: needs data.dir, the directory for the log: set data.dir / --data-dir, " +
            "or use persistence = none for a cache (test)", "persistence", "sync");
        assertProblem("persistence = always: must be none, async or sync (test)", "persistence", "always");
        final java.nio.file.Path file = java.nio.file.Files.createFile(dir.resolve("a-file"));
        assertProblem("data.dir = " + file + ": is not a directory; point data.dir at a directory (it is created if " +
            "missing) (test)", "persistence", "async", "data.dir", file.toString());
        assertProblem("persistence.async.interval = 2h: must be a duration from 1ms to 60s, e.g. 1s or 200ms (test)",
            "persistence.async.interval", "2h");
        assertProblem("log.segment.size = 100k: must be a size from 1m to 1g, e.g. 64m (test)", "log.segment.size", "100k");
        assertProblem("log.segment.size = 1m: must hold the largest record: at least item.size.max + 64k (1088k); " +
            "raise log.segment.size or lower item.size.max (test)", "log.segment.size", "1m");
        for (final String factor : new String[] {"0.5", "101", "two", "NaN"})
        {
            assertProblem("snapshot.log.factor = " + factor + ": must be a number from 1 to 100, e.g. 2 (the log may " +
                "grow to this many times the live data before a snapshot compacts it) (test)", "snapshot.log.factor", factor);
        }
        assertProblem("snapshot.min.log.size = 512k: must be a size from 1m to 1t, e.g. 64m (test)",
            "snapshot.min.log.size", "512k");
        assertProblem("snapshot.min.log.size = lots: must be a size from 1m to 1t, e.g. 64m (test)",
            "snapshot.min.log.size", "lots");
    }
}
