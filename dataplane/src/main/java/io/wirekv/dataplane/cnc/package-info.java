/**
 * The command-and-control (CnC) file: the layout ({@link io.wirekv.dataplane.cnc.CncFileDescriptor}),
 * the one counter registry of the dataplane ({@link io.wirekv.dataplane.cnc.CounterRegistry}, its
 * layout {@link io.wirekv.dataplane.cnc.CounterRegistryDescriptor}, its reader and the frozen metric ids
 * {@link io.wirekv.dataplane.cnc.CncMetric}), the admin messages
 * ({@link io.wirekv.dataplane.cnc.AdminProtocol}) and the appliance's writer side
 * ({@link io.wirekv.dataplane.cnc.CncFile}). It depends on nothing else in the dataplane, so the control
 * plane reads the file the way AeronStat reads Aeron's CnC file.
 * <p>
 * Ordering rule: the appliance stores the layout version last, with release semantics; a reader loads it
 * with acquire semantics before anything else and trusts nothing while it is 0. Counter records are
 * published with a release store of their state and read after an acquire load of it. Counter values are
 * 8-byte aligned longs, each slot written by one thread only (plain load, opaque store) and read with
 * opaque loads, so they never tear; counters only grow. The heartbeat is a release store read with
 * acquire. The rings carry their own ordering (Agrona).
 */
package io.wirekv.dataplane.cnc;
