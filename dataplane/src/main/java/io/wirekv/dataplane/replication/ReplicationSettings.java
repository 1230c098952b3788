package io.wirekv.dataplane.replication;

/**
 * How this node takes part in replication (validated by the control plane before start-up).
 *
 * @param role          none (no replication), primary (pushes its partition logs to {@code peer}) or backup (accepts
 *                      one primary's stream on {@code listen}, applies it, refuses client writes).
 * @param mode          async (a write's reply leaves without waiting for the backup) or sync (it leaves once the
 *                      backup's acknowledgement covers its record).
 * @param listen        host:port this node accepts a stream on; required for a backup, optional for a primary (a
 *                      demote then needs no restart); null when absent.
 * @param peer          host:port of the backup a primary pushes to; null when absent.
 * @param syncTimeoutMs sync mode: how long a held reply waits for a dropped backup before it is answered with
 *                      {@code SERVER_ERROR} (not acknowledged).
 * @param transport     what carries the streams ({@code replication.transport}, concluded at start-up): TCP, or RDMA
 *                      set up over TCP.
 */
public record ReplicationSettings(
    Role role, Mode mode, HostPort listen, HostPort peer, long syncTimeoutMs, ReplicationConnector transport)
{
    public static final long DEFAULT_SYNC_TIMEOUT_MS = 1000;

    public ReplicationSettings
    {
        transport = null == transport ? TcpReplicationConnector.INSTANCE : transport;
    }

    /** Settings with the streams over TCP. */
    public ReplicationSettings(
        final Role role, final Mode mode, final HostPort listen, final HostPort peer, final long syncTimeoutMs)
    {
        this(role, mode, listen, peer, syncTimeoutMs, TcpReplicationConnector.INSTANCE);
    }

    /** These settings with the streams carried by {@code connector}. */
    public ReplicationSettings withTransport(final ReplicationConnector connector)
    {
        return new ReplicationSettings(role, mode, listen, peer, syncTimeoutMs, connector);
    }

    public enum Role
    {
        NONE, PRIMARY, BACKUP
    }

    public enum Mode
    {
        ASYNC, SYNC
    }

    /** A host (name or IPv4) and a TCP port. */
    public record HostPort(String host, int port)
    {
        /** Parses {@code host:port}; null when it is not one (the validator names the key). */
        public static HostPort parse(final String text)
        {
            final String t = null == text ? "" : text.trim();
            final int colon = t.lastIndexOf(':');
            if (colon <= 0 || colon == t.length() - 1)
            {
                return null;
            }
            try
            {
                final int port = Integer.parseInt(t.substring(colon + 1));
                return port >= 1 && port <= 65535 ? new HostPort(t.substring(0, colon), port) : null;
            }
            catch (final NumberFormatException ex)
            {
                return null;
            }
        }

        @Override
        public String toString()
        {
            return host + ":" + port;
        }
    }

    /** No replication (the default). */
    public static ReplicationSettings none()
    {
        return new ReplicationSettings(Role.NONE, Mode.ASYNC, null, null, DEFAULT_SYNC_TIMEOUT_MS);
    }

    public boolean enabled()
    {
        return role != Role.NONE;
    }

    /** The start-up report's line (the epoch is added by {@link Replication#describe}). */
    public String describe()
    {
        if (!enabled())
        {
            return "none";
        }
        return role.name().toLowerCase() + ", " + mode.name().toLowerCase() +
            (null != peer ? ", peer " + peer : "") + (null != listen ? ", listen " + listen : "") +
            (mode == Mode.SYNC ? ", sync timeout " + syncTimeoutMs + " ms" : "");
    }
}
