package io.wirekv.dataplane.net;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Counters of one {@link NetStack}: one block of slots in a {@link CounterRegistry} (the CnC file's, on a
 * server). Written only by the stack's lcore thread (opaque stores of values it read plainly, so no
 * atomic read-modify-write on the hot path); read by any thread with {@link #get(int)} (opaque load;
 * pairs with the lcore's opaque store), which may lag a little. Ids map in order onto
 * {@link CncMetric#NET_RX_FRAMES} .. {@link CncMetric#NET_REASSEMBLY_TOO_LARGE}.
 * <p>
 * Ids are frozen: new counters are appended, never renumbered.
 * <p>
 * <b>Accounting rule.</b> Every frame given to {@link NetStack#onFrame} adds 1 to {@link #RX_FRAMES}
 * and 1 to exactly one <em>outcome</em> counter (every id from {@link #UDP_REQUESTS} to
 * {@link #DROP_BAD_ICMP_CHECKSUM}, and {@link #FRAGMENT_HELD}: see {@link #isOutcome}), so {@code rx_frames}
 * equals the sum of the outcomes. The outcome
 * says why, not what became of the frame: a stack built with {@code dropUnhandled == false} returns
 * PASS for the frames that are simply not ours ({@code arp_other}, {@code drop_not_for_us},
 * {@code drop_fragment}, {@code drop_unsupported}) and also adds 1 to {@link #PASSED}, which counts
 * PASS verdicts and is not an outcome.
 * <p>
 * <b>Fragments.</b> Every IPv4 fragment to our address with a good header adds 1 to {@link #FRAGMENTS} and
 * ends as exactly one of: {@code fragment_held} (kept by the reassembler), {@code drop_fragment} (not kept),
 * or the fragment that completed a datagram ({@link #REASSEMBLED}; its outcome is the datagram's UDP
 * verdict, usually {@code udp_requests}). So {@code fragments = fragment_held + drop_fragment + reassembled}.
 * {@link #REASSEMBLY_TIMEOUTS}, {@link #REASSEMBLY_OVERLAPS}, {@link #REASSEMBLY_EVICTIONS} and
 * {@link #REASSEMBLY_TOO_LARGE} count datagrams given up, not frames, and are not outcomes.
 */
public final class NetCounters
{
    /** Frames given to the stack. */
    public static final int RX_FRAMES = 0;
    /** UDP datagrams to our address and port with good lengths and checksums (verdict UDP_REQUEST). */
    public static final int UDP_REQUESTS = 1;
    /** ARP requests for our address, answered in place. */
    public static final int ARP_REQUESTS_ANSWERED = 2;
    /** Other well-formed ARP: requests for other addresses, replies, gratuitous ARP (learned, not answered). */
    public static final int ARP_OTHER = 3;
    /** ICMP echo requests to our address, answered in place. */
    public static final int ICMP_ECHO_ANSWERED = 4;
    /** Short or truncated frames, bad lengths, bad versions or header fields, group source addresses. */
    public static final int DROP_MALFORMED = 5;
    /** IPv4 header checksum wrong. */
    public static final int DROP_BAD_IP_CHECKSUM = 6;
    /** UDP checksum present and wrong. */
    public static final int DROP_BAD_UDP_CHECKSUM = 7;
    /** Another unicast or a multicast MAC, broadcast MAC for non-ARP, another IP, another UDP port. */
    public static final int DROP_NOT_FOR_US = 8;
    /**
     * IPv4 fragments not kept: of other protocols than UDP, reassembly off, pieces RFC 791 forbids, duplicates,
     * and the fragments that made a datagram be given up (overlap, too large).
     */
    public static final int DROP_FRAGMENT = 9;
    /** Other EtherTypes (IPv6, LLC, stacked VLAN tags), other IP protocols, ICMP other than echo request, other ARP opcodes. */
    public static final int DROP_UNSUPPORTED = 10;
    /** ICMP echo request with a wrong ICMP checksum. */
    public static final int DROP_BAD_ICMP_CHECKSUM = 11;
    /** PASS verdicts (only on a stack built with dropUnhandled == false); not an outcome, see the class comment. */
    public static final int PASSED = 12;
    /** UDP fragments kept by the reassembler, their datagram not yet complete (an outcome). */
    public static final int FRAGMENT_HELD = 13;
    /** IPv4 fragments to our address with a good header (MF set or an offset); not an outcome. */
    public static final int FRAGMENTS = 14;
    /** Datagrams reassembled from fragments (each counted once more by its UDP outcome). */
    public static final int REASSEMBLED = 15;
    /** Datagrams given up because fragments stopped coming before the timeout. */
    public static final int REASSEMBLY_TIMEOUTS = 16;
    /** Datagrams given up because two fragments overlapped or contradicted its length (RFC 5722). */
    public static final int REASSEMBLY_OVERLAPS = 17;
    /** Datagrams given up to make room for another (the pool or the source's share was full). */
    public static final int REASSEMBLY_EVICTIONS = 18;
    /** Fragments reaching beyond an IPv4 datagram's largest payload (their datagram given up). */
    public static final int REASSEMBLY_TOO_LARGE = 19;

    /** First and last outcome id: every frame adds 1 to exactly one counter in this range. */
    public static final int FIRST_OUTCOME = UDP_REQUESTS;
    public static final int LAST_OUTCOME = DROP_BAD_ICMP_CHECKSUM;

    private static final String[] NAMES = {
        "rx_frames", "udp_requests", "arp_requests_answered", "arp_other", "icmp_echo_answered", "drop_malformed",
        "drop_bad_ip_checksum", "drop_bad_udp_checksum", "drop_not_for_us", "drop_fragment", "drop_unsupported",
        "drop_bad_icmp_checksum", "passed", "fragment_held", "fragments", "reassembled", "reassembly_timeouts",
        "reassembly_overlaps", "reassembly_evictions", "reassembly_too_large"};

    private static final CncMetric[] METRICS = {
        CncMetric.NET_RX_FRAMES, CncMetric.NET_UDP_REQUESTS, CncMetric.NET_ARP_REQUESTS_ANSWERED, CncMetric.NET_ARP_OTHER,
        CncMetric.NET_ICMP_ECHO_ANSWERED, CncMetric.NET_DROP_MALFORMED, CncMetric.NET_DROP_BAD_IP_CHECKSUM,
        CncMetric.NET_DROP_BAD_UDP_CHECKSUM, CncMetric.NET_DROP_NOT_FOR_US, CncMetric.NET_DROP_FRAGMENT,
        CncMetric.NET_DROP_UNSUPPORTED, CncMetric.NET_DROP_BAD_ICMP_CHECKSUM, CncMetric.NET_PASSED,
        CncMetric.NET_FRAGMENT_HELD, CncMetric.NET_FRAGMENTS, CncMetric.NET_REASSEMBLED, CncMetric.NET_REASSEMBLY_TIMEOUTS,
        CncMetric.NET_REASSEMBLY_OVERLAPS, CncMetric.NET_REASSEMBLY_EVICTIONS, CncMetric.NET_REASSEMBLY_TOO_LARGE};

    private final AtomicBuffer values;
    private final int base;

    /** Counters of their own, outside any CnC file (tests, benchmarks, the load generator). */
    public NetCounters()
    {
        this(CounterRegistry.inArena(NAMES.length, NAMES.length, 1), 0);
    }

    /** Allocates the counters of lcore {@code lcore}'s stack in {@code registry} (start-up only). */
    public NetCounters(final CounterRegistry registry, final int lcore)
    {
        this.values = registry.values();
        this.base = registry.allocate(METRICS, lcore, CounterRegistryDescriptor.NONE, 1);
    }

    /** Bytes of value blocks one instance takes in a registry. */
    public static int valuesBytes()
    {
        return CounterRegistryDescriptor.blockLength(NAMES.length);
    }

    /**
     * @param id a counter id, e.g. {@link #RX_FRAMES}.
     * @return its name, e.g. {@code "rx_frames"}.
     */
    public static String name(final int id)
    {
        return NAMES[id];
    }

    /**
     * @param id a counter id.
     * @return true when every frame adds 1 to this counter or to another outcome, and to one only.
     */
    public static boolean isOutcome(final int id)
    {
        return (id >= FIRST_OUTCOME && id <= LAST_OUTCOME) || id == FRAGMENT_HELD;
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
        // opaque: pairs with addLongOpaque in increment
        return values.getLongOpaque(base + id * Long.BYTES);
    }

    /**
     * Owner thread only.
     *
     * @param id a counter id.
     */
    void increment(final int id)
    {
        // opaque store of a plain sum (single writer): readers see a recent value; pairs with getLongOpaque in get
        values.addLongOpaque(base + id * Long.BYTES, 1);
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
