package io.wirekv.e2e;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * THE ONE PLACE where replies are normalised before memcached's and the target's are compared. Everything
 * else is compared byte for byte. Each rule is a legitimate difference between two correct servers and
 * each is a finding for the lead:
 * <ol>
 *   <li><b>CAS values</b> ({@code VALUE k f n CAS}, meta {@code c<CAS>}, {@code me ... cas=CAS}): the counter is
 *       server-global, so its numbers depend on each server's history. Each distinct value is replaced
 *       by {@code <cas#N>}, N = order of first appearance within the sequence on that server; so equal
 *       CAS values must stay equal and different ones different. Requests refer to them as {@code ${cas:N}}.</li>
 *   <li><b>version</b>: {@code VERSION x} becomes {@code VERSION <version>}; wirekv reports its own version.</li>
 *   <li><b>stats</b>: {@code STAT name value} keeps the name, value becomes {@code <v>} (pid, uptime,
 *       time, counters all differ). Only the names in {@link #CORE_STATS} (the general stats a memcached
 *       client/monitor relies on) are kept; memcached's implementation-internal ones (libevent, rusage_*,
 *       connection_structures, response_obj_*, read_buf_*, slab/LRU/hash internals, ...) are dropped. The
 *       kept names must all be present, in memcached's order.</li>
 *   <li><b>remaining TTL / last access seconds</b> (meta {@code t<n>}, {@code l<n>}, {@code me exp= la=}):
 *       each server samples its own once-a-second clock at a slightly different instant, so a value can
 *       be one lower on one of them. Values are rounded to the nearest 10 s ({@code -1} = no expiry stays exact; memcached 1.6.18's
 *       {@code me} prints exp= negated, e.g. {@code exp=-1000} for 1000 s left, rounded the same way);
 *       sequences use round TTLs (30, 100, 1000, 3600) so rounding never crosses a bucket.</li>
 *   <li><b>me slab details</b> ({@code cls=}, {@code size=}): memcached's slab class and internal item size,
 *       meaningless for wirekv's item layout; replaced by {@code <internal>}.</li>
 *   <li><b>last access</b> (meta {@code l}, {@code me ... la=}): wirekv reports the store time (a read leaves
 *       only its CLOCK reference and fetched bits on an item); compared after rule 4's rounding, which the
 *       sequences' short runs never cross. The fetched bit itself ({@code h0}/{@code h1},
 *       {@code fetch=no|yes}) is compared as it is.</li>
 *   <li><b>UDP datagram layout of stats replies</b>: the sizes follow the lengths of the (normalised away)
 *       values, so for a reply holding {@code STAT} lines the layout is not compared. For every other
 *       reply the datagram count and each datagram's size ARE compared (memcached: 1400 bytes per
 *       datagram including the 8-byte header).</li>
 * </ol>
 * Deliberate differences whose whole reply differs (a dropped frame, a flag memcached refuses) are not normalised
 * here: they are listed with their reasons in {@link DeliberateDifferences} and asserted per step in
 * {@code sequences.txt}.
 * <p>
 * Data blocks longer than 64 bytes are shown as {@code <N bytes sha256:...>} to keep reports readable;
 * that is still a byte-for-byte comparison.
 */
public final class Normalisation
{
    private static final int INLINE_DATA_MAX = 64;

    /** General stats every memcached-compatible server reports (names and order as memcached 1.6.18). */
    public static final java.util.Set<String> CORE_STATS = java.util.Set.of(
        "pid", "uptime", "time", "version", "pointer_size", "curr_connections", "total_connections",
        "cmd_get", "cmd_set", "cmd_flush", "cmd_touch", "cmd_meta", "get_hits", "get_misses", "get_expired",
        "get_flushed", "delete_misses", "delete_hits", "incr_misses", "incr_hits", "decr_misses", "decr_hits",
        "cas_misses", "cas_hits", "cas_badval", "touch_hits", "touch_misses", "store_too_large", "store_no_memory",
        "bytes_read", "bytes_written", "limit_maxbytes", "threads", "bytes", "curr_items", "total_items", "evictions");

    private Normalisation()
    {
    }

    /**
     * Normalises one step's complete reply (a TCP byte stream, or a UDP reply's payloads concatenated).
     *
     * @param casSeen distinct CAS values seen so far in this sequence on this server, in order; extended here.
     */
    public static String normalise(final byte[] reply, final List<String> casSeen)
    {
        return normalise(reply, casSeen, new boolean[1]);
    }

    /**
     * As {@link #normalise(byte[], List)}; sets {@code lengthAltered[0]} when a normalised token (CAS, version,
     * stat value, seconds) may have a different length on the other server, which shifts UDP datagram sizes.
     */
    public static String normalise(final byte[] reply, final List<String> casSeen, final boolean[] lengthAltered)
    {
        final StringBuilder out = new StringBuilder();
        int pos = 0;
        while (pos < reply.length)
        {
            int eol = indexOfCrlf(reply, pos);
            if (eol < 0)
            {
                escape(reply, pos, reply.length, out);
                break;
            }
            final String line = new String(reply, pos, eol - pos, StandardCharsets.ISO_8859_1);
            pos = eol + 2;
            final String[] t = line.split(" ", -1);
            int dataBytes = -1;
            if (t[0].equals("VALUE") && t.length >= 4)
            {
                if (t.length == 5)
                {
                    t[4] = cas(t[4], casSeen);
                    lengthAltered[0] = true;
                }
                dataBytes = parseInt(t[3]);
            }
            else if (t[0].equals("VA") && t.length >= 2)
            {
                dataBytes = parseInt(t[1]);
                lengthAltered[0] |= metaFlags(t, 2, casSeen);
            }
            else if (isMetaCode(t[0]))
            {
                lengthAltered[0] |= metaFlags(t, 1, casSeen);
            }
            else if (t[0].equals("ME"))
            {
                debugFields(t, casSeen);
                lengthAltered[0] = true;
            }
            else if (t[0].equals("VERSION") && t.length == 2)
            {
                t[1] = "<version>";
                lengthAltered[0] = true;
            }
            else if (t[0].equals("STAT") && t.length >= 3)
            {
                lengthAltered[0] = true;
                final String name = t[1];
                if (CORE_STATS.contains(name))
                {
                    out.append("STAT ").append(name).append(" <v>\\r\\n\n");
                }
                continue;
            }
            escapeString(String.join(" ", t), out);
            out.append("\\r\\n\n");
            if (dataBytes >= 0)
            {
                final int end = Math.min(reply.length, pos + dataBytes + 2);
                data(reply, pos, end, out);
                pos = end;
            }
        }
        return out.toString();
    }

    /**
     * The UDP datagram layout to compare (rule 6): every datagram's seq/count and size, except that sizes are
     * dropped (seq/count kept) when the normalisation changed token lengths in this reply.
     */
    public static String udpLayout(final String layout, final boolean lengthAltered, final String normalisedPayload)
    {
        if (normalisedPayload.startsWith("STAT ") || normalisedPayload.contains("\nSTAT "))
        {
            return "<stats: layout not compared, memcached-internal stats dropped>";
        }
        return lengthAltered ? layout.replaceAll(":\\d+", "") + " (sizes not compared: normalised tokens)" : layout;
    }

    private static boolean isMetaCode(final String s)
    {
        return switch (s)
        {
            case "HD", "EN", "NF", "NS", "EX", "MN" -> true;
            default -> false;
        };
    }

    private static boolean metaFlags(final String[] t, final int from, final List<String> casSeen)
    {
        boolean altered = false;
        for (int i = from; i < t.length; i++)
        {
            final String f = t[i];
            if (f.length() < 2)
            {
                continue;
            }
            final String rest = f.substring(1);
            final String before = t[i];
            switch (f.charAt(0))
            {
                case 'c' -> t[i] = "c" + (isDigits(rest) ? cas(rest, casSeen) : rest);
                case 't', 'l' -> t[i] = f.charAt(0) + seconds(rest);
                default ->
                {
                }
            }
            altered |= !before.equals(t[i]);
        }
        return altered;
    }

    private static void debugFields(final String[] t, final List<String> casSeen)
    {
        for (int i = 2; i < t.length; i++)
        {
            final int eq = t[i].indexOf('=');
            if (eq < 0)
            {
                continue;
            }
            final String k = t[i].substring(0, eq);
            final String v = t[i].substring(eq + 1);
            switch (k)
            {
                case "cas" -> t[i] = "cas=" + cas(v, casSeen);
                case "exp", "la" -> t[i] = k + "=" + seconds(v);
                case "cls", "size" -> t[i] = k + "=<internal>";
                default ->
                {
                }
            }
        }
    }

    private static String cas(final String value, final List<String> casSeen)
    {
        int idx = casSeen.indexOf(value);
        if (idx < 0)
        {
            casSeen.add(value);
            idx = casSeen.size() - 1;
        }
        return "<cas#" + (idx + 1) + ">";
    }

    private static String seconds(final String v)
    {
        final boolean negative = v.startsWith("-");
        final String digits = negative ? v.substring(1) : v;
        if (!isDigits(digits) || v.equals("-1"))
        {
            return v; // -1 = no expiry: exact
        }
        final long s = negative ? -Long.parseLong(digits) : Long.parseLong(digits);
        return "~" + (Math.round(s / 10.0) * 10);
    }

    private static boolean isDigits(final String s)
    {
        if (s.isEmpty() || s.length() > 19)
        {
            return false;
        }
        for (int i = 0; i < s.length(); i++)
        {
            if (s.charAt(i) < '0' || s.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static int parseInt(final String s)
    {
        return isDigits(s) && s.length() < 10 ? Integer.parseInt(s) : -1;
    }

    private static int indexOfCrlf(final byte[] b, final int from)
    {
        for (int i = from; i + 1 < b.length; i++)
        {
            if (b[i] == '\r' && b[i + 1] == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    private static void data(final byte[] b, final int from, final int to, final StringBuilder out)
    {
        if (to - from <= INLINE_DATA_MAX)
        {
            escape(b, from, to, out);
            out.append('\n');
            return;
        }
        try
        {
            final MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(b, from, to - from);
            out.append('<').append(to - from).append(" bytes sha256:")
                .append(HexFormat.of().formatHex(md.digest(), 0, 8)).append(">\n");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Printable ASCII as is; CR, LF, TAB, backslash and every other byte escaped. */
    public static void escape(final byte[] b, final int from, final int to, final StringBuilder out)
    {
        for (int i = from; i < to; i++)
        {
            appendEscaped(b[i] & 0xFF, out);
        }
    }

    private static void escapeString(final String s, final StringBuilder out)
    {
        for (int i = 0; i < s.length(); i++)
        {
            appendEscaped(s.charAt(i) & 0xFF, out);
        }
    }

    private static void appendEscaped(final int c, final StringBuilder out)
    {
        switch (c)
        {
            case '\r' -> out.append("\\r");
            case '\n' -> out.append("\\n");
            case '\t' -> out.append("\\t");
            case '\\' -> out.append("\\\\");
            default ->
            {
                if (c >= 0x20 && c < 0x7F)
                {
                    out.append((char)c);
                }
                else
                {
                    out.append(String.format("\\x%02x", c));
                }
            }
        }
    }

    /** A request for display: escaped, long runs abbreviated. */
    public static String displayRequest(final byte[] request)
    {
        final StringBuilder sb = new StringBuilder();
        if (request.length > 300)
        {
            escape(request, 0, 120, sb);
            sb.append(" ...<").append(request.length - 180).append(" bytes>... ");
            escape(request, request.length - 60, request.length, sb);
        }
        else
        {
            escape(request, 0, request.length, sb);
        }
        return sb.toString();
    }
}
