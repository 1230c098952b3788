package io.wirekv.dataplane.replication;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One replication stream's byte pipe, non-blocking once set up: the seam between the sender/receiver agents and a
 * transport ({@link TcpReplicationChannel} today; an RDMA verbs channel can sit beside it). Whole frames are the
 * agents' business; a channel moves bytes and may move fewer than asked.
 * Threading: one thread (the agent that owns the stream).
 */
public interface ReplicationChannel extends AutoCloseable
{
    /** Reads what is there into {@code buffer} (from its position); returns bytes read, 0 when none, -1 at the end. */
    int read(ByteBuffer buffer) throws IOException;

    /** Writes what it can of {@code buffer}'s remaining bytes in one call; returns bytes written. */
    int write(ByteBuffer buffer) throws IOException;

    /** The other end, for logs and status. */
    String peer();

    @Override
    void close();
}
