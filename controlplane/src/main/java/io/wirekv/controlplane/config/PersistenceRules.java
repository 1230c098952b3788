package io.wirekv.controlplane.config;

import io.wirekv.dataplane.log.PersistenceSettings;

/**
 * The durability keys' rules, apart from {@link ConfigValidator} so that each stays a file one reads top to
 * bottom: the problems go to the validator's list, named by key, like every other key's.
 */
final class PersistenceRules
{
    static final long MIN_SEGMENT_BYTES = 1L << 20;
    static final long MAX_SEGMENT_BYTES = 1L << 30;
    static final long MAX_SNAPSHOT_MIN_LOG_BYTES = 1L << 40;
    static final long MAX_ASYNC_INTERVAL_MS = 60_000;

    private PersistenceRules()
    {
    }

    /**
     * persistence, data.dir, persistence.async.interval, log.segment.size, snapshot.log.factor,
     * snapshot.min.log.size and how they go together.
     */
    static PersistenceSettings conclude(final ConfigValidator v, final long itemSizeMax)
    {
        final PersistenceSettings.Mode mode = v.choice(ConfigKey.PERSISTENCE, PersistenceSettings.Mode.class,
            "none, async or sync");
        final String dir = v.value(ConfigKey.DATA_DIR).trim();
        final long intervalMs = Durations.parseMillis(v.value(ConfigKey.PERSISTENCE_ASYNC_INTERVAL));
        if (intervalMs < 1 || intervalMs > MAX_ASYNC_INTERVAL_MS)
        {
            v.fail(ConfigKey.PERSISTENCE_ASYNC_INTERVAL, "must be a duration from 1ms to 60s, e.g. 1s or 200ms");
        }
        final long segment = Sizes.parse(v.value(ConfigKey.LOG_SEGMENT_SIZE));
        if (segment < MIN_SEGMENT_BYTES || segment > MAX_SEGMENT_BYTES)
        {
            v.fail(ConfigKey.LOG_SEGMENT_SIZE, "must be a size from 1m to 1g, e.g. 64m");
        }
        else if (itemSizeMax > 0 && segment < itemSizeMax + (64 << 10))
        {
            v.fail(ConfigKey.LOG_SEGMENT_SIZE, "must hold the largest record: at least item.size.max + 64k (" +
                Sizes.format(itemSizeMax + (64 << 10)) + "); raise log.segment.size or lower item.size.max");
        }
        final double factor = Sizes.parseNumber(v.value(ConfigKey.SNAPSHOT_LOG_FACTOR));
        if (!(factor >= 1 && factor <= 100)) // NaN too
        {
            v.fail(ConfigKey.SNAPSHOT_LOG_FACTOR, "must be a number from 1 to 100, e.g. 2 (the log may grow to this " +
                "many times the live data before a snapshot compacts it)");
        }
        final long minLog = Sizes.parse(v.value(ConfigKey.SNAPSHOT_MIN_LOG_SIZE));
        if (minLog < MIN_SEGMENT_BYTES || minLog > MAX_SNAPSHOT_MIN_LOG_BYTES)
        {
            v.fail(ConfigKey.SNAPSHOT_MIN_LOG_SIZE, "must be a size from 1m to 1t, e.g. 64m");
        }
        if (mode != null && mode != PersistenceSettings.Mode.NONE)
        {
            if (dir.isEmpty())
            {
                v.fail(ConfigKey.PERSISTENCE, "needs data.dir, the directory for the log: set data.dir / --data-dir, " +
                    "or use persistence = none for a cache");
            }
            else
            {
                final java.nio.file.Path path = java.nio.file.Path.of(dir);
                final java.nio.file.Path existing = java.nio.file.Files.exists(path) ? path : path.toAbsolutePath().getParent();
                if (java.nio.file.Files.exists(path) && !java.nio.file.Files.isDirectory(path))
                {
                    v.fail(ConfigKey.DATA_DIR, "is not a directory; point data.dir at a directory (it is created if missing)");
                }
                else if (null == existing || !java.nio.file.Files.isWritable(existing))
                {
                    v.fail(ConfigKey.DATA_DIR, "is not writable (nor creatable) by this user; choose a writable directory");
                }
            }
        }
        return new PersistenceSettings(null == mode ? PersistenceSettings.Mode.NONE : mode,
            dir.isEmpty() ? null : java.nio.file.Path.of(dir).toAbsolutePath(), Math.max(1, intervalMs),
            Math.max(MIN_SEGMENT_BYTES, segment), false, factor, Math.max(MIN_SEGMENT_BYTES, minLog));
    }
}
