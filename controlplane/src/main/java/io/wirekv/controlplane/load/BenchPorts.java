package io.wirekv.controlplane.load;

import io.wirekv.dataplane.port.PacketPort;

/**
 * The packet ports a bench run's UDP workers send and receive through, one per generator thread, and
 * the link address requests go to.
 * <p>
 * <b>Ownership and threading.</b> The run opens this once, before the first trial, on its own thread,
 * and closes it after the last one. In each trial, worker thread {@code i} calls {@link #acquire(int)}
 * first and {@link #release(PacketPort)} last, on its own thread; between them only that thread uses
 * the port. Trials run one after the other, so a port is never used by two threads at once, and the
 * worker threads' start and join order each use after the previous one.
 */
sealed interface BenchPorts extends AutoCloseable permits KernelBenchPorts, BypassBenchPorts
{
    /**
     * @param thread the worker's index, 0..threads-1.
     * @return the port the worker uses for this trial, attached to the calling thread.
     */
    PacketPort acquire(int thread);

    /** Detaches (bypass) or closes (kernel) a port from {@link #acquire(int)}, on the same thread. */
    void release(PacketPort port);

    /**
     * @return the target's link address for {@link io.wirekv.dataplane.port.DatagramBatch#add(
     * java.lang.foreign.MemorySegment, long, int, int, int, long)} ({@link io.wirekv.dataplane.net.PeerLink});
     * 0 on the kernel backend, which resolves neighbours itself.
     */
    long targetLink();

    /**
     * @return true when every thread's port sends from the same address and UDP port (bypass: one device,
     * a queue per thread), so replies are told apart only by their request id and the workers split the
     * 16-bit id space between them ({@link BenchUdpWorker}); false when each thread has its own socket.
     */
    boolean sharedSource();

    /** One line for the report, e.g. the device, addresses and the target's MAC. */
    String describe();

    @Override
    void close();
}
