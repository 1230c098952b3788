package io.wirekv.dataplane.replication;

import org.agrona.ErrorHandler;

import java.io.IOException;

/**
 * The default {@link ReplicationConnector}: the stream stays on the TCP connection.
 */
public final class TcpReplicationConnector implements ReplicationConnector
{
    public static final TcpReplicationConnector INSTANCE = new TcpReplicationConnector();

    private TcpReplicationConnector()
    {
    }

    @Override
    public ReplicationChannel connect(final ReplicationSettings.HostPort backup, final int timeoutMs,
        final ErrorHandler errors) throws IOException
    {
        return TcpReplicationChannel.connect(backup, timeoutMs);
    }

    @Override
    public ReplicationChannel accepted(final TcpReplicationChannel connection)
    {
        return connection;
    }

    @Override
    public String describe()
    {
        return "tcp";
    }
}
