package io.wirekv.dataplane.tcp;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The appliance-wide TCP connection limit (memcached's {@code -c}), shared by every {@link TcpAgent}:
 * SO_REUSEPORT spreads connections over the TCP threads by hash, so a per-thread share would refuse
 * clients while another thread has room. Taken on accept and given back on close (not the request
 * path); lock-free.
 */
public final class ConnectionLimit
{
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();

    /**
     * @param maxConnections most connections open at once, at least 1.
     */
    public ConnectionLimit(final int maxConnections)
    {
        if (maxConnections < 1)
        {
            throw new IllegalArgumentException("max.connections must be at least 1, was " + maxConnections);
        }
        this.maxConnections = maxConnections;
    }

    public int maxConnections()
    {
        return maxConnections;
    }

    /** Connections open now (every TCP thread). */
    public int open()
    {
        return open.get();
    }

    /** @return true when one more connection may open (and it is now counted); false at the limit. */
    boolean tryAcquire()
    {
        while (true)
        {
            final int current = open.get();
            if (current >= maxConnections)
            {
                return false;
            }
            if (open.compareAndSet(current, current + 1)) // volatile CAS; pairs with decrementAndGet in release
            {
                return true;
            }
        }
    }

    void release()
    {
        open.decrementAndGet(); // volatile; pairs with the CAS in tryAcquire
    }
}
