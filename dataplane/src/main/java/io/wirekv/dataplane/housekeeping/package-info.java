/**
 * Housekeeping: the low-rate thread that keeps the running server's CnC file current (the gauges computed
 * from a clock once per period: the uptime, the table's grace-period age and stalled readers; heartbeat, error
 * log) and executes admin commands from the file's command ring. Threading rule: every counter is a slot of the file's
 * {@link io.wirekv.dataplane.cnc.CounterRegistry} written by the thread that counts (opaque stores, one
 * writer per slot); the housekeeping thread writes only its own block, the heartbeat and responses, and
 * copies no counter.
 */
package io.wirekv.dataplane.housekeeping;
