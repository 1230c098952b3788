/**
 * The built-in load generator behind {@code wirekv demo} (and benchmark scripts): closed-loop
 * UDP workers that keep several requests in flight per thread, told apart by memcached's UDP
 * request id, and pipelined TCP workers, each on its own platform thread with its own socket.
 *
 * <p>Threading rule: a worker owns its buffers and request-id tables outright; the only state
 * it shares is its protocol's {@link io.wirekv.controlplane.load.LoadStats} (LongAdders and a
 * multi-writer HdrHistogram Recorder), read by the reporting thread once a second. Workers
 * stop at a deadline, then wait at most one timeout for outstanding replies, so every request
 * sent ends as exactly one of ok, error or timeout.
 */
package io.wirekv.controlplane.load;
