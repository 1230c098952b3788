package io.wirekv.e2e.durability;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One blocking memcached text/meta connection for a test thread: write a request, read reply lines and data
 * blocks. Unlike {@code TcpWire} (which captures whole replies for byte comparison), the caller knows each reply's
 * shape, so a server killed mid-reply shows up as an {@link IOException} at the exact point it died.
 */
final class MemcacheConnection implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    MemcacheConnection(final String host, final int port, final int readTimeoutMs) throws IOException
    {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(readTimeoutMs);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    void send(final byte[] request) throws IOException
    {
        out.write(request);
        out.flush();
    }

    /** One reply line without its CRLF. */
    String readLine() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int prev = -1;
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("connection closed after " + line.size() + " bytes of a reply line");
            }
            if (prev == '\r' && b == '\n')
            {
                final byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            prev = b;
        }
    }

    /** A data block of {@code length} bytes and the CRLF after it. */
    byte[] readData(final int length) throws IOException
    {
        final byte[] data = in.readNBytes(length);
        final byte[] crlf = in.readNBytes(2);
        if (data.length < length || crlf.length < 2)
        {
            throw new EOFException("connection closed inside a " + length + "-byte data block");
        }
        if (crlf[0] != '\r' || crlf[1] != '\n')
        {
            throw new IOException("data block of " + length + " bytes not followed by CRLF");
        }
        return data;
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway.
        }
    }
}
