package io.wirekv.dataplane.cnc;

/**
 * Every counter and gauge the appliance publishes in its CnC file (and so for {@code wirekv stat} and
 * Prometheus). Adding one is one line: a frozen type id (never reused or renumbered), the name, kind,
 * scope and help text. The value lives in a {@link CounterRegistry} slot written by the thread that
 * counts it (the class named above each group allocates them); nothing copies it. Only the gauges
 * computed from a clock (the uptime, the grace period's age and the readers it finds stalled) are
 * published, by the housekeeping thread, once per period into slots of its own.
 */
public enum CncMetric
{
    // Per lcore and port: io.wirekv.dataplane.port.PortCounters
    RX_PACKETS(1, "rx_packets", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams received"),
    RX_BYTES(2, "rx_bytes", Kind.COUNTER, Scope.LCORE_PORT, "Payload bytes received"),
    RX_ERRORS(3, "rx_errors", Kind.COUNTER, Scope.LCORE_PORT, "Receive calls that failed"),
    RX_TRUNCATED(4, "rx_truncated", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams cut to the slot's buffer"),
    TX_PACKETS(5, "tx_packets", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams sent"),
    TX_BYTES(6, "tx_bytes", Kind.COUNTER, Scope.LCORE_PORT, "Payload bytes sent"),
    TX_DROPPED(7, "tx_dropped", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams given to send that did not leave"),
    TX_ERRORS(8, "tx_errors", Kind.COUNTER, Scope.LCORE_PORT, "Datagrams the kernel rejected with an error"),
    LAST_RX_ERRNO(9, "last_rx_errno", Kind.GAUGE, Scope.LCORE_PORT, "errno of the last receive error"),
    LAST_TX_ERRNO(10, "last_tx_errno", Kind.GAUGE, Scope.LCORE_PORT, "errno of the last send error"),
    EMPTY_POLLS(11, "empty_polls", Kind.COUNTER, Scope.LCORE_PORT, "Receive polls that found nothing"),
    RX_NO_BUFFER(12, "rx_no_buffer", Kind.COUNTER, Scope.LCORE_PORT, "Requests dropped for want of a free slot"),
    TX_NO_BUFFER(13, "tx_no_buffer", Kind.COUNTER, Scope.LCORE_PORT, "Replies dropped for want of a packet buffer"),

    // Per lcore: io.wirekv.dataplane.lcore.UdpLcoreAgent
    MALFORMED_FRAMES(20, "malformed_frames", Kind.COUNTER, Scope.LCORE, "Frames dropped as not single-datagram memcached requests"),
    UDP_DROPPED_NOT_ALLOWED(21, "udp_dropped_not_allowed", Kind.COUNTER, Scope.LCORE, "Datagrams dropped: source outside udp.allow"),
    UDP_REPLIES_CAPPED(22, "udp_replies_capped", Kind.COUNTER, Scope.LCORE, "Replies over an unvalidated source's budget, replaced or dropped"),
    UDP_REPLIES_RATE_LIMITED(23, "udp_replies_rate_limited", Kind.COUNTER, Scope.LCORE, "Replies dropped: an unvalidated source over udp.unvalidated.reply.rate"),

    // Per lcore, bypass backends only: io.wirekv.dataplane.net.NetCounters
    NET_RX_FRAMES(30, "net_rx_frames", Kind.COUNTER, Scope.LCORE_NET, "Frames given to the L2/L3 stack"),
    NET_UDP_REQUESTS(31, "net_udp_requests", Kind.COUNTER, Scope.LCORE_NET, "UDP datagrams to our address and port"),
    NET_ARP_REQUESTS_ANSWERED(32, "net_arp_requests_answered", Kind.COUNTER, Scope.LCORE_NET, "ARP requests for our address, answered"),
    NET_ARP_OTHER(33, "net_arp_other", Kind.COUNTER, Scope.LCORE_NET, "Other well-formed ARP"),
    NET_ICMP_ECHO_ANSWERED(34, "net_icmp_echo_answered", Kind.COUNTER, Scope.LCORE_NET, "ICMP echo requests answered"),
    NET_DROP_MALFORMED(35, "net_drop_malformed", Kind.COUNTER, Scope.LCORE_NET, "Malformed frames dropped"),
    NET_DROP_BAD_IP_CHECKSUM(36, "net_drop_bad_ip_checksum", Kind.COUNTER, Scope.LCORE_NET, "IPv4 header checksum wrong"),
    NET_DROP_BAD_UDP_CHECKSUM(37, "net_drop_bad_udp_checksum", Kind.COUNTER, Scope.LCORE_NET, "UDP checksum wrong"),
    NET_DROP_NOT_FOR_US(38, "net_drop_not_for_us", Kind.COUNTER, Scope.LCORE_NET, "Frames for another MAC, IP or port"),
    NET_DROP_FRAGMENT(39, "net_drop_fragment", Kind.COUNTER, Scope.LCORE_NET, "IPv4 fragments not kept for reassembly"),
    NET_DROP_UNSUPPORTED(40, "net_drop_unsupported", Kind.COUNTER, Scope.LCORE_NET, "Unsupported EtherTypes and protocols"),
    NET_DROP_BAD_ICMP_CHECKSUM(41, "net_drop_bad_icmp_checksum", Kind.COUNTER, Scope.LCORE_NET, "ICMP echo with a wrong checksum"),
    NET_PASSED(42, "net_passed", Kind.COUNTER, Scope.LCORE_NET, "Frames passed to the kernel"),
    NET_FRAGMENT_HELD(43, "net_fragment_held", Kind.COUNTER, Scope.LCORE_NET, "IPv4 fragments kept for reassembly"),
    NET_FRAGMENTS(44, "net_fragments", Kind.COUNTER, Scope.LCORE_NET, "IPv4 fragments received"),
    NET_REASSEMBLED(45, "net_reassembled", Kind.COUNTER, Scope.LCORE_NET, "Datagrams reassembled from fragments"),
    NET_REASSEMBLY_TIMEOUTS(46, "net_reassembly_timeouts", Kind.COUNTER, Scope.LCORE_NET, "Datagrams given up: fragments missing at the timeout"),
    NET_REASSEMBLY_OVERLAPS(47, "net_reassembly_overlaps", Kind.COUNTER, Scope.LCORE_NET, "Datagrams given up: overlapping fragments"),
    NET_REASSEMBLY_EVICTIONS(48, "net_reassembly_evictions", Kind.COUNTER, Scope.LCORE_NET, "Datagrams given up: evicted for room"),
    NET_REASSEMBLY_TOO_LARGE(49, "net_reassembly_too_large", Kind.COUNTER, Scope.LCORE_NET, "Fragments beyond the largest IPv4 datagram"),

    // Whole server: io.wirekv.dataplane.proto.ServerStats (memcached's stats)
    CMD_GET(100, "cmd_get", Kind.COUNTER, Scope.GLOBAL, "Retrieval requests"),
    CMD_SET(101, "cmd_set", Kind.COUNTER, Scope.GLOBAL, "Storage requests"),
    CMD_FLUSH(102, "cmd_flush", Kind.COUNTER, Scope.GLOBAL, "flush_all requests"),
    CMD_TOUCH(103, "cmd_touch", Kind.COUNTER, Scope.GLOBAL, "Touch requests"),
    CMD_META(104, "cmd_meta", Kind.COUNTER, Scope.GLOBAL, "Meta requests"),
    GET_HITS(105, "get_hits", Kind.COUNTER, Scope.GLOBAL, "Keys found by get"),
    GET_MISSES(106, "get_misses", Kind.COUNTER, Scope.GLOBAL, "Keys not found by get"),
    GET_EXPIRED(107, "get_expired", Kind.COUNTER, Scope.GLOBAL, "Keys found expired by get"),
    GET_FLUSHED(108, "get_flushed", Kind.COUNTER, Scope.GLOBAL, "Keys found flushed by get"),
    DELETE_MISSES(109, "delete_misses", Kind.COUNTER, Scope.GLOBAL, "Deletes of missing keys"),
    DELETE_HITS(110, "delete_hits", Kind.COUNTER, Scope.GLOBAL, "Deletes of present keys"),
    INCR_MISSES(111, "incr_misses", Kind.COUNTER, Scope.GLOBAL, "incr of missing keys"),
    INCR_HITS(112, "incr_hits", Kind.COUNTER, Scope.GLOBAL, "incr of present keys"),
    DECR_MISSES(113, "decr_misses", Kind.COUNTER, Scope.GLOBAL, "decr of missing keys"),
    DECR_HITS(114, "decr_hits", Kind.COUNTER, Scope.GLOBAL, "decr of present keys"),
    CAS_MISSES(115, "cas_misses", Kind.COUNTER, Scope.GLOBAL, "cas of missing keys"),
    CAS_HITS(116, "cas_hits", Kind.COUNTER, Scope.GLOBAL, "cas that stored"),
    CAS_BADVAL(117, "cas_badval", Kind.COUNTER, Scope.GLOBAL, "cas with a stale CAS value"),
    TOUCH_HITS(118, "touch_hits", Kind.COUNTER, Scope.GLOBAL, "Touches of present keys"),
    TOUCH_MISSES(119, "touch_misses", Kind.COUNTER, Scope.GLOBAL, "Touches of missing keys"),
    STORE_TOO_LARGE(120, "store_too_large", Kind.COUNTER, Scope.GLOBAL, "Stores refused as too large"),
    STORE_NO_MEMORY(121, "store_no_memory", Kind.COUNTER, Scope.GLOBAL, "Stores refused for want of memory"),
    CURR_CONNECTIONS(122, "curr_connections", Kind.GAUGE, Scope.GLOBAL, "Open TCP connections"),
    TOTAL_CONNECTIONS(123, "total_connections", Kind.COUNTER, Scope.GLOBAL, "TCP connections accepted"),
    BYTES_READ(124, "bytes_read", Kind.COUNTER, Scope.GLOBAL, "Request bytes read"),
    BYTES_WRITTEN(125, "bytes_written", Kind.COUNTER, Scope.GLOBAL, "Reply bytes written"),
    REJECTED_CONNECTIONS(126, "rejected_connections", Kind.COUNTER, Scope.GLOBAL, "TCP connections refused at max.connections"),

    // Whole server, the table: io.wirekv.dataplane.table.PartitionCounters (a block per partition writer) and
    // io.wirekv.dataplane.table.ReaderCounters (hits and misses, a block per reader); grace_period_age_ms and
    // stalled_readers are computed from a clock, so the housekeeping thread publishes them
    ITEMS(200, "items", Kind.GAUGE, Scope.GLOBAL, "Items in the table"),
    ITEM_BYTES(201, "item_bytes", Kind.GAUGE, Scope.GLOBAL, "Bytes of items in the table"),
    TABLE_HITS(202, "table_hits", Kind.COUNTER, Scope.GLOBAL, "Table lookups that found a live item"),
    TABLE_MISSES(203, "table_misses", Kind.COUNTER, Scope.GLOBAL, "Table lookups that found nothing"),
    EVICTIONS(204, "evictions", Kind.COUNTER, Scope.GLOBAL, "Items evicted to make room"),
    EXPIRATIONS(205, "expirations", Kind.COUNTER, Scope.GLOBAL, "Items removed as expired"),
    RETIRED_NOT_FREED_BYTES(206, "retired_not_freed_bytes", Kind.GAUGE, Scope.GLOBAL, "Retired bytes waiting for a grace period"),
    GRACE_PERIOD_AGE_MS(207, "grace_period_age_ms", Kind.GAUGE, Scope.GLOBAL, "Age of the oldest unfinished grace period"),
    STALLED_READERS(208, "stalled_readers", Kind.GAUGE, Scope.GLOBAL, "Readers not quiescent for over a second"),
    RESIZES(209, "resizes", Kind.COUNTER, Scope.GLOBAL, "Index resizes"),
    TOTAL_ITEMS(210, "total_items", Kind.COUNTER, Scope.GLOBAL, "Items ever stored"),
    OUT_OF_MEMORY(211, "out_of_memory", Kind.COUNTER, Scope.GLOBAL, "Writes refused for want of memory"),
    PAGES_MOVED(212, "pages_moved", Kind.COUNTER, Scope.GLOBAL, "Slabs moved between size classes"),
    TTL_RECLAIMED(213, "ttl_reclaimed", Kind.COUNTER, Scope.GLOBAL, "Expired items reclaimed proactively by the expiry wheel"),
    TTL_RECLAIMED_BYTES(214, "ttl_reclaimed_bytes", Kind.COUNTER, Scope.GLOBAL, "Bytes of expired items reclaimed proactively"),
    TTL_VISITED(215, "ttl_visited", Kind.COUNTER, Scope.GLOBAL, "Items the expiry wheel looked at"),
    TTL_DUE_BYTES(216, "ttl_due_bytes", Kind.GAUGE, Scope.GLOBAL, "Bytes of expired items waiting in the expiry wheel's due buckets"),

    // Whole server, published by the housekeeping thread
    UPTIME_SECONDS(300, "uptime_seconds", Kind.GAUGE, Scope.GLOBAL, "Seconds since the server started"),

    // Whole server, persistence != none: io.wirekv.dataplane.log.LogCounters
    LOG_RECORDS_APPENDED(400, "log_records_appended", Kind.COUNTER, Scope.GLOBAL, "Effect records appended to the partition logs"),
    LOG_BYTES_APPENDED(401, "log_bytes_appended", Kind.COUNTER, Scope.GLOBAL, "Bytes of effect records appended to the partition logs"),
    LOG_WRITE_REFUSALS(402, "log_write_refusals", Kind.COUNTER, Scope.GLOBAL, "Writes refused with SERVER_ERROR because a partition log failed"),
    LOG_SYNCS(403, "log_syncs", Kind.COUNTER, Scope.GLOBAL, "Log syncs that succeeded (a partition's records made durable)"),
    LOG_SYNC_ERRORS(404, "log_sync_errors", Kind.COUNTER, Scope.GLOBAL, "Log syncs and segment creations that failed"),
    LOG_SYNC_LAG(405, "log_sync_lag", Kind.GAUGE, Scope.GLOBAL, "Records appended and not yet durable, all partitions"),
    LOG_LAST_SYNC_MS(406, "log_last_sync_ms", Kind.GAUGE, Scope.GLOBAL, "Unix time (ms) of the last completed sync round"),
    LOG_BYTES(407, "log_bytes", Kind.GAUGE, Scope.GLOBAL, "Bytes of records in the partition logs (recovered plus appended, less deleted segments)"),
    SNAPSHOTS_TAKEN(408, "snapshots_taken", Kind.GAUGE, Scope.GLOBAL, "Partition snapshots made durable since start"),
    SNAPSHOT_LAST_MS(409, "snapshot_last_ms", Kind.GAUGE, Scope.GLOBAL, "Unix time (ms) the last snapshot became durable"),
    SNAPSHOT_LAST_SEQUENCE(410, "snapshot_last_sequence", Kind.GAUGE, Scope.GLOBAL, "Log sequence of the last snapshot (its partition's)"),
    SNAPSHOT_LAST_PARTITION(411, "snapshot_last_partition", Kind.GAUGE, Scope.GLOBAL, "Partition of the last snapshot"),
    LOG_SEGMENTS_DELETED(412, "log_segments_deleted", Kind.GAUGE, Scope.GLOBAL, "Log segments deleted as covered by a snapshot since start"),

    // Whole server, replication.role != none: io.wirekv.dataplane.replication.ReplicationCounters
    REPL_RECORDS_SENT(500, "repl_records_sent", Kind.COUNTER, Scope.GLOBAL, "Log records a primary sent to its backup"),
    REPL_BYTES_SENT(501, "repl_bytes_sent", Kind.COUNTER, Scope.GLOBAL, "Bytes of replication frames a primary sent"),
    REPL_FULL_SYNCS(502, "repl_full_syncs", Kind.COUNTER, Scope.GLOBAL, "Partitions a primary sent by full sync (scan, then log)"),
    REPL_PARTIAL_RESUMES(503, "repl_partial_resumes", Kind.COUNTER, Scope.GLOBAL, "Partitions a primary resumed from the backup's last sequence"),
    REPL_CONNECTION_DROPS(504, "repl_connection_drops", Kind.COUNTER, Scope.GLOBAL, "Connections to the backup that failed or dropped, on a primary (the reason is in wirekv errors)"),
    REPL_LAG_RECORDS(505, "repl_lag_records", Kind.GAUGE, Scope.GLOBAL, "Records appended on the primary and not yet acknowledged by the backup"),
    REPL_LAG_MS(506, "repl_lag_ms", Kind.GAUGE, Scope.GLOBAL, "How long the oldest unacknowledged record has waited for the backup, ms"),
    REPL_RECORDS_APPLIED(507, "repl_records_applied", Kind.COUNTER, Scope.GLOBAL, "Records a backup received, checked and handed to its writers"),
    REPL_BYTES_RECEIVED(508, "repl_bytes_received", Kind.COUNTER, Scope.GLOBAL, "Bytes of replication frames a backup received"),
    REPL_WRITES_REFUSED(509, "repl_writes_refused", Kind.COUNTER, Scope.GLOBAL, "Client writes refused by replication (backup, fenced, no backup in sync mode, sync timeout)"),
    REPL_FENCED(510, "repl_fenced", Kind.GAUGE, Scope.GLOBAL, "1 when this primary was refused by a newer primary and refuses writes"),
    REPL_EPOCH(511, "repl_epoch", Kind.GAUGE, Scope.GLOBAL, "This node's replication epoch"),
    REPL_CONNECTED(512, "repl_connected", Kind.GAUGE, Scope.GLOBAL, "1 while a replication stream is established"),
    REPL_ROLE(513, "repl_role", Kind.GAUGE, Scope.GLOBAL, "This node's run-time replication role: 0 none, 1 primary, 2 backup"),
    REPL_STREAM_DROPS(514, "repl_stream_drops", Kind.COUNTER, Scope.GLOBAL, "Streams a backup dropped or refused (bad input, a newer epoch; the reason is in wirekv errors)"),
    REPL_STREAM_WRITES(515, "repl_stream_writes", Kind.COUNTER, Scope.GLOBAL, "Write calls that carried a primary's stream to its backup (repl_records_sent per write: how well records batch)");

    /** Counters only grow (Prometheus {@code counter}, {@code _total}); gauges go up and down. */
    public enum Kind
    {
        COUNTER(CounterRegistryDescriptor.KIND_COUNTER), GAUGE(CounterRegistryDescriptor.KIND_GAUGE);

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

    private final int typeId;
    private final String metricName;
    private final Kind kind;
    private final Scope scope;
    private final String help;

    CncMetric(final int typeId, final String metricName, final Kind kind, final Scope scope, final String help)
    {
        this.typeId = typeId;
        this.metricName = metricName;
        this.kind = kind;
        this.scope = scope;
        this.help = help;
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

    /**
     * The label of one instance, e.g. {@code rx_packets{lcore="0",port="0"}}.
     *
     * @param lcore the lcore, or {@link CounterRegistryDescriptor#NONE}.
     * @param port  the port, or {@link CounterRegistryDescriptor#NONE}.
     */
    public static String label(final String name, final int lcore, final int port)
    {
        if (lcore == CounterRegistryDescriptor.NONE)
        {
            return name;
        }
        return name + "{lcore=\"" + lcore + "\"" + (port == CounterRegistryDescriptor.NONE ? "" : ",port=\"" + port + "\"") + "}";
    }
}
