package io.wirekv.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real Python clients, Debian's python3-pymemcache 3.5 and python3-pylibmc 1.6 (libmemcached), run by Debian's
 * {@code /usr/bin/python3} (not a {@code python3} on PATH, which may be a pyenv build without Debian's modules)
 * against a real {@code wirekv serve} process ({@link ServeProcess}; {@code -Dwirekv.e2e.target=memcached} runs
 * them against memcached instead, proving the expectations). The script {@code e2e/python_clients.py} prints one
 * line per operation; every line is asserted here.
 * <p>
 * Modes covered: pymemcache (text, TCP), pylibmc text over TCP, pylibmc's UDP mode ({@code udp:HOST:PORT}:
 * libmemcached sends writes only, with its own reserved field, and refuses reads), and pylibmc {@code binary=True}
 * (memcached's binary protocol over TCP: quiet sets, NOOP-terminated multi-gets).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class PythonClientsTest
{
    private static final String PYTHON = "/usr/bin/python3";
    private static final long SCRIPT_TIMEOUT_MS = 60_000;

    private Target target;
    private Path script;

    @BeforeAll
    void start(@TempDir final Path dir) throws IOException
    {
        MemcachedProcess.requireExecutable(PYTHON, "python3");
        script = dir.resolve("python_clients.py");
        try (InputStream in = PythonClientsTest.class.getResourceAsStream("/e2e/python_clients.py"))
        {
            Files.copy(in, script);
        }
        for (final String module : new String[] {"pymemcache", "pylibmc"})
        {
            final ExternalTool.Result probe = ExternalTool.run(List.of(PYTHON, "-c", "import " + module), dir, 20_000);
            assertEquals(0, probe.exitCode(), PYTHON + " cannot import " + module + ": run `apt-get install python3-" +
                module + "` (deploy/install-deps.sh installs it): " + probe.stderr());
        }
        target = "memcached".equals(Targets.kind()) ? new MemcachedProcess() : new ServeProcess();
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
    void shouldServePymemcacheOverTcp()
    {
        assertTranscript("pymemcache", "py:",
            "set True",
            "get b'alpha'",
            "get-miss None",
            "add-existing False",
            "add-new True",
            "replace-missing False",
            "append True",
            "prepend True",
            "get-after-append b'-alpha+'",
            "set-big True",
            "get-big-equal True",
            "get-many [('py:a', b'-alpha+'), ('py:b', b'beta')]",
            "set-counter True",
            "incr 15",
            "decr 0",
            "incr-missing None",
            "gets b'-alpha+'",
            "cas-ok True",
            "cas-stale False",
            "cas-missing None",
            "get-after-cas b'swapped'",
            "touch True",
            "delete True",
            "delete-missing False",
            "get-deleted None",
            "version-nonempty True",
            "done");
    }

    @Test
    void shouldServePylibmcTextProtocolOverTcp()
    {
        assertTranscript("pylibmc", "lm:",
            "set True",
            "get b'alpha'",
            "get-miss None",
            "add-existing False",
            "add-new True",
            "replace-missing False",
            "append True",
            "prepend True",
            "get-after-append b'-alpha+'",
            "set-big True",
            "get-big-equal True",
            "set-multi []",
            "get-multi [('lm:a', b'-alpha+'), ('lm:b', b'beta'), ('lm:m1', b'1'), ('lm:m2', b'2')]",
            "set-counter True",
            "incr 15",
            "decr 0",
            "incr-missing 'NotFound'",
            "gets b'-alpha+'",
            "cas-ok True",
            "cas-stale False",
            "get-after-cas b'swapped'",
            "delete True",
            "delete-missing False",
            "delete-multi True",
            "get-multi-deleted [('lm:b', b'beta')]",
            "done");
    }

    @Test
    void shouldServePylibmcBinaryProtocolOverTcp()
    {
        assertTranscript("pylibmc-binary", "lb:",
            "set True",
            "get b'alpha'",
            "get-miss None",
            "add-existing False",
            "add-new True",
            "replace-missing 'NotFound'",
            "append True",
            "prepend True",
            "get-after-append b'-alpha+'",
            "set-big True",
            "get-big-equal True",
            "set-multi []",
            "get-multi [('lb:a', b'-alpha+'), ('lb:b', b'beta'), ('lb:m1', b'1'), ('lb:m2', b'2')]",
            "set-counter True",
            "incr 15",
            "decr 0",
            "incr-missing 'NotFound'",
            "gets b'-alpha+'",
            "cas-ok True",
            "cas-stale False",
            "get-after-cas b'swapped'",
            "touch True",
            "delete True",
            "delete-missing False",
            "delete-multi True",
            "get-multi-deleted [('lb:b', b'beta')]",
            "flush True",
            "get-after-flush None",
            "done");
    }

    @Test
    void shouldApplyEveryPylibmcUdpWrite()
    {
        assertTranscript("pylibmc-udp", "lu:",
            "udp-set True",
            "udp-add True",
            "udp-set-multi []",
            "tcp-get-multi [('lu:a', b'alpha'), ('lu:b', b'beta'), ('lu:m1', b'1'), ('lu:m2', b'2')]",
            "udp-replace True",
            "udp-append True",
            "tcp-get-after-replace [('lu:a', b'again+')]",
            "udp-delete True",
            "tcp-get-after-delete [('lu:a', b'again+')]",
            "udp-get 'NotSupportedError'",
            "done");
    }

    private void assertTranscript(final String client, final String prefix, final String... expected)
    {
        final ExternalTool.Result r = ExternalTool.run(
            List.of(PYTHON, script.toString(), client, target.host(), Integer.toString(target.tcpPort()), prefix),
            script.getParent(), SCRIPT_TIMEOUT_MS);
        final String transcript = r.stdoutText();
        assertEquals(String.join("\n", expected) + "\n", transcript,
            client + " against " + target.name() + " (exit " + r.exitCode() + "): " + r.stderr());
        assertEquals(0, r.exitCode(), r.stderr());
    }
}
