/**
 * Housekeeping: the low-rate thread that publishes the running server in its CnC file (counters copied
 * from the server's own counters once per period, heartbeat, error log) and executes admin commands from
 * the file's command ring. Threading rule: only the housekeeping thread writes counter values, the
 * heartbeat and responses; lcores never touch the CnC file, so the hot path is unchanged.
 */
package io.wirekv.dataplane.housekeeping;
