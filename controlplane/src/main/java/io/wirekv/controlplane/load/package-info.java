/**
 * The built-in load generator, the one tool that measures wirekv and memcached alike.
 *
 * <p>{@link io.wirekv.controlplane.load.Bench} backs {@code wirekv bench}, and {@code wirekv demo} is a
 * preset of it (UDP and TCP threads in one mixed trial, {@link io.wirekv.controlplane.load.BenchSpec#tcpSide}): one
 * {@link io.wirekv.controlplane.load.BenchUdpWorker} (UDP over any
 * {@link io.wirekv.dataplane.port.PacketPort}: kernel sockets with {@code sendmmsg}/{@code recvmmsg}
 * bursts, or AF_XDP / DPDK packet buffers through {@link io.wirekv.dataplane.port.BypassPort}, chosen by
 * {@link io.wirekv.controlplane.load.BenchBackend}) or {@link io.wirekv.controlplane.load.BenchTcpWorker}
 * (non-blocking TCP) per generator thread, open loop on a fixed grid of intended send times or closed loop, text or meta commands,
 * with sampled value checks ({@link io.wirekv.controlplane.load.BenchValues}), a rate search
 * ({@link io.wirekv.controlplane.load.BenchPlan}) and JSON/SVG reports
 * ({@link io.wirekv.controlplane.load.BenchReport}, {@link io.wirekv.controlplane.load.BenchChart}).
 *
 * <p>A trial ({@link io.wirekv.controlplane.load.BenchTrialRunner}) can sample a server process's CPU time
 * ({@link io.wirekv.controlplane.load.ServerCpuSampler}, {@code --server-pid}) and may follow an unmeasured
 * run of the same load ({@code --warmup}).
 *
 * <p>Threading rule: a worker owns its buffers and request tables outright and allocates
 * nothing per request after it has opened its socket ({@code BenchAllocationTest}); the only state
 * it shares is its stats object (LongAdders and a multi-writer HdrHistogram Recorder), read by the
 * reporting thread once a second. Workers stop at a deadline or request limit, then wait at most one
 * timeout for outstanding replies, so every request sent ends as exactly one outcome: received or lost
 * ({@code sent == received + lost}; with {@code --no-replies} nothing is tracked and nothing lost).
 *
 * <p>Ports (bench): the run opens its {@code BenchPorts} once on its own thread (bypass devices,
 * ARP), each trial's worker {@code i} acquires port {@code i} on its thread and releases it on the same
 * thread before it ends; trials run one after another, so no port is ever used by two threads at once.
 * On a bypass backend all ports share one source address and port (a device queue per thread), so the
 * threads split the 16-bit request-id space into disjoint slices and a reply with another thread's id
 * is counted misrouted ({@code BenchUdpWorker}, {@code Bench#misrouting}).
 */
package io.wirekv.controlplane.load;
