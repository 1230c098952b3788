package io.wirekv.dataplane.replication.rdma;

import io.wirekv.dataplane.replication.ReplicationChannel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A TCP stream whose first bytes were read to see whether the peer sets up RDMA ({@link RdmaConnector#accepted}):
 * it was not, so those bytes are read again first, then the connection's own.
 */
final class ReplayingChannel implements ReplicationChannel
{
    private final ByteBuffer replay;
    private final ReplicationChannel connection;

    ReplayingChannel(final ByteBuffer replay, final ReplicationChannel connection)
    {
        this.replay = replay;
        this.connection = connection;
    }

    @Override
    public int read(final ByteBuffer buffer) throws IOException
    {
        if (!replay.hasRemaining())
        {
            return connection.read(buffer);
        }
        final int n = Math.min(replay.remaining(), buffer.remaining());
        buffer.put(buffer.position(), replay, replay.position(), n).position(buffer.position() + n);
        replay.position(replay.position() + n);
        return n;
    }

    @Override
    public int write(final ByteBuffer buffer) throws IOException
    {
        return connection.write(buffer);
    }

    @Override
    public String peer()
    {
        return connection.peer();
    }

    @Override
    public void close()
    {
        connection.close();
    }
}
