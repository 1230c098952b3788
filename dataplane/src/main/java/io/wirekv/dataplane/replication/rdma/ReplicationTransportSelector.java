package io.wirekv.dataplane.replication.rdma;

import io.wirekv.nativebindings.verbs.RdmaDevices;
import io.wirekv.nativebindings.verbs.RdmaDiscovery;

import java.util.function.Supplier;

/**
 * Chooses the replication transport from the {@code replication.transport} setting and what RDMA discovery finds.
 * Call once at start-up, before the replication thread starts, and print {@link TransportChoice#reportLine()}:
 * <pre>
 *   TransportChoice choice = ReplicationTransportSelector.select(transport);  // throws for rdma without a device
 *   out.println(choice.reportLine());
 * </pre>
 * <ul>
 *   <li>{@code tcp}: TCP; discovery is not run (no libibverbs call at all).</li>
 *   <li>{@code auto}: RDMA when a device has an ACTIVE port, else TCP with the reason.</li>
 *   <li>{@code rdma}: RDMA, or {@link IllegalStateException} naming the key and the fix.</li>
 * </ul>
 */
public final class ReplicationTransportSelector
{
    private ReplicationTransportSelector()
    {
    }

    /**
     * Chooses with the host's real RDMA discovery ({@link RdmaDevices#discover()}).
     *
     * @param requested the {@code replication.transport} setting.
     * @return the choice and its one-line reason.
     * @throws IllegalStateException for {@code rdma} when the host has no usable RDMA device; the message names the
     *                               key and the fix.
     */
    public static TransportChoice select(final ReplicationTransport requested)
    {
        return select(requested, RdmaDevices::discover);
    }

    /**
     * Chooses with a given discovery (the one above passes the host's).
     *
     * @param discovery run only when the setting is not {@code tcp}.
     */
    public static TransportChoice select(final ReplicationTransport requested, final Supplier<RdmaDiscovery> discovery)
    {
        if (requested == ReplicationTransport.TCP)
        {
            return new TransportChoice(TransportChoice.Kind.TCP, requested, "as configured", null, null);
        }
        final RdmaDiscovery found = discovery.get();
        String unusable = null;
        if (found instanceof RdmaDiscovery.Devices devices)
        {
            final RdmaDiscovery.RdmaDevice device = devices.firstActive();
            if (device != null)
            {
                final RdmaDiscovery.Port port = device.firstActivePort();
                return new TransportChoice(TransportChoice.Kind.RDMA, requested, "RDMA device " + device.name() +
                    " port " + port.number() + " ACTIVE", device, port);
            }
            unusable = "no RDMA device with an ACTIVE port: " + found.summary();
        }
        else
        {
            unusable = found.summary();
        }
        if (requested == ReplicationTransport.RDMA)
        {
            throw new IllegalStateException(ReplicationTransport.KEY + " = rdma: " + unusable +
                "; set replication.transport=tcp or auto");
        }
        return new TransportChoice(TransportChoice.Kind.TCP, requested, unusable, null, null);
    }
}
