/**
 * The control plane's side of the CnC file: {@link io.wirekv.controlplane.cnc.CncReader} maps an instance's
 * file without any help from the appliance (so it works while the dataplane is stuck), snapshots its
 * counters, reads its error log and, opened writable, sends admin commands
 * ({@link io.wirekv.controlplane.cnc.AdminClient}). {@link io.wirekv.controlplane.cnc.MetricsServer} serves
 * the same counters to Prometheus under the names {@link io.wirekv.controlplane.cnc.PrometheusNames} gives
 * them, with the server process's JVM metrics and the reader threads' latency histograms (opaque reads of
 * words each agent writes alone; see io.wirekv.dataplane.latency). Every reader maps the file itself; none
 * shares state with another.
 */
package io.wirekv.controlplane.cnc;
