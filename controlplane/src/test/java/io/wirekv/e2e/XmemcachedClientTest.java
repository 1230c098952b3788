package io.wirekv.e2e;

import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.TextCommandFactory;
import net.rubyeye.xmemcached.utils.AddrUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * xmemcached 2.4.8 (text protocol, TCP, its NIO connection pool) against the target. Every write is verified by
 * reading back. Its binary mode ({@code BinaryCommandFactory}) runs the same tests in
 * {@link XmemcachedBinaryClientTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class XmemcachedClientTest
{
    private static final long OP_TIMEOUT_MS = 5_000;

    private Target target;
    private MemcachedClient client;

    @BeforeAll
    void start() throws IOException
    {
        target = Targets.start();
        final XMemcachedClientBuilder builder =
            new XMemcachedClientBuilder(AddrUtil.getAddresses(target.host() + ":" + target.tcpPort()));
        builder.setCommandFactory(commandFactory());
        builder.setConnectionPoolSize(1); // one connection: a noreply write is ordered before the next read
        builder.setOpTimeout(OP_TIMEOUT_MS);
        builder.setConnectTimeout(OP_TIMEOUT_MS);
        client = builder.build();
    }

    /** The protocol xmemcached speaks: text here, binary in {@link XmemcachedBinaryClientTest}. */
    net.rubyeye.xmemcached.CommandFactory commandFactory()
    {
        return new TextCommandFactory();
    }

    @AfterAll
    void stop() throws IOException
    {
        try
        {
            if (client != null)
            {
                client.shutdown();
            }
        }
        finally
        {
            if (target != null)
            {
                target.close();
            }
        }
    }

    @Test
    void shouldStoreAndReadBackValuesOfManySizes() throws Exception
    {
        final Random random = new Random(11);
        for (final int size : new int[] {0, 1, 17, 1400, 5000, 100_000, 500_000})
        {
            final byte[] value = new byte[size];
            random.nextBytes(value);
            final String key = "xm:size:" + size;
            assertTrue(client.set(key, 0, value), "set " + key);
            // xmemcached compresses values above 16 KiB (a flag bit says so) and decompresses them on get.
            assertArrayEquals(value, client.<byte[]>get(key), "get " + key);
        }
    }

    @Test
    void shouldFollowStorageCommandSemantics() throws Exception
    {
        assertTrue(client.set("xm:s", 0, "one"));
        assertFalse(client.add("xm:s", 0, "two"), "add of an existing key");
        assertEquals("one", client.get("xm:s"));
        assertTrue(client.replace("xm:s", 0, "three"));
        assertFalse(client.replace("xm:none", 0, "x"), "replace of a missing key");
        assertNull(client.get("xm:none"));
        assertTrue(client.add("xm:added", 0, "new"));
        assertEquals("new", client.get("xm:added"));
        assertTrue(client.append("xm:s", "+"));
        assertTrue(client.prepend("xm:s", "-"));
        assertEquals("-three+", client.get("xm:s"));
        assertFalse(client.append("xm:none", "x"), "append to a missing key");
        client.setWithNoReply("xm:quiet", 0, "q");
        assertEquals("q", client.get("xm:quiet"), "a noreply set is applied before the next command's reply");
        assertTrue(client.touch("xm:s", 100));
        assertFalse(client.touch("xm:none", 100));
        assertTrue(client.delete("xm:s"));
        assertFalse(client.delete("xm:s"), "delete of a deleted key");
        assertNull(client.get("xm:s"));
    }

    @Test
    void shouldCountWithIncrAndDecr() throws Exception
    {
        assertTrue(client.set("xm:n", 0, "10"));
        assertEquals(15, client.incr("xm:n", 5));
        assertEquals(0, client.decr("xm:n", 20), "decr stops at 0");
        assertEquals(7, client.incr("xm:fresh", 1, 7), "xmemcached adds the initial value when incr finds no key");
        assertEquals(8, client.incr("xm:fresh", 1, 7));
        assertEquals("8", client.get("xm:fresh"));
    }

    @Test
    void shouldCompareAndSwap() throws Exception
    {
        assertTrue(client.set("xm:cas", 0, "v1"));
        final GetsResponse<String> first = client.gets("xm:cas");
        assertNotNull(first);
        assertEquals("v1", first.getValue());
        assertTrue(client.cas("xm:cas", 0, "v2", first.getCas()));
        assertFalse(client.cas("xm:cas", 0, "v3", first.getCas()), "a stale CAS token must not store");
        final GetsResponse<String> second = client.gets("xm:cas");
        assertEquals("v2", second.getValue());
        assertTrue(second.getCas() != first.getCas(), "each write gets a new CAS token");
        assertFalse(client.cas("xm:cas-none", 0, "x", 1), "cas of a missing key");
    }

    @Test
    void shouldAnswerMultiGetsWithOnlyTheKeysFound() throws Exception
    {
        final List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            keys.add("xm:multi:" + i);
            if (i % 3 != 0)
            {
                assertTrue(client.set("xm:multi:" + i, 0, "v" + i));
            }
        }
        final Map<String, String> got = client.get(keys);
        assertEquals(26, got.size(), got.toString());
        for (int i = 0; i < 40; i++)
        {
            assertEquals(i % 3 != 0 ? "v" + i : null, got.get("xm:multi:" + i), "key " + i);
        }
        final Map<String, GetsResponse<String>> gets = client.gets(keys.subList(0, 3));
        assertEquals(2, gets.size(), gets.toString());
        assertEquals("v1", gets.get("xm:multi:1").getValue());
    }

    @Test
    void shouldReportGeneralStats() throws Exception
    {
        final Map<InetSocketAddress, Map<String, String>> stats = client.getStats();
        assertEquals(1, stats.size(), stats.toString());
        final Map<String, String> one = stats.values().iterator().next();
        for (final String name : new String[] {"pid", "uptime", "version", "curr_items", "cmd_get", "cmd_set", "get_hits"})
        {
            assertTrue(one.containsKey(name), name + " in " + one);
        }
    }
}
