package io.wirekv.controlplane.load;

/**
 * Parses one whole reply to a {@code wirekv bench} request out of a byte array, without
 * allocating, and checks values when asked. {@link #parse} returns the bytes the reply took, or
 * {@link #INCOMPLETE} when the buffer does not yet hold all of it (TCP reads more; over UDP a
 * single-datagram reply that is incomplete is an error). The outcome is left in the fields:
 * {@link #error} (the server answered ERROR, CLIENT_ERROR or SERVER_ERROR, or something this parser
 * does not understand), {@link #hits}, {@link #wrong} (values that are not what the generator
 * stores for the key named in the reply), {@link #verified}, and {@link #opaque} (the meta
 * {@code O} token of the last line that carried one, else -1).
 * <p>
 * Threading: one per worker thread.
 */
final class BenchReplyParser
{
    static final int INCOMPLETE = -1;

    private static final byte[] VALUE = {'V', 'A', 'L', 'U', 'E', ' '};
    private static final byte[] END = {'E', 'N', 'D', '\r', '\n'};
    private static final byte[] VA = {'V', 'A', ' '};
    private static final byte[] EN = {'E', 'N'};
    private static final byte[] MN = {'M', 'N', '\r', '\n'};
    private static final byte[] ERROR = {'E', 'R', 'R', 'O', 'R'};
    private static final byte[] CLIENT_ERROR = {'C', 'L', 'I', 'E', 'N', 'T', '_', 'E', 'R', 'R', 'O', 'R'};
    private static final byte[] SERVER_ERROR = {'S', 'E', 'R', 'V', 'E', 'R', '_', 'E', 'R', 'R', 'O', 'R'};

    private final BenchValues values;
    private final int keySpace;

    boolean error;
    int hits;
    int wrong;
    int verified;
    long opaque;

    BenchReplyParser(final BenchValues values, final int keySpace)
    {
        this.values = values;
        this.keySpace = keySpace;
    }

    /**
     * @param get     the request was a GET.
     * @param meta    it used meta commands.
     * @param keys    keys it asked for (meta multi-key gets end with MN, others with END or one line).
     * @param verify  check every value's bytes.
     * @return bytes consumed, or {@link #INCOMPLETE}.
     */
    int parse(final byte[] b, final int from, final int limit, final boolean get, final boolean meta, final int keys,
        final boolean verify)
    {
        error = false;
        hits = 0;
        wrong = 0;
        verified = 0;
        opaque = -1;
        int p = from;
        while (true)
        {
            final int eol = lineEnd(b, p, limit);
            if (eol < 0)
            {
                return INCOMPLETE;
            }
            final int next = eol + 2;
            if (isError(b, p, eol))
            {
                error = true;
                return next - from;
            }
            if (!get)
            {
                // STORED / NOT_STORED / HD / NS ...: any non-error line answers a set
                opaque = opaqueToken(b, p, eol);
                return next - from;
            }
            final boolean textValue = !meta && startsWith(b, p, eol + 2, VALUE);
            final boolean metaValue = meta && startsWith(b, p, eol + 2, VA);
            if (textValue || metaValue)
            {
                final int bytes = metaValue ? number(b, p + 3, eol) : lastNumber(b, p, eol);
                if (bytes < 0)
                {
                    error = true;
                    return next - from;
                }
                if (next + bytes + 2 > limit)
                {
                    return INCOMPLETE;
                }
                hits++;
                if (metaValue)
                {
                    opaque = opaqueToken(b, p, eol);
                }
                if (verify)
                {
                    verified++;
                    final int key = metaValue ? metaKey(b, p, eol) : keyIndex(b, p + VALUE.length, eol);
                    if (key < 0 || !values.matches(b, next, bytes, key) || b[next + bytes] != '\r')
                    {
                        wrong++;
                    }
                }
                p = next + bytes + 2;
                if (meta && keys == 1)
                {
                    return p - from;
                }
                continue;
            }
            if (!meta && startsWith(b, p, eol + 2, END))
            {
                return next - from;
            }
            if (meta && startsWith(b, p, eol + 2, MN))
            {
                return next - from;
            }
            if (meta && startsWith(b, p, eol + 2, EN))
            {
                opaque = opaqueToken(b, p, eol);
                if (keys == 1)
                {
                    return next - from;
                }
                p = next;
                continue;
            }
            if (meta && keys == 1)
            {
                // HD (a hit without a value) or anything else a server may answer
                opaque = opaqueToken(b, p, eol);
                return next - from;
            }
            error = true;
            return next - from;
        }
    }

    /** Index of the first '\r' of a "\r\n" at or after {@code from}, or -1. */
    static int lineEnd(final byte[] b, final int from, final int limit)
    {
        for (int i = from; i + 1 < limit; i++)
        {
            if (b[i] == '\r' && b[i + 1] == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean isError(final byte[] b, final int p, final int eol)
    {
        return startsWith(b, p, eol, ERROR) && (eol - p == ERROR.length || b[p + ERROR.length] == ' ') ||
            startsWith(b, p, eol, CLIENT_ERROR) || startsWith(b, p, eol, SERVER_ERROR);
    }

    private static boolean startsWith(final byte[] b, final int p, final int limit, final byte[] prefix)
    {
        return Replies.startsWith(b, p, limit - p, prefix);
    }

    /** The key index of a key token starting at {@code p} ('k' then digits), or -1. */
    private int keyIndex(final byte[] b, final int p, final int eol)
    {
        if (p >= eol || b[p] != 'k')
        {
            return -1;
        }
        long v = 0;
        int i = p + 1;
        for (; i < eol && b[i] != ' '; i++)
        {
            final int d = b[i] - '0';
            if (d < 0 || d > 9 || v > keySpace)
            {
                return -1;
            }
            v = v * 10 + d;
        }
        return i == p + 1 || v >= keySpace ? -1 : (int)v;
    }

    /** The key of a meta line from its {@code k} flag token, or -1. */
    private int metaKey(final byte[] b, final int p, final int eol)
    {
        for (int i = p; i + 1 < eol; i++)
        {
            if (b[i] == ' ' && b[i + 1] == 'k')
            {
                return keyIndex(b, i + 2, eol);
            }
        }
        return -1;
    }

    /** The value of the {@code O} flag token of a meta line, or -1. */
    private static long opaqueToken(final byte[] b, final int p, final int eol)
    {
        for (int i = p; i + 1 < eol; i++)
        {
            if (b[i] == ' ' && b[i + 1] == 'O')
            {
                return number(b, i + 2, eol);
            }
        }
        return -1;
    }

    /** The decimal number at {@code p} up to a space or {@code eol}, or -1. */
    private static int number(final byte[] b, final int p, final int eol)
    {
        long v = 0;
        int i = p;
        for (; i < eol && b[i] != ' '; i++)
        {
            final int d = b[i] - '0';
            if (d < 0 || d > 9 || v > Integer.MAX_VALUE)
            {
                return -1;
            }
            v = v * 10 + d;
        }
        return i == p || v > Integer.MAX_VALUE ? -1 : (int)v;
    }

    /** "VALUE key flags bytes": the bytes token (the last one; bench never asks for cas). */
    private static int lastNumber(final byte[] b, final int from, final int eol)
    {
        int start = eol;
        while (start > from && b[start - 1] != ' ')
        {
            start--;
        }
        return start == eol ? -1 : number(b, start, eol);
    }
}
