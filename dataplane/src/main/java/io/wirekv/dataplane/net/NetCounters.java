package io.wirekv.dataplane.net;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one {@link NetStack}. Written only by the stack's lcore thread (opaque stores of values
 * it read plainly, so no atomic read-modify-write on the hot path); read by any thread with
 * {@link #get(int)} (opaque load; pairs with the lcore's {@code setOpaque}), which may lag a little.
 * <p>
 * Ids are frozen: new counters are appended, never renumbered.
 * <p>
 * <b>Accounting rule.</b> Every frame given to {@link NetStack#onFrame} adds 1 to {@link #RX_FRAMES}
 * and 1 to exactly one <em>outcome</em> counter (every id from {@link #UDP_REQUESTS} to
 * {@link #DROP_BAD_ICMP_CHECKSUM}), so {@code rx_frames} equals the sum of the outcomes. The outcome
 * says why, not what became of the frame: a stack built with {@code dropUnhandled == false} returns
 * PASS for the frames that are simply not ours ({@code arp_other}, {@code drop_not_for_us},
 * {@code drop_fragment}, {@code drop_unsupported}) and also adds 1 to {@link #PASSED}, which counts
 * PASS verdicts and is not an outcome.
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
    /** IPv4 fragments (MF set or fragment offset not 0); there is no reassembly. */
    public static final int DROP_FRAGMENT = 9;
    /** Other EtherTypes (IPv6, LLC, stacked VLAN tags), other IP protocols, ICMP other than echo request, other ARP opcodes. */
    public static final int DROP_UNSUPPORTED = 10;
    /** ICMP echo request with a wrong ICMP checksum. */
    public static final int DROP_BAD_ICMP_CHECKSUM = 11;
    /** PASS verdicts (only on a stack built with dropUnhandled == false); not an outcome, see the class comment. */
    public static final int PASSED = 12;

    /** First and last outcome id: every frame adds 1 to exactly one counter in this range. */
    public static final int FIRST_OUTCOME = UDP_REQUESTS;
    public static final int LAST_OUTCOME = DROP_BAD_ICMP_CHECKSUM;

    private static final String[] NAMES = {
        "rx_frames", "udp_requests", "arp_requests_answered", "arp_other", "icmp_echo_answered", "drop_malformed",
        "drop_bad_ip_checksum", "drop_bad_udp_checksum", "drop_not_for_us", "drop_fragment", "drop_unsupported",
        "drop_bad_icmp_checksum", "passed"};

    private final AtomicLongArray values = new AtomicLongArray(NAMES.length);

    /**
     * @param id a counter id, e.g. {@link #RX_FRAMES}.
     * @return its name, e.g. {@code "rx_frames"}.
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
     * @param id a counter id.
     */
    void increment(final int id)
    {
        // opaque: readers on other threads see a recent value; pairs with getOpaque in get
        values.setOpaque(id, values.getPlain(id) + 1);
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
