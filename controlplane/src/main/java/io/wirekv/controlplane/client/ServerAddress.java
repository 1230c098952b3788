package io.wirekv.controlplane.client;

import java.net.InetSocketAddress;

/**
 * A memcached-protocol server's address as the user writes it: {@code HOST:PORT}, {@code HOST}
 * (port 11211) or {@code :PORT} (host 127.0.0.1).
 */
public record ServerAddress(String host, int port)
{
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 11211;

    /** @throws IllegalArgumentException with a one-line reason when {@code text} is not an address. */
    public static ServerAddress parse(final String text)
    {
        final String t = text.trim();
        final int colon = t.lastIndexOf(':');
        final String host = colon < 0 ? t : t.substring(0, colon);
        int port = DEFAULT_PORT;
        if (colon >= 0)
        {
            try
            {
                port = Integer.parseInt(t.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                port = -1;
            }
            if (port < 1 || port > 65535)
            {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT; the port must be from 1 to 65535");
            }
        }
        return new ServerAddress(host.isEmpty() ? DEFAULT_HOST : host, port);
    }

    public InetSocketAddress socketAddress()
    {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString()
    {
        return host + ":" + port;
    }
}
