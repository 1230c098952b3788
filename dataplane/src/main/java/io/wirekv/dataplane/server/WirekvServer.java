package io.wirekv.dataplane.server;

import org.agrona.concurrent.EpochClock;

import java.io.PrintStream;

/**
 * One running appliance: table, writer threads, UDP lcores and TCP threads, started from a
 * validated {@link ServerConfig}. {@link #close()} stops every thread and frees all memory.
 */
public final class WirekvServer implements AutoCloseable
{
    /**
     * Starts every thread and returns once UDP and TCP are accepting requests. Prints the
     * concluded configuration and what was found (lcores, cpus, memory) to {@code log}.
     */
    public static WirekvServer start(final ServerConfig config, final EpochClock clock, final PrintStream log)
    {
        throw new UnsupportedOperationException("server: not yet implemented");
    }

    /** The bound UDP port (differs from config.port() when that was 0). */
    public int udpPort()
    {
        throw new UnsupportedOperationException("server: not yet implemented");
    }

    /** The bound TCP port, or -1 when TCP is disabled. */
    public int tcpPort()
    {
        throw new UnsupportedOperationException("server: not yet implemented");
    }

    /** Blocks until {@link #close()} is called from another thread (or a shutdown hook). */
    public void awaitShutdown() throws InterruptedException
    {
        throw new UnsupportedOperationException("server: not yet implemented");
    }

    @Override
    public void close()
    {
        throw new UnsupportedOperationException("server: not yet implemented");
    }
}
