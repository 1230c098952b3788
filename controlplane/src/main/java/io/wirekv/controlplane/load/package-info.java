/**
 * The built-in load generators.
 *
 * <p>{@link io.wirekv.controlplane.load.LoadGenerator} backs {@code wirekv demo}: closed-loop UDP
 * workers that keep several requests in flight per thread, told apart by memcached's UDP request
 * id, and pipelined TCP workers, each on its own platform thread with its own socket.
 *
 * <p>{@link io.wirekv.controlplane.load.Bench} backs {@code wirekv bench}: one
 * {@link io.wirekv.controlplane.load.BenchUdpWorker} (kernel UDP, {@code sendmmsg}/{@code recvmmsg}
 * bursts) or {@link io.wirekv.controlplane.load.BenchTcpWorker} (non-blocking TCP) per generator
 * thread, open loop on a fixed grid of intended send times or closed loop, text or meta commands,
 * with sampled value checks ({@link io.wirekv.controlplane.load.BenchValues}), a rate search
 * ({@link io.wirekv.controlplane.load.BenchPlan}) and JSON/SVG reports
 * ({@link io.wirekv.controlplane.load.BenchReport}, {@link io.wirekv.controlplane.load.BenchChart}).
 *
 * <p>Threading rule (both): a worker owns its buffers and request tables outright and allocates
 * nothing per request after it has opened its socket ({@code BenchAllocationTest}); the only state
 * it shares is its stats object (LongAdders and a multi-writer HdrHistogram Recorder), read by the
 * reporting thread once a second. Workers stop at a deadline or request limit, then wait at most one
 * timeout for outstanding replies, so every request sent ends as exactly one outcome: for the demo
 * ok, error or timeout; for bench received or lost ({@code sent == received + lost}).
 */
package io.wirekv.controlplane.load;
