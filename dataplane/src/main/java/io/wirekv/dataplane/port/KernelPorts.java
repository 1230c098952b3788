package io.wirekv.dataplane.port;

import io.wirekv.dataplane.cnc.CounterRegistry;

/**
 * The kernel backend: each lcore gets its own UDP socket on the same address and port
 * ({@code SO_REUSEPORT}); the kernel spreads datagrams over them and does ARP, IP and checksums.
 *
 * @param address the IPv4 address to bind.
 * @param port    the UDP port (already chosen when the configuration said 0).
 */
public record KernelPorts(String address, int port) implements PortSet
{
    @Override
    public PacketPort openPort(final int lcore, final CounterRegistry counters)
    {
        return new KernelPort(address, port, KernelPort.DEFAULT_SOCKET_BUFFER_BYTES, new PortCounters(counters, lcore));
    }

    @Override
    public String describe()
    {
        return "kernel udp " + address + ":" + port + " (recvmmsg/sendmmsg, SO_REUSEPORT per lcore)";
    }

    @Override
    public void close()
    {
        // nothing shared
    }
}
