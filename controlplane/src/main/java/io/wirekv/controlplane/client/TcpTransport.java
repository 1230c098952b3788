package io.wirekv.controlplane.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Requests over one TCP connection, replies framed by {@link ReplyFramer}. */
public final class TcpTransport implements McTransport
{
    private static final byte[] MN = "mn\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MN_REPLY = "MN\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerAddress address;
    private final int timeoutMs;
    private final Socket socket;
    private final OutputStream out;
    private final ReplyFramer framer;

    /** Connects, waiting at most {@code timeoutMs} for the connection and for each reply. */
    public TcpTransport(final ServerAddress address, final int timeoutMs)
    {
        this.address = address;
        this.timeoutMs = timeoutMs;
        final Socket s = new Socket();
        try
        {
            s.setTcpNoDelay(true);
            s.connect(address.socketAddress(), timeoutMs);
            s.setSoTimeout(timeoutMs);
            this.out = s.getOutputStream();
            this.framer = new ReplyFramer(new BufferedInputStream(s.getInputStream(), 64 * 1024));
        }
        catch (final IOException ex)
        {
            closeQuietly(s);
            throw new McClientException("cannot connect to " + describe() + ": " + reason(ex) +
                " — is `wirekv serve` running?", ex);
        }
        this.socket = s;
    }

    @Override
    public byte[] exchange(final byte[] request, final int replies)
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        try
        {
            out.write(request);
            out.flush();
            for (int i = 0; i < replies; i++)
            {
                final byte[] reply = framer.next();
                if (reply == null)
                {
                    throw new EOFException("connection closed by the server");
                }
                all.write(reply);
            }
        }
        catch (final IOException ex)
        {
            throw failure(ex);
        }
        return all.toByteArray();
    }

    @Override
    public byte[] exchangeAll(final byte[] request)
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        try
        {
            out.write(request);
            out.write(MN);
            out.flush();
            while (true)
            {
                final byte[] reply = framer.next();
                if (reply == null || Arrays.equals(reply, MN_REPLY))
                {
                    // null: the server closed the connection, e.g. after "quit"
                    break;
                }
                all.write(reply);
            }
        }
        catch (final IOException ex)
        {
            throw failure(ex);
        }
        return all.toByteArray();
    }

    private McClientException failure(final IOException ex)
    {
        if (ex instanceof SocketTimeoutException)
        {
            return new McClientException("no reply from " + describe() + " within " + timeoutMs + " ms", ex);
        }
        return new McClientException("talking to " + describe() + ": " + reason(ex), ex);
    }

    @Override
    public String describe()
    {
        return address + " over TCP";
    }

    @Override
    public void close()
    {
        closeQuietly(socket);
    }

    static String reason(final IOException ex)
    {
        if (ex instanceof ConnectException)
        {
            return "connection refused";
        }
        if (ex instanceof SocketTimeoutException)
        {
            return "timed out";
        }
        if (ex instanceof UnknownHostException)
        {
            return "unknown host";
        }
        if (ex instanceof NoRouteToHostException)
        {
            return "no route to host";
        }
        final String m = ex.getMessage();
        return m == null ? ex.getClass().getSimpleName() : m.toLowerCase(java.util.Locale.ROOT);
    }

    private static void closeQuietly(final Socket s)
    {
        try
        {
            s.close();
        }
        catch (final IOException ignore)
        {
            // closing: nothing left to do
        }
    }
}
