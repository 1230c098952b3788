/**
 * Packet I/O ports: one {@link io.wirekv.dataplane.port.PacketPort} per lcore and queue, chosen at
 * start-up ({@code kernel} now; {@code dpdk} and {@code xdp} in the kernel-bypass issue).
 * <p>
 * <b>Threading rule.</b> A port and its {@link io.wirekv.dataplane.port.DatagramBatch}es belong to
 * one lcore thread: only that thread calls receive/send and touches the batches. Other threads only
 * read {@link io.wirekv.dataplane.port.PortCounters} (opaque loads paired with the lcore's opaque
 * stores) and close the port after the lcore has stopped.
 * <p>
 * <b>Buffer ownership.</b> Receive buffers belong to the lcore (it points the rx slots at them);
 * after {@code send} returns, every datagram given to it has been sent or counted as dropped, so the
 * lcore may reuse those buffers at once.
 */
package io.wirekv.dataplane.port;
