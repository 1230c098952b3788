package io.wirekv.dataplane.log;

/**
 * Layout of a log segment file ({@code data.dir/log/p<partition>/<firstSequence %020d>.log}): a 64-byte
 * header, then {@link io.wirekv.dataplane.record.RecordFrames framed} effect records from
 * {@link #RECORDS_OFFSET}, 8-byte aligned, up to a zero length word (the end of the log). The file is
 * preallocated (zero-filled) to its full size when it is created, so a full disk shows then and never in the
 * middle of a record. {@link #FLAG_ZERO_FILLED} says its blocks were written with zeros and synced at creation, so a
 * sync of records needs no metadata (older builds only allocated them). All fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            magic (u32): "WKVL"                                |  0
 *  +---------------------------------------------------------------+
 *  |            version (u32)                                      |  4
 *  +---------------------------------------------------------------+
 *  |            partition (u32)                                    |  8
 *  +---------------------------------------------------------------+
 *  |            flags (u32): {@link #FLAG_ZERO_FILLED}                  | 12
 *  +---------------------------------------------------------------+
 *  |            firstSequence (u64): the first record's sequence   | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            segmentSize (u64): bytes preallocated              | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            headerCrc (u32): CRC32C of bytes [0, 32)           | 32
 *  +---------------------------------------------------------------+
 *  |            reserved to 64                                     | 36
 *  +---------------------------------------------------------------+
 *  |            records ...                                        | 64
 * </pre>
 */
public final class LogSegmentDescriptor
{
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
    public static final int PARTITION_OFFSET = VERSION_OFFSET + Integer.BYTES;
    public static final int FLAGS_OFFSET = PARTITION_OFFSET + Integer.BYTES;
    public static final int FIRST_SEQUENCE_OFFSET = FLAGS_OFFSET + Integer.BYTES;
    public static final int SEGMENT_SIZE_OFFSET = FIRST_SEQUENCE_OFFSET + Long.BYTES;
    public static final int HEADER_CRC_OFFSET = SEGMENT_SIZE_OFFSET + Long.BYTES;
    public static final int RECORDS_OFFSET = 64;

    /** "WKVL" read as a little-endian u32. */
    public static final int MAGIC = 'W' | 'K' << 8 | 'V' << 16 | 'L' << 24;
    /** 2: records of {@code WriteRecordDescriptor.VERSION} 4 (effect records with the short header). */
    public static final int VERSION = 2;
    /** Flag: every block of the file was written (zeros) and synced when it was created. */
    public static final int FLAG_ZERO_FILLED = 1;
    public static final String SUFFIX = ".log";

    private LogSegmentDescriptor()
    {
    }

    /** The file name of the segment whose first record has {@code firstSequence}. */
    public static String fileName(final long firstSequence)
    {
        return String.format("%020d%s", firstSequence, SUFFIX);
    }
}
