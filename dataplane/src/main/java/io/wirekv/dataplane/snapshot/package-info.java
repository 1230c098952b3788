/**
 * Snapshots of table partitions on disk, for recovery with the log tail replayed over them.
 *
 * <h2>Durability rule</h2>
 * A snapshot is written to {@code p<partition>-<sequence>.snap.tmp}, fsynced, renamed to {@code .snap}, and the
 * directory fsynced ({@link io.wirekv.dataplane.snapshot.SnapshotWriter#finish}); only then is it reported durable, and
 * only then may older snapshots of the partition and the log up to {@code sequence} be deleted. A crash at any point
 * leaves either the previous snapshot or the new one complete, plus at most a {@code .tmp} that nothing reads.
 *
 * <h2>Fuzzy snapshots</h2>
 * The items are read while the partition's writer goes on ({@link io.wirekv.dataplane.table.PartitionScanner}): an item
 * unchanged during the scan is in the file exactly once; one changed during it may be there old, new, twice or not at
 * all. {@code sequence} is the partition's log sequence when the scan started, so every such change is in the log
 * after it, and replaying that log (idempotent full-item restores, deletes) over the snapshot gives the exact state.
 *
 * <h2>Validation</h2>
 * Every byte of a file is covered by a CRC32C (header, each frame, and the trailer's CRC of the whole body), the
 * trailer must end the file, and the header must name the expected partition and the file name's sequence
 * ({@link io.wirekv.dataplane.snapshot.SnapshotDirectory#newestValid}); a file failing any check is refused with its
 * reason and offset and the previous valid snapshot is used.
 *
 * <h2>Threads</h2>
 * One {@link io.wirekv.dataplane.snapshot.SnapshotAgent} thread scans and writes (never an lcore or a writer); it is a
 * registered QSBR reader, online only while it reads a chunk of slots: offline between chunks (where it writes to the
 * disk), while idle and while it fsyncs.
 */
package io.wirekv.dataplane.snapshot;
