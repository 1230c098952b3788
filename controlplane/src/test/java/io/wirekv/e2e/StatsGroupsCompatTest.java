package io.wirekv.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stats settings|slabs|items|conns} against a real memcached 1.6.18: every field wirekv reports is one
 * memcached reports, in memcached's order (values differ: they describe each server; README lists what is absent),
 * so tools that read memcached's names (memcached_exporter) find them. And {@code shutdown}: refused by default,
 * with {@code --enable-shutdown} (memcached's -A) it closes the connection without a reply and the
 * {@code wirekv serve} process exits, as memcached does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class StatsGroupsCompatTest
{
    private MemcachedProcess memcached;
    private Target target;

    @BeforeAll
    void start()
    {
        memcached = new MemcachedProcess();
        target = Targets.start();
    }

    @AfterAll
    void stop()
    {
        if (target != null)
        {
            target.close();
        }
        if (memcached != null)
        {
            memcached.close();
        }
    }

    @Test
    void shouldReportOnlyMemcachedsSettingNamesInMemcachedsOrder() throws IOException
    {
        final List<String> reference = names(memcached, "stats settings");
        final List<String> ours = names(target, "stats settings");
        assertInOrderSubset(reference, ours, "stats settings");
        for (final String needed : new String[] {"maxbytes", "tcpport", "udpport", "evictions", "shutdown_command",
            "num_threads", "cas_enabled", "item_size_max"})
        {
            assertTrue(ours.contains(needed), needed + " in " + ours);
        }
        assertEquals("no", value(target, "stats settings", "shutdown_command"));
        assertEquals(Integer.toString(target.tcpPort()), value(target, "stats settings", "tcpport"));
        assertEquals("1024", value(target, "stats settings", "maxconns")); // memcached's -c default, max.connections
    }

    @Test
    void shouldNameSlabsItemsAndConnsFieldsAsMemcachedDoes() throws IOException
    {
        for (final Target t : new Target[] {memcached, target})
        {
            assertEquals("STORED\r\n", exchange(t, "set stats-groups:a 0 0 3\r\nabc\r\n", "\r\n"));
        }
        for (final String command : new String[] {"stats slabs", "stats items", "stats conns"})
        {
            final List<String> reference = generic(names(memcached, command));
            final List<String> ours = generic(names(target, command));
            assertTrue(!ours.isEmpty(), command + " reports something");
            for (final String name : ours)
            {
                assertTrue(reference.contains(name), command + ": " + name + " is not one of memcached's " + reference);
            }
        }
        assertTrue(Long.parseLong(value(target, "stats items", "items:1:number")) >= 1);
    }

    @Test
    void shouldRefuseShutdownUnlessEnabledAndStopTheServeProcessWhenEnabled() throws Exception
    {
        assertEquals(exchange(memcached, "shutdown\r\n", "\r\n"), exchange(target, "shutdown\r\n", "\r\n"));
        if (!"wirekv".equals(Targets.kind()))
        {
            return;
        }
        final ServeProcess serve = new ServeProcess("--enable-shutdown");
        try
        {
            assertEquals("yes", value(serve, "stats settings", "shutdown_command"));
            assertEquals("CLIENT_ERROR invalid shutdown mode\r\n", exchange(serve, "shutdown now\r\n", "\r\n"));
            try (Socket s = new Socket(serve.host(), serve.tcpPort()))
            {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("shutdown\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, s.getInputStream().read(), "the connection closes without a reply");
            }
            assertTrue(serve.process().waitFor(30, TimeUnit.SECONDS), "serve exits after 'shutdown': " + serve.output());
            assertEquals(0, serve.process().exitValue(), serve.output());
        }
        finally
        {
            serve.close();
        }
    }

    /** Every name of memcached's that wirekv reports appears in memcached's order. */
    private static void assertInOrderSubset(final List<String> reference, final List<String> ours, final String what)
    {
        int at = 0;
        for (final String name : ours)
        {
            final int found = reference.indexOf(name);
            assertTrue(found >= 0, what + ": " + name + " is not one of memcached's " + reference);
            assertTrue(found >= at, what + ": " + name + " is out of memcached's order " + reference);
            at = found;
        }
    }

    /** Field names with memcached's per-slab-class and per-connection numbers replaced by N. */
    private static List<String> generic(final List<String> names)
    {
        final List<String> out = new ArrayList<>();
        for (final String name : names)
        {
            out.add(name.replaceAll("(^|:)\\d+:", "$1N:"));
        }
        return out;
    }

    private static List<String> names(final Target t, final String command) throws IOException
    {
        final List<String> names = new ArrayList<>();
        for (final String line : exchange(t, command + "\r\n", "END\r\n").split("\r\n"))
        {
            if (line.startsWith("STAT "))
            {
                names.add(line.split(" ")[1]);
            }
        }
        return names;
    }

    private static String value(final Target t, final String command, final String name) throws IOException
    {
        for (final String line : exchange(t, command + "\r\n", "END\r\n").split("\r\n"))
        {
            final String[] f = line.split(" ", 3);
            if (f.length == 3 && f[1].equals(name))
            {
                return f[2];
            }
        }
        throw new AssertionError(name + " not in " + command + " of " + t.name());
    }

    private static String exchange(final Target t, final String request, final String terminator) throws IOException
    {
        try (Socket s = new Socket(t.host(), t.tcpPort()))
        {
            s.setSoTimeout(5_000);
            final OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = s.getInputStream();
            final StringBuilder sb = new StringBuilder();
            final byte[] buf = new byte[8192];
            while (!sb.toString().endsWith(terminator))
            {
                final int n = in.read(buf);
                if (n < 0)
                {
                    break;
                }
                sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            return sb.toString();
        }
    }
}
