package io.wirekv.dataplane.server;

import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Colocated: the writer and the TCP agent run inside lcore 0's duty cycle, on one thread. */
class ColocatedServerTest
{
    @Test
    void shouldServeReadsAndWritesFromOneThread() throws Exception
    {
        final ServerConfig config = new ServerConfig(
            "colocated", "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false, true);
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(log, true));
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            assertTrue(log.toString().contains("colocated on lcore 0's thread"), log.toString());
            final long wirekvThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().matches(".*wirekv-(lcore|writer|tcp)-.*")).count(); // composite: "[wirekv-lcore-0,...]"; housekeeping and EAL threads are not dataplane threads
            assertEquals(1, wirekvThreads, "one dataplane thread: " + Arrays.toString(
                Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toArray()));

            assertEquals("STORED\r\n", client.udp("set co:n 0 0 2\r\n41\r\n"));
            assertEquals("42\r\n", client.tcp("incr co:n 1\r\n", "\r\n"));
            assertEquals("VALUE co:n 0 2\r\n42\r\nEND\r\n", client.udp("get co:n\r\n"));
        }
    }
}
