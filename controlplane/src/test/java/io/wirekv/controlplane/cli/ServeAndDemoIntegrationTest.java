package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.controlplane.client.McTransport;
import io.wirekv.controlplane.client.ServerAddress;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code wirekv serve} and {@code wirekv demo} with the real dataplane server. */
class ServeAndDemoIntegrationTest
{
    @Test
    void shouldRunTheDemoAgainstItsOwnInProcessServer()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = WirekvCli.run(new String[] {"demo", "--duration", "1s", "--keys", "1000", "--udp-threads", "1",
            "--tcp-threads", "1"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        // progress on stderr, results on stdout
        assertTrue(err.toString().contains("warm-up: stored 1,000 of 1,000 keys"), err.toString());
        assertTrue(err.toString().contains("[  1s] udp "), err.toString());
        assertTrue(out.toString().contains("warm-up: 1,000 keys in"), out.toString());
        assertTrue(out.toString().matches("(?s).*\nudp +closed .*\ntcp +closed .*"), "a row per transport:\n" + out);
        assertTrue(out.toString().contains("demo server stopped"), out.toString());
        assertTrue(!out.toString().contains("[  1s]"), "no progress on stdout:\n" + out);
    }

    @Test
    void shouldServeUntilSigtermThenCloseTheServer() throws Exception
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        final Path log = Files.createTempFile("wirekv-serve", ".log");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process serve = new ProcessBuilder(List.of(java,
            "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Xmx256m", "-cp", System.getProperty("java.class.path"), WirekvCli.class.getName(),
            "serve", "--port", Integer.toString(port), "--memory", "32m", "--no-hugepages"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (serve.isAlive() && !read(log).contains("wirekv: serving") && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertTrue(read(log).contains("wirekv: serving"), read(log));
            assertTrue(read(log).contains("port             = " + port), read(log));

            try (McClient c = new McClient(McTransport.open(new ServerAddress("127.0.0.1", port), true, 1000, 2)))
            {
                assertEquals("STORED", c.set("serve", 0, 0, "ok".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("ok", new String(c.get("serve").data(), StandardCharsets.US_ASCII));
            }

            serve.destroy(); // SIGTERM to the one process this test started
            assertTrue(serve.waitFor(20, TimeUnit.SECONDS), "serve exits after SIGTERM");
            assertTrue(read(log).contains("wirekv: stopped"), read(log));
        }
        finally
        {
            if (serve.isAlive())
            {
                serve.destroyForcibly();
                serve.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }

    private static String read(final Path p) throws java.io.IOException
    {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
