package io.wirekv.controlplane.load;

import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.port.DatagramBatch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Resolves the target's MAC through a bypass port that sees ARP itself ({@code dpdk}): broadcasts an
 * ARP request every {@link #RESEND_NS} and polls every port until one's stack has learned the address
 * (from the reply, or from any frame the target sent us), or the timeout passes. Setup time only, on
 * the thread that owns the ports (which it attaches for the duration).
 */
final class ArpResolver
{
    static final long RESEND_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int SLOT_BYTES = 2048;

    private ArpResolver()
    {
    }

    /**
     * @return the target's link address ({@link io.wirekv.dataplane.net.PeerLink}), or -1 when no reply
     * came within the timeout.
     */
    static long resolve(final BypassPort[] ports, final int targetIpv4, final long timeoutNs)
    {
        for (final BypassPort p : ports)
        {
            p.attachThread();
        }
        try (Arena arena = Arena.ofConfined(); DatagramBatch rx = new DatagramBatch(32))
        {
            final MemorySegment buffers = arena.allocate((long)SLOT_BYTES * rx.capacity(), 64);
            for (int i = 0; i < rx.capacity(); i++)
            {
                rx.setBuffer(i, buffers, (long)i * SLOT_BYTES, SLOT_BYTES);
            }
            final long deadline = System.nanoTime() + timeoutNs;
            long nextSend = System.nanoTime();
            while (true)
            {
                final long now = System.nanoTime();
                if (now - nextSend >= 0)
                {
                    ports[0].sendArpRequest(targetIpv4);
                    nextSend = now + RESEND_NS;
                }
                for (final BypassPort p : ports)
                {
                    p.receive(rx); // datagrams that come meanwhile are stale replies: dropped
                    final long link = p.neighbourLink(targetIpv4);
                    if (link >= 0)
                    {
                        return link;
                    }
                }
                if (now - deadline >= 0)
                {
                    return -1;
                }
                Thread.onSpinWait();
            }
        }
        finally
        {
            for (final BypassPort p : ports)
            {
                p.detachThread();
            }
        }
    }
}
