package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.ring.SpscMessageRing;
import org.agrona.CloseHelper;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The backup's path from its {@link ReplicationReceiverAgent} to the partition writers: one SPSC ring per writer
 * (the receiver produces, the writer consumes), so each writer stays the single writer of its partitions. Messages:
 * <pre>
 *   MSG_RECORD    a sealed effect record of the primary's log: apply, then append with the same sequence
 *   MSG_SCAN      an effect record without a sequence (a full sync's scan, or the unlink of a local item before
 *                 it): apply only
 *   MSG_RESET     partition u32 | reserved u32 | base u64: the partition's log restarts after base (full sync)
 *   MSG_SCAN_END  partition u32 | reserved u32 | base u64: every scan record before it was applied
 * </pre>
 * Back from the writers: per partition, the base of the last full sync whose SCAN_END they applied, and the first
 * failure a writer met (a sequence that is not its log's next, a RESET it could not carry out), which makes the
 * receiver drop the stream with that reason.
 */
public final class ReplicationRings implements AutoCloseable
{
    public static final int MSG_RECORD = 1;
    public static final int MSG_SCAN = 2;
    public static final int MSG_RESET = 3;
    public static final int MSG_SCAN_END = 4;
    public static final int CONTROL_PARTITION_OFFSET = 0;
    public static final int CONTROL_BASE_OFFSET = 8;
    public static final int CONTROL_LENGTH = 16;
    /** Marker file in {@code data.dir/log/p<N>/}: a full sync of the partition started and is not yet durable. */
    public static final String INCOMPLETE_MARKER = "FULL_SYNC_INCOMPLETE";
    private static final VarHandle SCAN_ENDED = MethodHandles.arrayElementVarHandle(long[].class);

    private final SpscMessageRing[] rings;
    private final long[] scanEnded;
    private volatile String failure;

    public ReplicationRings(final int writers, final int partitions, final int maxRecordBytes)
    {
        rings = new SpscMessageRing[writers];
        for (int w = 0; w < writers; w++)
        {
            rings[w] = SpscMessageRing.forMaxMessage(maxRecordBytes);
        }
        scanEnded = new long[partitions];
        java.util.Arrays.fill(scanEnded, -1);
    }

    /** Writer {@code w}'s ring. */
    public SpscMessageRing ring(final int writer)
    {
        return rings[writer];
    }

    public int writers()
    {
        return rings.length;
    }

    /** Writer: every scan record of the full sync at {@code base} of {@code partition} was applied. */
    public void scanEnded(final int partition, final long base)
    {
        SCAN_ENDED.setRelease(scanEnded, partition, base); // release: pairs with getAcquire in scanEndedAt
    }

    /** Receiver: the base of the last full sync the writer finished scanning, or -1. */
    long scanEndedAt(final int partition)
    {
        return (long)SCAN_ENDED.getAcquire(scanEnded, partition); // acquire: pairs with setRelease in scanEnded
    }

    void clearScanEnded(final int partition)
    {
        SCAN_ENDED.setRelease(scanEnded, partition, -1L); // release: before the RESET is queued
    }

    /** Writer: the stream cannot go on (set once; the receiver drops the stream and clears it). */
    public void fail(final String reason)
    {
        if (null == failure)
        {
            failure = reason;
        }
    }

    String takeFailure()
    {
        final String f = failure;
        failure = null;
        return f;
    }

    /** The incomplete-full-sync marker of a partition's log directory. */
    public static Path marker(final Path partitionLogDir)
    {
        return partitionLogDir.resolve(INCOMPLETE_MARKER);
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(rings);
    }
}
