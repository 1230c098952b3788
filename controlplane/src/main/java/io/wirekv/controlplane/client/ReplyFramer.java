package io.wirekv.controlplane.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Finds where one memcached reply ends in a byte stream, for the text and meta protocols:
 * <ul>
 * <li>{@code VALUE key flags bytes [cas]} blocks (get/gets/gat/gats), each followed by its data,
 *     up to {@code END};</li>
 * <li>{@code STAT}/{@code ITEM} lines up to {@code END} (stats);</li>
 * <li>{@code VA size flags*} followed by its data (meta get with a value);</li>
 * <li>any other single line ({@code STORED}, {@code END}, {@code HD}, {@code EN}, {@code MN},
 *     {@code ERROR}, {@code CLIENT_ERROR ...}, a number from incr/decr, ...).</li>
 * </ul>
 * Used by the interactive client, not by the load generator's allocation-free path.
 */
public final class ReplyFramer
{
    /** Longest reply line accepted; memcached's lines are far shorter. */
    public static final int MAX_LINE_BYTES = 64 * 1024;

    private final InputStream in;

    public ReplyFramer(final InputStream in)
    {
        this.in = in;
    }

    /**
     * @return the next complete reply, CRLFs included, or null on a clean end of stream before
     * any byte of a reply.
     * @throws EOFException when the stream ends inside a reply.
     */
    public byte[] next() throws IOException
    {
        final ByteArrayOutputStream reply = new ByteArrayOutputStream();
        String line = readLine(reply, true);
        if (line == null)
        {
            return null;
        }
        if (line.startsWith("VA "))
        {
            readData(reply, sizeToken(line, 1));
            return reply.toByteArray();
        }
        while (line.startsWith("VALUE ") || line.startsWith("STAT ") || line.startsWith("ITEM "))
        {
            if (line.startsWith("VALUE "))
            {
                readData(reply, sizeToken(line, 3));
            }
            line = readLine(reply, false);
        }
        return reply.toByteArray();
    }

    /** Reads {@code size} data bytes and their CRLF. */
    private void readData(final ByteArrayOutputStream reply, final int size) throws IOException
    {
        final byte[] data = in.readNBytes(size + 2);
        reply.write(data);
        if (data.length != size + 2)
        {
            throw new EOFException("connection closed inside a " + size + "-byte value");
        }
    }

    private static int sizeToken(final String line, final int index) throws IOException
    {
        final String[] tokens = line.trim().split(" +");
        try
        {
            final int size = Integer.parseInt(tokens[index]);
            if (size >= 0)
            {
                return size;
            }
        }
        catch (final RuntimeException ignore)
        {
            // fall through
        }
        throw new IOException("malformed reply line '" + line.trim() + "'");
    }

    private String readLine(final ByteArrayOutputStream reply, final boolean eofAllowed) throws IOException
    {
        final int start = reply.size();
        int previous = -1;
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                if (eofAllowed && reply.size() == start)
                {
                    return null;
                }
                throw new EOFException("connection closed inside a reply");
            }
            reply.write(b);
            if (b == '\n' && previous == '\r')
            {
                final byte[] all = reply.toByteArray();
                return new String(all, start, all.length - start - 2, StandardCharsets.ISO_8859_1);
            }
            if (reply.size() - start > MAX_LINE_BYTES)
            {
                throw new IOException("reply line longer than " + MAX_LINE_BYTES + " bytes");
            }
            previous = b;
        }
    }
}
