package io.wirekv.dataplane.port;

import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.net.NetCounters;

/**
 * The packet ports of one appliance, one per lcore, and whatever they share: nothing for the kernel
 * backend (each lcore has its own {@code SO_REUSEPORT} socket), the EAL and the ethdev for
 * {@code dpdk}, the XDP program for {@code xdp}. Opened before any lcore starts; each lcore closes its
 * own port on its thread; {@link #close()} then releases the shared parts.
 */
public interface PortSet extends AutoCloseable
{
    /**
     * @param lcore    the lcore index, 0..lcores-1; it owns queue {@code lcore} of the device.
     * @param counters where the port's counters (and its L2/L3 stack's) are allocated: the CnC file's registry.
     * @return a new port for that lcore (called once per lcore, before the lcores start).
     * @throws java.io.UncheckedIOException or {@link RuntimeException} with the reason, at setup only.
     */
    PacketPort openPort(int lcore, CounterRegistry counters);

    /**
     * As {@link #openPort(int, CounterRegistry)}, with counters of the port's own, outside any CnC file
     * (the load generator, tests).
     */
    default PacketPort openPort(final int lcore)
    {
        return openPort(lcore, CounterRegistry.inArena(
            PortCounters.count() + NetCounters.count(), PortCounters.valuesBytes() + NetCounters.valuesBytes()));
    }

    /**
     * @return one line for the start-up report, e.g. {@code "dpdk net_memif0, 2 queues, mac 02:..., 10.0.0.1"}.
     */
    String describe();

    /**
     * Releases what the ports share; call after every port is closed.
     */
    @Override
    void close();
}
