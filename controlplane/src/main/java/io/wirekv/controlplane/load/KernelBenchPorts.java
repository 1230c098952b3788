package io.wirekv.controlplane.load;

import io.wirekv.dataplane.port.KernelPort;
import io.wirekv.dataplane.port.PacketPort;

/**
 * The {@code kernel} backend: each worker opens its own UDP socket ({@link KernelPort} on an ephemeral
 * port) for a trial and closes it at the end, so a late reply of one trial never reaches the next.
 */
final class KernelBenchPorts implements BenchPorts
{
    @Override
    public PacketPort acquire(final int thread)
    {
        return new KernelPort("0.0.0.0", 0);
    }

    @Override
    public void release(final PacketPort port)
    {
        port.close();
    }

    @Override
    public boolean sharedSource()
    {
        return false;
    }

    @Override
    public long targetLink()
    {
        return 0;
    }

    @Override
    public String describe()
    {
        return "kernel udp sockets (sendmmsg/recvmmsg), one per thread";
    }

    @Override
    public void close()
    {
    }
}
