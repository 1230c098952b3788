package io.wirekv.dataplane.ring;

import org.agrona.CloseHelper;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The rings between R reader threads (UDP lcores, TCP threads) and W writer threads: one
 * request ring and one reply ring per reader/writer pair, so every ring has exactly one
 * producer and one consumer.
 * <pre>
 *   reader r ──request[r][w]──► writer w       message: ticket(8) partition(4) pad(4) command bytes
 *   reader r ◄──reply[r][w]──── writer w       message: ticket(8) reply bytes
 * </pre>
 */
public final class WriteRings implements AutoCloseable
{
    public static final int MSG_WRITE = 1;
    public static final int TICKET_OFFSET = 0;
    public static final int PARTITION_OFFSET = TICKET_OFFSET + Long.BYTES;
    public static final int REQUEST_HEADER_LENGTH = PARTITION_OFFSET + 2 * Integer.BYTES;
    public static final int REPLY_HEADER_LENGTH = TICKET_OFFSET + Long.BYTES;

    private final SpscMessageRing[][] requests;
    private final SpscMessageRing[][] replies;

    /**
     * @param maxCommandBytes largest forwarded command (item size limit plus its command line).
     * @param maxReplyBytes   largest writer reply (a gat of the largest item).
     */
    public WriteRings(final int readers, final int writers, final int maxCommandBytes, final int maxReplyBytes)
    {
        requests = new SpscMessageRing[readers][writers];
        replies = new SpscMessageRing[readers][writers];
        for (int r = 0; r < readers; r++)
        {
            for (int w = 0; w < writers; w++)
            {
                requests[r][w] = SpscMessageRing.forMaxMessage(REQUEST_HEADER_LENGTH + maxCommandBytes);
                replies[r][w] = SpscMessageRing.forMaxMessage(REPLY_HEADER_LENGTH + maxReplyBytes);
            }
        }
    }

    public int readers()
    {
        return requests.length;
    }

    public int writers()
    {
        return requests[0].length;
    }

    public SpscMessageRing request(final int reader, final int writer)
    {
        return requests[reader][writer];
    }

    public SpscMessageRing reply(final int reader, final int writer)
    {
        return replies[reader][writer];
    }

    /** Bytes of ring memory mapped, for the start-up report. */
    public long mappedBytes()
    {
        long total = 0;
        for (int r = 0; r < requests.length; r++)
        {
            for (int w = 0; w < requests[r].length; w++)
            {
                total += requests[r][w].memory().byteSize() + replies[r][w].memory().byteSize();
            }
        }
        return total;
    }

    /** Copies a command into reader→writer ring; false if the ring is full. */
    public static boolean offerRequest(
        final SpscMessageRing ring, final long ticket, final int partition,
        final MemorySegment command, final long offset, final int length)
    {
        final int at = ring.tryClaim(MSG_WRITE, REQUEST_HEADER_LENGTH + length);
        if (at < 0)
        {
            return false;
        }
        final MemorySegment memory = ring.memory();
        memory.set(JAVA_LONG_UNALIGNED, at + TICKET_OFFSET, ticket);
        memory.set(JAVA_INT_UNALIGNED, at + PARTITION_OFFSET, partition);
        MemorySegment.copy(command, offset, memory, at + REQUEST_HEADER_LENGTH, length);
        ring.commit(at);
        return true;
    }

    @Override
    public void close()
    {
        for (int r = 0; r < requests.length; r++)
        {
            CloseHelper.closeAll(requests[r]);
            CloseHelper.closeAll(replies[r]);
        }
    }
}
