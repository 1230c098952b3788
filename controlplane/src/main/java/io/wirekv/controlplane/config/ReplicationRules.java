package io.wirekv.controlplane.config;

import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.replication.ReplicationSettings;

/**
 * The replication keys' rules, beside {@link PersistenceRules}: replication.role, replication.mode,
 * replication.listen, replication.peer, replication.sync.timeout and how they go with persistence. The stream is the
 * partition logs, so a primary or backup needs persistence async or sync and data.dir.
 */
final class ReplicationRules
{
    static final long MAX_SYNC_TIMEOUT_MS = 60_000;

    private ReplicationRules()
    {
    }

    static ReplicationSettings conclude(final ConfigValidator v, final PersistenceSettings persistence)
    {
        final ReplicationSettings.Role role = v.choice(ConfigKey.REPLICATION_ROLE, ReplicationSettings.Role.class,
            "none, primary or backup");
        final ReplicationSettings.Mode mode = v.choice(ConfigKey.REPLICATION_MODE, ReplicationSettings.Mode.class,
            "async or sync");
        final ReplicationSettings.HostPort listen = address(v, ConfigKey.REPLICATION_LISTEN);
        final ReplicationSettings.HostPort peer = address(v, ConfigKey.REPLICATION_PEER);
        final long timeoutMs = Durations.parseMillis(v.value(ConfigKey.REPLICATION_SYNC_TIMEOUT));
        if (timeoutMs < 1 || timeoutMs > MAX_SYNC_TIMEOUT_MS)
        {
            v.fail(ConfigKey.REPLICATION_SYNC_TIMEOUT, "must be a duration from 1ms to 60s, e.g. 1s or 200ms");
        }
        if (null != role && role != ReplicationSettings.Role.NONE)
        {
            if (!persistence.enabled())
            {
                v.fail(ConfigKey.REPLICATION_ROLE, "needs persistence async or sync and a data.dir (the stream is the " +
                    "partition logs): set persistence / --persistence and data.dir / --data-dir, or replication.role = none");
            }
            if (role == ReplicationSettings.Role.BACKUP && null == listen)
            {
                v.fail(ConfigKey.REPLICATION_LISTEN, "is required for a backup: the host:port it accepts the " +
                    "primary's stream on, e.g. --replication-listen 127.0.0.1:11311");
            }
            if (role == ReplicationSettings.Role.PRIMARY && null == peer)
            {
                v.fail(ConfigKey.REPLICATION_PEER, "is required for a primary: the backup's replication.listen " +
                    "host:port, e.g. --replication-peer 127.0.0.1:11311");
            }
            if (null != listen && null != peer && listen.equals(peer))
            {
                v.fail(ConfigKey.REPLICATION_PEER, "is this node's own replication.listen; point it at the backup");
            }
        }
        return new ReplicationSettings(null == role ? ReplicationSettings.Role.NONE : role,
            null == mode ? ReplicationSettings.Mode.ASYNC : mode, listen, peer, Math.max(1, timeoutMs));
    }

    private static ReplicationSettings.HostPort address(final ConfigValidator v, final ConfigKey key)
    {
        final String text = v.value(key).trim();
        if (text.isEmpty())
        {
            return null;
        }
        final ReplicationSettings.HostPort address = ReplicationSettings.HostPort.parse(text);
        if (null == address)
        {
            v.fail(key, "must be host:port with a port from 1 to 65535, e.g. 127.0.0.1:11311");
        }
        return address;
    }
}
