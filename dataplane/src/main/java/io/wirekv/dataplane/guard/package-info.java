/**
 * The UDP amplification guard and the exposure settings (issue 15): who may ask over UDP
 * ({@link io.wirekv.dataplane.guard.UdpAllowList}), which sources have shown that they receive
 * what is sent to them ({@link io.wirekv.dataplane.guard.ValidatedSources}), and how much an
 * unvalidated source may get back ({@link io.wirekv.dataplane.guard.ExposureSettings}).
 * <p>
 * Threading: the allow-list is immutable after start-up. The validated-source table is written by
 * the TCP threads (a connection proves its address receives replies: the TCP handshake echoes the
 * server's sequence number) and read by every lcore; each entry is one {@code long} stored and
 * loaded with opaque accesses, so a reader sees either the old or the new entry, never a torn one.
 * Lost races only forget a validation, which caps a reply that could have been sent: the safe side.
 */
package io.wirekv.dataplane.guard;
