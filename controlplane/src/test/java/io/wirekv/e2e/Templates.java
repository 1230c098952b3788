package io.wirekv.e2e;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Placeholders in request templates, resolved per sequence, transport and server just before sending:
 * <pre>
 *   ${k}            the key prefix unique to this sequence and transport, e.g. "t17_" (TCP) or "u17_" (UDP)
 *   ${key:N}        a key of exactly N characters that starts with the prefix (pads with 'x')
 *   ${rep:C:N}      character C repeated N times (C is one character; use ${rep:sp:N} for spaces)
 *   ${val:N}        N deterministic value bytes (printable and binary, never 'M', so "MN\r\n" cannot occur)
 *   ${now+S} ${now-S}  the current unix time plus/minus S seconds (absolute exptimes)
 *   ${cas:N}        the N-th distinct CAS value this server returned in this sequence (1-based); a
 *                   value no server hands out when there is no N-th
 *   ${b64:TEXT}     base64 of the prefix followed by TEXT (for meta commands' b flag)
 * </pre>
 */
public final class Templates
{
    /** A CAS value neither memcached nor wirekv reaches in a test run. */
    public static final String UNUSED_CAS = "987654321987";

    private Templates()
    {
    }

    /** Resolves every placeholder; the result's chars are bytes (ISO-8859-1). */
    public static byte[] resolve(final String template, final String prefix, final List<String> casSeen)
    {
        final StringBuilder out = new StringBuilder(template.length() + 64);
        int i = 0;
        while (i < template.length())
        {
            final int start = template.indexOf("${", i);
            if (start < 0)
            {
                out.append(template, i, template.length());
                break;
            }
            out.append(template, i, start);
            final int end = template.indexOf('}', start);
            if (end < 0)
            {
                throw new IllegalArgumentException("unterminated placeholder in: " + template);
            }
            out.append(expand(template.substring(start + 2, end), prefix, casSeen));
            i = end + 1;
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String expand(final String p, final String prefix, final List<String> casSeen)
    {
        if (p.equals("k"))
        {
            return prefix;
        }
        if (p.startsWith("key:"))
        {
            final int n = Integer.parseInt(p.substring(4));
            return (prefix + "x".repeat(Math.max(0, n - prefix.length()))).substring(0, n);
        }
        if (p.startsWith("rep:"))
        {
            final int colon = p.lastIndexOf(':');
            final String what = p.substring(4, colon);
            final String c = what.equals("sp") ? " " : what;
            return c.repeat(Integer.parseInt(p.substring(colon + 1)));
        }
        if (p.startsWith("val:"))
        {
            return value(Integer.parseInt(p.substring(4)));
        }
        if (p.startsWith("now+"))
        {
            return Long.toString(System.currentTimeMillis() / 1000 + Long.parseLong(p.substring(4)));
        }
        if (p.startsWith("now-"))
        {
            return Long.toString(System.currentTimeMillis() / 1000 - Long.parseLong(p.substring(4)));
        }
        if (p.startsWith("cas:"))
        {
            final int n = Integer.parseInt(p.substring(4));
            return n >= 1 && n <= casSeen.size() ? casSeen.get(n - 1) : UNUSED_CAS;
        }
        if (p.startsWith("b64:"))
        {
            return Base64.getEncoder().encodeToString(
                (prefix + p.substring(4)).getBytes(StandardCharsets.ISO_8859_1));
        }
        throw new IllegalArgumentException("unknown placeholder ${" + p + "}");
    }

    /** N deterministic bytes: mostly printable, with CR, LF, NUL and high bytes mixed in; never 'M'. */
    public static String value(final int n)
    {
        final char[] c = new char[n];
        long x = 0x9E3779B97F4A7C15L ^ n;
        for (int i = 0; i < n; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            final int r = (int)(x & 0xFF);
            char ch;
            if (r < 200)
            {
                ch = (char)('a' + (r % 26));
            }
            else if (r < 210)
            {
                ch = '\r';
            }
            else if (r < 220)
            {
                ch = '\n';
            }
            else if (r < 225)
            {
                ch = 0;
            }
            else
            {
                ch = (char)r;
            }
            c[i] = ch;
        }
        return new String(c);
    }
}
