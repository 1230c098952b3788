package io.wirekv.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * memcaslap (libmemcached-tools) over UDP against the target: a bounded, fully verified workload
 * ({@code -x} operations, 90% get / 10% set, {@code --verify=1.0}). memcaslap prints a summary of
 * {@code name: number} lines (cmd_get, cmd_set, get_misses, verify_misses, verify_failed, packet_disorder,
 * packet_drop, udp_timeout); all error counters must be 0. Note: memcaslap -U sends UDP to the port
 * given in -s and documents that "TCP port and UDP port of server must be same". Against memcached 1.6.18
 * this workload is stable (repeated runs: 0 misses, 0 drops, 0 timeouts).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class MemcaslapUdpTest
{
    private static final Pattern COUNTER = Pattern.compile("^([a-z_]+): (\\d+)$", Pattern.MULTILINE);
    private static final int OPERATIONS = 20_000;

    private Target target;

    @BeforeAll
    void start()
    {
        ExternalTool.require("memcaslap", "libmemcached-tools");
        target = Targets.start();
    }

    @AfterAll
    void stop()
    {
        if (target != null)
        {
            target.close();
        }
    }

    static Map<String, Long> parseCounters(final String output)
    {
        final Map<String, Long> counters = new HashMap<>();
        final Matcher m = COUNTER.matcher(output);
        while (m.find())
        {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return counters;
    }

    @Test
    void shouldRunVerifiedUdpWorkloadWithNoMissesOrErrors(@TempDir final Path dir)
    {
        final ExternalTool.Result r = ExternalTool.run(List.of(
            "/usr/bin/memcaslap", "-s", target.host() + ":" + target.udpPort(), "-U",
            "-T", "1", "-c", "8", "-x", Integer.toString(OPERATIONS), "--verify=1.0", "-X", "200"), dir, 30_000);
        final String out = r.stdoutText();
        assertEquals(0, r.exitCode(), "memcaslap exit code; stdout:\n" + out + "\nstderr:\n" + r.stderr());
        final Map<String, Long> c = parseCounters(out);
        for (final String name : new String[] {"cmd_get", "cmd_set", "get_misses", "verify_misses", "verify_failed",
            "packet_disorder", "packet_drop", "udp_timeout"})
        {
            assertTrue(c.containsKey(name), "memcaslap printed no " + name + ":\n" + out);
        }
        assertEquals(OPERATIONS, c.get("cmd_get") + c.get("cmd_set"), "operations executed:\n" + out);
        assertTrue(c.get("cmd_set") > 0 && c.get("cmd_get") > 0, out);
        for (final String name : new String[] {"get_misses", "verify_misses", "verify_failed", "packet_disorder",
            "packet_drop", "udp_timeout"})
        {
            assertEquals(0L, c.get(name), name + " must be 0:\n" + out);
        }
    }
}
