package io.wirekv.dataplane.port;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Per-port counters: one block of slots in a {@link CounterRegistry} (the CnC file's, on a server), so
 * the file's readers see them as the lcore writes them. Written only by the port's lcore thread (opaque
 * stores of values it read plainly, so no atomic read-modify-write on the hot path); read by any thread
 * with {@link #get(int)} (opaque load; pairs with the lcore's opaque store), which may lag a little.
 * Ids map in order onto {@link CncMetric#RX_PACKETS} .. {@link CncMetric#TX_NO_BUFFER}.
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

    private static final CncMetric[] METRICS = {
        CncMetric.RX_PACKETS, CncMetric.RX_BYTES, CncMetric.RX_ERRORS, CncMetric.RX_TRUNCATED, CncMetric.TX_PACKETS,
        CncMetric.TX_BYTES, CncMetric.TX_DROPPED, CncMetric.TX_ERRORS, CncMetric.LAST_RX_ERRNO, CncMetric.LAST_TX_ERRNO,
        CncMetric.EMPTY_POLLS, CncMetric.RX_NO_BUFFER, CncMetric.TX_NO_BUFFER};

    private final AtomicBuffer values;
    private final int base;

    /** Counters of their own, outside any CnC file (tests, the load generator, a queue's private stats). */
    public PortCounters()
    {
        this(CounterRegistry.inArena(NAMES.length, NAMES.length, 1), 0);
    }

    /**
     * Allocates the counters of lcore {@code lcore}'s port 0 in {@code registry} (start-up only).
     */
    public PortCounters(final CounterRegistry registry, final int lcore)
    {
        this.values = registry.values();
        this.base = registry.allocate(METRICS, lcore, 0, 1);
    }

    /** Bytes of value blocks one instance takes in a registry. */
    public static int valuesBytes()
    {
        return CounterRegistryDescriptor.blockLength(NAMES.length);
    }

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
        // opaque: pairs with the lcore's addLongOpaque/putLongOpaque
        return values.getLongOpaque(base + id * Long.BYTES);
    }

    /**
     * Owner thread only.
     *
     * @param id    a counter id.
     * @param delta amount to add.
     */
    void add(final int id, final long delta)
    {
        // opaque store of a plain sum (single writer); pairs with getLongOpaque in get
        values.addLongOpaque(base + id * Long.BYTES, delta);
    }

    /**
     * Owner thread only.
     *
     * @param id    a counter id.
     * @param value the value.
     */
    void set(final int id, final long value)
    {
        // opaque: single writer; pairs with getLongOpaque in get
        values.putLongOpaque(base + id * Long.BYTES, value);
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
