package io.wirekv.dataplane.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Where a node accepts replication streams ({@code replication.listen}): a non-blocking TCP listener polled by the
 * receiver agent. Threading: the receiver thread (and start-up, which binds it so a taken port stops start-up).
 */
public final class TcpReplicationListener implements AutoCloseable
{
    private final ServerSocketChannel server;

    /**
     * @throws IllegalStateException naming replication.listen when the address cannot be bound.
     */
    public TcpReplicationListener(final ReplicationSettings.HostPort listen)
    {
        try
        {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(listen.host(), listen.port()));
            server.configureBlocking(false);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("replication.listen " + listen + " cannot be bound: " + ex.getMessage() +
                " (is another process using the port? choose another replication.listen / --replication-listen)", ex);
        }
    }

    /** The next connection waiting, or null. */
    public ReplicationChannel accept()
    {
        try
        {
            final SocketChannel channel = server.accept();
            return null == channel ? null : new TcpReplicationChannel(channel);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("replication: accept failed", ex);
        }
    }

    /** The bound port (tests bind port 0... not allowed by the validator, but by direct settings). */
    public int port()
    {
        return server.socket().getLocalPort();
    }

    @Override
    public void close()
    {
        try
        {
            server.close();
        }
        catch (final IOException ignore)
        {
            // shutting down
        }
    }
}
