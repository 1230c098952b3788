package io.wirekv.dataplane.proto;

import java.nio.charset.StandardCharsets;

/**
 * What memcached may send back over the text and meta protocols, as a checker for fuzz targets: a reply
 * stream must split into known reply lines, and every {@code VALUE}/{@code VA} line must be followed by
 * exactly the data block its length announces. Returns null when the stream is well formed, else what is
 * wrong and where.
 */
final class ReplyGrammar
{
    /** Lines that stand alone, exactly. */
    private static final String[] WHOLE = {
        "ERROR", "STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED", "TOUCHED", "OK", "END", "RESET", "MN", "EN",
    };
    /** Lines that start with a word and carry arguments (meta status codes carry flags). */
    private static final String[] PREFIXES = {
        "CLIENT_ERROR ", "SERVER_ERROR ", "ERROR: ", "VERSION ", "STAT ", "ME ",
        "HD ", "NS ", "EX ", "NF ", "EN ",
    };
    /** The meta status codes, bare. */
    private static final String[] META_BARE = {"HD", "NS", "EX", "NF"};

    private ReplyGrammar()
    {
    }

    /** @param closeMarker text the driver appended when the processor asked to close (checked last), or null. */
    static String check(final byte[] stream, final String closeMarker)
    {
        final String s = new String(stream, StandardCharsets.ISO_8859_1);
        int end = s.length();
        if (null != closeMarker && s.endsWith(closeMarker))
        {
            end -= closeMarker.length();
        }
        int at = 0;
        while (at < end)
        {
            final int crlf = s.indexOf("\r\n", at);
            if (crlf < 0 || crlf >= end)
            {
                return "unterminated reply line at " + at + ": " + excerpt(s, at);
            }
            final String line = s.substring(at, crlf);
            at = crlf + 2;
            final int dataLength = dataBlockLength(line);
            if (dataLength == -2)
            {
                return "unknown reply line at " + (crlf - line.length()) + ": " + excerpt(line, 0);
            }
            if (dataLength >= 0)
            {
                if (at + dataLength + 2 > end || !"\r\n".equals(s.substring(at + dataLength, at + dataLength + 2)))
                {
                    return "data block of " + dataLength + " bytes not terminated after: " + excerpt(line, 0);
                }
                at += dataLength + 2;
            }
        }
        return null;
    }

    /** -1: a line without a data block; -2: not a reply line; else the length of the data block that follows. */
    private static int dataBlockLength(final String line)
    {
        if (line.startsWith("VALUE "))
        {
            final String[] parts = line.split(" ", -1);
            if (parts.length < 4 || parts.length > 5 || parts[1].isEmpty())
            {
                return -2;
            }
            return unsignedOrBad(parts[3], true);
        }
        if (line.startsWith("VA "))
        {
            final String[] parts = line.split(" ", -1);
            return parts.length < 2 ? -2 : unsignedOrBad(parts[1], true);
        }
        for (final String whole : WHOLE)
        {
            if (whole.equals(line))
            {
                return -1;
            }
        }
        for (final String bare : META_BARE)
        {
            if (bare.equals(line))
            {
                return -1;
            }
        }
        for (final String prefix : PREFIXES)
        {
            if (line.startsWith(prefix) && line.length() > prefix.length())
            {
                return -1;
            }
        }
        // incr/decr answer with the new value alone
        return unsignedOrBad(line, false) >= 0 ? -1 : -2;
    }

    private static int unsignedOrBad(final String digits, final boolean asLength)
    {
        if (digits.isEmpty() || digits.length() > 20)
        {
            return -2;
        }
        for (int i = 0; i < digits.length(); i++)
        {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9')
            {
                return -2;
            }
        }
        if (asLength)
        {
            return digits.length() > 9 ? -2 : Integer.parseInt(digits);
        }
        return 0;
    }

    private static String excerpt(final String s, final int from)
    {
        final String e = s.substring(from, Math.min(s.length(), from + 80));
        return e.replace("\r", "\\r").replace("\n", "\\n");
    }
}
