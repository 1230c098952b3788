package io.wirekv.dataplane.replication;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A {@link ReplicationChannel} over a TCP connection (Java NIO), non-blocking after {@link #connect} or accept;
 * TCP_NODELAY, since frames are already batched (a frame holds many records, a write call many frames).
 */
public final class TcpReplicationChannel implements ReplicationChannel
{
    private final SocketChannel channel;
    private final String peer;

    TcpReplicationChannel(final SocketChannel channel) throws IOException
    {
        this.channel = channel;
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        this.peer = String.valueOf(channel.getRemoteAddress());
    }

    /** Connects (blocking, at most {@code timeoutMs}) to {@code address}; the replication thread's set-up only. */
    public static TcpReplicationChannel connect(final ReplicationSettings.HostPort address, final int timeoutMs)
        throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        try
        {
            channel.socket().connect(new InetSocketAddress(address.host(), address.port()), timeoutMs);
            return new TcpReplicationChannel(channel);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    @Override
    public int read(final ByteBuffer buffer) throws IOException
    {
        return channel.read(buffer);
    }

    @Override
    public int write(final ByteBuffer buffer) throws IOException
    {
        return channel.write(buffer);
    }

    @Override
    public String peer()
    {
        return peer;
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing a broken connection
        }
    }
}
