package io.wirekv.controlplane.config;

import io.wirekv.dataplane.replication.rdma.ReplicationTransport;
import io.wirekv.dataplane.server.ServerConfig;

import java.util.Map;

/**
 * A validated {@link ServerConfig} together with where each value came from (default, file
 * line, flag), for the start-up report, and the values of the control-plane keys (metrics,
 * replication transport) that ServerConfig does not hold.
 */
public record ConcludedConfig(ServerConfig config, Map<ConfigKey, String> origins, Map<ConfigKey, String> controlValues)
{
    public ConcludedConfig(final ServerConfig config, final Map<ConfigKey, String> origins)
    {
        this(config, origins, Map.of());
    }

    /** The concluded value of any key, as the file would write it. */
    public String value(final ConfigKey key)
    {
        return key.isControlPlane() ? controlValues.getOrDefault(key, key.defaultValue()) : key.valueIn(config);
    }

    /** The Prometheus exporter's port; 0 = disabled. */
    public int metricsPort()
    {
        return Integer.parseInt(value(ConfigKey.METRICS_PORT));
    }

    public String metricsListen()
    {
        return value(ConfigKey.METRICS_LISTEN);
    }

    /**
     * The {@code replication.transport} setting; pass it to
     * {@link io.wirekv.dataplane.replication.rdma.ReplicationTransportSelector#select} when replication starts.
     */
    public ReplicationTransport replicationTransport()
    {
        return ReplicationTransport.valueOf(value(ConfigKey.REPLICATION_TRANSPORT).toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * The report printed at start-up, one key per line:
     * <pre>
     *   partitions      = 16            (wirekv.conf line 7)
     * </pre>
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder("configuration:").append(System.lineSeparator());
        for (final ConfigKey key : ConfigKey.values())
        {
            final String value = value(key);
            sb.append(String.format("  %-16s = %-16s (%s)%n", key.key(), value.isEmpty() ? "\"\"" : value,
                origins.getOrDefault(key, Setting.DEFAULT_ORIGIN)));
        }
        return sb.toString();
    }
}
