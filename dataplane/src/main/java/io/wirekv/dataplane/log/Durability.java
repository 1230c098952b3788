package io.wirekv.dataplane.log;

import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.table.Table;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A server's persistence, assembled at start-up before any socket opens: locks {@code data.dir}, recovers the
 * table from each partition's newest valid snapshot and the log after it ({@link SnapshotRecovery},
 * {@link LogRecovery}), opens each partition's {@link PartitionLog} where recovery left it and starts the
 * {@link LogSyncer} and the snapshot thread ({@link SnapshotCompactionAgent}). The writers take their partitions'
 * logs from {@link #logsOfWriter}. {@link #close} (after the writers stopped) stops the snapshot thread, runs a last
 * sync, unmaps the segments and releases the lock.
 */
public final class Durability implements AutoCloseable
{
    private final PersistenceSettings settings;
    private final DataDirectory directory;
    private final List<PartitionLog> logs;
    private final LogCounters counters;
    private final LogSyncer syncer;
    /** The disk's sync action, or null when a test gave its own. */
    private final DiskFlush diskFlush;
    private final LogRecovery.Report recovery;
    private final String storageNote;
    private final SnapshotCompactionAgent compaction;
    private final AgentRunner compactionRunner;

    private Durability(final PersistenceSettings settings, final DataDirectory directory, final List<PartitionLog> logs,
        final LogCounters counters, final LogSyncer syncer, final DiskFlush diskFlush, final LogRecovery.Report recovery,
        final String storageNote, final SnapshotCompactionAgent compaction, final ErrorHandler errors)
    {
        this.diskFlush = diskFlush;
        this.settings = settings;
        this.directory = directory;
        this.logs = logs;
        this.counters = counters;
        this.syncer = syncer;
        this.recovery = recovery;
        this.storageNote = storageNote;
        this.compaction = compaction;
        // its own thread, sleeping when idle: snapshots read the disk's pace, never an lcore's or a writer's
        this.compactionRunner = new AgentRunner(new SleepingMillisIdleStrategy(10), errors, null, compaction);
        AgentRunner.startOnThread(compactionRunner);
    }

    /**
     * Recovers and starts persistence, or returns null for {@code none} (no log at all; its counters stay 0).
     * @param errors where log failures go (the CnC error log once it exists).
     * @throws IllegalStateException naming the problem (data.dir held or unwritable, a damaged log) and its fix.
     */
    public static Durability start(final PersistenceSettings settings, final Table table, final CounterRegistry registry,
        final ErrorHandler errors)
    {
        return start(settings, table, registry, null, errors);
    }

    /**
     * {@link #start(PersistenceSettings, Table, CounterRegistry, ErrorHandler)} with a given sync action (tests), or
     * with the disk's ({@link DiskFlush}) when {@code action} is null.
     */
    public static Durability start(final PersistenceSettings settings, final Table table, final CounterRegistry registry,
        final LogSyncer.SyncAction action, final ErrorHandler errors)
    {
        if (!settings.enabled())
        {
            new LogCounters(registry, table.partitionCount()); // registered all the same: every metric is always listed
            return null;
        }
        final DataDirectory directory = DataDirectory.open(settings.dataDir());
        DiskFlush diskFlush = null;
        try
        {
            final long startNs = System.nanoTime();
            final SnapshotRecovery snapshots = new SnapshotRecovery(directory.snapshotDir());
            final List<LogRecovery.PartitionResult> results = LogRecovery.recover(directory, table, settings, snapshots);
            final LogRecovery.Report report = LogRecovery.report(results, (System.nanoTime() - startNs) / 1_000_000,
                snapshots.items(), snapshots.bytes(), snapshots.notes());
            final LogCounters counters = new LogCounters(registry, table.partitionCount());
            final int maxRecordBytes = WriteRecordDescriptor.recordLength(
                WriteRecordDescriptor.KEY_MAX_LENGTH, table.config().itemSizeMaxBytes());
            final List<PartitionLog> logs = new ArrayList<>();
            for (final LogRecovery.PartitionResult r : results.stream()
                .sorted(java.util.Comparator.comparingInt(LogRecovery.PartitionResult::partition)).toList())
            {
                logs.add(new PartitionLog(r.partition(), directory, settings.segmentSizeBytes(),
                    settings.zeroFillsSegments(), maxRecordBytes, counters,
                    r.segment(), r.appendOffset(), r.nextSequence(), r.bytes()));
            }
            if (null == action)
            {
                diskFlush = DiskFlush.open(directory.logDir());
            }
            final LogSyncer syncer = new LogSyncer(logs, settings, null != action ? action : diskFlush, counters, errors);
            final SnapshotCompactionAgent compaction = new SnapshotCompactionAgent(table, directory, logs, counters,
                settings, SystemEpochClock.INSTANCE, errors);
            return new Durability(settings, directory, logs, counters, syncer, diskFlush, report, storageNote(settings),
                compaction, errors);
        }
        catch (final RuntimeException | IOException ex)
        {
            if (null != diskFlush)
            {
                diskFlush.close();
            }
            directory.close();
            throw ex instanceof RuntimeException r ? r : new IllegalStateException(ex);
        }
    }

    /** Counter records persistence registers (for sizing the CnC file). */
    public static int counterCount()
    {
        return LogCounters.counterCount();
    }

    public static int valuesBytes(final int partitions)
    {
        return LogCounters.valuesBytes(partitions);
    }

    private static String storageNote(final PersistenceSettings settings) throws IOException
    {
        final String type = Files.getFileStore(settings.dataDir()).type();
        if ("tmpfs".equals(type) || "ramfs".equals(type))
        {
            return "WARNING: data.dir " + settings.dataDir() + " is on " + type + ": memory, not a disk; " +
                (settings.mode() == PersistenceSettings.Mode.SYNC ? "sync mode promises nothing across a reboot" :
                    "nothing survives a reboot");
        }
        return null;
    }

    /** The logs of the partitions {@code p % writers == writer}, indexed by partition (null elsewhere). */
    public PartitionLog[] logsOfWriter(final int writer, final int writers)
    {
        final PartitionLog[] mine = new PartitionLog[logs.size()];
        for (int p = writer; p < logs.size(); p += writers)
        {
            mine[p] = logs.get(p);
        }
        return mine;
    }

    /** Sync mode: a write's reply waits for its record's sync. */
    public boolean holdsReplies()
    {
        return settings.mode() == PersistenceSettings.Mode.SYNC;
    }

    public DataDirectory directory()
    {
        return directory;
    }

    public LogCounters counters()
    {
        return counters;
    }

    public LogRecovery.Report recovery()
    {
        return recovery;
    }

    /** Every partition's log (tests, status). */
    public List<PartitionLog> logs()
    {
        return List.copyOf(logs);
    }

    /**
     * Snapshots every partition now and deletes the log segments the snapshots cover (any thread: the admin
     * command); completes with one outcome per partition, in partition order.
     */
    public CompletableFuture<List<SnapshotCompactionAgent.Outcome>> snapshotAll()
    {
        return compaction.snapshotAll();
    }

    /** {@link #snapshotAll}, as the lines {@code wirekv snapshot} prints. */
    public CompletableFuture<String> snapshotAllText()
    {
        return snapshotAll().thenApply(outcomes ->
        {
            final StringBuilder sb = new StringBuilder();
            outcomes.forEach(o -> sb.append(o.describe()).append('\n'));
            return sb.toString();
        });
    }

    /** The snapshot thread's progress (any thread). */
    public io.wirekv.dataplane.snapshot.SnapshotProgress snapshotProgress()
    {
        return compaction.progress();
    }

    /** The start-up report's lines (without indentation). */
    public List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        lines.add("persistence: " + settings.describe() + (settings.recoverTruncate() ? ", recover-truncate" : "") +
            (null != diskFlush ? "; syncs: " + diskFlush.describe() : ""));
        if (null != storageNote)
        {
            lines.add(storageNote);
        }
        lines.add(recovery.describe());
        return lines;
    }

    /** After the writers stopped: a last sync, then the segments are unmapped and data.dir released. */
    @Override
    public void close()
    {
        try
        {
            compactionRunner.close();
            syncer.close();
        }
        finally
        {
            logs.forEach(PartitionLog::close);
            if (null != diskFlush)
            {
                diskFlush.close();
            }
            directory.close();
        }
    }
}
