package io.wirekv.dataplane.server;

import io.wirekv.dataplane.lcore.Affinity;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/** What the server checks before any thread starts: the lcores' CPUs, and that its port is its own. */
final class StartupChecks
{
    private StartupChecks()
    {
    }

    /**
     * An lcore pins itself when its thread starts; a CPU outside this process's allowed set (taskset,
     * a cgroup cpuset) would only fail then, on the lcore's thread. Refuse before any thread starts.
     */
    static void ensureCpusAllowed(final List<Integer> cpus)
    {
        if (cpus.isEmpty())
        {
            return;
        }
        final java.util.BitSet allowed = Affinity.allowedCpus();
        for (final int cpu : cpus)
        {
            if (!allowed.get(cpu))
            {
                throw new IllegalArgumentException("cpus: CPU " + cpu + " is not allowed for this process (allowed: " +
                    Affinity.format(allowed) + ", online: " + Affinity.onlineCpus() +
                    "); choose lcore CPUs from the allowed set, or widen it (taskset, the cgroup cpuset)");
            }
        }
    }

    /**
     * SO_REUSEPORT lets this server's lcores and TCP threads share the port, and would as quietly let a
     * second server share it, each getting part of the clients. So first bind the port with sockets that
     * do not share: if that fails, somebody else holds it (as memcached, refuse to start).
     */
    static int nobodyHolds(final String address, final int port) throws IOException
    {
        final InetSocketAddress endpoint = new InetSocketAddress(address, port);
        try (DatagramSocket udp = new DatagramSocket(null); ServerSocket tcp = new ServerSocket())
        {
            udp.bind(endpoint);
            tcp.setReuseAddress(true); // connections in TIME_WAIT do not count, as for the real socket
            tcp.bind(endpoint);
        }
        return port;
    }

    /**
     * Port 0 asks for any free port; UDP and TCP share the number (as memcached's -p/-U), so find one that
     * is free for both: an ephemeral UDP port may well be some TCP connection's local port.
     */
    static int freePortForUdpAndTcp(final String address) throws IOException
    {
        IOException last = null;
        for (int attempt = 0; attempt < 32; attempt++)
        {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getByName(address));
                DatagramSocket udp = new DatagramSocket(null))
            {
                udp.bind(new InetSocketAddress(address, tcp.getLocalPort()));
                return tcp.getLocalPort();
            }
            catch (final IOException ex)
            {
                last = ex;
            }
        }
        throw last;
    }
}
