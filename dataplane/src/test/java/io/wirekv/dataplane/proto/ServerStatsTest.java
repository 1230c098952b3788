package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** memcached's stats counters as registry slots: summed over threads, never stepped back by a reset. */
class ServerStatsTest
{
    private final CounterRegistry registry = CounterRegistry.inArena(ServerStats.COUNTERS, ServerStats.valuesBytes(3));
    private final ServerStats stats = new ServerStats(registry, 3, 0);

    private Map<String, Long> file()
    {
        final Map<String, Long> values = new HashMap<>();
        registry.reader().forEach((id, typeId, kind, lcore, port, name, value) -> values.put(name, value));
        return values;
    }

    @Test
    void shouldShowEveryThreadsSlotsAsOneCounterInTheRegistry()
    {
        stats.increment(0, ServerStats.CMD_GET);
        stats.increment(2, ServerStats.CMD_GET);
        stats.add(1, ServerStats.BYTES_READ, 100);
        assertEquals(2, stats.sum(ServerStats.CMD_GET));
        assertEquals(2L, file().get("cmd_get"));
        assertEquals(100L, file().get("bytes_read"));
        assertEquals(ServerStats.COUNTERS, file().size());
        final Map<Integer, Integer> typeIds = new HashMap<>();
        registry.reader().forEach((id, typeId, kind, lcore, port, name, value) -> typeIds.put(id, typeId));
        assertEquals(CncMetric.CMD_GET.typeId(), typeIds.get(ServerStats.CMD_GET));
        assertEquals(CncMetric.BYTES_WRITTEN.typeId(), typeIds.get(ServerStats.BYTES_WRITTEN));
    }

    @Test
    void shouldCountStatsFromTheResetWhileTheCountersOnlyGrow()
    {
        stats.increment(0, ServerStats.CMD_GET);
        stats.increment(1, ServerStats.CMD_GET);
        stats.connectionOpened(1);
        stats.resetFromSlot(2);

        assertEquals(0, stats.sinceReset(ServerStats.CMD_GET));
        assertEquals(0, stats.sinceReset(ServerStats.TOTAL_CONNECTIONS));
        assertEquals(1, stats.sinceReset(ServerStats.CURR_CONNECTIONS), "the gauge is not reset");
        assertEquals(2, stats.sum(ServerStats.CMD_GET), "the counter did not step back");
        assertEquals(2L, file().get("cmd_get"));

        stats.increment(2, ServerStats.CMD_GET);
        stats.resetFromSlot(0);
        stats.increment(0, ServerStats.CMD_GET);
        assertEquals(1, stats.sinceReset(ServerStats.CMD_GET));
        assertEquals(4L, file().get("cmd_get"));

        stats.connectionClosed(1);
        assertEquals(0L, file().get("curr_connections"), "a gauge may go down");
    }
}
