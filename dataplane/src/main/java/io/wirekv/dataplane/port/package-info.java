/**
 * Packet I/O ports: one {@link io.wirekv.dataplane.port.PacketPort} per lcore and queue, opened at
 * start-up by the backend's {@link io.wirekv.dataplane.port.PortSet}:
 * <pre>
 *   kernel  KernelPorts -> KernelPort (a UDP socket each, SO_REUSEPORT)
 *   dpdk    DpdkPorts   -> BypassPort -> DpdkFrameQueue (an ethdev queue; mbufs)
 *   xdp     XdpPorts    -> BypassPort -> XskFrameQueue  (an AF_XDP socket; UMEM frames)
 * </pre>
 * The lcore sees datagram batches on every backend; {@link io.wirekv.dataplane.port.BypassPort} turns
 * a {@link io.wirekv.dataplane.port.FrameQueue}'s raw frames into them with the
 * {@link io.wirekv.dataplane.net.NetStack}.
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
