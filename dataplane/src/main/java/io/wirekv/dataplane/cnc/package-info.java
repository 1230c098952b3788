/**
 * The command-and-control (CnC) file: the layout ({@link io.wirekv.dataplane.cnc.CncFileDescriptor}),
 * the counter key ({@link io.wirekv.dataplane.cnc.CncCounterKey}), the admin messages
 * ({@link io.wirekv.dataplane.cnc.AdminProtocol}) and the appliance's writer side
 * ({@link io.wirekv.dataplane.cnc.CncFile}). It depends on nothing else in the dataplane, so the control
 * plane reads the file the way AeronStat reads Aeron's CnC file.
 * <p>
 * Ordering rule: the appliance stores the layout version last, with release semantics; a reader loads it
 * with acquire semantics before anything else and trusts nothing while it is 0. Counter values are
 * 8-byte aligned longs written with release stores and read with volatile loads, so they never tear; the
 * heartbeat likewise. The rings carry their own ordering (Agrona).
 */
package io.wirekv.dataplane.cnc;
