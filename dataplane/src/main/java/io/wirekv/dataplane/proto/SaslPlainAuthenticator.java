package io.wirekv.dataplane.proto;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;

/**
 * SASL PLAIN (RFC 4616) for the binary protocol, as memcached's {@code -S} with a password database
 * ({@code MEMCACHED_SASL_PWDB}): one {@code user:password} per line; a password ends at the line's end or at a
 * further {@code ':'}. The message is {@code [authzid] NUL authcid NUL passwd}; an authzid other than empty or
 * the authcid itself is refused (no proxy authorization). Loaded once at start-up; {@link #authenticate} reads
 * the request in place and allocates nothing. Immutable, so every reader thread may share it.
 */
public final class SaslPlainAuthenticator
{
    private final byte[][] users;
    private final byte[][] passwords;

    private SaslPlainAuthenticator(final byte[][] users, final byte[][] passwords)
    {
        this.users = users;
        this.passwords = passwords;
    }

    /**
     * Reads the password file.
     * @throws IOException when it cannot be read (the caller names the configuration key).
     */
    public static SaslPlainAuthenticator load(final Path passwordFile) throws IOException
    {
        final List<String> lines = Files.readAllLines(passwordFile, StandardCharsets.ISO_8859_1);
        final List<byte[]> u = new ArrayList<>();
        final List<byte[]> p = new ArrayList<>();
        for (final String raw : lines)
        {
            final String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            final int colon = line.indexOf(':');
            if (colon <= 0)
            {
                continue; // memcached only matches "user:" lines; anything else never authenticates
            }
            final int end = line.indexOf(':', colon + 1);
            u.add(line.substring(0, colon).getBytes(StandardCharsets.ISO_8859_1));
            p.add(line.substring(colon + 1, end < 0 ? line.length() : end).getBytes(StandardCharsets.ISO_8859_1));
        }
        return new SaslPlainAuthenticator(u.toArray(new byte[0][]), p.toArray(new byte[0][]));
    }

    /** Users in the file (the start-up report says how many). */
    public int userCount()
    {
        return users.length;
    }

    /** True if the PLAIN message at {@code [offset, offset + length)} names a user of the file with its password. */
    boolean authenticate(final MemorySegment in, final long offset, final int length)
    {
        final long end = offset + length;
        final long firstNul = AsciiCodec.indexOf(in, offset, end, (byte)0);
        if (firstNul < 0)
        {
            return false;
        }
        final long userAt = firstNul + 1;
        final long secondNul = AsciiCodec.indexOf(in, userAt, end, (byte)0);
        if (secondNul < 0)
        {
            return false;
        }
        final int userLength = (int)(secondNul - userAt);
        final int authzLength = (int)(firstNul - offset);
        if (authzLength != 0 && !same(in, offset, authzLength, in, userAt, userLength))
        {
            return false;
        }
        final long passwordAt = secondNul + 1;
        final int passwordLength = (int)(end - passwordAt);
        boolean ok = false;
        for (int i = 0; i < users.length; i++)
        {
            // every entry is compared, as memcached reads the whole file, so timing says little about which failed
            ok |= same(in, userAt, userLength, users[i]) & same(in, passwordAt, passwordLength, passwords[i]);
        }
        return ok;
    }

    private static boolean same(final MemorySegment in, final long at, final int length, final byte[] expected)
    {
        if (length != expected.length)
        {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < length; i++)
        {
            diff |= in.get(BYTE, at + i) ^ expected[i];
        }
        return diff == 0;
    }

    private static boolean same(
        final MemorySegment a, final long aAt, final int aLength, final MemorySegment b, final long bAt, final int bLength)
    {
        if (aLength != bLength)
        {
            return false;
        }
        for (int i = 0; i < aLength; i++)
        {
            if (a.get(BYTE, aAt + i) != b.get(BYTE, bAt + i))
            {
                return false;
            }
        }
        return true;
    }
}
