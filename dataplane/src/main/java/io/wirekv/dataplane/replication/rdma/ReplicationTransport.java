package io.wirekv.dataplane.replication.rdma;

import java.util.Locale;

/**
 * The {@code replication.transport} setting: which transport carries the replication stream.
 */
public enum ReplicationTransport
{
    /** RDMA when {@code ibv_get_device_list} finds a device with an ACTIVE port, TCP otherwise (said at start-up). */
    AUTO,
    /** Always TCP; RDMA discovery is not even attempted. */
    TCP,
    /** Always RDMA; start-up stops when there is no usable device. */
    RDMA;

    /** The configuration key. */
    public static final String KEY = "replication.transport";

    /**
     * @return the value as the configuration file writes it, e.g. {@code auto}.
     */
    public String configValue()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
