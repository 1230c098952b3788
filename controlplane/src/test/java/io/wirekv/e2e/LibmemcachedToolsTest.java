package io.wirekv.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * libmemcached's command-line tools (Debian package libmemcached-tools: memccp, memccat, memcrm, memcflush)
 * against the target over TCP. memccp stores each file under its base name; memccat prints the value
 * followed by one newline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class LibmemcachedToolsTest
{
    private static final String PACKAGE = "libmemcached-tools";
    private static final long TOOL_TIMEOUT_MS = 10_000;

    private Target target;
    private String servers;

    @BeforeAll
    void start()
    {
        for (final String tool : new String[] {"memccp", "memccat", "memcrm", "memcflush"})
        {
            ExternalTool.require(tool, PACKAGE);
        }
        target = Targets.start();
        servers = "--servers=" + target.host() + ":" + target.tcpPort();
    }

    @AfterAll
    void stop()
    {
        if (target != null)
        {
            target.close();
        }
    }

    @Test
    void shouldReadBackEveryCopiedFileByteForByteThenRemoveAndFlush(@TempDir final Path dir) throws IOException
    {
        final Random random = new Random(42);
        final int[] sizes = {0, 1, 100, 1400, 5000, 100_000, 900_000};
        final List<String> names = new ArrayList<>();
        for (final int size : sizes)
        {
            final byte[] content = new byte[size];
            random.nextBytes(content);
            final String name = "e2e-file-" + size + ".bin";
            Files.write(dir.resolve(name), content);
            names.add(name);
        }
        final List<String> copy = new ArrayList<>(List.of("/usr/bin/memccp", servers));
        copy.addAll(names);
        final ExternalTool.Result copied = ExternalTool.run(copy, dir, TOOL_TIMEOUT_MS);
        assertEquals(0, copied.exitCode(), "memccp failed: " + copied.stderr());

        for (final String name : names)
        {
            final byte[] expected = Files.readAllBytes(dir.resolve(name));
            assertArrayEquals(expected, cat(dir, name), "memccat " + name);
        }

        final ExternalTool.Result addExisting = ExternalTool.run(
            List.of("/usr/bin/memccp", servers, "--add", names.get(2)), dir, TOOL_TIMEOUT_MS);
        assertNotEquals(0, addExisting.exitCode(), "memccp --add of an existing key must fail (NOT_STORED)");

        final ExternalTool.Result removed = ExternalTool.run(
            List.of("/usr/bin/memcrm", servers, names.get(1)), dir, TOOL_TIMEOUT_MS);
        assertEquals(0, removed.exitCode(), "memcrm failed: " + removed.stderr());
        assertNotEquals(0, catResult(dir, names.get(1)).exitCode(), "memccat must fail for a removed key");
        assertArrayEquals(Files.readAllBytes(dir.resolve(names.get(2))), cat(dir, names.get(2)),
            "memcrm removed more than its key");
        assertNotEquals(0, ExternalTool.run(List.of("/usr/bin/memcrm", servers, names.get(1)), dir, TOOL_TIMEOUT_MS)
            .exitCode(), "memcrm of a missing key must fail (NOT_FOUND)");

        final ExternalTool.Result flushed = ExternalTool.run(List.of("/usr/bin/memcflush", servers), dir, TOOL_TIMEOUT_MS);
        assertEquals(0, flushed.exitCode(), "memcflush failed: " + flushed.stderr());
        for (final String name : names)
        {
            assertNotEquals(0, catResult(dir, name).exitCode(), "memccat must fail after memcflush: " + name);
        }
    }

    private ExternalTool.Result catResult(final Path dir, final String name)
    {
        return ExternalTool.run(List.of("/usr/bin/memccat", servers, name), dir, TOOL_TIMEOUT_MS);
    }

    private byte[] cat(final Path dir, final String name)
    {
        final ExternalTool.Result r = catResult(dir, name);
        assertEquals(0, r.exitCode(), "memccat " + name + " failed: " + r.stderr());
        final byte[] out = r.stdout();
        assertEquals('\n', out.length > 0 ? out[out.length - 1] : -1, "memccat ends its output with a newline");
        return Arrays.copyOf(out, out.length - 1);
    }
}
