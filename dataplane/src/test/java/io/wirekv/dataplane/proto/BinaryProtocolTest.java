package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The binary protocol through the real engine and table (the byte-exact comparison with memcached is e2e). */
class BinaryProtocolTest
{
    static byte[] request(final int opcode, final byte[] extras, final String key, final String value, final long cas)
    {
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        final byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer b = ByteBuffer.allocate(24 + extras.length + k.length + v.length);
        b.put((byte)0x80).put((byte)opcode).putShort((short)k.length).put((byte)extras.length).put((byte)0)
            .putShort((short)0).putInt(extras.length + k.length + v.length).putInt(0x01020304).putLong(cas);
        b.put(extras).put(k).put(v);
        return b.array();
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts)
        {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static String hex(final String s)
    {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static final byte[] SET_EXTRAS = ByteBuffer.allocate(8).putInt(0xCAFE).putInt(0).array();

    @Test
    void shouldStoreAndGetWithFlagsKeyAndCas()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024))
        {
            final String out = h.tcp(concat(
                request(0x01, SET_EXTRAS, "k", "hello", 0),
                request(0x0c, new byte[0], "k", "", 0),
                request(0x00, new byte[0], "nope", "", 0),
                request(0x0a, new byte[0], "", "", 0)), Integer.MAX_VALUE);
            final String x = hex(out);
            // set: success, no body, a CAS
            assertTrue(x.startsWith("8101000000000000000000000102030400000000000000"), x);
            // getk: extras 4 (flags), key "k", value
            assertTrue(x.contains("810c0001040000000000000a01020304"), x);
            assertTrue(x.contains("0000cafe" + "6b" + HexFormat.of().formatHex("hello".getBytes())), x);
            // get miss: status 1, "Not found"
            assertTrue(x.contains("8100000000000001000000090102030400000000000000004e6f7420666f756e64"), x);
            assertTrue(x.endsWith("810a000000000000000000000102030400000000000000" + "00"), x);
        }
    }

    @Test
    void shouldSuppressQuietSuccessesAndAnswerQuietErrors()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024))
        {
            final String out = h.tcp(concat(
                request(0x11, SET_EXTRAS, "a", "1", 0),
                request(0x12, SET_EXTRAS, "a", "2", 0),
                request(0x09, new byte[0], "zz", "", 0),
                request(0x0a, new byte[0], "", "", 0)), Integer.MAX_VALUE);
            final String x = hex(out);
            assertEquals(2 * 24 + "Data exists for key.".length(), out.length(), x);
            assertTrue(x.startsWith("8112000000000002"), x);
        }
    }

    @Test
    void shouldCloseOnInvalidMagicAfterBinary()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024))
        {
            final String out = h.tcp(concat(request(0x0a, new byte[0], "", "", 0),
                "set abcdefghijklmnop 0 0 1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)), Integer.MAX_VALUE);
            assertTrue(out.endsWith("<CLOSE>"), hex(out));
            assertEquals(24 + "<CLOSE>".length(), out.length());
        }
    }

    @Test
    void shouldAnswerNotStoredToAnAppendOfAMissingKey()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024))
        {
            final String x = hex(h.tcp(request(0x0e, new byte[0], "missing", "x", 0), Integer.MAX_VALUE));
            assertEquals("810e000000000005", x.substring(0, 16), x);
        }
    }

    @Test
    void shouldServeOnlyAfterSaslPlainSucceeds() throws java.io.IOException
    {
        final java.nio.file.Path users = java.nio.file.Files.createTempFile("wirekv-users", ".txt");
        java.nio.file.Files.writeString(users, "bob:builder:extra\n");
        final ProtocolSettings settings = new ProtocolSettings(64 * 1024, 1400, "1.6.18",
            ProtocolSettings.ServerFacts.NONE, null, SaslPlainAuthenticator.load(users));
        java.nio.file.Files.delete(users);
        try (ProtoHarness h = new ProtoHarness(64 * 1024, settings))
        {
            final String x = hex(h.tcp(concat(
                request(0x21, new byte[0], "PLAIN", "\0bob\0wrong", 0),
                request(0x21, new byte[0], "PLAIN", "\0bob\0builder", 0),
                request(0x01, SET_EXTRAS, "k", "v", 0),
                request(0x00, new byte[0], "k", "", 0)), Integer.MAX_VALUE));
            assertTrue(x.startsWith("8121000000000020"), x);
            assertTrue(x.contains(HexFormat.of().formatHex("Authenticated".getBytes())), x);
            assertTrue(x.contains("8101000000000000"), x);
            assertTrue(x.contains("8100000004000000"), x);
            final String refused = hex(h.tcp(request(0x00, new byte[0], "k", "", 0), Integer.MAX_VALUE));
            assertTrue(refused.startsWith("8100000000000020"), refused);
            assertTrue(refused.endsWith(hex("<CLOSE>")), refused);
        }
    }

    @Test
    void shouldAnswerStatsAsOneResponsePerStatisticEndedByAnEmptyOne()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024))
        {
            final byte[] out = ProtoHarness.bytes(h.tcp(request(0x10, new byte[0], "", "", 0), Integer.MAX_VALUE));
            final ByteBuffer b = ByteBuffer.wrap(out);
            int responses = 0;
            boolean sawPid = false;
            int lastKeyLength = -1;
            while (b.remaining() >= 24)
            {
                final int at = b.position();
                assertEquals((byte)0x81, b.get(at));
                assertEquals((byte)0x10, b.get(at + 1));
                final int keyLength = b.getShort(at + 2) & 0xFFFF;
                final int body = b.getInt(at + 8);
                assertEquals(0x01020304, b.getInt(at + 12), "opaque echoed");
                sawPid |= keyLength == 3 && new String(out, at + 24, 3, StandardCharsets.US_ASCII).equals("pid");
                lastKeyLength = keyLength;
                b.position(at + 24 + body);
                responses++;
            }
            assertEquals(0, b.remaining());
            assertTrue(sawPid);
            assertTrue(responses > 10, "one response per statistic: " + responses);
            assertEquals(0, lastKeyLength, "the empty terminator comes last");
            final String missing = hex(h.tcp(request(0x10, new byte[0], "nosuch", "", 0), Integer.MAX_VALUE));
            assertTrue(missing.startsWith("8110000000000001"), missing);
        }
    }
}
