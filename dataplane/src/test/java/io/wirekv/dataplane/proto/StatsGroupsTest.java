package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code stats settings|slabs|items|conns} and {@code shutdown}, as memcached 1.6.18 names and answers them. */
class StatsGroupsTest
{
    private static final ProtocolSettings.ServerFacts FACTS =
        new ProtocolSettings.ServerFacts(64L << 20, 11211, 11211, "127.0.0.1", 3, true, 4096);

    @Test
    void shouldReportSettingsInMemcachedsOrderWithWirekvsValues()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024, new ProtocolSettings(65536, 1400, "1.6.18", FACTS, null)))
        {
            assertEquals(String.join("\r\n",
                "STAT maxbytes 67108864",
                "STAT maxconns 4096",
                "STAT tcpport 11211",
                "STAT udpport 11211",
                "STAT inter 127.0.0.1",
                "STAT verbosity 0",
                "STAT evictions on",
                "STAT shutdown_command no",
                "STAT num_threads 3",
                "STAT cas_enabled yes",
                "STAT binding_protocol auto-negotiate",
                "STAT auth_enabled_sasl no",
                "STAT auth_enabled_ascii no",
                "STAT item_size_max 65536",
                "STAT flush_enabled yes",
                "STAT idle_timeout 0",
                "STAT ssl_enabled no",
                "END", ""), h.tcp("stats settings\r\n"));
        }
    }

    @Test
    void shouldListItemsOnlyWhileThereAreSomeAndSlabsAsTotals()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024))
        {
            assertEquals("END\r\n", h.tcp("stats items\r\n"), "memcached lists no class while it holds nothing");
            assertEquals("STAT active_slabs 0\r\nSTAT total_malloced 0\r\nEND\r\n", h.tcp("stats slabs\r\n"));
            assertEquals("STORED\r\nSTORED\r\n", h.tcp("set a 0 0 1\r\nx\r\nset b 0 0 3\r\nyyy\r\n"));
            assertEquals("STAT items:1:number 2\r\nSTAT items:1:evicted 0\r\nSTAT items:1:outofmemory 0\r\n" +
                "STAT items:1:reclaimed 0\r\nEND\r\n", h.tcp("stats items\r\n"));
            final String slabs = h.tcp("stats slabs\r\n");
            assertTrue(slabs.startsWith("STAT active_slabs 0\r\nSTAT total_malloced ") && slabs.endsWith("\r\nEND\r\n"),
                slabs);
            assertTrue(Long.parseLong(slabs.split("\r\n")[1].substring("STAT total_malloced ".length())) >= 4, slabs);
            assertEquals("ERROR\r\nERROR\r\n", h.tcp("stats sizes\r\nstats settings x\r\n"));
        }
    }

    @Test
    void shouldListTheListeningEndpointsAsConns()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024, new ProtocolSettings(65536, 1400, "1.6.18", FACTS, null)))
        {
            assertEquals("STAT 0:addr tcp:127.0.0.1:11211\r\nSTAT 0:state conn_listening\r\nSTAT 1:UDP UDP\r\n" +
                "STAT 1:addr udp:127.0.0.1:11211\r\nSTAT 1:state conn_read\r\nEND\r\n", h.tcp("stats conns\r\n"));
        }
    }

    @Test
    void shouldRefuseShutdownUnlessEnabled()
    {
        try (ProtoHarness h = new ProtoHarness(64 * 1024))
        {
            assertEquals("ERROR: shutdown not enabled\r\nERROR: shutdown not enabled\r\n",
                h.tcp("shutdown\r\nshutdown graceful\r\n"));
        }
    }

    @Test
    void shouldCloseWithoutReplyAndStopTheServerWhenShutdownIsEnabled()
    {
        final AtomicInteger stops = new AtomicInteger();
        final ProtocolSettings enabled = new ProtocolSettings(65536, 1400, "1.6.18", FACTS, stops::incrementAndGet);
        try (ProtoHarness h = new ProtoHarness(64 * 1024, enabled))
        {
            assertEquals("CLIENT_ERROR invalid shutdown mode\r\n", h.tcp("shutdown now\r\n"));
            assertEquals(0, stops.get());
            assertEquals("VERSION 1.6.18\r\n<CLOSE>", h.tcp("version\r\nshutdown\r\nversion\r\n"));
            assertEquals(1, stops.get());
            assertEquals("<CLOSE>", h.tcp("shutdown graceful\r\n"));
            assertEquals(2, stops.get(), "the hook itself runs the stop once per server");
            final String settings = h.tcp("stats settings\r\n");
            assertTrue(settings.contains("STAT shutdown_command yes\r\n"), settings);
        }
    }
}
