package io.wirekv.controlplane.cnc;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How each CnC metric appears in Prometheus: the family it belongs to, the labels that tell it apart
 * inside that family, and the factor to its base unit. The CnC file (and {@code wirekv stat}) keeps
 * memcached's names; only the Prometheus view follows Prometheus' conventions: base units (seconds,
 * bytes), {@code _total} on counters, and one family with a label where memcached has a family of
 * names ({@code get_hits}, {@code get_misses} ... become {@code wirekv_commands_total{command,status}}).
 * A metric this table does not know (a newer appliance's) keeps its CnC name: {@code wirekv_<name>}
 * plus {@code _total} for a counter.
 */
public final class PrometheusNames
{
    /** The prefix of every family built from the CnC file. */
    public static final String PREFIX = "wirekv_";

    /**
     * Where one CnC metric goes.
     *
     * @param family the Prometheus family name (with {@code _total} for a counter).
     * @param help   the family's HELP text (shared by every metric of the family).
     * @param labels labels that tell this metric apart inside the family, before lcore/port.
     * @param scale  multiply the CnC value by this to get the base unit (1 when it is one already).
     */
    public record Mapping(String family, String help, Map<String, String> labels, double scale)
    {
    }

    private static final Map<String, Mapping> BY_CNC_NAME = new HashMap<>();
    /** Metrics whose CnC name is already conventional: {@code wirekv_<name>}, {@code _total} on counters. */
    private static final Set<String> SAME_NAME = new HashSet<>();

    static
    {
        // Per lcore and port (io.wirekv.dataplane.port.PortCounters): already conventional names.
        same("rx_packets", "rx_bytes", "rx_errors", "rx_truncated", "tx_packets", "tx_bytes", "tx_dropped",
            "tx_errors", "empty_polls", "rx_no_buffer", "tx_no_buffer", "last_rx_errno", "last_tx_errno",
            "malformed_frames");
        // Per lcore: the amplification guard (io.wirekv.dataplane.lcore.UdpLcoreAgent).
        final String guard = "UDP requests the amplification guard refused, by what it did";
        map("udp_dropped_not_allowed", "wirekv_udp_guard_refused_total", guard, "action", "dropped_not_allowed");
        map("udp_replies_capped", "wirekv_udp_guard_refused_total", guard, "action", "reply_capped");
        map("udp_replies_rate_limited", "wirekv_udp_guard_refused_total", guard, "action", "reply_rate_limited");

        // Per bypass lcore: the L2/L3 stack (io.wirekv.dataplane.net.NetCounters).
        final String received = "Frames given to the L2/L3 stack";
        map("net_rx_frames", "wirekv_net_received_frames_total", received);
        map("net_udp_requests", "wirekv_net_udp_requests_total", "UDP datagrams to our address and port");
        final String answered = "ARP requests and ICMP echo requests for our address, answered, by protocol";
        map("net_arp_requests_answered", "wirekv_net_answered_total", answered, "protocol", "arp");
        map("net_icmp_echo_answered", "wirekv_net_answered_total", answered, "protocol", "icmp_echo");
        map("net_arp_other", "wirekv_net_arp_other_frames_total", "Other well-formed ARP");
        final String dropped = "Frames the L2/L3 stack dropped, by reason";
        map("net_drop_malformed", "wirekv_net_dropped_frames_total", dropped, "reason", "malformed");
        map("net_drop_bad_ip_checksum", "wirekv_net_dropped_frames_total", dropped, "reason", "bad_ip_checksum");
        map("net_drop_bad_udp_checksum", "wirekv_net_dropped_frames_total", dropped, "reason", "bad_udp_checksum");
        map("net_drop_bad_icmp_checksum", "wirekv_net_dropped_frames_total", dropped, "reason", "bad_icmp_checksum");
        map("net_drop_not_for_us", "wirekv_net_dropped_frames_total", dropped, "reason", "not_for_us");
        map("net_drop_fragment", "wirekv_net_dropped_frames_total", dropped, "reason", "fragment");
        map("net_drop_unsupported", "wirekv_net_dropped_frames_total", dropped, "reason", "unsupported");
        map("net_passed", "wirekv_net_passed_frames_total", "Frames passed to the kernel");
        map("net_fragments", "wirekv_net_fragments_received_total", "IPv4 fragments to our address");
        map("net_fragment_held", "wirekv_net_fragments_held_total", "IPv4 fragments kept for reassembly");
        map("net_reassembled", "wirekv_net_reassembled_datagrams_total", "Datagrams reassembled from fragments");
        final String givenUp = "Datagrams whose reassembly was given up, by reason";
        map("net_reassembly_timeouts", "wirekv_net_reassembly_given_up_total", givenUp, "reason", "timeout");
        map("net_reassembly_overlaps", "wirekv_net_reassembly_given_up_total", givenUp, "reason", "overlap");
        map("net_reassembly_evictions", "wirekv_net_reassembly_given_up_total", givenUp, "reason", "evicted");
        map("net_reassembly_too_large", "wirekv_net_reassembly_given_up_total", givenUp, "reason", "too_large");

        // Whole server: memcached's stats (io.wirekv.dataplane.proto.ServerStats), memcached_exporter's
        // shape. cmd_get and cmd_touch are the sums of their hits and misses, so they are not repeated;
        // commands without an outcome split count under status="any" (cas is also counted in set, as
        // in memcached's cmd_set).
        final String commands = "Commands (per key for retrievals, as memcached counts them), by command and outcome";
        map("get_hits", "wirekv_commands_total", commands, "command", "get", "status", "hit");
        map("get_misses", "wirekv_commands_total", commands, "command", "get", "status", "miss");
        map("cmd_set", "wirekv_commands_total", commands, "command", "set", "status", "any");
        map("cas_hits", "wirekv_commands_total", commands, "command", "cas", "status", "hit");
        map("cas_misses", "wirekv_commands_total", commands, "command", "cas", "status", "miss");
        map("cas_badval", "wirekv_commands_total", commands, "command", "cas", "status", "badval");
        map("delete_hits", "wirekv_commands_total", commands, "command", "delete", "status", "hit");
        map("delete_misses", "wirekv_commands_total", commands, "command", "delete", "status", "miss");
        map("incr_hits", "wirekv_commands_total", commands, "command", "incr", "status", "hit");
        map("incr_misses", "wirekv_commands_total", commands, "command", "incr", "status", "miss");
        map("decr_hits", "wirekv_commands_total", commands, "command", "decr", "status", "hit");
        map("decr_misses", "wirekv_commands_total", commands, "command", "decr", "status", "miss");
        map("touch_hits", "wirekv_commands_total", commands, "command", "touch", "status", "hit");
        map("touch_misses", "wirekv_commands_total", commands, "command", "touch", "status", "miss");
        map("cmd_flush", "wirekv_commands_total", commands, "command", "flush", "status", "any");
        map("cmd_meta", "wirekv_commands_total", commands, "command", "meta", "status", "any");
        map("cmd_get", "wirekv_get_keys_total", "Keys asked for by retrievals (get hits plus misses)");
        map("cmd_touch", "wirekv_touch_keys_total", "Keys touched (touch hits plus misses)");
        map("get_expired", "wirekv_get_expired_total", "Keys found expired by get (counted in misses too)");
        map("get_flushed", "wirekv_get_flushed_total", "Keys found flushed by get (counted in misses too)");
        final String refused = "Stores refused, by reason";
        map("store_too_large", "wirekv_store_refused_total", refused, "reason", "too_large");
        map("store_no_memory", "wirekv_store_refused_total", refused, "reason", "no_memory");
        map("curr_connections", "wirekv_current_connections", "Open TCP connections");
        map("total_connections", "wirekv_connections_total", "TCP connections accepted");
        map("rejected_connections", "wirekv_rejected_connections_total", "TCP connections refused at max.connections");
        map("bytes_read", "wirekv_read_bytes_total", "Request bytes read");
        map("bytes_written", "wirekv_written_bytes_total", "Reply bytes written");

        // Whole server: the table (io.wirekv.dataplane.table.PartitionCounters and ReaderCounters).
        map("items", "wirekv_current_items", "Items in the table");
        map("item_bytes", "wirekv_current_bytes", "Bytes of items in the table");
        final String lookups = "Table lookups, by whether they found a live item";
        map("table_hits", "wirekv_table_lookups_total", lookups, "status", "hit");
        map("table_misses", "wirekv_table_lookups_total", lookups, "status", "miss");
        map("evictions", "wirekv_items_evicted_total", "Items evicted to make room");
        map("expirations", "wirekv_items_expired_total", "Items removed as expired");
        map("retired_not_freed_bytes", "wirekv_retired_not_freed_bytes", "Retired bytes waiting for a grace period");
        BY_CNC_NAME.put("grace_period_age_ms", new Mapping("wirekv_grace_period_age_seconds",
            "Age of the oldest unfinished grace period, seconds", Map.of(), 0.001));
        map("stalled_readers", "wirekv_stalled_readers", "Readers not quiescent for over a second");
        map("resizes", "wirekv_index_resizes_total", "Index resizes");
        map("total_items", "wirekv_items_total", "Items ever stored");
        map("out_of_memory", "wirekv_table_out_of_memory_total", "Writes the table refused for want of memory");
        map("pages_moved", "wirekv_slab_pages_moved_total", "Slabs moved between size classes");
        map("ttl_reclaimed", "wirekv_ttl_reclaimed_items_total", "Expired items reclaimed proactively by the expiry wheel");
        map("ttl_reclaimed_bytes", "wirekv_ttl_reclaimed_bytes_total", "Bytes of expired items reclaimed proactively");
        map("ttl_visited", "wirekv_ttl_visited_items_total", "Items the expiry wheel looked at");
        map("ttl_due_bytes", "wirekv_ttl_due_bytes", "Bytes of expired items waiting in the expiry wheel's due buckets");

        map("uptime_seconds", "wirekv_uptime_seconds", "Seconds since the server started");

        // Whole server: the partition logs (io.wirekv.dataplane.log.LogCounters); zero with persistence none.
        map("log_records_appended", "wirekv_log_records_appended_total", "Effect records appended to the logs");
        map("log_bytes_appended", "wirekv_log_appended_bytes_total", "Bytes of effect records appended to the logs");
        map("log_write_refusals", "wirekv_log_refused_writes_total", "Writes refused because a partition log failed");
        map("log_syncs", "wirekv_log_syncs_total", "Log syncs that succeeded");
        map("log_sync_errors", "wirekv_log_sync_errors_total", "Log syncs and segment creations that failed");
        map("log_sync_lag", "wirekv_log_sync_lag_records", "Records appended and not yet durable");
        BY_CNC_NAME.put("log_last_sync_ms", new Mapping("wirekv_log_last_sync_timestamp_seconds",
            "Unix time of the last completed log sync", Map.of(), 0.001));
        map("log_bytes", "wirekv_log_bytes", "Bytes of records in the partition logs");
        map("snapshots_taken", "wirekv_snapshots_taken", "Partition snapshots made durable since start");
        BY_CNC_NAME.put("snapshot_last_ms", new Mapping("wirekv_snapshot_last_timestamp_seconds",
            "Unix time the last snapshot became durable", Map.of(), 0.001));
        map("snapshot_last_sequence", "wirekv_snapshot_last_sequence", "Log sequence of the last snapshot");
        map("snapshot_last_partition", "wirekv_snapshot_last_partition", "Partition of the last snapshot");
        map("log_segments_deleted", "wirekv_log_segments_deleted", "Log segments deleted as covered by a snapshot");

        // Whole server: replication (io.wirekv.dataplane.replication.ReplicationCounters); zero with role none.
        map("repl_records_sent", "wirekv_replication_sent_records_total", "Log records a primary sent to its backup");
        map("repl_bytes_sent", "wirekv_replication_sent_bytes_total", "Bytes of replication frames a primary sent");
        map("repl_stream_writes", "wirekv_replication_stream_writes_total", "Write calls that carried a primary's stream");
        map("repl_records_applied", "wirekv_replication_applied_records_total",
            "Records a backup received, checked and handed to its writers");
        map("repl_bytes_received", "wirekv_replication_received_bytes_total", "Bytes of replication frames a backup received");
        map("repl_full_syncs", "wirekv_replication_full_syncs_total", "Partitions sent by full sync");
        map("repl_partial_resumes", "wirekv_replication_partial_resumes_total", "Partitions resumed from the backup's last sequence");
        map("repl_connection_drops", "wirekv_replication_connection_drops_total", "Connections to the backup dropped");
        map("repl_stream_drops", "wirekv_replication_stream_drops_total", "Streams a backup dropped or refused");
        map("repl_writes_refused", "wirekv_replication_refused_writes_total",
            "Client writes refused by replication (backup, fenced, no backup in sync mode)");
        map("repl_lag_records", "wirekv_replication_lag_records", "Records appended and not yet acknowledged by the backup");
        BY_CNC_NAME.put("repl_lag_ms", new Mapping("wirekv_replication_lag_seconds",
            "How long the oldest unacknowledged record has waited for the backup", Map.of(), 0.001));
        map("repl_fenced", "wirekv_replication_fenced", "1 while this primary is fenced by a newer one");
        map("repl_epoch", "wirekv_replication_epoch", "This node's replication epoch");
        map("repl_connected", "wirekv_replication_connected", "1 while a replication stream is established");
        map("repl_role", "wirekv_replication_role", "Run-time replication role: 0 none, 1 primary, 2 backup");
    }

    private PrometheusNames()
    {
    }

    /**
     * Where a CnC metric goes; {@code gauge} and {@code help} serve a metric this table does not know,
     * which keeps its own name.
     */
    public static Mapping of(final String cncName, final boolean gauge, final String help)
    {
        final Mapping mapping = BY_CNC_NAME.get(cncName);
        // SAME_NAME and metrics the table does not know keep their CnC name and help
        return mapping != null ? mapping : new Mapping(PREFIX + cncName + (gauge ? "" : "_total"), help, Map.of(), 1.0);
    }

    /** True when the table names this CnC metric (a test checks that every metric the appliance has is). */
    public static boolean isMapped(final String cncName)
    {
        return BY_CNC_NAME.containsKey(cncName) || SAME_NAME.contains(cncName);
    }

    private static void same(final String... cncNames)
    {
        SAME_NAME.addAll(List.of(cncNames));
    }

    private static void map(final String cncName, final String family, final String help, final String... labels)
    {
        final Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2)
        {
            map.put(labels[i], labels[i + 1]);
        }
        BY_CNC_NAME.put(cncName, new Mapping(family, help, Collections.unmodifiableMap(map), 1.0));
    }
}
