package io.wirekv.dataplane.replication;

import org.agrona.ErrorHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Where a node accepts replication streams ({@code replication.listen}): a non-blocking TCP listener polled by the
 * receiver agent; each connection becomes what the transport makes of it ({@link ReplicationConnector#accepted}).
 * Threading: the receiver thread (and start-up, which binds it so a taken port stops start-up).
 */
public final class TcpReplicationListener implements AutoCloseable
{
    private final ServerSocketChannel server;
    private final ReplicationConnector transport;
    private final ErrorHandler errors;

    /**
     * @throws IllegalStateException naming replication.listen when the address cannot be bound.
     */
    public TcpReplicationListener(final ReplicationSettings.HostPort listen, final ReplicationConnector transport,
        final ErrorHandler errors)
    {
        this.transport = transport;
        this.errors = errors;
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

    /** The next connection waiting, set up by the transport; null when none waits or its set-up failed (reported). */
    public ReplicationChannel accept()
    {
        final TcpReplicationChannel connection;
        try
        {
            final SocketChannel channel = server.accept();
            if (null == channel)
            {
                return null;
            }
            connection = new TcpReplicationChannel(channel);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("replication: accept failed", ex);
        }
        try
        {
            return transport.accepted(connection);
        }
        catch (final IOException | RuntimeException ex)
        {
            connection.close();
            errors.onError(new ReplicationException("replication: the " + transport.describe() + " set-up with " +
                connection.peer() + " failed: " + ex.getMessage()));
            return null;
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
