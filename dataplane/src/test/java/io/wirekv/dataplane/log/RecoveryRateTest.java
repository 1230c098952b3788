package io.wirekv.dataplane.log;

import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The recovery rate: 1M items (900k in snapshots, 100k more in the log tail after them, over 2 partitions) written
 * through {@link WriteApplier} and the partition logs as a writer does, snapshotted by the snapshot thread, then
 * recovered into a fresh table by {@link Durability#start}. Prints items/s and MB/s (the goal is 1M items/s; timing
 * is not asserted); asserts every item came back. The recovery code has not run in this JVM before the first
 * recovery (the writes before it warmed the apply path only), as at a server's start-up; a second recovery of the
 * same files follows, printed as the warm-JVM line, so the JIT's share of the first is visible. Size it with {@code -Dwirekv.recovery.items=N} (the table grows
 * with it: 10M items take 4 GB of memory off the heap):
 * <pre>
 *   ./mvnw -o -B -pl dataplane surefire:test -Dtest=RecoveryRateTest -Dwirekv.recovery.items=1000000
 * </pre>
 */
class RecoveryRateTest
{
    private static final int PARTITIONS = 2;

    @Test
    void shouldRecoverAMillionItemsFromSnapshotsAndTheLogAndPrintTheRate() throws Exception
    {
        final int items = Integer.getInteger("wirekv.recovery.items", 1_000_000);
        final int inSnapshot = items - items / 10;
        final Path dir = LogTestKit.freshDir("recovery-rate");
        final PersistenceSettings settings = new PersistenceSettings(PersistenceSettings.Mode.ASYNC, dir, 1000,
            64L << 20, false).withSnapshotTrigger(100, 1L << 40);
        try
        {
            try (Table table = newTable(items); Arena arena = Arena.ofConfined())
            {
                final Durability durability = start(settings, table);
                try
                {
                    final Writer writer = new Writer(table, durability, arena);
                    for (int i = 0; i < inSnapshot; i++)
                    {
                        writer.set(i);
                    }
                    durability.snapshotAll().get(120, TimeUnit.SECONDS);
                    for (int i = inSnapshot; i < items; i++)
                    {
                        writer.set(i);
                    }
                    assertEquals(items, table.counters().items());
                }
                finally
                {
                    durability.close();
                }
            }
            // the first recovery is the one a started server does: its code paths have not run in this JVM yet
            recoverAndPrint(settings, items, inSnapshot, "recovery rate");
            // the same files again in the same JVM: what the code does once it is compiled (the difference to the
            // line above is the JIT's warm-up; a real start-up pays it)
            recoverAndPrint(settings, items, inSnapshot, "warm JVM (second recovery, not a start-up figure)");
        }
        finally
        {
            LogTestKit.deleteTree(dir);
        }
    }

    private static void recoverAndPrint(final PersistenceSettings settings, final int items, final int inSnapshot,
        final String label)
    {
        try (Table table = newTable(items))
        {
            final com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            final long cpuBeforeNs = os.getProcessCpuTime();
            final Durability durability = start(settings, table);
            final long cpuNs = os.getProcessCpuTime() - cpuBeforeNs;
            try
            {
                final LogRecovery.Report report = durability.recovery();
                System.out.println(label + ": " + report.describe());
                // on a shared machine the wall-clock rate is the share it got; the CPU time (every thread of the
                // process, the JIT's compiler threads included) is what it took
                final int parallel = Math.min(PARTITIONS, Runtime.getRuntime().availableProcessors());
                System.out.printf("%s CPU: %d ms of CPU for %d items, %.0f items per CPU-second; on %d idle cores " +
                    "(partitions in parallel) about %.0f items/s%n", label, cpuNs / 1_000_000, items,
                    items * 1e9 / cpuNs, parallel, items * 1e9 / cpuNs * parallel);
                assertEquals(inSnapshot, report.snapshotItems(), report.describe());
                assertEquals(items - inSnapshot, report.replayed(), report.describe());
                assertEquals(items, table.counters().items());
            }
            finally
            {
                durability.close();
            }
        }
    }

    /** 512 MiB, or 400 bytes an item beyond 1.3M items (10M items: 4 GB): room for the index to keep growing. */
    private static Table newTable(final int items)
    {
        final long memory = Math.max(512L << 20, items * 400L);
        return new Table(new TableConfig(PARTITIONS, memory, MemoryMode.STORE, 64 * 1024, false),
            new org.agrona.concurrent.CachedEpochClock());
    }

    private static Durability start(final PersistenceSettings settings, final Table table)
    {
        return Durability.start(settings, table, CounterRegistry.inArena(Durability.counterCount(),
            Durability.valuesBytes(table.partitionCount())), LogSyncer.MSYNC, Throwable::printStackTrace);
    }

    /** This thread as the writer of every partition (no writer thread runs): apply, then append the effect. */
    private static final class Writer
    {
        private final Table table;
        private final WriteApplier applier;
        private final List<PartitionLog> logs;
        private final MemorySegment record;
        private final WriteReplyEncoder reply;
        private final WriteRecordEncoder encoder = new WriteRecordEncoder();
        private final byte[] value = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

        Writer(final Table table, final Durability durability, final Arena arena)
        {
            this.table = table;
            this.applier = new WriteApplier(table, new ServerStats(1), 0);
            this.logs = durability.logs();
            this.record = arena.allocate(4096, 8);
            this.reply = new WriteReplyEncoder(arena.allocate(4096, 8));
        }

        void set(final int i)
        {
            final byte[] k = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
            final long hash = Table.keyHash(MemorySegment.ofArray(k), 0, k.length);
            final int partition = table.partitionOfHash(hash);
            final PartitionLog log = logs.get(partition);
            assertEquals(PartitionLog.ADMITTED, log.admit());
            final int length = WriteRecordDescriptor.recordLength(k.length, value.length);
            encoder.wrap(record, 0, length).opcode(WriteRecordDescriptor.OP_STORE).storeMode(WriteRecordDescriptor.MODE_SET)
                .partition(partition).keyHash(hash).clientFlags(i)
                .key(MemorySegment.ofArray(k), 0, k.length).value(MemorySegment.ofArray(value), 0, value.length);
            applier.apply(record, 0, length, reply);
            log.append(applier);
        }
    }
}
