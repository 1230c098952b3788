package io.wirekv.dataplane.replication;

import org.agrona.ErrorHandler;

import java.io.IOException;

/**
 * How a node's replication streams are carried ({@code replication.transport}): {@link TcpReplicationConnector} by
 * default, or the RDMA connector (the {@code rdma} package), which sets its link up over the same TCP connection.
 * Both ends of a stream start with a TCP connection to {@code replication.listen}; the connector decides what it
 * becomes.
 * <p>
 * Threading: the replication thread, during its (blocking, bounded) connection set-up only.
 */
public interface ReplicationConnector
{
    /**
     * Primary: a channel to the backup at {@code backup}, set up within about {@code timeoutMs}.
     *
     * @param errors where a fallback (e.g. RDMA refused, TCP used) is reported.
     * @throws IOException with the reason when there is no channel.
     */
    ReplicationChannel connect(ReplicationSettings.HostPort backup, int timeoutMs, ErrorHandler errors)
        throws IOException;

    /**
     * Backup: what a TCP connection accepted on {@code replication.listen} becomes.
     *
     * @throws IOException with the reason when the set-up failed (the connection is then closed).
     */
    ReplicationChannel accepted(TcpReplicationChannel connection) throws IOException;

    /** The start-up report's words for it, e.g. {@code "tcp"}. */
    String describe();
}
