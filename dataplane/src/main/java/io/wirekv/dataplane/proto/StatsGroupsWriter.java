package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.Table;

import java.nio.charset.StandardCharsets;

/**
 * memcached's {@code stats settings}, {@code stats slabs}, {@code stats items} and {@code stats conns} replies,
 * with memcached 1.6.18's field names and order where the field means something for wirekv (what
 * memcached_exporter-style tools read). Fields without a wirekv meaning are left out, never invented; README's
 * Protocol support section lists them. The settings and conns replies are fixed at start-up and rendered once;
 * slabs and items format the table's counters per request without allocating.
 */
final class StatsGroupsWriter
{
    static final int MAX_BYTES = 4096;

    private static final byte[] STAT = Replies.b("STAT ");
    private static final byte[] TOTAL_MALLOCED = Replies.b("total_malloced");
    private static final byte[] ACTIVE_SLABS = Replies.b("active_slabs");
    private static final byte[] ITEMS_NUMBER = Replies.b("items:1:number");
    private static final byte[] ITEMS_EVICTED = Replies.b("items:1:evicted");
    private static final byte[] ITEMS_OUTOFMEMORY = Replies.b("items:1:outofmemory");
    private static final byte[] ITEMS_RECLAIMED = Replies.b("items:1:reclaimed");

    private final Table table;
    private final byte[] settingsReply;
    private final byte[] connsReply;

    StatsGroupsWriter(final Table table, final ProtocolSettings settings)
    {
        this.table = table;
        this.settingsReply = renderSettings(settings);
        this.connsReply = renderConns(settings.server());
    }

    /**
     * memcached's settings in memcached's order: maxbytes, maxconns, tcpport, udpport, inter, verbosity, evictions,
     * shutdown_command, num_threads, cas_enabled, binding_protocol, auth_enabled_sasl, auth_enabled_ascii,
     * item_size_max, flush_enabled, idle_timeout, ssl_enabled.
     */
    private static byte[] renderSettings(final ProtocolSettings settings)
    {
        final ProtocolSettings.ServerFacts f = settings.server();
        final StringBuilder sb = new StringBuilder(1024);
        line(sb, "maxbytes", f.memoryBytes());
        line(sb, "maxconns", f.maxConnections());
        line(sb, "tcpport", Math.max(0, f.tcpPort()));
        line(sb, "udpport", f.udpPort());
        line(sb, "inter", f.listenAddress());
        line(sb, "verbosity", 0); // 'verbosity' is accepted, and wirekv logs nothing per request whatever its level
        line(sb, "evictions", f.evictions() ? "on" : "off");
        line(sb, "shutdown_command", null != settings.shutdown() ? "yes" : "no");
        line(sb, "num_threads", f.threads());
        line(sb, "cas_enabled", "yes");
        // memcached's -B auto reports "auto-negotiate"; -S forces "binary"
        line(sb, "binding_protocol", null != settings.sasl() ? "binary" : "auto-negotiate");
        line(sb, "auth_enabled_sasl", null != settings.sasl() ? "yes" : "no");
        line(sb, "auth_enabled_ascii", "no");
        line(sb, "item_size_max", settings.itemSizeMaxBytes());
        line(sb, "flush_enabled", "yes");
        line(sb, "idle_timeout", 0);
        line(sb, "ssl_enabled", "no");
        return sb.append("END\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The listening endpoints, as memcached lists its listening sockets (connections themselves are not listed). */
    private static byte[] renderConns(final ProtocolSettings.ServerFacts f)
    {
        final StringBuilder sb = new StringBuilder(256);
        int id = 0;
        if (f.tcpPort() >= 0)
        {
            line(sb, id + ":addr", "tcp:" + f.listenAddress() + ":" + f.tcpPort());
            line(sb, id + ":state", "conn_listening");
            id++;
        }
        line(sb, id + ":UDP", "UDP");
        line(sb, id + ":addr", "udp:" + f.listenAddress() + ":" + f.udpPort());
        line(sb, id + ":state", "conn_read");
        return sb.append("END\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void line(final StringBuilder sb, final String name, final Object value)
    {
        sb.append("STAT ").append(name).append(' ').append(value).append("\r\n");
    }

    /** {@code stats settings}: the caller checked that {@link #MAX_BYTES} fit. */
    void writeSettings(final ReplyBuffer rb)
    {
        rb.put(settingsReply);
    }

    /** {@code stats conns}: the caller checked that {@link #MAX_BYTES} fit. */
    void writeConns(final ReplyBuffer rb)
    {
        rb.put(connsReply);
    }

    /**
     * {@code stats slabs}: wirekv's slab pages are per partition, not per memcached size class, so no
     * {@code N:...} lines; the globals memcached ends with: active_slabs 0 (no memcached classes) and
     * total_malloced as the bytes the table's items hold.
     */
    void writeSlabs(final ReplyBuffer rb)
    {
        stat(rb, ACTIVE_SLABS, 0);
        stat(rb, TOTAL_MALLOCED, table.counters().bytes());
        rb.put(Replies.END);
    }

    /**
     * {@code stats items}: one class, 1, for every item (memcached lists a class only while it holds items):
     * number, evicted, outofmemory, and reclaimed (items found expired, memcached's nearest counter).
     */
    void writeItems(final ReplyBuffer rb)
    {
        final long items = table.counters().items();
        if (items > 0)
        {
            stat(rb, ITEMS_NUMBER, items);
            stat(rb, ITEMS_EVICTED, table.counters().evictions());
            stat(rb, ITEMS_OUTOFMEMORY, table.counters().outOfMemory());
            stat(rb, ITEMS_RECLAIMED, table.counters().expirations());
        }
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
