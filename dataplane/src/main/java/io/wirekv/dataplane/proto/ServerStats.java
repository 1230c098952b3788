package io.wirekv.dataplane.proto;

/**
 * Counters behind memcached's {@code stats} (cmd_get, get_hits, curr_connections, ...). One
 * instance per server; each reader/writer thread bumps only its own padded slot, and {@code stats}
 * sums them. Start time and pid are fixed at construction.
 */
public final class ServerStats
{
    public ServerStats(final int threadSlots)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }
}
