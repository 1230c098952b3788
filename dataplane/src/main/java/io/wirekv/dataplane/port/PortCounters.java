package io.wirekv.dataplane.port;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-port counters. Written only by the port's lcore thread (opaque stores of values it read
 * plainly, so no atomic read-modify-write on the hot path); read by any thread with
 * {@link #get(int)} (opaque load; pairs with the lcore's {@code setOpaque}), which may lag a little.
 */
public final class PortCounters
{
    /** Datagrams received. */
    public static final int RX_PACKETS = 0;
    /** Payload bytes received. */
    public static final int RX_BYTES = 1;
    /** Receive calls that failed with an error other than EAGAIN/EINTR. */
    public static final int RX_ERRORS = 2;
    /** Datagrams cut because they were longer than the slot's buffer. */
    public static final int RX_TRUNCATED = 3;
    /** Datagrams sent. */
    public static final int TX_PACKETS = 4;
    /** Payload bytes sent. */
    public static final int TX_BYTES = 5;
    /** Datagrams given to send that did not leave (send buffer full past the retry limit, or an error). */
    public static final int TX_DROPPED = 6;
    /** Of the dropped datagrams, those the kernel rejected with an error (e.g. EINVAL for port 0). */
    public static final int TX_ERRORS = 7;
    /** errno of the last receive error (not a count). */
    public static final int LAST_RX_ERRNO = 8;
    /** errno of the last send error (not a count). */
    public static final int LAST_TX_ERRNO = 9;
    /** Receive polls that found nothing (bypass backends; a busy lcore's idle share). */
    public static final int EMPTY_POLLS = 10;
    /** Requests dropped because the lcore had no free datagram slot (bypass backends). */
    public static final int RX_NO_BUFFER = 11;
    /** Replies dropped because no packet buffer was free (bypass backends; also in TX_DROPPED). */
    public static final int TX_NO_BUFFER = 12;

    private static final String[] NAMES = {
        "rx_packets", "rx_bytes", "rx_errors", "rx_truncated", "tx_packets", "tx_bytes", "tx_dropped", "tx_errors",
        "last_rx_errno", "last_tx_errno", "empty_polls", "rx_no_buffer", "tx_no_buffer"};

    private final AtomicLongArray values = new AtomicLongArray(NAMES.length);

    /**
     * @param id a counter id, e.g. {@link #RX_PACKETS}.
     * @return its name, e.g. {@code "rx_packets"}.
     */
    public static String name(final int id)
    {
        return NAMES[id];
    }

    /**
     * @return how many counter ids there are.
     */
    public static int count()
    {
        return NAMES.length;
    }

    /**
     * @param id a counter id.
     * @return its current value (opaque load; pairs with the lcore's setOpaque).
     */
    public long get(final int id)
    {
        return values.getOpaque(id);
    }

    /**
     * Owner thread only.
     *
     * @param id    a counter id.
     * @param delta amount to add.
     */
    void add(final int id, final long delta)
    {
        values.setOpaque(id, values.getPlain(id) + delta);
    }

    /**
     * Owner thread only.
     *
     * @param id    a counter id.
     * @param value the value.
     */
    void set(final int id, final long value)
    {
        values.setOpaque(id, value);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < NAMES.length; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(NAMES[i]).append('=').append(get(i));
        }
        return sb.append('}').toString();
    }
}
