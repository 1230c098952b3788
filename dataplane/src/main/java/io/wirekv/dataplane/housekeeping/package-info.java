/**
 * Housekeeping: the low-rate thread that keeps the running server's CnC file current (the table's
 * gauges and counters and the uptime once per period, heartbeat, error log) and executes admin commands
 * from the file's command ring. Threading rule: every other counter is a slot of the file's
 * {@link io.wirekv.dataplane.cnc.CounterRegistry} written by the thread that counts (opaque stores, one
 * writer per slot); the housekeeping thread writes only its own block, the heartbeat and responses, and
 * copies no counter.
 */
package io.wirekv.dataplane.housekeeping;
