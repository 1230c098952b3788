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
 */
public record CncSources(PacketPort[] ports, IntToLongFunction malformed, TableCounters table, long startMs)
{
    public int lcores()
    {
        return ports.length;
    }
}
