package io.wirekv.controlplane.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Reply bytes for the bench: prefix checks without allocating, and the blocking line reader of the TCP warm-up. */
final class Replies
{
    private Replies()
    {
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
     * Reads one reply line ending in CRLF (kept) from a blocking stream, as the TCP warm-up reads its
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
}
