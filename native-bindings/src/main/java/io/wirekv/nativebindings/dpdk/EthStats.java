package io.wirekv.nativebindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A reusable {@code struct rte_eth_stats} that {@link DpdkEthPort#readStats(EthStats)} fills: create one
 * per reader at setup, read it every stats interval without allocating. Layout: {@link EthdevDescriptor}.
 * <p>
 * <b>Threading.</b> Owned by one thread; the counters are a snapshot taken by the last read.
 */
public final class EthStats
{
    private final MemorySegment segment;

    /**
     * Allocates the struct in memory the garbage collector frees with this object.
     */
    public EthStats()
    {
        this(Arena.ofAuto());
    }

    /**
     * @param arena owns the struct.
     */
    public EthStats(final Arena arena)
    {
        segment = arena.allocate(EthdevDescriptor.STATS_SIZE, 8);
    }

    /**
     * @return the struct, for {@link RteEthdev#rte_eth_stats_get}.
     */
    public MemorySegment segment()
    {
        return segment;
    }

    /**
     * @return packets received.
     */
    public long ipackets()
    {
        return segment.get(JAVA_LONG, EthdevDescriptor.STATS_IPACKETS_OFFSET);
    }

    /**
     * @return packets sent.
     */
    public long opackets()
    {
        return segment.get(JAVA_LONG, EthdevDescriptor.STATS_OPACKETS_OFFSET);
    }

    /**
     * @return bytes received (some software PMDs, e.g. net_ring, do not count bytes).
     */
    public long ibytes()
    {
        return segment.get(JAVA_LONG, EthdevDescriptor.STATS_IBYTES_OFFSET);
    }

    /**
     * @return bytes sent (some software PMDs, e.g. net_ring, do not count bytes).
     */
    public long obytes()
    {
        return segment.get(JAVA_LONG, EthdevDescriptor.STATS_OBYTES_OFFSET);
    }

    /**
     * @return packets the device dropped because an RX ring was full.
     */
    public long imissed()
    {
        return segment.get(JAVA_LONG, EthdevDescriptor.STATS_IMISSED_OFFSET);
    }

    /**
     * @return erroneous packets received.
     */
    public long ierrors()
    {
        return segment.get(JAVA_LONG, EthdevDescriptor.STATS_IERRORS_OFFSET);
    }

    /**
     * @return packets the device failed to send (for net_ring: refused because the ring was full).
     */
    public long oerrors()
    {
        return segment.get(JAVA_LONG, EthdevDescriptor.STATS_OERRORS_OFFSET);
    }

    /**
     * @return RX mbuf allocation failures.
     */
    public long rxNoMbuf()
    {
        return segment.get(JAVA_LONG, EthdevDescriptor.STATS_RX_NOMBUF_OFFSET);
    }

    /**
     * @param queue an RX queue below {@link EthdevDescriptor#QUEUE_STAT_COUNTERS}.
     * @return packets received on it.
     */
    public long queueIpackets(final int queue)
    {
        return segment.getAtIndex(JAVA_LONG, EthdevDescriptor.STATS_Q_IPACKETS_OFFSET / 8 + Objects.checkIndex(queue, EthdevDescriptor.QUEUE_STAT_COUNTERS));
    }

    /**
     * @param queue a TX queue below {@link EthdevDescriptor#QUEUE_STAT_COUNTERS}.
     * @return packets sent on it.
     */
    public long queueOpackets(final int queue)
    {
        return segment.getAtIndex(JAVA_LONG, EthdevDescriptor.STATS_Q_OPACKETS_OFFSET / 8 + Objects.checkIndex(queue, EthdevDescriptor.QUEUE_STAT_COUNTERS));
    }
}
