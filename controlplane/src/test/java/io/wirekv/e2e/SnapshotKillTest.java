package io.wirekv.e2e;

import io.wirekv.controlplane.cli.WirekvCli;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code wirekv snapshot} end to end against a real {@code wirekv serve --persistence sync} process: it prints a line
 * per partition and deletes the covered log segments; {@code wirekv status} shows the snapshot; after SIGKILL a new
 * serve recovers the snapshot plus the log tail and answers every acknowledged write. Against a server without
 * persistence the command fails with the reason.
 */
class SnapshotKillTest
{
    /** serve's CnC files are in the default directory (the child JVM does not get the tests' wirekv.cnc.dir). */
    private static final String CNC_DIR = CncFileDescriptor.DEFAULT_DIR;

    @Test
    void shouldSnapshotThroughTheCliAndAnswerEveryAcknowledgedWriteAfterKillDashNine() throws Exception
    {
        final Path dataDir = Path.of("target", "e2e-snapshot-" + System.nanoTime()).toAbsolutePath();
        final String value = "v".repeat(600);
        final int writes = 2000; // about 1.3 MB of log: the 1 MiB first segment rolls
        try
        {
            final ServeProcess first = new ServeProcess("--persistence", "sync", "--data-dir", dataDir.toString(),
                "--partitions", "1", "--writers", "1", "--set", "log.segment.size=1m", "--set", "item.size.max=256k");
            try (Socket socket = new Socket("127.0.0.1", first.tcpPort()))
            {
                socket.setSoTimeout(5_000);
                for (int i = 0; i < writes; i++)
                {
                    assertEquals("STORED\r\n", TcpWire.exchange(socket, "set key" + i + " " + i + " 0 " + (value.length() + 6) +
                        "\r\n" + value + String.format("%06d", i) + "\r\n", "\r\n"));
                }
                final String[] snapshot = cli("snapshot", "--instance", instanceOf(first), "--cnc-dir", CNC_DIR);
                assertEquals("0", snapshot[0], snapshot[2]);
                System.out.print("wirekv snapshot: " + snapshot[1]);
                assertTrue(snapshot[1].matches("(?s)partition 0: " + writes + " items, \\d+ bytes, \\d+ ms, sequence " +
                    writes + ", [1-9]\\d* segments deleted \\(.*\\.log\\)\n"), snapshot[1]);
                for (int i = 0; i < writes; i += 2) // the log tail: overwrites and deletes after the snapshot
                {
                    assertEquals(i % 4 == 0 ? "DELETED\r\n" : "STORED\r\n", i % 4 == 0 ?
                        TcpWire.exchange(socket, "delete key" + i + "\r\n", "\r\n") :
                        TcpWire.exchange(socket, "set key" + i + " 7 0 3\r\nnew\r\n", "\r\n"));
                }
                final String[] status = cli("status", "--instance", instanceOf(first), "--cnc-dir", CNC_DIR);
                assertTrue(status[1].contains("partition 0 at sequence " + writes + "; 1 taken since start"), status[1]);
            }
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no last sync
            assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));
            first.close();

            final ServeProcess second = new ServeProcess("--persistence", "sync", "--data-dir", dataDir.toString(),
                "--partitions", "1", "--writers", "1", "--set", "log.segment.size=1m", "--set", "item.size.max=256k");
            try (second; Socket socket = new Socket("127.0.0.1", second.tcpPort()))
            {
                socket.setSoTimeout(5_000);
                assertTrue(second.output().contains(writes + " items from snapshots"), second.output());
                assertTrue(second.output().contains((writes / 2) + " records from the log"), second.output());
                for (int i = 0; i < writes; i++)
                {
                    final String expected = i % 4 == 0 ? "END\r\n" : i % 2 == 0 ? "VALUE key" + i + " 7 3\r\nnew\r\nEND\r\n" :
                        "VALUE key" + i + " " + i + " " + (value.length() + 6) + "\r\n" + value + String.format("%06d", i) +
                            "\r\nEND\r\n";
                    assertEquals(expected, TcpWire.exchange(socket, "get key" + i + "\r\n", "END\r\n"));
                }
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

    @Test
    void shouldRefuseASnapshotWithoutPersistence()
    {
        try (ServeProcess serve = new ServeProcess())
        {
            final String[] snapshot = cli("snapshot", "--instance", instanceOf(serve), "--cnc-dir", CNC_DIR);
            assertEquals("1", snapshot[0], snapshot[1] + snapshot[2]);
            assertTrue(snapshot[2].contains("persistence is none"), snapshot[2]);
        }
    }

    /** serve's instance name, as ServeProcess gives it. */
    private static String instanceOf(final ServeProcess serve)
    {
        return "e2e-serve-" + ProcessHandle.current().pid() + "-" + serve.tcpPort();
    }

    /** Exit code, stdout, stderr. */
    private static String[] cli(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = WirekvCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }
}
