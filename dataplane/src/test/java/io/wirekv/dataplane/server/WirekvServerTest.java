package io.wirekv.dataplane.server;

import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The assembled appliance on the kernel backend: UDP lcore, TCP thread and writer over the real table. */
class WirekvServerTest
{
    private static WirekvServer server;
    private static MemcachedTestClient client;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException
    {
        final ServerConfig config = new ServerConfig(
            "test", "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false);
        server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(LOG, true));
        client = new MemcachedTestClient(server.udpPort(), server.tcpPort());
    }

    @AfterAll
    static void stop() throws IOException
    {
        if (null != client)
        {
            client.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldReportConcludedConfigurationAtStart()
    {
        final String log = LOG.toString();
        assertTrue(log.contains("lcore 0"), log);
        assertTrue(log.contains("writers      1 over 16 partitions"), log);
    }

    @Test
    void shouldStoreOverUdpAndReadBackOverTcp() throws IOException
    {
        assertEquals("STORED\r\n", client.udp("set srv:a 5 0 3\r\nabc\r\n"));
        assertEquals("VALUE srv:a 5 3\r\nabc\r\nEND\r\n", client.tcp("get srv:a\r\n", "END\r\n"));
        assertEquals("VALUE srv:a 5 3\r\nabc\r\nEND\r\n", client.udp("get srv:a\r\n"));
    }

    @Test
    void shouldCountBytesReadAndWrittenOverTcpAndUdpAsMemcachedDoes() throws IOException
    {
        // memcached counts every byte read and written, UDP frame headers included, at read and write time
        final String before = client.tcp("stats\r\n", "END\r\n");
        assertEquals("STORED\r\n", client.tcp("set srv:bytes 0 0 1\r\na\r\n", "\r\n")); // 24 in, 8 out
        assertEquals("VALUE srv:bytes 0 1\r\na\r\nEND\r\n", client.udp("get srv:bytes\r\n")); // 8+15 in, 8+29 out
        final String after = client.tcp("stats\r\n", "END\r\n"); // 7 in, counted before the reply
        assertEquals(24 + 23 + 7, stat(after, "bytes_read") - stat(before, "bytes_read"));
        assertEquals(before.length() + 8 + 37, stat(after, "bytes_written") - stat(before, "bytes_written"));
    }

    private static long stat(final String stats, final String name)
    {
        for (final String line : stats.split("\r\n"))
        {
            if (line.startsWith("STAT " + name + " "))
            {
                return Long.parseLong(line.substring(("STAT " + name + " ").length()));
            }
        }
        throw new AssertionError(name + " not in " + stats);
    }

    @Test
    void shouldAnswerPipelinedTcpRequestsInOrderAcrossWrites() throws IOException
    {
        final String reply = client.tcp(
            "set srv:p 0 0 1\r\n1\r\nget srv:p\r\nincr srv:p 41\r\nget srv:p\r\ndelete srv:p\r\nget srv:p\r\n",
            "END\r\nDELETED\r\nEND\r\n");
        assertEquals("STORED\r\nVALUE srv:p 0 1\r\n1\r\nEND\r\n42\r\nVALUE srv:p 0 2\r\n42\r\nEND\r\nDELETED\r\nEND\r\n",
            reply);
    }

    @Test
    void shouldAnswerSeveralMetaRequestsInOneDatagramInOrder() throws IOException
    {
        final String reply = client.udp("ms srv:m 2 T0\r\nhi\r\nmg srv:m v\r\nmd srv:m\r\nmg srv:m v\r\nmn\r\n", "MN\r\n");
        assertEquals("HD\r\nVA 2\r\nhi\r\nHD\r\nEN\r\nMN\r\n", reply);
    }

    @Test
    void shouldSplitLargeValuesOverSequencedDatagrams() throws IOException
    {
        final String value = "x".repeat(50_000);
        assertEquals("STORED\r\n", client.tcp("set srv:big 0 0 50000\r\n" + value + "\r\n", "\r\n"));
        assertEquals("VALUE srv:big 0 50000\r\n" + value + "\r\nEND\r\n", client.udp("get srv:big\r\n"));
    }

    @Test
    void shouldDropAndCountFramesThatAreNotSingleDatagramRequests() throws IOException
    {
        final long before = server.malformedFrames();
        final byte[] reservedSet = {0, 1, 0, 9, 0, 1, 0x7A, 0, 'g', 'e', 't', ' ', 'a', '\r', '\n'};
        final byte[] twoDatagrams = {0, 1, 0, 0, 0, 2, 0, 0, 'g', 'e', 't', ' ', 'a', '\r', '\n'};
        final byte[] countZero = {0, 1, 0, 0, 0, 0, 0, 0, 'g', 'e', 't', ' ', 'a', '\r', '\n'};
        final byte[] tooShort = {0, 1, 0};
        assertTrue(client.udpRaw(reservedSet, 300), "sequence and reserved are ignored, as memcached ignores them");
        assertFalse(client.udpRaw(twoDatagrams, 300));
        assertFalse(client.udpRaw(countZero, 300));
        assertFalse(client.udpRaw(tooShort, 300));
        assertEquals(before + 3, server.malformedFrames());
        assertEquals("END\r\n", client.udp("get srv:none\r\n")); // and the lcore still serves
    }

    @Test
    void shouldKeepServingAfterManyRequestsWithoutReplies() throws IOException
    {
        // More noreply datagrams than the lcore has slots: each slot must come back although nothing is sent.
        for (int i = 0; i < 500; i++)
        {
            client.udpSend("set srv:quiet 0 0 1 noreply\r\nq\r\n");
        }
        assertEquals("VALUE srv:quiet 0 1\r\nq\r\nEND\r\n", client.udp("get srv:quiet\r\n"));
    }

    @Test
    void shouldAllocateNothingOnTheLcorePerRequestInSteadyState() throws Exception
    {
        client.udp("set srv:z 0 0 5\r\nhello\r\n");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long lcoreThreadId = server.lcoreThreadIds()[0];
        // Until C2 has compiled the FFM downcalls they allocate (later on a busy machine); a
        // per-request allocation would show in every round, so steady state is a round of 5000
        // requests that allocates nothing. Bounded: at most 60 s of rounds.
        long allocated = -1;
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (0 != allocated && System.nanoTime() < deadlineNs)
        {
            final long before = threads.getThreadAllocatedBytes(lcoreThreadId);
            for (int i = 0; i < 5_000; i++)
            {
                client.udp(0 == (i & 7) ? "set srv:z 0 0 5\r\nhello\r\n" : "get srv:z\r\n");
            }
            allocated = threads.getThreadAllocatedBytes(lcoreThreadId) - before;
        }
        assertEquals(0, allocated, "bytes allocated by the lcore thread over 5000 requests");
    }
}
