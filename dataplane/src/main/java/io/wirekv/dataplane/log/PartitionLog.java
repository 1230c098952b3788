package io.wirekv.dataplane.log;

import io.wirekv.dataplane.proto.WriteApplier;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static io.wirekv.dataplane.log.LogSegmentDescriptor.RECORDS_OFFSET;

/**
 * One partition's log: its writer appends effect records into the current {@link LogSegment} and publishes the
 * highest appended sequence; the {@link LogSyncer} forces what was appended and publishes the highest durable
 * sequence. Sequences are 1, 2, 3, ... without gaps, across segments.
 * <p>
 * Faults: when a segment cannot be created (ENOSPC, I/O error) or a sync fails, the log is failed and
 * {@link #admit} refuses writes, before they change the table, until the syncer has retried with success (it
 * creates the missing segment itself and hands it over). Appended records that are not durable stay not durable:
 * their replies stay held.
 * <p>
 * Threading: {@link #admit} and {@link #append} on the partition's writer thread only; {@link #writeBack},
 * {@link #publishDurable} and {@link #retry} on the syncer thread only; {@link #makeSpare} on the spare thread.
 * Shared: appendedSequence (writer → syncer), durableSequence (syncer → writer), the failures, a recovered
 * segment and the spare (each written by one side, read by the other).
 */
public final class PartitionLog
{
    /** {@link #admit}: the log takes the write. */
    public static final int ADMITTED = 0;
    /** {@link #admit}: refused, the disk is full. */
    public static final int REFUSED_OUT_OF_DISK = 1;
    /** {@link #admit}: refused, another write or sync error. */
    public static final int REFUSED_FAILED = 2;

    private static final java.lang.foreign.ValueLayout.OfLong LE_LONG =
        java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private static final VarHandle APPENDED_SEQUENCE;
    private static final VarHandle DURABLE_SEQUENCE;
    private static final VarHandle RECOVERED;
    private static final VarHandle SPARE;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            APPENDED_SEQUENCE = lookup.findVarHandle(PartitionLog.class, "appendedSequence", long.class);
            DURABLE_SEQUENCE = lookup.findVarHandle(PartitionLog.class, "durableSequence", long.class);
            RECOVERED = lookup.findVarHandle(PartitionLog.class, "recovered", LogSegment.class);
            SPARE = lookup.findVarHandle(PartitionLog.class, "spare", LogSegment.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int partition;
    private final DataDirectory directory;
    private final long segmentSizeBytes;
    /** New segments are zero-filled (persistence sync: see {@link LogSegment#create}). */
    private final boolean zeroFillSegments;
    private final int maxRecordBytes;
    private final LogCounters counters;

    // writer thread
    private LogSegment current;
    private long appendOffset;
    private long nextSequence;
    private long recoveredBytes;

    // shared
    @SuppressWarnings("unused") // through APPENDED_SEQUENCE; written by the writer
    private long appendedSequence;
    @SuppressWarnings("unused") // through DURABLE_SEQUENCE; written by the syncer
    private long durableSequence;
    /** Sync mode: the sync thread's sleep, which an append ends; null in async mode and until the thread starts. */
    private volatile SyncerWakeup syncerWakeup;
    /** Written by the writer (segment creation failed), cleared by it when it adopts {@link #recovered}. */
    private volatile String writeFailure;
    private volatile boolean writeFailureIsOutOfDisk;
    /** Written by the syncer (a sync failed), cleared by it when a retry succeeds. */
    private volatile String syncFailure;
    @SuppressWarnings("unused") // through RECOVERED; the syncer's new segment after a creation failure
    private LogSegment recovered;
    @SuppressWarnings("unused") // through SPARE; made by the spare thread ahead of the writer's next roll
    private LogSegment spare;
    /** Record bytes of the segments a snapshot covered and the snapshot thread deleted (its only writer). */
    private volatile long deletedBytes;
    /** Set by the syncer when the writer's segment is half full and has no spare; cleared by the spare thread. */
    private volatile boolean spareWanted;

    // syncer thread
    private LogSegment syncing;
    private long syncedOffset;
    private long lastSyncedSequence;
    /** The highest sequence written back and waiting for the round's flush to be durable. */
    private long writtenBackSequence;
    /** The durable sequence when that write-back started (see publishDurable). */
    private long durableBeforeWriteBack;
    private final WriterPages writerPages = new WriterPages();

    /**
     * A log that continues {@code segment} at {@code appendOffset} with {@code nextSequence} (after recovery, or a
     * segment just created at {@link LogSegmentDescriptor#RECORDS_OFFSET}).
     */
    public PartitionLog(final int partition, final DataDirectory directory, final long segmentSizeBytes,
        final boolean zeroFillSegments, final int maxRecordBytes, final LogCounters counters,
        final LogSegment segment, final long appendOffset, final long nextSequence, final long recoveredBytes)
    {
        this.partition = partition;
        this.directory = directory;
        this.segmentSizeBytes = segmentSizeBytes;
        this.zeroFillSegments = zeroFillSegments;
        this.maxRecordBytes = maxRecordBytes;
        this.counters = counters;
        this.current = segment;
        this.appendOffset = appendOffset;
        this.nextSequence = nextSequence;
        this.recoveredBytes = recoveredBytes;
        this.appendedSequence = nextSequence - 1;
        this.durableSequence = nextSequence - 1;
        this.lastSyncedSequence = nextSequence - 1;
        this.writtenBackSequence = nextSequence - 1;
        this.syncing = segment;
        this.syncedOffset = appendOffset;
        segment.publishAppendedEnd(appendOffset);
    }

    public int partition()
    {
        return partition;
    }

    // ------------------------------------------------------------------------------------------ writer

    /**
     * Writer, before applying a write to this partition: makes sure the current segment has room for the largest
     * effect record (rolling to a new segment if not) and the log has not failed.
     * @return {@link #ADMITTED}, or why the write must be refused (the table must not change).
     */
    public int admit()
    {
        if (null != writeFailure || null != syncFailure)
        {
            adoptRecovered();
            if (null != writeFailure || null != syncFailure)
            {
                counters.add(partition, LogCounters.REFUSALS, 1);
                return writeFailureIsOutOfDisk && null != writeFailure ? REFUSED_OUT_OF_DISK : REFUSED_FAILED;
            }
        }
        if (current.capacity() - appendOffset < maxRecordBytes + Long.BYTES && !roll())
        {
            counters.add(partition, LogCounters.REFUSALS, 1);
            return writeFailureIsOutOfDisk ? REFUSED_OUT_OF_DISK : REFUSED_FAILED;
        }
        return ADMITTED;
    }

    /**
     * Writer, after {@code applier} applied an admitted write that changed the table: appends its effect record.
     * Allocation-free.
     * @return the record's sequence; its reply may leave (sync mode) once {@link #durableSequence()} reaches it.
     */
    public long append(final WriteApplier applier)
    {
        final LogSegment segment = current;
        final long at = appendOffset;
        applier.encodeEffect(segment.memory(), at);
        final long sequence = nextSequence++;
        final int frame = segment.frames().seal(at, sequence);
        appendOffset = at + frame;
        segment.publishAppendedEnd(appendOffset);
        APPENDED_SEQUENCE.setRelease(this, sequence); // release: the record and its end; pairs with getAcquire in sync
        counters.add(partition, LogCounters.APPENDED, 1);
        counters.add(partition, LogCounters.BYTES_APPENDED, frame);
        wakeSyncer();
        return sequence;
    }

    private void wakeSyncer()
    {
        final SyncerWakeup wakeup = syncerWakeup;
        if (null != wakeup)
        {
            wakeup.wakeIfSleeping();
        }
    }

    /**
     * Writer of a backup, after an admitted replicated record was applied: appends its bytes as they are (sealed by
     * the primary with its sequence and CRC32C, which the receiver checked). Allocation-free.
     * @return the record's sequence, or -1 (nothing appended) when it is not this log's next sequence.
     */
    public long appendSealed(final java.lang.foreign.MemorySegment source, final long offset, final int length)
    {
        final long sequence = source.get(LE_LONG,
            offset + io.wirekv.dataplane.record.WriteRecordDescriptor.SEQUENCE_OFFSET);
        if (sequence != nextSequence)
        {
            return -1;
        }
        final LogSegment segment = current;
        final long at = appendOffset;
        java.lang.foreign.MemorySegment.copy(source, offset, segment.memory(), at, length);
        final int frame = io.wirekv.dataplane.record.RecordFrames.frameLength(length);
        nextSequence++;
        appendOffset = at + frame;
        segment.publishAppendedEnd(appendOffset);
        APPENDED_SEQUENCE.setRelease(this, sequence); // release: the record and its end; pairs with getAcquire in sync
        counters.add(partition, LogCounters.APPENDED, 1);
        counters.add(partition, LogCounters.BYTES_APPENDED, frame);
        wakeSyncer();
        return sequence;
    }

    /**
     * Writer of a backup, on a full sync's RESET: the log restarts with the record after {@code base} in a new segment
     * (the old segments' files are deleted; the syncer walks on to the new segment and unmaps the old ones). The
     * caller has written the incomplete-full-sync marker first, so a restart before the sync's snapshot is durable
     * reports the partition as needing a full sync rather than serving it as whole.
     * The new segment is made under a spare's name and renamed over {@code base + 1}'s: this partition may already
     * have a segment of that name (an earlier full sync at the same base, a log that ends at base), which an exclusive
     * create refused, failing every retry of the full sync for as long as the primary's base stayed the same.
     * @throws IOException when the new segment cannot be created (the stream is then dropped; nothing was applied).
     */
    public void restartAt(final long base) throws IOException
    {
        final LogSegment fresh = LogSegment.createSpare(directory.partitionLogDir(partition), partition,
            segmentSizeBytes, zeroFillSegments);
        try
        {
            fresh.becomeSegment(directory.segmentPath(partition, base + 1), base + 1); // replaces a file of that name
        }
        catch (final IOException | RuntimeException ex)
        {
            fresh.close();
            java.nio.file.Files.deleteIfExists(fresh.path());
            throw ex;
        }
        for (final java.nio.file.Path old : directory.segments(partition))
        {
            if (!old.equals(fresh.path()))
            {
                java.nio.file.Files.deleteIfExists(old); // mapped segments stay readable until the syncer unmaps them
            }
        }
        DataDirectory.syncDirectory(directory.partitionLogDir(partition));
        moveTo(fresh);
        nextSequence = base + 1;
        APPENDED_SEQUENCE.setRelease(this, base); // release: pairs with getAcquire in sync and the replication agents
        DURABLE_SEQUENCE.setRelease(this, Math.min(base, durableSequence())); // never claims the new records durable
    }

    /** The segment the writer appends to (tests: the writer's thread, or with the writer idle). */
    LogSegment currentSegment()
    {
        return current;
    }

    /** Sync thread, as it starts (sync mode): appends wake it from {@code wakeup}'s sleep. */
    void wakeSyncerOnAppend(final SyncerWakeup wakeup)
    {
        syncerWakeup = wakeup;
    }

    /** Syncer: records were appended that it has not written back (and the log has not failed: those wait a retry). */
    boolean hasUnsyncedRecords()
    {
        return null == failure() && appendedSequence() != writtenBackSequence;
    }

    /** The highest sequence the syncer made durable (any thread). */
    public long durableSequence()
    {
        return (long)DURABLE_SEQUENCE.getAcquire(this); // acquire: pairs with setRelease in sync
    }

    /** The highest sequence appended (any thread). */
    public long appendedSequence()
    {
        return (long)APPENDED_SEQUENCE.getAcquire(this); // acquire: pairs with setRelease in append
    }

    private boolean roll()
    {
        final LogSegment ready = (LogSegment)SPARE.getAcquire(this); // acquire: pairs with setRelease in prepareSpare
        if (null != ready)
        {
            try
            {
                ready.becomeSegment(directory.segmentPath(partition, nextSequence), nextSequence);
                SPARE.setRelease(this, null); // after the rename: the syncer may make the next spare
                moveTo(ready);
                return true;
            }
            catch (final IOException | RuntimeException ex)
            {
                SPARE.setRelease(this, null);
                ready.close();
                // fall through: create the segment here
            }
        }
        try
        {
            moveTo(LogSegment.create(directory.segmentPath(partition, nextSequence), partition, nextSequence,
                segmentSizeBytes, zeroFillSegments));
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            writeFailureIsOutOfDisk = isOutOfDisk(ex);
            writeFailure = "cannot create log segment " + directory.segmentPath(partition, nextSequence) + ": " + ex;
            return false;
        }
    }

    private void moveTo(final LogSegment segment)
    {
        current.publishNext(segment);
        current = segment;
        appendOffset = RECORDS_OFFSET;
        segment.publishAppendedEnd(appendOffset);
    }

    private void adoptRecovered()
    {
        final LogSegment segment = (LogSegment)RECOVERED.getAcquire(this); // acquire: pairs with setRelease in retry
        if (null != segment && null != writeFailure)
        {
            moveTo(segment);
            writeFailure = null; // first, so the syncer does not create the segment again in between
            RECOVERED.setRelease(this, null); // release: pairs with getAcquire in retry
        }
    }

    static boolean isOutOfDisk(final Throwable ex)
    {
        for (Throwable t = ex; null != t; t = t.getCause())
        {
            if (null != t.getMessage() && t.getMessage().contains("No space left on device"))
            {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------ syncer

    /**
     * Syncer: hints the write-back of the current segment's new records ({@link LogSyncer.SyncAction#startWriteBack}),
     * so that the partitions' writes are under way together before {@link #writeBack} waits for each.
     */
    void startWriteBack(final LogSyncer.SyncAction action)
    {
        final LogSegment segment = syncing;
        if (appendedSequence() != writtenBackSequence && null == segment.next())
        {
            action.startWriteBack(segment, syncedOffset, segment.appendedEnd());
        }
    }

    /**
     * Syncer: forces every record appended so far (the segments the writer left first, whole, then the current
     * one up to its appended end); they are durable once the round's {@link LogSyncer.SyncAction#flush} returned,
     * and {@link #publishDurable} then says so.
     * @return records forced by this call (0: nothing new).
     * @throws RuntimeException from the sync action (the log is then failed; {@link #retry} clears it).
     */
    long writeBack(final LogSyncer.SyncAction action)
    {
        final long durableBefore = durableSequence();
        final long appended = appendedSequence();
        if (appended == writtenBackSequence)
        {
            return 0;
        }
        LogSegment segment = syncing;
        try
        {
            while (true)
            {
                final LogSegment next = segment.next(); // before the end: once next is set, the end is final
                final long end = segment.appendedEnd();
                writerPages.unmapFilled(segment, end, null != next);
                action.force(segment, syncedOffset, end);
                if (null == next)
                {
                    syncedOffset = end;
                    break;
                }
                segment.close();
                segment = next;
                syncing = next;
                syncedOffset = 0;
            }
        }
        catch (final RuntimeException ex)
        {
            syncFailure = "sync of " + segment.path() + " failed: " + ex;
            counters.add(partition, LogCounters.SYNC_ERRORS, 1);
            throw ex;
        }
        if (writtenBackSequence == lastSyncedSequence)
        {
            durableBeforeWriteBack = durableBefore; // the first write-back since the last publish
        }
        writtenBackSequence = appended;
        return appended - lastSyncedSequence;
    }

    /** Syncer: whether records were written back and are not yet published durable (the round's flush is due). */
    boolean awaitsFlush()
    {
        return writtenBackSequence != lastSyncedSequence;
    }

    /** Syncer: the round's flush failed, so what {@link #writeBack} forced is not known durable (writes refused). */
    void flushFailed(final RuntimeException ex)
    {
        if (writtenBackSequence != lastSyncedSequence)
        {
            syncFailure = "sync failed: " + ex;
            counters.add(partition, LogCounters.SYNC_ERRORS, 1);
        }
    }

    /**
     * Syncer, after the round's flush returned: publishes the highest durable sequence, which releases the held
     * replies of the records {@link #writeBack} forced.
     * @return records made durable (0: none).
     */
    long publishDurable()
    {
        if (writtenBackSequence == lastSyncedSequence)
        {
            return 0;
        }
        syncFailure = null;
        // CAS, not a store: a backup's restartAt may have lowered it meanwhile, and then these records are not its
        // release: after the flush returned; pairs with getAcquire in durableSequence
        DURABLE_SEQUENCE.compareAndSet(this, durableBeforeWriteBack, writtenBackSequence);
        counters.add(partition, LogCounters.SYNCS, 1);
        final long made = writtenBackSequence - lastSyncedSequence;
        lastSyncedSequence = writtenBackSequence;
        return made;
    }

    /**
     * Syncer, after {@link #publishDurable}: keeps the writer's next pages faulted in ({@link WriterPages#prefault}) in
     * the segment it appends to, the newest, which may be past the one being synced (async: for up to an interval).
     * @param synced whether the round wrote something back.
     */
    void prefault(final boolean synced)
    {
        LogSegment newest = syncing;
        for (LogSegment next = newest.next(); null != next; next = next.next())
        {
            newest = next;
        }
        writerPages.prefault(newest, synced);
    }

    /**
     * Syncer: once the writer's segment is half full, asks the spare thread for a zero-filled spare for its next roll
     * ({@link #makeSpare}), so the roll costs the writer a rename rather than a whole segment of writes.
     */
    void prepareSpare()
    {
        final LogSegment segment = syncing;
        if (null != SPARE.getAcquire(this) || null != writeFailure || null != segment.next() || // acquire: pairs with setRelease in roll
            segment.appendedEnd() < segment.capacity() / 2)
        {
            return;
        }
        spareWanted = true;
    }

    /**
     * Spare thread: makes the spare {@link #prepareSpare} asked for (zero-filling a segment takes a quarter of a
     * second per 64 MiB here: on the sync thread it would hold every partition's replies that long). A failure is
     * counted and left to the roll to meet; the syncer asks again.
     */
    void makeSpare()
    {
        if (!spareWanted || null != SPARE.getAcquire(this)) // acquire: pairs with setRelease in roll
        {
            return;
        }
        try
        {
            final LogSegment made = LogSegment.createSpare(directory.partitionLogDir(partition), partition,
                segmentSizeBytes, zeroFillSegments);
            made.populateForWrite(0, Math.min(made.capacity(), WriterPages.PREFAULT_BYTES)); // best effort
            SPARE.setRelease(this, made); // release: the mapped spare; pairs with getAcquire in roll
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.add(partition, LogCounters.SYNC_ERRORS, 1);
        }
        finally
        {
            spareWanted = false;
        }
    }

    /**
     * Syncer, about once a second while the log is failed: creates the segment the writer could not, and hands it
     * over; a failed sync is retried by the next {@link #writeBack}.
     * @return null when the log works again (or will at the writer's next write), else the failure's text.
     */
    String retry()
    {
        if (null != writeFailure && null == RECOVERED.getAcquire(this)) // acquire: pairs with setRelease here
        {
            final long next = appendedSequence() + 1; // writes are refused, so the writer's next sequence is stable
            try
            {
                final LogSegment segment = LogSegment.create(directory.segmentPath(partition, next), partition, next,
                    segmentSizeBytes, zeroFillSegments);
                RECOVERED.setRelease(this, segment); // release: the mapped segment; pairs with getAcquire in adoptRecovered
            }
            catch (final IOException | RuntimeException ex)
            {
                counters.add(partition, LogCounters.SYNC_ERRORS, 1);
                return "cannot create log segment " + directory.segmentPath(partition, next) + ": " + ex;
            }
        }
        return syncFailure;
    }

    /** The failure that refuses writes now, or null. */
    public String failure()
    {
        final String sync = syncFailure;
        return null != sync ? sync : writeFailure;
    }

    /** Records appended and not yet durable. */
    long lag()
    {
        return appendedSequence() - durableSequence();
    }

    /** Bytes of records: what recovery found plus what was appended since, less the deleted segments' (any thread). */
    long logBytes()
    {
        return recoveredBytes + counters.get(partition, LogCounters.BYTES_APPENDED) - deletedBytes;
    }

    /** Snapshot thread: a covered segment holding {@code bytes} of records was deleted. */
    void segmentDeleted(final long bytes)
    {
        deletedBytes = deletedBytes + bytes; // one writer: the snapshot thread
    }

    /** Unmaps the segments still mapped (after the writer and syncer stopped); syncs nothing. */
    void close()
    {
        LogSegment segment = syncing;
        while (null != segment)
        {
            final LogSegment next = segment.next();
            segment.close();
            segment = next;
        }
        for (final VarHandle handle : new VarHandle[] {RECOVERED, SPARE})
        {
            final LogSegment unused = (LogSegment)handle.getAcquire(this);
            if (null != unused)
            {
                unused.close(); // a spare file left behind is removed by the next recovery
            }
        }
    }
}
