package io.wirekv.e2e;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The smoke test of durability with real processes: a {@code wirekv serve --persistence sync --data-dir D} takes
 * writes over TCP, is killed with SIGKILL, and a new serve on the same directory answers every acknowledged write.
 * (The random many-cycle crash test is its own suite.)
 */
class PersistenceKillTest
{
    @Test
    void shouldAnswerEveryAcknowledgedWriteAfterKillDashNine() throws Exception
    {
        final Path dataDir = Path.of("target", "e2e-persistence-" + System.nanoTime()).toAbsolutePath();
        try
        {
            final int writes = 300;
            final ServeProcess first = new ServeProcess("--persistence", "sync", "--data-dir", dataDir.toString());
            try (Socket socket = new Socket("127.0.0.1", first.tcpPort()))
            {
                socket.setSoTimeout(5_000);
                for (int i = 0; i < writes; i++)
                {
                    assertEquals("STORED\r\n", TcpWire.exchange(socket, "set key" + i + " " + i + " 0 " + ("value" + i).length() +
                        "\r\nvalue" + i + "\r\n", "\r\n"));
                }
                assertEquals("STORED\r\n", TcpWire.exchange(socket, "set counter 0 0 1\r\n7\r\n", "\r\n"));
                assertEquals("12\r\n", TcpWire.exchange(socket, "incr counter 5\r\n", "\r\n"));
                assertEquals("DELETED\r\n", TcpWire.exchange(socket, "delete key0\r\n", "\r\n"));
            }
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no last sync
            assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));
            first.close();

            final ServeProcess second = new ServeProcess("--persistence", "sync", "--data-dir", dataDir.toString());
            try (second; Socket socket = new Socket("127.0.0.1", second.tcpPort()))
            {
                socket.setSoTimeout(5_000);
                assertTrue(second.output().contains("persistence: sync, data.dir " + dataDir), second.output());
                assertTrue(second.output().contains("recovered " + (writes + 3) + " items"), second.output());
                assertEquals("END\r\n", TcpWire.exchange(socket, "get key0\r\n", "END\r\n"));
                for (int i = 1; i < writes; i++)
                {
                    assertEquals("VALUE key" + i + " " + i + " " + ("value" + i).length() + "\r\nvalue" + i + "\r\nEND\r\n",
                        TcpWire.exchange(socket, "get key" + i + "\r\n", "END\r\n"));
                }
                assertEquals("VALUE counter 0 2\r\n12\r\nEND\r\n", TcpWire.exchange(socket, "get counter\r\n", "END\r\n"));
            }
        }
        finally
        {
            if (Files.exists(dataDir))
            {
                try (Stream<Path> all = Files.walk(dataDir))
                {
                    for (final Path p : all.sorted(Comparator.reverseOrder()).toList())
                    {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
