package io.wirekv.dataplane.server;

import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A UDP reply larger than an lcore slot's reply buffer is sent in parts, in order, complete. */
class UdpLargeReplyTest
{
    private static final int ITEM_SIZE_MAX = 64 * 1024; // a slot then holds 128 KiB of reply

    @Test
    void shouldStreamAMultiGetLargerThanTheSlotOverSeveralTrains() throws Exception
    {
        final ServerConfig config = new ServerConfig(
            "large", "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 4,
            16L * 1024 * 1024, MemoryMode.CACHE, ITEM_SIZE_MAX, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false);
        try (WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE,
                new PrintStream(new ByteArrayOutputStream()));
            MemcachedTestClient client = new MemcachedTestClient(server.udpPort(), server.tcpPort()))
        {
            final StringBuilder expected = new StringBuilder();
            for (final String key : new String[] {"big:a", "big:b", "big:c"})
            {
                final String value = key.repeat(9_000); // 45,000 bytes
                assertEquals("STORED\r\n", client.tcp("set " + key + " 0 0 45000\r\n" + value + "\r\n", "\r\n"));
                expected.append("VALUE ").append(key).append(" 0 45000\r\n").append(value).append("\r\n");
            }
            expected.append("END\r\n");
            assertEquals(expected.toString(), client.udp("get big:a big:b big:c\r\n", "END\r\n"));
        }
    }
}
