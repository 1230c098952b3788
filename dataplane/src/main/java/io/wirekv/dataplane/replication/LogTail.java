package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.log.DataDirectory;
import io.wirekv.dataplane.log.LogSegmentDescriptor;
import io.wirekv.dataplane.record.RecordFrames;
import io.wirekv.dataplane.record.WriteRecordDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The sender's read cursor in one partition's log: its own read-only mapping of the segment file that holds the next
 * record to send, walked frame by frame up to the sequence the writer has published
 * ({@code PartitionLog.appendedSequence}, an acquire load that pairs with the writer's release after it sealed the
 * record; the writer's and this mapping share the page cache's pages). A segment a snapshot deletes stays readable
 * while it is mapped here. Copies whole sealed records as they are. Threading: the sender thread only;
 * allocation-free except when it moves to another segment file.
 */
final class LogTail implements AutoCloseable
{
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DataDirectory directory;
    private final int partition;
    private Arena arena;
    private MemorySegment mapped;
    private long offset;
    private long nextSequence;
    private int copiedRecords;

    LogTail(final DataDirectory directory, final int partition)
    {
        this.directory = directory;
        this.partition = partition;
    }

    /** The next sequence {@link #copyTo} sends. */
    long nextSequence()
    {
        return nextSequence;
    }

    /** Records the last {@link #copyTo} copied. */
    int copiedRecords()
    {
        return copiedRecords;
    }

    /**
     * Positions the cursor at {@code next} (every record before it must have been appended).
     * @return false when the log no longer holds {@code next} (its segment was deleted after a snapshot): the
     *         partition needs a full sync.
     */
    boolean seek(final long next) throws IOException
    {
        close();
        final List<Path> files = directory.segments(partition);
        Path chosen = null;
        for (final Path f : files)
        {
            if (DataDirectory.firstSequenceOf(f) <= next)
            {
                chosen = f;
            }
        }
        if (null == chosen)
        {
            return false;
        }
        if (!map(chosen))
        {
            return false;
        }
        long sequence = DataDirectory.firstSequenceOf(chosen);
        offset = LogSegmentDescriptor.RECORDS_OFFSET;
        while (sequence < next)
        {
            final int length = lengthAt(offset);
            if (length <= 0 || mapped.get(LE_LONG, offset + WriteRecordDescriptor.SEQUENCE_OFFSET) != sequence)
            {
                return false;
            }
            offset += RecordFrames.frameLength(length);
            sequence++;
        }
        nextSequence = next;
        return true;
    }

    /**
     * Copies whole records from {@link #nextSequence} up to {@code upTo} into {@code out} at {@code at}, at most
     * {@code maxBytes} of them (always one record, if it fits in {@code limit}).
     * @return bytes copied, or -1 when the log no longer has the next record (a deleted segment): full sync.
     */
    int copyTo(final MemorySegment out, final long at, final long limit, final int maxBytes, final long upTo)
        throws IOException
    {
        copiedRecords = 0;
        long to = at;
        while (nextSequence <= upTo)
        {
            final int length = lengthAt(offset);
            if (length == 0)
            {
                if (!map(directory.segmentPath(partition, nextSequence)))
                {
                    return -1;
                }
                offset = LogSegmentDescriptor.RECORDS_OFFSET;
                continue;
            }
            if (length < 0 || mapped.get(LE_LONG, offset + WriteRecordDescriptor.SEQUENCE_OFFSET) != nextSequence)
            {
                return -1;
            }
            final int frame = RecordFrames.frameLength(length);
            if (to + frame > limit || (to > at && to - at + frame > maxBytes))
            {
                break;
            }
            MemorySegment.copy(mapped, offset, out, to, frame);
            to += frame;
            offset += frame;
            nextSequence++;
            copiedRecords++;
        }
        return (int)(to - at);
    }

    /** The length word at {@code at}; 0 past the mapping's end or at the log's end; -1 when it cannot be a record. */
    private int lengthAt(final long at)
    {
        if (at + WriteRecordDescriptor.MIN_LENGTH > mapped.byteSize())
        {
            return 0;
        }
        final int length = mapped.get(LE_INT, at);
        if (length == 0)
        {
            return 0;
        }
        return length < WriteRecordDescriptor.MIN_LENGTH || at + length > mapped.byteSize() ? -1 : length;
    }

    private boolean map(final Path file) throws IOException
    {
        close();
        if (!Files.exists(file))
        {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            arena = Arena.ofConfined();
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return true;
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            close();
            return false;
        }
    }

    @Override
    public void close()
    {
        if (null != arena)
        {
            arena.close();
            arena = null;
            mapped = null;
        }
    }
}
