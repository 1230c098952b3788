/**
 * DPDK 22.11 through FFM (Debian packages {@code dpdk} and {@code libdpdk-dev}): the EAL ({@link
 * io.wirekv.nativebindings.dpdk.Eal}, raw {@link io.wirekv.nativebindings.dpdk.RteEal}), ethdev (raw
 * {@link io.wirekv.nativebindings.dpdk.RteEthdev}), mempool and mbuf (raw
 * {@link io.wirekv.nativebindings.dpdk.RteMbuf}, fields through {@link io.wirekv.nativebindings.dpdk.MbufDescriptor}),
 * and a minimal owner of one started port with its pool ({@link io.wirekv.nativebindings.dpdk.DpdkEthPort}).
 * <p>
 * <b>The shim.</b> DPDK's per-packet calls ({@code rte_eth_rx_burst}, {@code rte_eth_tx_burst},
 * {@code rte_pktmbuf_alloc}/{@code free}), {@code rte_errno} and {@code rte_lcore_id()} are {@code static inline}
 * or thread-local in the headers, so {@code src/main/c/wirekv_dpdk_shim.c} exports them as
 * {@code wirekv_*} functions; the Maven build compiles it with gcc and {@code pkg-config libdpdk}
 * ({@code src/main/c/build-shim.sh}, skipped with a warning when DPDK is missing) and
 * {@link io.wirekv.nativebindings.dpdk.DpdkShim} loads it. All other DPDK symbols are resolved through the
 * shim's own dependencies. The shim also exports the {@code sizeof}/{@code offsetof} values behind
 * {@link io.wirekv.nativebindings.dpdk.MbufDescriptor} and {@link io.wirekv.nativebindings.dpdk.EthdevDescriptor},
 * which {@link io.wirekv.nativebindings.dpdk.DpdkLayout#verify()} checks at start-up.
 * <p>
 * <b>Threading rules.</b> The EAL is initialised once per process, on its own thread (see {@link
 * io.wirekv.nativebindings.dpdk.Eal}). Every thread that touches mbufs registers itself first
 * ({@link io.wirekv.nativebindings.dpdk.Eal#registerThread()}). Each RX/TX queue is polled by exactly one
 * thread; an mbuf is owned by one thread at a time: the receiver after an RX burst, the driver after it
 * accepted it in a TX burst, the caller for the ones a TX burst did not take.
 * <p>
 * <b>Errors.</b> DPDK reports through return codes and {@code rte_errno}, not {@code errno}: setup wrappers
 * throw {@link io.wirekv.nativebindings.NativeException} with DPDK's text and the fix; the per-packet calls
 * never throw or allocate.
 */
package io.wirekv.nativebindings.dpdk;
