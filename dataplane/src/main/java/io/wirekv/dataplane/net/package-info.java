/**
 * The L2/L3 stack of the kernel-bypass backends (DPDK, AF_XDP): Ethernet, one 802.1Q tag, ARP,
 * IPv4, ICMP echo and UDP over raw frames in packet buffers, parsed and answered in place through
 * {@link java.lang.foreign.MemorySegment} with network-order accessors.
 * <p>
 * <b>Threading rule.</b> A {@link io.wirekv.dataplane.net.NetStack}, its
 * {@link io.wirekv.dataplane.net.ArpTable} and its {@link io.wirekv.dataplane.net.Ipv4Reassembler} (whose
 * buffers a reassembled payload is read from until the next frame) belong to one lcore thread. Other threads only read
 * {@link io.wirekv.dataplane.net.NetCounters} (opaque loads paired with the lcore's opaque stores).
 * <p>
 * <b>Bounds rule.</b> A frame is {@code (memory, offset, length)} with an absolute {@code long}
 * offset; nothing outside those bytes is read or written whatever they contain, so a malformed
 * frame is counted and dropped, never the cause of an exception.
 */
package io.wirekv.dataplane.net;
