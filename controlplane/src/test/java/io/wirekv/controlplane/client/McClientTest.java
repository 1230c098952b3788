package io.wirekv.controlplane.client;

import io.wirekv.e2e.MemcachedProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against a real memcached, over TCP and UDP. */
class McClientTest
{
    private static MemcachedProcess memcached;

    @BeforeAll
    static void startMemcached() throws Exception
    {
        memcached = new MemcachedProcess();
    }

    @AfterAll
    static void stopMemcached() throws Exception
    {
        if (memcached != null)
        {
            memcached.close();
        }
    }

    private static McClient client(final boolean udp)
    {
        return new McClient(McTransport.open(memcached.address(), udp, 2000, 2));
    }

    @ParameterizedTest(name = "udp={0}")
    @ValueSource(booleans = {false, true})
    void shouldRoundTripSetGetDelete(final boolean udp)
    {
        final String key = "rt-" + udp;
        try (McClient c = client(udp))
        {
            assertEquals("STORED", c.set(key, 42, 0, "hello".getBytes(StandardCharsets.US_ASCII)));
            final McClient.Value v = c.get(key);
            assertEquals(42, v.flags());
            assertEquals("hello", new String(v.data(), StandardCharsets.US_ASCII));
            assertEquals("DELETED", c.delete(key));
            assertNull(c.get(key));
            assertEquals("NOT_FOUND", c.delete(key));
        }
    }

    @Test
    void shouldReassembleAMultiDatagramUdpReplyOfA100KbValue()
    {
        final byte[] value = new byte[100 * 1024];
        new Random(7).nextBytes(value);
        try (McClient tcp = client(false); McClient udp = client(true))
        {
            // a 100 KB request cannot go over UDP (one datagram per request), so store it over TCP
            assertEquals("STORED", tcp.set("big", 0, 0, value));
            final McClient.Value v = udp.get("big");
            assertArrayEquals(value, v.data());
        }
    }

    @ParameterizedTest(name = "udp={0}")
    @ValueSource(booleans = {false, true})
    void shouldReturnEveryReplyOfRawRequestsIncludingAfterNoreply(final boolean udp)
    {
        try (McClient c = client(udp))
        {
            final byte[] reply = c.raw(("set raw1 0 0 1 noreply\r\na\r\nset raw2 0 0 2\r\nbb\r\nget raw1 raw2\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            assertEquals("STORED\r\nVALUE raw1 0 1\r\na\r\nVALUE raw2 0 2\r\nbb\r\nEND\r\n",
                new String(reply, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldRefuseAnInvalidKeyBeforeSending()
    {
        try (McClient c = client(false))
        {
            final McClientException ex = assertThrows(McClientException.class, () -> c.get("has space"));
            assertEquals("key 'has space' contains a space or control character; memcached keys cannot", ex.getMessage());
            assertThrows(McClientException.class, () -> c.get("x".repeat(251)));
        }
    }

    @Test
    void shouldSayTheServerIsNotReachableOverTcp() throws Exception
    {
        final int port = closedPort();
        final McClientException ex = assertThrows(McClientException.class,
            () -> McTransport.open(new ServerAddress("127.0.0.1", port), false, 500, 0));
        assertEquals("cannot connect to 127.0.0.1:" + port + " over TCP: connection refused — is `wirekv serve` running?",
            ex.getMessage());
    }

    @Test
    void shouldSayTheServerIsNotReachableOverUdp() throws Exception
    {
        final int port = closedPort();
        try (McClient c = new McClient(McTransport.open(new ServerAddress("127.0.0.1", port), true, 200, 1)))
        {
            final McClientException ex = assertThrows(McClientException.class, () -> c.get("k"));
            assertTrue(ex.getMessage().contains("127.0.0.1:" + port + " over UDP") &&
                ex.getMessage().endsWith("is `wirekv serve` running?"), ex.getMessage());
        }
    }

    @Test
    void shouldParseServerAddresses()
    {
        assertEquals(new ServerAddress("10.0.0.1", 11211), ServerAddress.parse("10.0.0.1"));
        assertEquals(new ServerAddress("127.0.0.1", 5000), ServerAddress.parse(":5000"));
        assertEquals(new ServerAddress("h", 1), ServerAddress.parse("h:1"));
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse("h:0"));
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse("h:x"));
    }

    /** A loopback port with nothing listening on TCP or UDP (bound, then released). */
    private static int closedPort() throws Exception
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final int port = s.getLocalPort();
            try (DatagramSocket d = new DatagramSocket(port, InetAddress.getLoopbackAddress()))
            {
                return port;
            }
            catch (final Exception inUse)
            {
                return port;
            }
        }
    }
}
