/**
 * AF_XDP through libxdp 1.3 and libbpf 1.1 (Debian packages {@code libxdp1}, {@code libbpf1}; headers in
 * {@code libxdp-dev}, {@code libbpf-dev}): raw bindings ({@link io.wirekv.nativebindings.xdp.LibXdp},
 * {@link io.wirekv.nativebindings.xdp.LibBpf}, {@link io.wirekv.nativebindings.xdp.XskSyscalls}), owners of
 * the native objects ({@link io.wirekv.nativebindings.xdp.XskUmem}, {@link io.wirekv.nativebindings.xdp.XskSocket},
 * {@link io.wirekv.nativebindings.xdp.XdpProgramAttachment}), and the four rings driven from Java
 * ({@link io.wirekv.nativebindings.xdp.XskProducerRing}: fill and TX; {@link io.wirekv.nativebindings.xdp.XskConsumerRing}:
 * completion and RX).
 * <p>
 * <b>Why the rings are Java.</b> libxdp's ring helpers ({@code xsk_ring_prod__reserve}, {@code __submit},
 * {@code xsk_ring_cons__peek}, {@code __release}, {@code __needs_wakeup}) are {@code static inline} in
 * {@code <xdp/xsk.h>}: there is nothing to call. wirekv lets libxdp fill in its {@code struct xsk_ring_*} at
 * creation, reads the mmapped producer/consumer/flags/descriptor pointers out of it ({@link
 * io.wirekv.nativebindings.xdp.XskDescriptor}; checked against the kernel's {@code XDP_MMAP_OFFSETS} at start-up
 * and against the headers by a test), and from then on touches only those words, with libxdp's vocabulary and
 * cached-index scheme. No downcall per packet; a wakeup syscall per burst only when {@code needs_wakeup} asks.
 * <p>
 * <b>Memory ordering</b> (pairs with the kernel's net/xdp/xsk_queue.h): producer side writes entries plainly
 * then the producer word with release; it reads the consumer word with acquire. Consumer side reads the producer
 * word with acquire, then the entries plainly, then writes the consumer word with release.
 * <p>
 * <b>The XDP program.</b> {@code src/main/bpf/wirekv_xdp.c}, built by the Maven build with clang
 * ({@code build-bpf.sh}, skipped with a warning when clang is missing) into the jar as
 * {@code native/bpf/wirekv_xdp.o}; {@link io.wirekv.nativebindings.xdp.XdpObjectFile} finds it and
 * {@link io.wirekv.nativebindings.xdp.XdpProgramAttachment} loads it with libxdp's {@code xdp_program} API.
 * <p>
 * <b>Threading rules.</b> One lcore owns a socket's four rings and its wakeups; setup objects are created and
 * closed outside the hot loop; statistics may be read from any thread. Close order: sockets, then their UMEM,
 * then the UMEM's memory; the program attachment after every socket of its interface.
 */
package io.wirekv.nativebindings.xdp;
