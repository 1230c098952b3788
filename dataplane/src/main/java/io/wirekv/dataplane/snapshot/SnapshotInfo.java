package io.wirekv.dataplane.snapshot;

import java.nio.file.Path;

/**
 * A complete, valid snapshot file: what {@link SnapshotWriter#finish()} made durable or what
 * {@link SnapshotReader} verified.
 *
 * @param sequence    the partition's log sequence when the scan started: replay the log after it over the items.
 * @param items       item frames in the file.
 * @param fileBytes   length of the file.
 * @param durationMs  time to write (or read) it.
 */
public record SnapshotInfo(
    Path file, int partition, long sequence, long createdAtMs, long items, long fileBytes, long durationMs)
{
}
