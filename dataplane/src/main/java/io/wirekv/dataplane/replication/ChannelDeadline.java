package io.wirekv.dataplane.replication;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * The wait of a blocking exchange over a non-blocking connection (the replication HELLO, the RDMA set-up, a flush
 * to a slow backup): after a try that moved no bytes, pause 50 us (neither a spinning core nor much added latency)
 * unless the deadline has passed.
 */
public final class ChannelDeadline
{
    private static final long PAUSE_NS = 50_000;

    private ChannelDeadline()
    {
    }

    /**
     * @param deadlineNs the {@link System#nanoTime} by which the exchange must be done.
     * @param doing      what the exchange was doing, for the message ("waiting for the backup's reply to HELLO").
     * @throws IOException "timed out {@code doing}" once the deadline has passed.
     */
    public static void pauseBefore(final long deadlineNs, final String doing) throws IOException
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IOException("timed out " + doing);
        }
        LockSupport.parkNanos(PAUSE_NS);
    }
}
