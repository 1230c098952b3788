/**
 * Writer threads: the single writer of each partition ({@code p % writers}). They apply
 * forwarded write commands in ring order, which is each reader's submission order, and spend
 * idle cycles on table housekeeping (expiry sweep, eviction, QSBR reclamation).
 */
package io.wirekv.dataplane.writer;
