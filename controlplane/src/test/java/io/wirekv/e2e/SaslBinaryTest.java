package io.wirekv.e2e;

import io.wirekv.dataplane.server.AuthSettings;
import io.wirekv.dataplane.server.WirekvServer;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.wirekv.e2e.BinaryWire.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SASL PLAIN as memcached's {@code -S} serves it (proto_bin.c): before a successful SASL_AUTH a binary connection
 * gets VERSION and the SASL commands only, anything else answers 0x20 "Auth failure." and closes; a failed AUTH
 * answers the same but keeps the connection; the text protocol is refused by closing the connection without a
 * reply (memcached -S serves binary only). The same exchanges are compared byte for byte with a live
 * {@code memcached -S} in {@link SaslDifferentialTest}; this test states the expectations outright.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SaslBinaryTest
{
    private static final byte[] NONE = new byte[0];

    private Path users;
    private WirekvTarget target;

    @BeforeAll
    void start() throws IOException
    {
        users = Files.createTempFile("wirekv-sasl-users", ".txt");
        Files.writeString(users, "alice:wonderland\nbob:builder:extra\n");
        final var config = WirekvTarget.testConfig().withAuth(new AuthSettings(true, users.toString()));
        target = new WirekvTarget(WirekvServer.start(config, SystemEpochClock.INSTANCE, System.out),
            config.listenAddress(), "wirekv -S");
    }

    @AfterAll
    void stop() throws IOException
    {
        if (target != null)
        {
            target.close();
        }
        Files.deleteIfExists(users);
    }

    private static byte[] plain(final String user, final String password)
    {
        return request(0x21, NONE, b("PLAIN"), b("\0" + user + "\0" + password), 1, 0);
    }

    private static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int status(final byte[] response)
    {
        return ByteBuffer.wrap(response).getShort(6) & 0xFFFF;
    }

    private static String body(final byte[] response)
    {
        return new String(response, BinaryWire.HEADER, response.length - BinaryWire.HEADER, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldRefuseCommandsBeforeAuthenticationAndClose()
    {
        try (BinaryWire wire = new BinaryWire(target.host(), target.tcpPort()))
        {
            final List<byte[]> r = wire.exchange(request(0x00, NONE, b("k"), NONE, 1, 0));
            assertEquals(2, r.size());
            assertEquals(0x20, status(r.get(0)));
            assertEquals("Auth failure.", body(r.get(0)));
            assertArrayEquals(b("EOF"), r.get(1));
        }
    }

    @Test
    void shouldListPlainAndAnswerVersionBeforeAuthentication()
    {
        try (BinaryWire wire = new BinaryWire(target.host(), target.tcpPort()))
        {
            final List<byte[]> r = wire.exchange(
                BinaryDifferentialTest.concat(request(0x20, NONE, NONE, NONE, 1, 0), request(0x0b, NONE, NONE, NONE, 1, 0)));
            assertEquals(4, r.size(), "mechanisms, version, the sentinel NOOP refused, EOF");
            assertEquals("PLAIN", body(r.get(0)));
            assertEquals(0, status(r.get(1)));
            assertEquals(0x20, status(r.get(2)));
        }
    }

    @Test
    void shouldAuthenticateWithThePasswordFileAndThenServe()
    {
        try (BinaryWire wire = new BinaryWire(target.host(), target.tcpPort()))
        {
            // the sentinel NOOP itself needs authentication, so the failed attempt shares the exchange
            final List<byte[]> r = new java.util.ArrayList<>(wire.exchange(BinaryDifferentialTest.concat(plain("alice", "rabbit-hole"),
                plain("bob", "builder"), BinaryDifferentialTest.store(0x01, b("sasl:k"), 0, 0, "v", 0),
                request(0x00, NONE, b("sasl:k"), NONE, 2, 0))));
            assertEquals(0x20, status(r.get(0)), "a failed SASL_AUTH answers and keeps the connection");
            r.remove(0);
            assertEquals(3, r.size(), BinaryWire.render(r, BinaryWire.newCasOrder()));
            assertEquals("Authenticated", body(r.get(0)));
            assertEquals(0, status(r.get(1)));
            assertEquals(0, status(r.get(2)));
            assertEquals("\0\0\0\0v", body(r.get(2)));
        }
    }

    @Test
    void shouldCloseATextConnectionWithoutAReply() throws IOException
    {
        try (Socket s = new Socket(target.host(), target.tcpPort()))
        {
            s.setSoTimeout(3_000);
            s.getOutputStream().write(b("version\r\n"));
            final InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "memcached -S serves the binary protocol only");
        }
    }
}
