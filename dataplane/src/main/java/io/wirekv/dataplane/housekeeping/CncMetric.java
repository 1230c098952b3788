package io.wirekv.dataplane.housekeeping;

import io.wirekv.dataplane.cnc.CncCounterKey;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.proto.ServerStats;

/**
 * Every counter and gauge the appliance publishes in its CnC file (and so for {@code wirekv stat} and
 * Prometheus). Adding one is one line: a frozen type id (never reused or renumbered), the name, kind,
 * scope, help text, and how to read it from the server's existing counters. The housekeeping thread
 * copies the values into the file once per period, so they lag the dataplane by up to one period.
 */
public enum CncMetric
{
    // Per lcore and port: io.wirekv.dataplane.port.PortCounters
    RX_PACKETS(1, "rx_packets", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams received", (s, i) -> s.ports()[i].counters().get(PortCounters.RX_PACKETS)),
    RX_BYTES(2, "rx_bytes", Kind.COUNTER, Scope.LCORE_PORT, "Payload bytes received", (s, i) -> s.ports()[i].counters().get(PortCounters.RX_BYTES)),
    RX_ERRORS(3, "rx_errors", Kind.COUNTER, Scope.LCORE_PORT, "Receive calls that failed", (s, i) -> s.ports()[i].counters().get(PortCounters.RX_ERRORS)),
    RX_TRUNCATED(4, "rx_truncated", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams cut to the slot's buffer", (s, i) -> s.ports()[i].counters().get(PortCounters.RX_TRUNCATED)),
    TX_PACKETS(5, "tx_packets", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams sent", (s, i) -> s.ports()[i].counters().get(PortCounters.TX_PACKETS)),
    TX_BYTES(6, "tx_bytes", Kind.COUNTER, Scope.LCORE_PORT, "Payload bytes sent", (s, i) -> s.ports()[i].counters().get(PortCounters.TX_BYTES)),
    TX_DROPPED(7, "tx_dropped", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams given to send that did not leave", (s, i) -> s.ports()[i].counters().get(PortCounters.TX_DROPPED)),
    TX_ERRORS(8, "tx_errors", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams the kernel rejected with an error", (s, i) -> s.ports()[i].counters().get(PortCounters.TX_ERRORS)),
    LAST_RX_ERRNO(9, "last_rx_errno", Kind.GAUGE, Scope.LCORE_PORT, "errno of the last receive error", (s, i) -> s.ports()[i].counters().get(PortCounters.LAST_RX_ERRNO)),
    LAST_TX_ERRNO(10, "last_tx_errno", Kind.GAUGE, Scope.LCORE_PORT, "errno of the last send error", (s, i) -> s.ports()[i].counters().get(PortCounters.LAST_TX_ERRNO)),
    EMPTY_POLLS(11, "empty_polls", Kind.COUNTER, Scope.LCORE_PORT, "Receive polls that found nothing", (s, i) -> s.ports()[i].counters().get(PortCounters.EMPTY_POLLS)),
    RX_NO_BUFFER(12, "rx_no_buffer", Kind.COUNTER, Scope.LCORE_PORT, "Requests dropped for want of a free slot", (s, i) -> s.ports()[i].counters().get(PortCounters.RX_NO_BUFFER)),
    TX_NO_BUFFER(13, "tx_no_buffer", Kind.COUNTER, Scope.LCORE_PORT, "Replies dropped for want of a packet buffer", (s, i) -> s.ports()[i].counters().get(PortCounters.TX_NO_BUFFER)),

    // Per lcore
    MALFORMED_FRAMES(20, "malformed_frames", Kind.COUNTER, Scope.LCORE, "Frames dropped as not single-datagram memcached requests", (s, i) -> s.malformed().applyAsLong(i)),

    // Per lcore, bypass backends only: io.wirekv.dataplane.net.NetCounters
    NET_RX_FRAMES(30, "net_rx_frames", Kind.COUNTER, Scope.LCORE_NET, "Frames given to the L2/L3 stack", (s, i) -> s.net()[i].get(NetCounters.RX_FRAMES)),
    NET_UDP_REQUESTS(31, "net_udp_requests", Kind.COUNTER, Scope.LCORE_NET, "UDP datagrams to our address and port", (s, i) -> s.net()[i].get(NetCounters.UDP_REQUESTS)),
    NET_ARP_REQUESTS_ANSWERED(32, "net_arp_requests_answered", Kind.COUNTER, Scope.LCORE_NET, "ARP requests for our address, answered", (s, i) -> s.net()[i].get(NetCounters.ARP_REQUESTS_ANSWERED)),
    NET_ARP_OTHER(33, "net_arp_other", Kind.COUNTER, Scope.LCORE_NET, "Other well-formed ARP", (s, i) -> s.net()[i].get(NetCounters.ARP_OTHER)),
    NET_ICMP_ECHO_ANSWERED(34, "net_icmp_echo_answered", Kind.COUNTER, Scope.LCORE_NET, "ICMP echo requests answered", (s, i) -> s.net()[i].get(NetCounters.ICMP_ECHO_ANSWERED)),
    NET_DROP_MALFORMED(35, "net_drop_malformed", Kind.COUNTER, Scope.LCORE_NET, "Malformed frames dropped", (s, i) -> s.net()[i].get(NetCounters.DROP_MALFORMED)),
    NET_DROP_BAD_IP_CHECKSUM(36, "net_drop_bad_ip_checksum", Kind.COUNTER, Scope.LCORE_NET, "IPv4 header checksum wrong", (s, i) -> s.net()[i].get(NetCounters.DROP_BAD_IP_CHECKSUM)),
    NET_DROP_BAD_UDP_CHECKSUM(37, "net_drop_bad_udp_checksum", Kind.COUNTER, Scope.LCORE_NET, "UDP checksum wrong", (s, i) -> s.net()[i].get(NetCounters.DROP_BAD_UDP_CHECKSUM)),
    NET_DROP_NOT_FOR_US(38, "net_drop_not_for_us", Kind.COUNTER, Scope.LCORE_NET, "Frames for another MAC, IP or port", (s, i) -> s.net()[i].get(NetCounters.DROP_NOT_FOR_US)),
    NET_DROP_FRAGMENT(39, "net_drop_fragment", Kind.COUNTER, Scope.LCORE_NET, "IPv4 fragments dropped", (s, i) -> s.net()[i].get(NetCounters.DROP_FRAGMENT)),
    NET_DROP_UNSUPPORTED(40, "net_drop_unsupported", Kind.COUNTER, Scope.LCORE_NET, "Unsupported EtherTypes and protocols", (s, i) -> s.net()[i].get(NetCounters.DROP_UNSUPPORTED)),
    NET_DROP_BAD_ICMP_CHECKSUM(41, "net_drop_bad_icmp_checksum", Kind.COUNTER, Scope.LCORE_NET, "ICMP echo with a wrong checksum", (s, i) -> s.net()[i].get(NetCounters.DROP_BAD_ICMP_CHECKSUM)),
    NET_PASSED(42, "net_passed", Kind.COUNTER, Scope.LCORE_NET, "Frames passed to the kernel", (s, i) -> s.net()[i].get(NetCounters.PASSED)),

    // Whole server: io.wirekv.dataplane.proto.ServerStats (memcached's stats)
    CMD_GET(100, "cmd_get", Kind.COUNTER, Scope.GLOBAL, "Retrieval requests", (s, i) -> s.stats().sum(ServerStats.CMD_GET)),
    CMD_SET(101, "cmd_set", Kind.COUNTER, Scope.GLOBAL, "Storage requests", (s, i) -> s.stats().sum(ServerStats.CMD_SET)),
    CMD_FLUSH(102, "cmd_flush", Kind.COUNTER, Scope.GLOBAL, "flush_all requests", (s, i) -> s.stats().sum(ServerStats.CMD_FLUSH)),
    CMD_TOUCH(103, "cmd_touch", Kind.COUNTER, Scope.GLOBAL, "Touch requests", (s, i) -> s.stats().sum(ServerStats.CMD_TOUCH)),
    CMD_META(104, "cmd_meta", Kind.COUNTER, Scope.GLOBAL, "Meta requests", (s, i) -> s.stats().sum(ServerStats.CMD_META)),
    GET_HITS(105, "get_hits", Kind.COUNTER, Scope.GLOBAL, "Keys found by get", (s, i) -> s.stats().sum(ServerStats.GET_HITS)),
    GET_MISSES(106, "get_misses", Kind.COUNTER, Scope.GLOBAL, "Keys not found by get", (s, i) -> s.stats().sum(ServerStats.GET_MISSES)),
    GET_EXPIRED(107, "get_expired", Kind.COUNTER, Scope.GLOBAL, "Keys found expired by get", (s, i) -> s.stats().sum(ServerStats.GET_EXPIRED)),
    GET_FLUSHED(108, "get_flushed", Kind.COUNTER, Scope.GLOBAL, "Keys found flushed by get", (s, i) -> s.stats().sum(ServerStats.GET_FLUSHED)),
    DELETE_MISSES(109, "delete_misses", Kind.COUNTER, Scope.GLOBAL, "Deletes of missing keys", (s, i) -> s.stats().sum(ServerStats.DELETE_MISSES)),
    DELETE_HITS(110, "delete_hits", Kind.COUNTER, Scope.GLOBAL, "Deletes of present keys", (s, i) -> s.stats().sum(ServerStats.DELETE_HITS)),
    INCR_MISSES(111, "incr_misses", Kind.COUNTER, Scope.GLOBAL, "incr of missing keys", (s, i) -> s.stats().sum(ServerStats.INCR_MISSES)),
    INCR_HITS(112, "incr_hits", Kind.COUNTER, Scope.GLOBAL, "incr of present keys", (s, i) -> s.stats().sum(ServerStats.INCR_HITS)),
    DECR_MISSES(113, "decr_misses", Kind.COUNTER, Scope.GLOBAL, "decr of missing keys", (s, i) -> s.stats().sum(ServerStats.DECR_MISSES)),
    DECR_HITS(114, "decr_hits", Kind.COUNTER, Scope.GLOBAL, "decr of present keys", (s, i) -> s.stats().sum(ServerStats.DECR_HITS)),
    CAS_MISSES(115, "cas_misses", Kind.COUNTER, Scope.GLOBAL, "cas of missing keys", (s, i) -> s.stats().sum(ServerStats.CAS_MISSES)),
    CAS_HITS(116, "cas_hits", Kind.COUNTER, Scope.GLOBAL, "cas that stored", (s, i) -> s.stats().sum(ServerStats.CAS_HITS)),
    CAS_BADVAL(117, "cas_badval", Kind.COUNTER, Scope.GLOBAL, "cas with a stale CAS value", (s, i) -> s.stats().sum(ServerStats.CAS_BADVAL)),
    TOUCH_HITS(118, "touch_hits", Kind.COUNTER, Scope.GLOBAL, "Touches of present keys", (s, i) -> s.stats().sum(ServerStats.TOUCH_HITS)),
    TOUCH_MISSES(119, "touch_misses", Kind.COUNTER, Scope.GLOBAL, "Touches of missing keys", (s, i) -> s.stats().sum(ServerStats.TOUCH_MISSES)),
    STORE_TOO_LARGE(120, "store_too_large", Kind.COUNTER, Scope.GLOBAL, "Stores refused as too large", (s, i) -> s.stats().sum(ServerStats.STORE_TOO_LARGE)),
    STORE_NO_MEMORY(121, "store_no_memory", Kind.COUNTER, Scope.GLOBAL, "Stores refused for want of memory", (s, i) -> s.stats().sum(ServerStats.STORE_NO_MEMORY)),
    CURR_CONNECTIONS(122, "curr_connections", Kind.GAUGE, Scope.GLOBAL, "Open TCP connections", (s, i) -> s.stats().sum(ServerStats.CURR_CONNECTIONS)),
    TOTAL_CONNECTIONS(123, "total_connections", Kind.COUNTER, Scope.GLOBAL, "TCP connections accepted", (s, i) -> s.stats().sum(ServerStats.TOTAL_CONNECTIONS)),
    BYTES_READ(124, "bytes_read", Kind.COUNTER, Scope.GLOBAL, "Request bytes read", (s, i) -> s.stats().sum(ServerStats.BYTES_READ)),
    BYTES_WRITTEN(125, "bytes_written", Kind.COUNTER, Scope.GLOBAL, "Reply bytes written", (s, i) -> s.stats().sum(ServerStats.BYTES_WRITTEN)),

    // Whole server: io.wirekv.dataplane.table.TableCounters
    ITEMS(200, "items", Kind.GAUGE, Scope.GLOBAL, "Items in the table", (s, i) -> s.table().items()),
    ITEM_BYTES(201, "item_bytes", Kind.GAUGE, Scope.GLOBAL, "Bytes of items in the table", (s, i) -> s.table().bytes()),
    TABLE_HITS(202, "table_hits", Kind.COUNTER, Scope.GLOBAL, "Table lookups that found a live item", (s, i) -> s.table().hits()),
    TABLE_MISSES(203, "table_misses", Kind.COUNTER, Scope.GLOBAL, "Table lookups that found nothing", (s, i) -> s.table().misses()),
    EVICTIONS(204, "evictions", Kind.COUNTER, Scope.GLOBAL, "Items evicted to make room", (s, i) -> s.table().evictions()),
    EXPIRATIONS(205, "expirations", Kind.COUNTER, Scope.GLOBAL, "Items removed as expired", (s, i) -> s.table().expirations()),
    RETIRED_NOT_FREED_BYTES(206, "retired_not_freed_bytes", Kind.GAUGE, Scope.GLOBAL, "Retired bytes waiting for a grace period", (s, i) -> s.table().retiredNotFreedBytes()),
    GRACE_PERIOD_AGE_MS(207, "grace_period_age_ms", Kind.GAUGE, Scope.GLOBAL, "Age of the oldest unfinished grace period", (s, i) -> s.table().gracePeriodAgeMs()),
    STALLED_READERS(208, "stalled_readers", Kind.GAUGE, Scope.GLOBAL, "Readers not quiescent for over a second", (s, i) -> s.table().stalledReaders()),
    RESIZES(209, "resizes", Kind.COUNTER, Scope.GLOBAL, "Index resizes", (s, i) -> s.table().resizes()),
    TOTAL_ITEMS(210, "total_items", Kind.COUNTER, Scope.GLOBAL, "Items ever stored", (s, i) -> s.table().totalItems()),
    OUT_OF_MEMORY(211, "out_of_memory", Kind.COUNTER, Scope.GLOBAL, "Writes refused for want of memory", (s, i) -> s.table().outOfMemory()),

    // Whole server
    UPTIME_SECONDS(300, "uptime_seconds", Kind.GAUGE, Scope.GLOBAL, "Seconds since the server started", (s, i) -> (System.currentTimeMillis() - s.startMs()) / 1000);

    /** Counters only grow (Prometheus {@code counter}, {@code _total}); gauges go up and down. */
    public enum Kind
    {
        COUNTER(CncCounterKey.KIND_COUNTER), GAUGE(CncCounterKey.KIND_GAUGE);

        private final int code;

        Kind(final int code)
        {
            this.code = code;
        }

        public int code()
        {
            return code;
        }
    }

    /** How many instances a metric has: one, one per lcore, one per lcore's port, or per bypass lcore. */
    public enum Scope
    {
        GLOBAL, LCORE, LCORE_PORT, LCORE_NET
    }

    /** Reads the current value of one instance (lcore {@code i}; 0 for GLOBAL) from the sources. */
    @FunctionalInterface
    public interface Source
    {
        long read(CncSources sources, int lcore);
    }

    private final int typeId;
    private final String metricName;
    private final Kind kind;
    private final Scope scope;
    private final String help;
    private final Source source;

    CncMetric(final int typeId, final String metricName, final Kind kind, final Scope scope, final String help,
        final Source source)
    {
        this.typeId = typeId;
        this.metricName = metricName;
        this.kind = kind;
        this.scope = scope;
        this.help = help;
        this.source = source;
    }

    public int typeId()
    {
        return typeId;
    }

    public String metricName()
    {
        return metricName;
    }

    public Kind kind()
    {
        return kind;
    }

    public Scope scope()
    {
        return scope;
    }

    public String help()
    {
        return help;
    }

    public long read(final CncSources sources, final int lcore)
    {
        return source.read(sources, lcore);
    }

    /** The metric with this type id, or null (a newer appliance's metric). */
    public static CncMetric byTypeId(final int typeId)
    {
        for (final CncMetric m : values())
        {
            if (m.typeId == typeId)
            {
                return m;
            }
        }
        return null;
    }
}
