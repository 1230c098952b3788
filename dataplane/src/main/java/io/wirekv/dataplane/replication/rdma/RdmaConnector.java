package io.wirekv.dataplane.replication.rdma;

import io.wirekv.dataplane.replication.ChannelDeadline;
import io.wirekv.dataplane.replication.ReplicationChannel;
import io.wirekv.dataplane.replication.ReplicationConnector;
import io.wirekv.dataplane.replication.ReplicationException;
import io.wirekv.dataplane.replication.ReplicationSettings;
import io.wirekv.dataplane.replication.TcpReplicationChannel;
import org.agrona.ErrorHandler;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Carries replication streams over RDMA ({@code replication.transport = rdma}, or {@code auto} with a device): each
 * stream's TCP connection carries the two sides' {@link RdmaConnectionParams}, then the stream runs over an
 * {@link RdmaReplicationChannel}.
 * <pre>
 *   primary                                         backup
 *   TCP connect to replication.listen    ------>    accept
 *   open a queue pair, register its inbox
 *   its parameters (64 bytes, "WKRD"...) ------>    open a queue pair, register its inbox, connect it
 *                                        <------    its parameters
 *   connect the queue pair
 *   HELLO, RECORDS, ... over RDMA        ======>    HELLO_REPLY, ACK, ... over RDMA back
 * </pre>
 * A backup with RDMA also takes a primary that streams over TCP (its first bytes are a frame, not parameters), so
 * {@code auto} on both nodes works whichever of them has a device. A primary whose backup does not take RDMA (it
 * closes the connection at the parameters) falls back to TCP under {@code auto} and says so in the error log; under
 * {@code rdma} it retries with back-off and names the setting to change.
 */
public final class RdmaConnector implements ReplicationConnector
{
    /** Each side's inbox ring: room for many records in flight (at 4 MiB, several milliseconds of a busy stream). */
    public static final long INBOX_BYTES = 4L << 20;
    /** Work requests in flight per link: many writes and acknowledgements between completions. */
    public static final int SEND_QUEUE_DEPTH = 192;
    /**
     * How long an accepted connection may take to show its first bytes and parameters: the receiver's thread (which
     * also runs the sender) waits that long at most for a peer that connects and says nothing.
     */
    private static final long ACCEPT_SETUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    private final QueuePairFactory queuePairs;
    private final boolean fallBackToTcp;
    private final String description;
    private final long inboxBytes;

    /**
     * @param queuePairs    opens a link's queue pair ({@link #verbs} on hardware).
     * @param fallBackToTcp true under {@code auto}: a backup without RDMA gets the stream over TCP.
     * @param description   the start-up report's words, e.g. {@code "rdma (RDMA device mlx5_0 port 1 ACTIVE)"}.
     */
    public RdmaConnector(final QueuePairFactory queuePairs, final boolean fallBackToTcp, final String description)
    {
        this(queuePairs, fallBackToTcp, description, INBOX_BYTES);
    }

    RdmaConnector(final QueuePairFactory queuePairs, final boolean fallBackToTcp, final String description,
        final long inboxBytes)
    {
        this.queuePairs = queuePairs;
        this.fallBackToTcp = fallBackToTcp;
        this.description = description;
        this.inboxBytes = inboxBytes;
    }

    /** The connector for the device a start-up {@code choice} found (libibverbs). */
    public static RdmaConnector verbs(final TransportChoice choice)
    {
        return new RdmaConnector(depth -> VerbsQueuePair.open(choice.device(), choice.port(), depth),
            choice.requested() == ReplicationTransport.AUTO, "rdma (" + choice.reason() + ")");
    }

    @Override
    public ReplicationChannel connect(final ReplicationSettings.HostPort backup, final int timeoutMs,
        final ErrorHandler errors) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final TcpReplicationChannel control = TcpReplicationChannel.connect(backup, timeoutMs);
        RdmaReplicationChannel link = null;
        try
        {
            link = new RdmaReplicationChannel(queuePairs.open(SEND_QUEUE_DEPTH), inboxBytes);
            send(control, link.localParams(), deadlineNs);
            final ByteBuffer reply = ByteBuffer.allocate(RdmaConnectionParams.LENGTH);
            readFully(control, reply, deadlineNs);
            link.connect(RdmaConnectionParams.decode(reply.flip()), control);
            return link;
        }
        catch (final EOFException ex)
        {
            close(link, control);
            if (!fallBackToTcp)
            {
                throw new IOException("the backup closed the connection at the RDMA set-up: it does not take RDMA " +
                    "(see its wirekv errors); set replication.transport the same on both nodes");
            }
            errors.onError(new ReplicationException("replication: the backup at " + backup + " does not take RDMA " +
                "(replication.transport = tcp there, or no RDMA device); streaming over TCP (replication.transport " +
                "= auto)"));
            return TcpReplicationChannel.connect(backup, timeoutMs);
        }
        catch (final IOException | RuntimeException ex)
        {
            close(link, control);
            throw new IOException("RDMA set-up with " + backup + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public ReplicationChannel accepted(final TcpReplicationChannel connection) throws IOException
    {
        final long deadlineNs = System.nanoTime() + ACCEPT_SETUP_TIMEOUT_NS;
        final ByteBuffer first = ByteBuffer.allocate(RdmaConnectionParams.LENGTH);
        first.limit(Integer.BYTES);
        try
        {
            readFully(connection, first, deadlineNs);
        }
        catch (final EOFException ex)
        {
            return new ReplayingChannel(first.flip(), connection); // the receiver sees the end itself
        }
        if (first.getInt(0) != RdmaConnectionParams.MAGIC)
        {
            return new ReplayingChannel(first.flip(), connection); // a primary streaming over TCP
        }
        first.limit(first.capacity());
        readFully(connection, first, deadlineNs);
        final RdmaConnectionParams primary = RdmaConnectionParams.decode(first.flip());
        final RdmaReplicationChannel link = new RdmaReplicationChannel(queuePairs.open(SEND_QUEUE_DEPTH), inboxBytes);
        try
        {
            link.connect(primary, connection);
            send(connection, link.localParams(), deadlineNs);
            return link;
        }
        catch (final IOException | RuntimeException ex)
        {
            link.close();
            throw ex;
        }
    }

    @Override
    public String describe()
    {
        return description;
    }

    private static void send(final TcpReplicationChannel control, final RdmaConnectionParams params,
        final long deadlineNs) throws IOException
    {
        final ByteBuffer out = ByteBuffer.allocate(RdmaConnectionParams.LENGTH);
        params.encode(out);
        out.flip();
        while (out.hasRemaining())
        {
            if (control.write(out) == 0)
            {
                ChannelDeadline.pauseBefore(deadlineNs, "sending the RDMA parameters");
            }
        }
    }

    /** Fills {@code buffer} to its limit; {@link EOFException} when the peer closes first. */
    private static void readFully(final TcpReplicationChannel control, final ByteBuffer buffer, final long deadlineNs)
        throws IOException
    {
        while (buffer.hasRemaining())
        {
            final int read = control.read(buffer);
            if (read < 0)
            {
                throw new EOFException("the peer closed the connection during the RDMA set-up");
            }
            if (read == 0)
            {
                ChannelDeadline.pauseBefore(deadlineNs, "waiting for the peer's RDMA parameters");
            }
        }
    }

    private static void close(final RdmaReplicationChannel link, final TcpReplicationChannel control)
    {
        if (null != link)
        {
            link.close(); // closes control too once connected
        }
        control.close();
    }
}
