package io.wirekv.dataplane.server;

import io.wirekv.dataplane.table.MemoryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SO_REUSEPORT must not let a second server quietly share a port that a running one holds. */
class PortInUseTest
{
    @Test
    void shouldRefuseToStartOnAPortAnotherServerHolds() throws Exception
    {
        final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        try (WirekvServer first = WirekvServer.start(config(0), SystemEpochClock.INSTANCE, quiet);
            MemcachedTestClient client = new MemcachedTestClient(first.udpPort(), first.tcpPort()))
        {
            final UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                () -> WirekvServer.start(config(first.udpPort()), SystemEpochClock.INSTANCE, quiet).close());
            assertTrue(refused.getMessage().contains("Address already in use"), refused.getMessage());
            assertTrue(refused.getMessage().contains("--port"), refused.getMessage());

            assertEquals("STORED\r\n", client.udp("set held 0 0 1\r\nx\r\n")); // the first one is unharmed
            assertEquals("VALUE held 0 1\r\nx\r\nEND\r\n", client.tcp("get held\r\n", "END\r\n"));
        }
    }

    private static ServerConfig config(final int port)
    {
        return new ServerConfig(
            "port", "127.0.0.1", port, ServerConfig.Backend.KERNEL, 1, List.of(), 1, 1, 4,
            16L * 1024 * 1024, MemoryMode.CACHE, 64 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false);
    }
}
