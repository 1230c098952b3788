/**
 * Server-side request latency: fixed-bucket histograms that a reader thread (an lcore or a TCP
 * thread) records into without allocating, and that the metrics exporter reads from another thread.
 * <p>
 * Threading rule: each {@link io.wirekv.dataplane.latency.LatencyHistogram} has exactly one writer,
 * the agent that owns it, which stores every word with an opaque store after a plain load of its own
 * last value; any other thread reads with opaque loads. Each word is therefore never torn, but the
 * words of one histogram are not a consistent cut: the exporter derives the count from the buckets
 * it read, so buckets and count always agree, and the sum may lag or lead them by a few requests.
 */
package io.wirekv.dataplane.latency;
