package io.wirekv.dataplane.ring;

import org.agrona.CloseHelper;



/**
 * The rings between R reader threads (UDP lcores, TCP threads) and W writer threads: one
 * request ring and one reply ring per reader/writer pair, so every ring has exactly one
 * producer and one consumer.
 * <pre>
 *   reader r ──request[r][w]──► writer w       message: one write record (record/WriteRecordDescriptor)
 *   reader r ◄──reply[r][w]──── writer w       message: its binary reply (record/WriteReplyDescriptor)
 * </pre>
 * Both carry the reader's ticket, so a reply finds its parked session.
 */
public final class WriteRings implements AutoCloseable
{
    public static final int MSG_WRITE = 1;
    private final SpscMessageRing[][] requests;
    private final SpscMessageRing[][] replies;

    /**
     * @param maxCommandBytes largest write record (item size limit plus the record header and key).
     * @param maxReplyBytes   largest writer reply (a gat of the largest item, plus the reply header).
     */
    public WriteRings(final int readers, final int writers, final int maxCommandBytes, final int maxReplyBytes)
    {
        requests = new SpscMessageRing[readers][writers];
        replies = new SpscMessageRing[readers][writers];
        for (int r = 0; r < readers; r++)
        {
            for (int w = 0; w < writers; w++)
            {
                requests[r][w] = SpscMessageRing.forMaxMessage(maxCommandBytes);
                replies[r][w] = SpscMessageRing.forMaxMessage(maxReplyBytes);
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
