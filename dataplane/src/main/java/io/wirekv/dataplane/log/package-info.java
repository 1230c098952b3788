/**
 * Durability: each partition's log of effect records, its group-commit syncer, and recovery at start-up.
 * <p>
 * The rule: a partition log has exactly one appender (the partition's writer thread) and one syncer (the
 * server's {@link io.wirekv.dataplane.log.LogSyncer} thread). The writer writes a record's bytes into the mapped
 * segment, then publishes the segment's appended end and the partition's appended sequence with release
 * stores; the syncer loads them with acquire, forces the range to the disk, and only then publishes the durable
 * sequence with a release store, which the writer loads with acquire before it lets a held reply go. So a reply
 * in sync mode never leaves before the sync that covers its record returned. Readers never touch the log.
 * Recovery runs before any of these threads exist.
 */
package io.wirekv.dataplane.log;
