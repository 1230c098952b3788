package io.wirekv.dataplane.log;

import java.nio.file.Path;

/**
 * How the appliance keeps its writes (validated by the control plane before start-up).
 *
 * @param mode             none (a cache: no log at all), async (sync at most every {@code asyncIntervalMs}, like
 *                         Redis's everysec) or sync (group commit: a write's reply leaves after its record is synced).
 * @param dataDir          where the log (and snapshots) live; null with {@code none}.
 * @param asyncIntervalMs  async: how often the syncer syncs, so at most this much acknowledged data may be lost.
 * @param segmentSizeBytes bytes preallocated per log segment file.
 * @param recoverTruncate  start-up accepts the loss of a log's corrupt middle: keeps what precedes the damage.
 * @param snapshotLogFactor   a partition is snapshotted (and its covered log deleted) when its log bytes exceed this
 *                            many times its live bytes ...
 * @param snapshotMinLogBytes ... and at least this many bytes.
 */
public record PersistenceSettings(
    Mode mode, Path dataDir, long asyncIntervalMs, long segmentSizeBytes, boolean recoverTruncate,
    double snapshotLogFactor, long snapshotMinLogBytes)
{
    public static final long DEFAULT_ASYNC_INTERVAL_MS = 1000;
    public static final long DEFAULT_SEGMENT_SIZE_BYTES = 64L << 20;
    public static final double DEFAULT_SNAPSHOT_LOG_FACTOR = 2.0;
    public static final long DEFAULT_SNAPSHOT_MIN_LOG_BYTES = 64L << 20;

    /** With the default snapshot trigger. */
    public PersistenceSettings(final Mode mode, final Path dataDir, final long asyncIntervalMs,
        final long segmentSizeBytes, final boolean recoverTruncate)
    {
        this(mode, dataDir, asyncIntervalMs, segmentSizeBytes, recoverTruncate, DEFAULT_SNAPSHOT_LOG_FACTOR,
            DEFAULT_SNAPSHOT_MIN_LOG_BYTES);
    }

    /** The same settings with {@code --recover-truncate}. */
    public PersistenceSettings withRecoverTruncate()
    {
        return new PersistenceSettings(mode, dataDir, asyncIntervalMs, segmentSizeBytes, true, snapshotLogFactor,
            snapshotMinLogBytes);
    }

    /** The same settings with another snapshot trigger. */
    public PersistenceSettings withSnapshotTrigger(final double logFactor, final long minLogBytes)
    {
        return new PersistenceSettings(mode, dataDir, asyncIntervalMs, segmentSizeBytes, recoverTruncate, logFactor,
            minLogBytes);
    }

    public enum Mode
    {
        NONE, ASYNC, SYNC
    }

    /** No log: the appliance is a cache and forgets everything when it stops. */
    public static PersistenceSettings none()
    {
        return new PersistenceSettings(Mode.NONE, null, DEFAULT_ASYNC_INTERVAL_MS, DEFAULT_SEGMENT_SIZE_BYTES, false);
    }

    public boolean enabled()
    {
        return mode != Mode.NONE;
    }

    /** New log segments are zero-filled: what lets one disk flush a round serve every partition in sync mode. */
    public boolean zeroFillsSegments()
    {
        return mode == Mode.SYNC;
    }

    /** The start-up report's line. */
    public String describe()
    {
        if (!enabled())
        {
            return "none (a cache: nothing survives a restart)";
        }
        return mode.name().toLowerCase() + ", data.dir " + dataDir + ", segment " + (segmentSizeBytes >> 10) + " KiB" +
            (mode == Mode.ASYNC ? ", sync every " + asyncIntervalMs + " ms" : ", group commit") +
            String.format(", snapshot when log > %.1f x live and >= %d KiB", snapshotLogFactor, snapshotMinLogBytes >> 10);
    }
}
