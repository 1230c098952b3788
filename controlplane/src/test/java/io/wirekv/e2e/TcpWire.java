package io.wirekv.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One reused TCP connection to a target. {@link #exchange} writes a request followed by the {@code mn}
 * sentinel and reads until the sentinel's {@code MN\r\n} comes back (or the server closes, or a timeout),
 * so every step's complete reply is captured without knowing its shape. Reconnects after close/timeout.
 * Through a proxy that knows no meta commands (twemproxy) the sentinel is {@code version} instead
 * ({@link #withVersionSentinel}), whose {@code VERSION ...} line ends the reply the same way.
 */
final class TcpWire implements AutoCloseable
{
    static final byte[] SENTINEL = "mn\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int READ_TIMEOUT_MS = 1_000;

    static final byte[] VERSION_SENTINEL = "version\r\n".getBytes(StandardCharsets.US_ASCII);

    private final String host;
    private final int port;
    private final boolean versionSentinel;
    private Socket socket;

    /** The reply to one step. */
    record Reply(byte[] bytes, boolean closed, boolean timedOut, boolean sendFailed)
    {
    }

    TcpWire(final String host, final int port)
    {
        this(host, port, false);
    }

    private TcpWire(final String host, final int port, final boolean versionSentinel)
    {
        this.host = host;
        this.port = port;
        this.versionSentinel = versionSentinel;
    }

    /** A wire that ends every step with {@code version} (for proxies without meta commands); {@code mn} counts do not apply. */
    static TcpWire withVersionSentinel(final String host, final int port)
    {
        return new TcpWire(host, port, true);
    }

    /**
     * @param mnInRequest how many {@code mn} commands the request itself holds (each adds an MN to the reply);
     *                    counted on the template, so value bytes that happen to look like "mn" do not count.
     */
    Reply exchange(final byte[] request, final int mnInRequest)
    {
        try
        {
            if (socket == null)
            {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), 2_000);
                socket.setSoTimeout(READ_TIMEOUT_MS);
            }
        }
        catch (final IOException ex)
        {
            socket = null;
            throw new IllegalStateException("cannot connect to " + host + ":" + port + ": " + ex.getMessage(), ex);
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try
        {
            final byte[] sentinel = versionSentinel ? VERSION_SENTINEL : SENTINEL;
            final byte[] wire = new byte[request.length + sentinel.length];
            System.arraycopy(request, 0, wire, 0, request.length);
            System.arraycopy(sentinel, 0, wire, request.length, sentinel.length);
            socket.getOutputStream().write(wire);
            socket.getOutputStream().flush();
        }
        catch (final IOException ex)
        {
            // The server may close while we still write (e.g. after a line it refuses): read what it sent.
            final Reply partial = readRest(out, mnInRequest);
            dropConnection();
            return new Reply(partial.bytes(), true, partial.timedOut(), true);
        }
        final Reply reply = readRest(out, mnInRequest);
        if (reply.closed() || reply.timedOut())
        {
            dropConnection();
        }
        return reply;
    }

    private Reply readRest(final ByteArrayOutputStream out, final int mnInRequest)
    {
        final byte[] buf = new byte[64 * 1024];
        try
        {
            final InputStream in = socket.getInputStream();
            final long deadlineMs = System.currentTimeMillis() + READ_TIMEOUT_MS;
            while (System.currentTimeMillis() < deadlineMs)
            {
                final int n = in.read(buf);
                if (n < 0)
                {
                    return new Reply(out.toByteArray(), true, false, false);
                }
                out.write(buf, 0, n);
                final byte[] sofar = out.toByteArray();
                if (versionSentinel ? endsWithVersionLine(sofar) :
                    endsWithSentinelReply(sofar) && countMnReplies(sofar) > mnInRequest)
                {
                    return new Reply(sofar, false, false, false);
                }
            }
            return new Reply(out.toByteArray(), false, true, false);
        }
        catch (final SocketTimeoutException ex)
        {
            return new Reply(out.toByteArray(), false, true, false);
        }
        catch (final IOException ex)
        {
            // connection reset: treat like a close.
            return new Reply(out.toByteArray(), true, false, false);
        }
    }

    /** Writes {@code request} on a blocking socket and reads until the reply ends with {@code terminator} (or EOF). */
    static String exchange(final java.net.Socket socket, final String request, final String terminator)
        throws java.io.IOException
    {
        final java.io.OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        final java.io.InputStream in = socket.getInputStream();
        final java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
        while (!reply.toString(StandardCharsets.US_ASCII).endsWith(terminator))
        {
            final int b = in.read();
            if (b < 0)
            {
                break;
            }
            reply.write(b);
        }
        return reply.toString(StandardCharsets.US_ASCII);
    }

    static boolean endsWithSentinelReply(final byte[] b)
    {
        final int n = b.length;
        return n >= 4 && b[n - 4] == 'M' && b[n - 3] == 'N' && b[n - 2] == '\r' && b[n - 1] == '\n' &&
            (n == 4 || b[n - 5] == '\n');
    }

    /** The bytes end with a whole "VERSION ...\r\n" line (the version sentinel's reply). */
    static boolean endsWithVersionLine(final byte[] b)
    {
        final int n = b.length;
        if (n < 10 || b[n - 2] != '\r' || b[n - 1] != '\n')
        {
            return false;
        }
        int start = n - 2;
        while (start > 0 && b[start - 1] != '\n')
        {
            start--;
        }
        return new String(b, start, n - 2 - start, StandardCharsets.ISO_8859_1).startsWith("VERSION ");
    }

    /** "MN\r\n" at the start of a line. */
    static int countMnReplies(final byte[] b)
    {
        int count = 0;
        for (int i = 0; i + 3 < b.length; i++)
        {
            if ((i == 0 || b[i - 1] == '\n') && b[i] == 'M' && b[i + 1] == 'N' && b[i + 2] == '\r' && b[i + 3] == '\n')
            {
                count++;
            }
        }
        return count;
    }

    /** "mn" as a command line of its own inside the request template (so one more MN comes back). */
    static int countMnCommands(final String template)
    {
        final byte[] b = template.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int count = 0;
        for (int i = 0; i + 1 < b.length; i++)
        {
            if ((i == 0 || b[i - 1] == '\n') && b[i] == 'm' && b[i + 1] == 'n' &&
                (i + 2 == b.length || b[i + 2] == '\r' || b[i + 2] == '\n' || b[i + 2] == ' '))
            {
                count++;
            }
        }
        return count;
    }

    private void dropConnection()
    {
        if (socket != null)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway.
            }
            socket = null;
        }
    }

    @Override
    public void close()
    {
        dropConnection();
    }
}
