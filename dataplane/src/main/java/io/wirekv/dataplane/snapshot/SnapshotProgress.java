package io.wirekv.dataplane.snapshot;

/**
 * What a {@link SnapshotAgent} is doing and has done, for {@code wirekv status}.
 *
 * @param running   a snapshot is being written now; partition, sequence, items, bytes and elapsedMs are its.
 * @param queued    requests waiting.
 * @param completed snapshots made durable since start.
 * @param failed    snapshots that failed (I/O error, refused request).
 * @param last      the last durable snapshot, or null.
 */
public record SnapshotProgress(
    boolean running, int partition, long sequence, long items, long bytes, long elapsedMs, int queued,
    long completed, long failed, SnapshotInfo last)
{
}
