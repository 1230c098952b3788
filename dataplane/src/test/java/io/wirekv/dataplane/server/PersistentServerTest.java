package io.wirekv.dataplane.server;

import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole server with persistence on real files: writes survive a restart exactly (values, flags, CAS, TTLs,
 * deletes), a second instance on the same data.dir is refused, and a full disk (a small tmpfs this test mounts)
 * refuses writes with SERVER_ERROR while reads keep serving, until space returns, losing no acknowledged write.
 */
class PersistentServerTest
{
    private static Path root;
    private static Path tmpfs;

    @BeforeAll
    static void createRoot() throws IOException
    {
        root = Path.of("target", "persistent-server-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(root);
    }

    @AfterAll
    static void removeRoot() throws IOException, InterruptedException
    {
        if (null != tmpfs)
        {
            run("umount", tmpfs.toString());
        }
        try (Stream<Path> all = Files.walk(root))
        {
            for (final Path p : all.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    private static ServerConfig config(final Path dataDir, final PersistenceSettings.Mode mode, final int partitions)
    {
        return new ServerConfig(
            "persist-" + System.nanoTime(), "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, partitions,
            32L * 1024 * 1024, MemoryMode.STORE, 64 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withPersistence(new PersistenceSettings(mode, dataDir, 50, 1L << 20, false));
    }

    private static WirekvServer start(final ServerConfig config, final ByteArrayOutputStream log)
    {
        return WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(log, true));
    }

    @Test
    void shouldBringBackEveryAcknowledgedWriteExactlyAfterARestart() throws IOException
    {
        final Path dataDir = root.resolve("restart");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final String before;
        try (WirekvServer server = start(config(dataDir, PersistenceSettings.Mode.SYNC, 4), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            assertEquals("STORED\r\n", client.tcp("set a 5 0 3\r\nabc\r\n", "\r\n"));
            assertEquals("STORED\r\n", client.tcp("set b 6 3600 2\r\nxy\r\n", "\r\n"));
            assertEquals("STORED\r\n", client.tcp("append b 0 0 2\r\nzz\r\n", "\r\n"));
            assertEquals("STORED\r\n", client.tcp("set n 0 0 2\r\n10\r\n", "\r\n"));
            assertEquals("15\r\n", client.tcp("incr n 5\r\n", "\r\n"));
            assertEquals("STORED\r\n", client.tcp("set gone 0 0 1\r\nq\r\n", "\r\n"));
            assertEquals("DELETED\r\n", client.tcp("delete gone\r\n", "\r\n"));
            assertEquals("NOT_STORED\r\n", client.tcp("add a 0 0 1\r\nq\r\n", "\r\n"));
            before = client.tcp("gets a b n gone\r\n", "END\r\n");
            assertTrue(server.durability().counters().recordsAppended() >= 6);
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("persistence: sync, data.dir " + dataDir), log.toString());
        log.reset();
        try (WirekvServer server = start(config(dataDir, PersistenceSettings.Mode.SYNC, 4), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            assertEquals(before, client.tcp("gets a b n gone\r\n", "END\r\n"), "values, flags and CAS as before");
            assertTrue(before.contains("VALUE b 6 4") && before.contains("VALUE n 0 2") && !before.contains("gone"), before);
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("recovered 7 items"), log.toString());
            assertEquals("STORED\r\n", client.tcp("set c 0 0 1\r\nc\r\n", "\r\n"));
            final String cas = client.tcp("gets c\r\n", "END\r\n");
            final long newCas = Long.parseLong(cas.substring(0, cas.indexOf("\r\n")).substring(cas.lastIndexOf(' ', cas.indexOf("\r\n")) + 1));
            for (final String line : before.split("\r\n"))
            {
                if (line.startsWith("VALUE"))
                {
                    assertTrue(newCas > Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)),
                        "a new CAS is above every recovered one: " + line + " / " + newCas);
                }
            }
        }
    }

    @Test
    void shouldRefuseASecondInstanceOnTheSameDataDirectory()
    {
        final Path dataDir = root.resolve("lock");
        try (WirekvServer first = start(config(dataDir, PersistenceSettings.Mode.ASYNC, 1), new ByteArrayOutputStream()))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> start(config(dataDir, PersistenceSettings.Mode.ASYNC, 1), new ByteArrayOutputStream()));
            assertTrue(ex.getMessage().contains("data.dir " + dataDir + " is in use by another wirekv instance"),
                ex.getMessage());
            assertTrue(first.tcpPort() > 0);
        }
    }

    @Test
    void shouldRefuseWritesWhenTheDiskIsFullKeepReadingAndResumeWhenSpaceReturns() throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "SKIPPED: mounting the small tmpfs this test fills needs root");
        tmpfs = root.resolve("tmpfs");
        Files.createDirectories(tmpfs);
        assertEquals(0, run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", tmpfs.toString()), "mount tmpfs");
        final Path dataDir = tmpfs.resolve("data");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final List<String> acknowledged = new ArrayList<>();
        final String value = "v".repeat(1000);
        try (WirekvServer server = start(config(dataDir, PersistenceSettings.Mode.SYNC, 1), log);
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("WARNING: data.dir " + dataDir + " is on tmpfs"));
            final Path filler = tmpfs.resolve("filler");
            fill(filler);
            String reply = "";
            for (int i = 0; i < 5_000 && !reply.startsWith("SERVER_ERROR"); i++)
            {
                reply = client.tcp("set k" + i + " 0 0 1000\r\n" + value + "\r\n", "\r\n");
                if (reply.equals("STORED\r\n"))
                {
                    acknowledged.add("k" + i);
                }
            }
            assertEquals("SERVER_ERROR out of disk space\r\n", reply, "the log's next segment does not fit");
            assertEquals("SERVER_ERROR out of disk space\r\n", client.tcp("delete k0\r\n", "\r\n"),
                "every write is refused, before it changes the table");
            assertEquals("VALUE k0 0 1000\r\n" + value + "\r\nEND\r\n", client.tcp("get k0\r\n", "END\r\n"),
                "reads keep serving");
            assertTrue(server.durability().counters().refusals() >= 2);
            Files.delete(filler);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!reply.equals("STORED\r\n"))
            {
                assertTrue(System.nanoTime() < deadline, "writes resume once space returns: " + reply);
                Thread.sleep(100);
                reply = client.tcp("set after 0 0 1\r\na\r\n", "\r\n");
            }
            acknowledged.add("after");
        }
        try (WirekvServer server = start(config(dataDir, PersistenceSettings.Mode.SYNC, 1), new ByteArrayOutputStream());
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            for (final String key : acknowledged)
            {
                assertTrue(client.tcp("get " + key + "\r\n", "END\r\n").startsWith("VALUE " + key + " "),
                    "acknowledged " + key + " survives the restart");
            }
        }
    }

    private static void fill(final Path filler) throws IOException
    {
        final byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler))
        {
            for (int i = 0; i < 1024; i++)
            {
                out.write(chunk);
                out.flush();
            }
        }
        catch (final IOException expected)
        {
            assertTrue(String.valueOf(expected.getMessage()).contains("No space left"), expected.toString());
            return;
        }
        throw new AssertionError("a 4 MiB tmpfs took 64 MiB");
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
