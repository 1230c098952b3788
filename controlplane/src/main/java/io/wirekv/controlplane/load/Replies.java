package io.wirekv.controlplane.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Classifies the start of a reply to the load's GETs and SETs without allocating; reads reply lines. */
final class Replies
{
    static final int HIT = 0;
    static final int MISS = 1;
    static final int STORED = 2;
    static final int ERROR = 3;

    private static final byte[] VALUE = {'V', 'A', 'L', 'U', 'E', ' '};
    private static final byte[] END = {'E', 'N', 'D', '\r', '\n'};
    private static final byte[] STORED_LINE = {'S', 'T', 'O', 'R', 'E', 'D', '\r', '\n'};

    private Replies()
    {
    }

    /** @return HIT, MISS, STORED or ERROR for the reply starting at {@code offset}. */
    static int classify(final byte[] buf, final int offset, final int length, final boolean get)
    {
        if (get)
        {
            if (startsWith(buf, offset, length, VALUE))
            {
                return HIT;
            }
            return startsWith(buf, offset, length, END) ? MISS : ERROR;
        }
        return startsWith(buf, offset, length, STORED_LINE) ? STORED : ERROR;
    }

    static boolean startsWith(final byte[] buf, final int offset, final int length, final byte[] prefix)
    {
        if (length < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (buf[offset + i] != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads one reply line ending in CRLF (kept) from a blocking stream, as the TCP warm-ups read their
     * STORED lines.
     *
     * @return bytes read; {@code line.length} if the line is longer than the buffer.
     * @throws EOFException when the server closes the connection.
     */
    static int readLine(final InputStream in, final byte[] line) throws IOException
    {
        int n = 0;
        while (n < line.length)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("connection closed by the server");
            }
            line[n++] = (byte)b;
            if (b == '\n' && n >= 2 && line[n - 2] == '\r')
            {
                return n;
            }
        }
        return n;
    }

    static void count(final LoadStats stats, final int outcome)
    {
        switch (outcome)
        {
            case HIT -> stats.hits.increment();
            case MISS -> stats.misses.increment();
            case STORED -> stats.stored.increment();
            default -> stats.errors.increment();
        }
    }
}
