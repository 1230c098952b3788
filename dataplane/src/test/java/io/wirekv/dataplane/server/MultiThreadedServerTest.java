package io.wirekv.dataplane.server;

import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several lcores on one port (SO_REUSEPORT), several writers and TCP threads: every client, on
 * either transport, reads its own writes, whichever lcore and writer its requests land on.
 */
class MultiThreadedServerTest
{
    private static final int CLIENTS = 8;
    private static final int ROUNDS = 200;

    @Test
    void shouldServeEveryClientConsistentlyAcrossLcoresWritersAndTcpThreads() throws Exception
    {
        final ServerConfig config = new ServerConfig(
            "multi", "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 2, List.of(), 2, 2, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false);
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE, new PrintStream(log, true));
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS))
        {
            assertTrue(log.toString().contains("lcore 1"), log.toString());
            final List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++)
            {
                final int client = c;
                results.add(pool.submit(() -> runClient(server, client)));
            }
            for (final Future<Integer> result : results)
            {
                assertEquals(ROUNDS, result.get());
            }
            assertEquals(0, server.malformedFrames());
        }
    }

    /** Each client owns its keys: a write on one transport is read back on the other. */
    private static int runClient(final WirekvServer server, final int client) throws Exception
    {
        int verified = 0;
        try (MemcachedTestClient mc = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                final String key = "mt:" + client + ":" + (round % 17);
                final String value = client + "-" + round;
                final boolean overUdp = 0 == (round & 1);
                final String set = "set " + key + " 0 0 " + value.length() + "\r\n" + value + "\r\n";
                assertEquals("STORED\r\n", overUdp ? mc.udp(set) : mc.tcp(set, "\r\n"));
                final String expected = "VALUE " + key + " 0 " + value.length() + "\r\n" + value + "\r\nEND\r\n";
                final String get = "get " + key + "\r\n";
                assertEquals(expected, overUdp ? mc.tcp(get, "END\r\n") : mc.udp(get));
                verified++;
            }
        }
        return verified;
    }
}
