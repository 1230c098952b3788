package io.wirekv.dataplane.housekeeping;

import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.table.TableCounters;

import java.util.function.IntToLongFunction;

/**
 * What the housekeeping thread reads from the running server: the port counters and malformed frames of
 * each lcore (to record new errors in the error log), and the table's counters (to compute the grace-period
 * gauges it publishes; the table's counters themselves are registry slots). Every value is readable from any
 * thread (opaque loads). Indexed by lcore where they are per lcore.
 *
 * @param ports       each lcore's packet port (its {@link io.wirekv.dataplane.port.PortCounters}).
 * @param malformed   frames lcore i dropped as not being single-datagram requests.
 * @param table       the table's counters.
 * @param startMs     when the server started, epoch ms.
 * @param notAllowed  datagrams lcore i dropped as from sources outside {@code udp.allow}.
 * @param capped      replies lcore i capped as over an unvalidated source's budget or dropped as over its rate.
 */
public record CncSources(
    PacketPort[] ports, IntToLongFunction malformed, TableCounters table, long startMs, IntToLongFunction notAllowed,
    IntToLongFunction capped)
{
    /** Sources without the amplification guard's counters (they read as 0). */
    public CncSources(final PacketPort[] ports, final IntToLongFunction malformed, final TableCounters table, final long startMs)
    {
        this(ports, malformed, table, startMs, i -> 0, i -> 0);
    }

    public int lcores()
    {
        return ports.length;
    }
}
