package io.wirekv.dataplane.log;

import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.concurrent.CachedEpochClock;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real logs on the module's target/ directory (ext4 here, never /dev/shm): a one-partition table whose writes go
 * through {@link WriteApplier} and a {@link PartitionLog} exactly as a writer thread does them, and recovery into a
 * fresh table.
 */
final class LogTestKit implements AutoCloseable
{
    static final long NOW_SECONDS = 1_700_000_000L;
    static final long SEGMENT_BYTES = 1L << 20;

    final CachedEpochClock clock = new CachedEpochClock();
    final Arena arena = Arena.ofConfined();
    final MemorySegment record = arena.allocate(256 * 1024, 8);
    final WriteReplyEncoder reply = new WriteReplyEncoder(arena.allocate(256 * 1024, 8));
    final WriteRecordEncoder encoder = new WriteRecordEncoder();

    LogTestKit()
    {
        clock.update(NOW_SECONDS * 1000);
    }

    /** A fresh directory under target/ for one test. */
    static Path freshDir(final String name) throws IOException
    {
        final Path dir = Path.of("target", "log-tests", name + "-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> all = Files.walk(dir))
        {
            for (final Path p : all.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    static PersistenceSettings settings(final Path dir, final boolean recoverTruncate)
    {
        return settings(dir, recoverTruncate, SEGMENT_BYTES);
    }

    static PersistenceSettings settings(final Path dir, final boolean recoverTruncate, final long segmentBytes)
    {
        return new PersistenceSettings(PersistenceSettings.Mode.SYNC, dir, 1000, segmentBytes, recoverTruncate);
    }

    Table newTable()
    {
        return new Table(new TableConfig(1, 16L << 20, MemoryMode.STORE, 128 * 1024, false), clock);
    }

    /** A table, its data directory and its partition log, writing as a writer thread does. */
    final class Writing implements AutoCloseable
    {
        final Table table = newTable();
        final WriteApplier applier = new WriteApplier(table, new ServerStats(1), 0);
        final DataDirectory directory;
        final PartitionLog log;
        final List<LogRecovery.PartitionResult> recovered;

        Writing(final Path dir)
        {
            this(dir, SEGMENT_BYTES);
        }

        Writing(final Path dir, final long segmentBytes)
        {
            directory = DataDirectory.open(dir);
            recovered = LogRecovery.recover(directory, table, settings(dir, false, segmentBytes), SnapshotLoader.NONE);
            final LogRecovery.PartitionResult r = recovered.getFirst();
            log = new PartitionLog(0, directory, segmentBytes, true,
                WriteRecordDescriptor.recordLength(250, 128 * 1024),
                LogCounters.standalone(1), r.segment(), r.appendOffset(), r.nextSequence(), r.bytes());
        }

        /** set key value, through the log; returns the sequence or -1 when the log refused it. */
        long set(final String key, final String value)
        {
            final int admitted = log.admit();
            if (admitted != PartitionLog.ADMITTED)
            {
                return -1;
            }
            final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
            final byte[] v = value.getBytes(StandardCharsets.US_ASCII);
            final int length = WriteRecordDescriptor.recordLength(k.length, v.length);
            final long hash = Table.keyHash(MemorySegment.ofArray(k), 0, k.length);
            encoder.wrap(record, 0, length).opcode(WriteRecordDescriptor.OP_STORE).storeMode(WriteRecordDescriptor.MODE_SET)
                .partition(table.partitionOfHash(hash)).keyHash(hash).clientFlags(k.length)
                .key(MemorySegment.ofArray(k), 0, k.length).value(MemorySegment.ofArray(v), 0, v.length);
            applier.apply(record, 0, length, reply);
            return log.append(applier);
        }

        @Override
        public void close()
        {
            log.close();
            directory.close();
            table.close();
        }
    }

    /** Recovers {@code dir} into a fresh table; the caller closes it. */
    Recovered recover(final Path dir, final boolean recoverTruncate)
    {
        final Table table = newTable();
        final DataDirectory directory = DataDirectory.open(dir);
        try
        {
            final List<LogRecovery.PartitionResult> results =
                LogRecovery.recover(directory, table, settings(dir, recoverTruncate), SnapshotLoader.NONE);
            return new Recovered(table, directory, results, LogRecovery.report(results, 0));
        }
        catch (final RuntimeException ex)
        {
            directory.close();
            table.close();
            throw ex;
        }
    }

    record Recovered(Table table, DataDirectory directory, List<LogRecovery.PartitionResult> results,
        LogRecovery.Report report) implements AutoCloseable
    {
        String get(final String key)
        {
            final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
            final ItemView item = new ItemView();
            if (!table.writer(0).find(MemorySegment.ofArray(k), 0, k.length, item))
            {
                return null;
            }
            return new String(item.valueBytes(), StandardCharsets.US_ASCII);
        }

        @Override
        public void close()
        {
            results.forEach(r -> r.segment().close());
            directory.close();
            table.close();
        }
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
