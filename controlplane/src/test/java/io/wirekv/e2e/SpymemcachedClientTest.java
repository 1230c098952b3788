package io.wirekv.e2e;

import net.spy.memcached.AddrUtil;
import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
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

/** spymemcached 2.12.3 (ASCII protocol, TCP) against the target. Every write is verified by reading back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpymemcachedClientTest
{
    private static final long OP_TIMEOUT_S = 5;

    private Target target;
    private MemcachedClient client;

    @BeforeAll
    void start() throws IOException
    {
        target = Targets.start();
        client = new MemcachedClient(
            new ConnectionFactoryBuilder()
                .setProtocol(protocol())
                .setOpTimeout(OP_TIMEOUT_S * 1000)
                .setDaemon(true)
                .build(),
            AddrUtil.getAddresses(target.host() + ":" + target.tcpPort()));
    }

    /** The protocol spymemcached speaks: text here, binary in {@link SpymemcachedBinaryClientTest}. */
    ConnectionFactoryBuilder.Protocol protocol()
    {
        return ConnectionFactoryBuilder.Protocol.TEXT;
    }

    @AfterAll
    void stop()
    {
        try
        {
            if (client != null)
            {
                client.shutdown(2, TimeUnit.SECONDS);
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
        final Random random = new Random(7);
        for (final int size : new int[] {0, 1, 17, 1400, 5000, 100_000, 500_000})
        {
            final byte[] value = new byte[size];
            random.nextBytes(value);
            final String key = "spy:size:" + size;
            assertTrue(client.set(key, 0, value).get(OP_TIMEOUT_S, TimeUnit.SECONDS), "set " + key);
            // spymemcached compresses values above 16 KiB; it decompresses them again on get.
            assertArrayEquals(value, (byte[])client.get(key), "get " + key);
        }
    }

    @Test
    void shouldDeleteAndAddOnlyWhenAbsent() throws Exception
    {
        assertTrue(client.set("spy:del", 0, "v1").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertFalse(client.add("spy:del", 0, "v2").get(OP_TIMEOUT_S, TimeUnit.SECONDS), "add of a present key");
        assertEquals("v1", client.get("spy:del"));
        assertTrue(client.delete("spy:del").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertNull(client.get("spy:del"));
        assertFalse(client.delete("spy:del").get(OP_TIMEOUT_S, TimeUnit.SECONDS), "delete of a missing key");
        assertTrue(client.add("spy:del", 0, "v3").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals("v3", client.get("spy:del"));
        assertFalse(client.replace("spy:nothere", 0, "x").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertTrue(client.replace("spy:del", 0, "v4").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals("v4", client.get("spy:del"));
    }

    @Test
    void shouldIncrementAndDecrementCounters() throws Exception
    {
        assertEquals(10L, client.incr("spy:ctr", 1, 10));
        assertEquals(15L, client.incr("spy:ctr", 5));
        assertEquals(12L, client.decr("spy:ctr", 3));
        assertEquals(0L, client.decr("spy:ctr", 100), "decr never goes below 0");
        assertEquals(-1L, client.incr("spy:ctr-missing", 1), "incr of a missing key without default");
        assertTrue(client.set("spy:ctr-max", 0, "18446744073709551615").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals(0L, client.incr("spy:ctr-max", 1), "64-bit wrap");
        assertEquals(12L, client.incr("spy:ctr", 12), "incr after the floor");
        assertEquals("12", client.get("spy:ctr").toString().strip(), "stored counter (memcached pads with spaces)");
    }

    @Test
    void shouldSwapOnlyWithTheCurrentCas() throws Exception
    {
        assertTrue(client.set("spy:cas", 0, "a").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        final CASValue<Object> first = client.gets("spy:cas");
        assertNotNull(first);
        assertEquals("a", first.getValue());
        assertEquals(CASResponse.OK, client.cas("spy:cas", first.getCas(), "b"));
        assertEquals(CASResponse.EXISTS, client.cas("spy:cas", first.getCas(), "c"), "stale CAS");
        assertEquals("b", client.get("spy:cas"));
        assertEquals(CASResponse.NOT_FOUND, client.cas("spy:cas-missing", 1, "x"));
        final CASValue<Object> second = client.gets("spy:cas");
        assertTrue(second.getCas() != first.getCas(), "CAS changes on every update");
    }

    @Test
    void shouldAppendAndPrepend() throws Exception
    {
        assertTrue(client.set("spy:ap", 0, "mid").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertTrue(client.append(0, "spy:ap", "-end").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertTrue(client.prepend(0, "spy:ap", "start-").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals("start-mid-end", client.get("spy:ap"));
        assertFalse(client.append(0, "spy:ap-missing", "x").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
    }

    @Test
    void shouldMultiGetPresentKeysOnly() throws Exception
    {
        final List<String> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            final String key = "spy:multi:" + i;
            keys.add(key);
            if (i % 3 != 0)
            {
                assertTrue(client.set(key, 0, "value-" + i).get(OP_TIMEOUT_S, TimeUnit.SECONDS));
            }
        }
        final Map<String, Object> got = client.getBulk(keys);
        for (int i = 0; i < 50; i++)
        {
            final String key = keys.get(i);
            if (i % 3 != 0)
            {
                assertEquals("value-" + i, got.get(key), key);
            }
            else
            {
                assertFalse(got.containsKey(key), key + " was never set");
            }
        }
        assertEquals(33, got.size(), "keys 0..49 not divisible by 3");
    }

    @Test
    void shouldTouchAndExpireWithNegativeTtl() throws Exception
    {
        assertTrue(client.set("spy:touch", 0, "t").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertTrue(client.touch("spy:touch", 1000).get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals("t", client.get("spy:touch"));
        assertTrue(client.set("spy:gone", -1, "g").get(OP_TIMEOUT_S, TimeUnit.SECONDS));
        if (protocol() == ConnectionFactoryBuilder.Protocol.TEXT)
        {
            assertNull(client.get("spy:gone"), "negative exptime: immediately expired");
        }
        else
        {
            // the binary protocol's expiration is unsigned: -1 is 0xffffffff, an absolute time in 2106 (memcached too)
            assertEquals("g", client.get("spy:gone"), "binary exptime 0xffffffff: alive until 2106");
        }
    }
}
