package io.wirekv.dataplane.housekeeping;

import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.table.TableCounters;

import java.util.function.IntToLongFunction;

/**
 * Where the CnC counters come from: the existing counters of the running server, each readable from
 * any thread (opaque loads). Indexed by lcore where they are per lcore.
 *
 * @param ports       each lcore's packet port (its {@link io.wirekv.dataplane.port.PortCounters}).
 * @param net         each lcore's L2/L3 stack counters; an entry is null on the kernel backend.
 * @param malformed   frames lcore i dropped as not being single-datagram requests.
 * @param stats       memcached's {@code stats} counters, summed over threads.
 * @param table       the table's counters.
 * @param startMs     when the server started, epoch ms.
 */
public record CncSources(
    PacketPort[] ports, NetCounters[] net, IntToLongFunction malformed, ServerStats stats, TableCounters table,
    long startMs)
{
    public int lcores()
    {
        return ports.length;
    }
}
