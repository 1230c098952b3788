package io.wirekv.dataplane.replication.rdma;

import io.wirekv.nativebindings.verbs.RdmaDiscovery;

/**
 * What {@link ReplicationTransportSelector#select} concluded.
 *
 * @param kind      TCP or RDMA.
 * @param requested the {@code replication.transport} setting it was concluded from.
 * @param reason    why, in a few words, e.g. {@code "no RDMA device: ibv_get_device_list returned 0 devices"}.
 * @param device    the RDMA device to use (RDMA only), else null.
 * @param port      its ACTIVE port (RDMA only), else null.
 */
public record TransportChoice(
    Kind kind, ReplicationTransport requested, String reason, RdmaDiscovery.RdmaDevice device, RdmaDiscovery.Port port)
{
    /** The two transports. */
    public enum Kind
    {
        TCP, RDMA
    }

    /**
     * @return true when the stream goes over RDMA.
     */
    public boolean isRdma()
    {
        return kind == Kind.RDMA;
    }

    /**
     * @return the start-up report's line, e.g.
     * {@code replication transport: tcp (auto: no RDMA device: ibv_get_device_list returned 0 devices)}.
     */
    public String reportLine()
    {
        return "replication transport: " + kind.name().toLowerCase(java.util.Locale.ROOT) + " (" +
            requested.configValue() + ": " + reason + ")";
    }
}
