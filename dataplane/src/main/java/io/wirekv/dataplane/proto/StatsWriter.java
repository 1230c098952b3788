package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.Table;

/**
 * memcached's general {@code stats} reply, in memcached 1.6.18's order and format, with the
 * counters wirekv has (server-internal ones memcached reports, such as slab or LRU crawler
 * statistics, are left out).
 */
final class StatsWriter
{
    static final int MAX_BYTES = 4096;

    private static final byte[] STAT = Replies.b("STAT ");

    private final Table table;
    private final ProtocolSettings settings;
    private final ServerStats stats;
    private final byte[] version;

    StatsWriter(final Table table, final ProtocolSettings settings, final ServerStats stats)
    {
        this.table = table;
        this.settings = settings;
        this.stats = stats;
        this.version = Replies.b(settings.version());
    }

    private static final byte[] PID = Replies.b("pid");
    private static final byte[] UPTIME = Replies.b("uptime");
    private static final byte[] TIME = Replies.b("time");
    private static final byte[] VERSION = Replies.b("version");
    private static final byte[] POINTER_SIZE = Replies.b("pointer_size");
    private static final byte[] CURR_CONNECTIONS = Replies.b("curr_connections");
    private static final byte[] TOTAL_CONNECTIONS = Replies.b("total_connections");
    private static final byte[] REJECTED_CONNECTIONS = Replies.b("rejected_connections");
    private static final byte[][] COUNTER_NAMES = {
        Replies.b("cmd_get"), Replies.b("cmd_set"), Replies.b("cmd_flush"), Replies.b("cmd_touch"),
        Replies.b("cmd_meta"), Replies.b("get_hits"), Replies.b("get_misses"), Replies.b("get_expired"),
        Replies.b("get_flushed"), Replies.b("delete_misses"), Replies.b("delete_hits"), Replies.b("incr_misses"),
        Replies.b("incr_hits"), Replies.b("decr_misses"), Replies.b("decr_hits"), Replies.b("cas_misses"),
        Replies.b("cas_hits"), Replies.b("cas_badval"), Replies.b("touch_hits"), Replies.b("touch_misses"),
        Replies.b("store_too_large"), Replies.b("store_no_memory"),
    };
    private static final int[] COUNTER_IDS = {
        ServerStats.CMD_GET, ServerStats.CMD_SET, ServerStats.CMD_FLUSH, ServerStats.CMD_TOUCH,
        ServerStats.CMD_META, ServerStats.GET_HITS, ServerStats.GET_MISSES, ServerStats.GET_EXPIRED,
        ServerStats.GET_FLUSHED, ServerStats.DELETE_MISSES, ServerStats.DELETE_HITS, ServerStats.INCR_MISSES,
        ServerStats.INCR_HITS, ServerStats.DECR_MISSES, ServerStats.DECR_HITS, ServerStats.CAS_MISSES,
        ServerStats.CAS_HITS, ServerStats.CAS_BADVAL, ServerStats.TOUCH_HITS, ServerStats.TOUCH_MISSES,
        ServerStats.STORE_TOO_LARGE, ServerStats.STORE_NO_MEMORY,
    };
    private static final byte[] BYTES_READ = Replies.b("bytes_read");
    private static final byte[] BYTES_WRITTEN = Replies.b("bytes_written");
    private static final byte[] LIMIT_MAXBYTES = Replies.b("limit_maxbytes");
    private static final byte[] THREADS = Replies.b("threads");
    private static final byte[] BYTES = Replies.b("bytes");
    private static final byte[] CURR_ITEMS = Replies.b("curr_items");
    private static final byte[] TOTAL_ITEMS = Replies.b("total_items");
    private static final byte[] EVICTIONS = Replies.b("evictions");
    // wirekv's own, after memcached's: the table's health (reclamation, stalls, growth).
    private static final byte[] EXPIRATIONS = Replies.b("table_expirations");
    private static final byte[] RETIRED_BYTES = Replies.b("table_retired_not_freed_bytes");
    private static final byte[] GRACE_PERIOD_AGE = Replies.b("table_grace_period_age_ms");
    private static final byte[] STALLED_READERS = Replies.b("table_stalled_readers");
    private static final byte[] RESIZES = Replies.b("table_index_resizes");
    private static final byte[] OUT_OF_MEMORY = Replies.b("table_out_of_memory");
    private static final byte[] HUGEPAGES = Replies.b("table_hugepages");
    private static final byte[] TTL_RECLAIMED = Replies.b("table_ttl_reclaimed");
    private static final byte[] TTL_DUE_BYTES = Replies.b("table_ttl_due_bytes");

    /** Writes the whole reply; the caller checked that {@link #MAX_BYTES} fit. */
    void write(final ReplyBuffer rb)
    {
        final long now = table.nowSeconds();
        stat(rb, PID, stats.pid());
        stat(rb, UPTIME, Math.max(0, now - stats.startMillis() / 1000));
        stat(rb, TIME, now);
        rb.put(STAT);
        rb.put(VERSION);
        rb.putByteUnchecked((byte)' ');
        rb.put(version);
        rb.put(Replies.CRLF);
        stat(rb, POINTER_SIZE, 64);
        stat(rb, CURR_CONNECTIONS, stats.sinceReset(ServerStats.CURR_CONNECTIONS));
        stat(rb, TOTAL_CONNECTIONS, stats.sinceReset(ServerStats.TOTAL_CONNECTIONS));
        stat(rb, REJECTED_CONNECTIONS, stats.sinceReset(ServerStats.REJECTED_CONNECTIONS));
        for (int i = 0; i < COUNTER_IDS.length; i++)
        {
            stat(rb, COUNTER_NAMES[i], stats.sinceReset(COUNTER_IDS[i]));
        }
        stat(rb, BYTES_READ, stats.sinceReset(ServerStats.BYTES_READ));
        stat(rb, BYTES_WRITTEN, stats.sinceReset(ServerStats.BYTES_WRITTEN));
        stat(rb, LIMIT_MAXBYTES, table.config().memoryBytes());
        stat(rb, THREADS, stats.threadSlots());
        stat(rb, BYTES, table.counters().bytes());
        stat(rb, CURR_ITEMS, table.counters().items());
        stat(rb, TOTAL_ITEMS, table.counters().totalItems());
        stat(rb, EVICTIONS, table.counters().evictions());
        stat(rb, EXPIRATIONS, table.counters().expirations());
        stat(rb, RETIRED_BYTES, table.counters().retiredNotFreedBytes());
        stat(rb, GRACE_PERIOD_AGE, table.counters().gracePeriodAgeMs());
        stat(rb, STALLED_READERS, table.counters().stalledReaders());
        stat(rb, RESIZES, table.counters().resizes());
        stat(rb, OUT_OF_MEMORY, table.counters().outOfMemory());
        stat(rb, HUGEPAGES, table.isHugepageBacked() ? 1 : 0);
        stat(rb, TTL_RECLAIMED, table.counters().ttlReclaimed());
        stat(rb, TTL_DUE_BYTES, table.counters().ttlDueBytes());
        rb.put(Replies.END);
    }

    private static void stat(final ReplyBuffer rb, final byte[] name, final long value)
    {
        rb.put(STAT);
        rb.put(name);
        rb.putByteUnchecked((byte)' ');
        rb.putSigned(value);
        rb.put(Replies.CRLF);
    }
}
