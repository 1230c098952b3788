package io.wirekv.dataplane.log;

import io.wirekv.dataplane.table.Table;

/**
 * Recovery's hook for snapshots: loads a partition's newest valid snapshot into the table before its log is
 * replayed, and says from which sequence the log continues it. Called on a recovery thread, one call per
 * partition, before any writer, reader or socket runs. {@link #NONE} (no snapshots) replays the whole log.
 */
@FunctionalInterface
public interface SnapshotLoader
{
    SnapshotLoader NONE = (partition, table) -> 1;

    /**
     * @return the first log sequence the snapshot does not contain (1: no snapshot); records before it are
     *         skipped (a fuzzy snapshot taken while writes ran: replaying records again is harmless, they are
     *         idempotent effects).
     */
    long load(int partition, Table table);
}
