package io.wirekv.controlplane.config;

import io.wirekv.dataplane.server.ServerConfig;

import java.util.Map;

/**
 * A validated {@link ServerConfig} together with where each value came from (default, file
 * line, flag), for the start-up report.
 */
public record ConcludedConfig(ServerConfig config, Map<ConfigKey, String> origins)
{
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
            final String value = key.valueIn(config);
            sb.append(String.format("  %-16s = %-16s (%s)%n", key.key(), value.isEmpty() ? "\"\"" : value,
                origins.getOrDefault(key, Setting.DEFAULT_ORIGIN)));
        }
        return sb.toString();
    }
}
