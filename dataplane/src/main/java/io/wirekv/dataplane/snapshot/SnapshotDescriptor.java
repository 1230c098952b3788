package io.wirekv.dataplane.snapshot;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layout of a snapshot file: one partition's live items at the moment a scan started (a fuzzy snapshot, see
 * {@link io.wirekv.dataplane.table.PartitionScanner}), named {@code p<partition>-<sequence %020d>.snap} where
 * sequence is the partition's log sequence when the scan started. All fields little-endian.
 * <pre>
 * header (40 bytes), at offset 0:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 magic "WKVSNAP1" (u64)                        |  0
 *  +---------------------------------------------------------------+
 *  |                 version (u32)                                 |  8
 *  +---------------------------------------------------------------+
 *  |                 partition (u32)                               | 12
 *  +---------------------------------------------------------------+
 *  |                 sequence (u64): log sequence at scan start    | 16
 *  +---------------------------------------------------------------+
 *  |                 createdAtMs (u64): unix ms                    | 24
 *  +---------------------------------------------------------------+
 *  |                 reserved (u32, 0)                             | 32
 *  +---------------------------------------------------------------+
 *  |                 headerCrc (u32): CRC32C of bytes 0..35        | 36
 *  +---------------------------------------------------------------+
 *
 * item frame (32 bytes + key + value), any number, each following the previous:
 *  +---------------------------------------------------------------+
 *  |                 frameLength (u32): the whole frame            |  0
 *  +---------------------------------------------------------------+
 *  |                 frameCrc (u32): CRC32C of bytes 8..frameLength|  4
 *  +---------------+---------------+---------------+---------------+
 *  | type u8 = 1   | keyLength u8  | metaBits u8   | reserved u8   |  8
 *  +---------------+---------------+---------------+---------------+
 *  |                 clientFlags (u32)                             | 12
 *  +---------------------------------------------------------------+
 *  |                 cas (u64)                                     | 16
 *  +---------------------------------------------------------------+
 *  |                 expiresAtSeconds (u32, absolute, 0 = never)   | 24
 *  +---------------------------------------------------------------+
 *  |                 storedAtSeconds (u32)                         | 28
 *  +---------------------------------------------------------------+
 *  |  key (keyLength bytes), value (frameLength - 32 - keyLength)  | 32
 *  +---------------------------------------------------------------+
 *
 * trailer frame (40 bytes), last in the file:
 *  +---------------------------------------------------------------+
 *  |                 frameLength (u32) = 40                        |  0
 *  +---------------------------------------------------------------+
 *  |                 frameCrc (u32): CRC32C of bytes 8..39         |  4
 *  +---------------+-----------------------------------------------+
 *  | type u8 = 2   |                 reserved (u24, 0)             |  8
 *  +---------------+-----------------------------------------------+
 *  |                 reserved (u32, 0)                             | 12
 *  +---------------------------------------------------------------+
 *  |                 itemCount (u64)                               | 16
 *  +---------------------------------------------------------------+
 *  |                 bodyBytes (u64): offset of this trailer       | 24
 *  +---------------------------------------------------------------+
 *  |                 bodyCrc (u32): CRC32C of bytes 0..bodyBytes-1 | 32
 *  +---------------------------------------------------------------+
 *  |                 reserved (u32, 0)                             | 36
 *  +---------------------------------------------------------------+
 * </pre>
 * A file is valid only if its header, every frame and the trailer check out and the trailer ends the file exactly,
 * so a file cut anywhere, or with any bit flipped, is refused. A file being written is named {@code .snap.tmp}; it
 * becomes {@code .snap} only after it was fsynced, and the directory is fsynced after the rename.
 */
public final class SnapshotDescriptor
{
    /** "WKVSNAP1" read as a little-endian u64. */
    public static final long MAGIC = 0x31_50_41_4E_53_56_4B_57L;
    public static final int VERSION = 1;

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    static final int PARTITION_OFFSET = VERSION_OFFSET + Integer.BYTES;
    static final int SEQUENCE_OFFSET = PARTITION_OFFSET + Integer.BYTES;
    static final int CREATED_AT_OFFSET = SEQUENCE_OFFSET + Long.BYTES;
    static final int HEADER_RESERVED_OFFSET = CREATED_AT_OFFSET + Long.BYTES;
    /** The header CRC covers every header byte before it. */
    static final int HEADER_CRC_OFFSET = HEADER_RESERVED_OFFSET + Integer.BYTES;
    public static final int HEADER_LENGTH = HEADER_CRC_OFFSET + Integer.BYTES;

    static final int FRAME_LENGTH_OFFSET = 0;
    static final int FRAME_CRC_OFFSET = FRAME_LENGTH_OFFSET + Integer.BYTES;
    /** The frame CRC covers the frame from here to its end. */
    static final int FRAME_TYPE_OFFSET = FRAME_CRC_OFFSET + Integer.BYTES;
    static final int KEY_LENGTH_OFFSET = FRAME_TYPE_OFFSET + Byte.BYTES;
    static final int META_BITS_OFFSET = KEY_LENGTH_OFFSET + Byte.BYTES;
    static final int ITEM_RESERVED_OFFSET = META_BITS_OFFSET + Byte.BYTES;
    static final int CLIENT_FLAGS_OFFSET = ITEM_RESERVED_OFFSET + Byte.BYTES;
    static final int CAS_OFFSET = CLIENT_FLAGS_OFFSET + Integer.BYTES;
    static final int EXPIRES_AT_OFFSET = CAS_OFFSET + Long.BYTES;
    static final int STORED_AT_OFFSET = EXPIRES_AT_OFFSET + Integer.BYTES;
    static final int KEY_OFFSET = STORED_AT_OFFSET + Integer.BYTES;
    public static final int ITEM_HEADER_LENGTH = KEY_OFFSET;

    static final int TRAILER_RESERVED_OFFSET = FRAME_TYPE_OFFSET + Integer.BYTES;
    static final int ITEM_COUNT_OFFSET = TRAILER_RESERVED_OFFSET + Integer.BYTES;
    static final int BODY_BYTES_OFFSET = ITEM_COUNT_OFFSET + Long.BYTES;
    static final int BODY_CRC_OFFSET = BODY_BYTES_OFFSET + Long.BYTES;
    static final int TRAILER_END_RESERVED_OFFSET = BODY_CRC_OFFSET + Integer.BYTES;
    public static final int TRAILER_LENGTH = TRAILER_END_RESERVED_OFFSET + Integer.BYTES;

    static final byte TYPE_ITEM = 1;
    static final byte TYPE_TRAILER = 2;

    /** Largest frame a reader accepts (a key of 255 bytes and a value up to 1 GiB): bounds a garbage length. */
    static final int MAX_FRAME_LENGTH = ITEM_HEADER_LENGTH + 255 + (1 << 30);

    public static final String SUFFIX = ".snap";
    public static final String TEMPORARY_SUFFIX = ".snap.tmp";

    private SnapshotDescriptor()
    {
    }

    /** {@code p<partition>-<sequence %020d>.snap}: names sort by sequence within a partition. */
    public static String fileName(final int partition, final long sequence)
    {
        return "p" + partition + "-" + String.format("%020d", sequence) + SUFFIX;
    }

    /** A buffer for a frame of {@code length} bytes: the next power of two, capped below 2 GiB. */
    static int bufferBytesFor(final long length)
    {
        return (int)Math.min(Integer.MAX_VALUE - 8, Long.highestOneBit(length - 1) << 1);
    }

    static long frameLength(final int keyLength, final int valueLength)
    {
        return (long)ITEM_HEADER_LENGTH + keyLength + valueLength;
    }
}
