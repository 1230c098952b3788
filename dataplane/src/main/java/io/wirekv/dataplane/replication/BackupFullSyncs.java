package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.DataDirectory;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.ring.SpscMessageRing;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.ItemVisitor;
import io.wirekv.dataplane.table.PartitionScanner;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The backup's side of full syncs, for the {@link ReplicationReceiverAgent}: on RESET, an OP_UNLINK for every local
 * item of the partition (a lock-free scan of its own table) and then the RESET itself go to the partition's writer;
 * once the writer has applied the SCAN_END, a snapshot of every partition is taken and, when it is durable, the
 * partition's incomplete-full-sync marker (written by the writer at RESET) is removed. Threading: the receiver's
 * thread only; control messages wait (bounded) for room in a writer's ring.
 */
final class BackupFullSyncs
{
    static final long RING_WAIT_NS = 10_000_000_000L;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ReplicationRings rings;
    private final DataDirectory directory;
    private final Supplier<CompletableFuture<?>> snapshotAll;
    private final ErrorHandler errors;
    private final PartitionScanner scanner;
    private final long[] awaitingScanEnd;
    private final boolean[] awaitingSnapshot;
    private final boolean[] inSnapshot;
    private final UnlinkVisitor unlinks = new UnlinkVisitor();
    private QsbrReader reader;
    private CompletableFuture<?> snapshot;

    BackupFullSyncs(final Table table, final ReplicationRings rings, final DataDirectory directory, final int partitions,
        final Supplier<CompletableFuture<?>> snapshotAll, final ErrorHandler errors)
    {
        this.rings = rings;
        this.directory = directory;
        this.snapshotAll = snapshotAll;
        this.errors = errors;
        this.scanner = new PartitionScanner(table, 256);
        this.awaitingScanEnd = new long[partitions];
        this.awaitingSnapshot = new boolean[partitions];
        this.inSnapshot = new boolean[partitions];
        Arrays.fill(awaitingScanEnd, -1);
    }

    /** The receiver thread's table reader (registered in its onStart, offline when idle). */
    void reader(final QsbrReader reader)
    {
        this.reader = reader;
    }

    /**
     * RESET of {@code p} at {@code base}: unlinks of every local item, then the RESET, queued to the writer.
     * @return null, or why the stream must be dropped (the writer took nothing for {@link #RING_WAIT_NS}).
     */
    String reset(final int p, final long base)
    {
        rings.clearScanEnded(p);
        awaitingScanEnd[p] = -1;
        unlinks.partition = p;
        unlinks.failure = null;
        reader.online();
        try
        {
            scanner.scan(p, reader, unlinks);
        }
        finally
        {
            reader.offline();
        }
        return null != unlinks.failure ? unlinks.failure : control(ReplicationRings.MSG_RESET, p, base);
    }

    /** SCAN_END of {@code p}: queued to the writer; the marker goes once a later snapshot is durable. */
    String scanEnd(final int p, final long base)
    {
        awaitingScanEnd[p] = base;
        return control(ReplicationRings.MSG_SCAN_END, p, base);
    }

    /** Partitions whose scan the writer finished are snapshotted; once durable their markers go. */
    int finish()
    {
        int work = 0;
        for (int p = 0; p < awaitingScanEnd.length; p++)
        {
            if (awaitingScanEnd[p] >= 0 && rings.scanEndedAt(p) == awaitingScanEnd[p])
            {
                awaitingScanEnd[p] = -1;
                awaitingSnapshot[p] = true;
                work++;
            }
        }
        if (null != snapshot && snapshot.isDone())
        {
            final boolean ok = !snapshot.isCompletedExceptionally();
            for (int p = 0; p < inSnapshot.length; p++)
            {
                if (inSnapshot[p])
                {
                    inSnapshot[p] = false;
                    if (ok)
                    {
                        removeMarker(p);
                    }
                    else
                    {
                        awaitingSnapshot[p] = true;
                    }
                }
            }
            snapshot = null;
            work++;
        }
        if (null == snapshot)
        {
            boolean any = false;
            for (int p = 0; p < awaitingSnapshot.length; p++)
            {
                if (awaitingSnapshot[p])
                {
                    awaitingSnapshot[p] = false;
                    inSnapshot[p] = true;
                    any = true;
                }
            }
            if (any)
            {
                snapshot = snapshotAll.get();
                work++;
            }
        }
        return work;
    }

    private void removeMarker(final int p)
    {
        try
        {
            Files.deleteIfExists(ReplicationRings.marker(directory.partitionLogDir(p)));
        }
        catch (final IOException ex)
        {
            errors.onError(new ReplicationException("replication: cannot remove partition " +
                p + "'s full-sync marker: " + ex.getMessage()));
        }
    }

    private String control(final int msgType, final int p, final long base)
    {
        final SpscMessageRing ring = rings.ring(p % rings.writers());
        final int at = claim(ring, msgType, ReplicationRings.CONTROL_LENGTH);
        if (at < 0)
        {
            return "partition " + p + "'s writer took nothing for " + RING_WAIT_NS / 1_000_000 + " ms";
        }
        final MemorySegment m = ring.memory();
        m.set(LE_INT, at + ReplicationRings.CONTROL_PARTITION_OFFSET, p);
        m.set(LE_LONG, at + ReplicationRings.CONTROL_BASE_OFFSET, base);
        ring.commit(at);
        return null;
    }

    /** Claims ring space, waiting (bounded) for the writer: full syncs only. */
    private static int claim(final SpscMessageRing ring, final int msgType, final int length)
    {
        final long deadline = System.nanoTime() + RING_WAIT_NS;
        int at;
        while ((at = ring.tryClaim(msgType, length)) < 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return -1;
            }
            LockSupport.parkNanos(50_000);
        }
        return at;
    }

    /** Queues an OP_UNLINK (a MSG_SCAN) for every local item of the partition before a full sync's RESET. */
    private final class UnlinkVisitor implements ItemVisitor
    {
        private final WriteRecordEncoder encoder = new WriteRecordEncoder();
        int partition;
        String failure;

        @Override
        public boolean visit(final ItemView item)
        {
            final SpscMessageRing ring = rings.ring(partition % rings.writers());
            final int length = WriteRecordDescriptor.effectLength(item.keyLength(), 0);
            final int at = claim(ring, ReplicationRings.MSG_SCAN, length);
            if (at < 0)
            {
                failure = "partition " + partition + "'s writer took nothing for " + RING_WAIT_NS / 1_000_000 + " ms";
                return false;
            }
            final MemorySegment seg = item.segment();
            encoder.wrapEffect(ring.memory(), at, length, WriteRecordDescriptor.OP_UNLINK).partition(partition)
                .key(seg, item.keyOffset(), item.keyLength());
            ring.commit(at);
            return true;
        }
    }
}
