package io.wirekv.dataplane.port;

/**
 * A datagram port driven by one lcore thread: receive a burst, send a burst. Backends differ in how
 * packets reach memory (kernel UDP socket, DPDK ethdev queue, AF_XDP socket) but the lcore sees the
 * same {@link DatagramBatch}es, and no backend creates Java objects per packet.
 * <p>
 * <b>Threading.</b> {@link #receive} and {@link #send} are called from one thread only (the lcore
 * that owns the port's queue); {@link #counters()} may be read from any thread. {@link #close()} is
 * called once the lcore has stopped.
 * <p>
 * <b>Errors.</b> Neither {@code receive} nor {@code send} throws or allocates: transient conditions
 * (nothing to receive, interrupted, send buffer full) are handled inside, failures are counted in
 * {@link #counters()}.
 */
public sealed interface PacketPort extends AutoCloseable permits KernelPort, BypassPort
{
    /**
     * Receives up to {@code rx.receiveLimit()} (by default {@code rx.capacity()}) datagrams into the slots' buffers (see {@link DatagramBatch}).
     *
     * @param rx the receive batch; its count is set to the result.
     * @return datagrams received ({@code 0} when none was waiting), or {@code -errno} for an unexpected
     * error (counted in {@link PortCounters#RX_ERRORS}; the batch is then empty).
     */
    int receive(DatagramBatch rx);

    /**
     * Sends the batch's datagrams and empties it. Every datagram is either sent or counted as
     * {@link PortCounters#TX_DROPPED}; the call never retries without bound.
     *
     * @param tx the send batch.
     * @return datagrams sent.
     */
    int send(DatagramBatch tx);

    /**
     * Called on the lcore thread once, before the first receive (after pinning).
     */
    default void attachThread()
    {
    }

    /**
     * Called on the lcore thread once, after the last send, before {@link #close()}.
     */
    default void detachThread()
    {
    }

    /**
     * @return the local UDP port (useful when bound to port 0).
     */
    int localPort();

    /**
     * @return this port's counters.
     */
    PortCounters counters();

    /**
     * @return a one-line description for the start-up report, e.g. {@code "kernel udp 127.0.0.1:11211 fd=12 rcvbuf=8388608"}.
     */
    String describe();

    /**
     * Releases the port's native resources.
     */
    @Override
    void close();
}
