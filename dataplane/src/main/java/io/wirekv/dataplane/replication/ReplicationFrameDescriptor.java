package io.wirekv.dataplane.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Layout of the replication stream's frames, primary → backup and back, over any {@link ReplicationChannel}. Every
 * frame starts with the same 16-byte header and is padded to a multiple of 8 bytes, so the sealed log records a
 * {@link #TYPE_RECORDS} frame carries stay 8-byte aligned. All fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            length (u32): the whole frame, header included,   |  0
 *  |            a multiple of 8, at most the receiver's maximum    |
 *  +-------------------------------+-------------------------------+
 *  |            type (u16)         |  reserved (u16, 0)            |  4
 *  +-------------------------------+-------------------------------+
 *  |            partition (u32): RESET, RECORDS, SCAN, SCAN_END,   |  8
 *  |            ACK; 0 otherwise                                   |
 *  +---------------------------------------------------------------+
 *  |            reserved (u32, 0)                                  | 12
 *  +---------------------------------------------------------------+
 *  |            body ...                                           | 16
 *  +---------------------------------------------------------------+
 *
 *  HELLO        primary → backup, first:  magic u32 "WKVR" | version u32 | epoch u64 | partitions u32 |
 *                                         nameLength u32 | name (UTF-8)
 *  HELLO_REPLY  backup → primary:         epoch u64 | partitions u32 | flags u32 (1: the backup syncs its log) |
 *                                         per partition: last applied sequence i64 (-1: needs a full sync)
 *  REFUSED      backup → primary, last:   epoch u64 | reasonLength u32 | fence u32 (1: the primary must fence
 *                                         itself: the refusing node is primary or at a newer epoch) | reason
 *  RESET        primary → backup:         base sequence S u64 (a full sync of the partition starts: drop it all)
 *  SCAN         primary → backup:         OP_RESTORE records of the fuzzy scan, sealed with sequence 0
 *  SCAN_END     primary → backup:         (empty) the scan is complete; the log from S + 1 follows
 *  RECORDS      primary → backup:         sealed effect records (record/RecordFrames), as the log holds them,
 *                                         consecutive sequences
 *  ACK          backup → primary:         applied sequence u64 | durable sequence u64
 *  HEARTBEAT    both ways:                sender's unix time ms u64
 * </pre>
 * Every frame's length and type are checked on receipt; every record's CRC32C and sequence by the backup.
 */
public final class ReplicationFrameDescriptor
{
    public static final int LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = LENGTH_OFFSET + Integer.BYTES;
    public static final int RESERVED_OFFSET = TYPE_OFFSET + Short.BYTES;
    public static final int PARTITION_OFFSET = RESERVED_OFFSET + Short.BYTES;
    public static final int RESERVED2_OFFSET = PARTITION_OFFSET + Integer.BYTES;
    public static final int HEADER_LENGTH = RESERVED2_OFFSET + Integer.BYTES;
    public static final int ALIGNMENT = 8;

    public static final int TYPE_HELLO = 1;
    public static final int TYPE_HELLO_REPLY = 2;
    public static final int TYPE_REFUSED = 3;
    public static final int TYPE_RESET = 4;
    public static final int TYPE_SCAN = 5;
    public static final int TYPE_SCAN_END = 6;
    public static final int TYPE_RECORDS = 7;
    public static final int TYPE_ACK = 8;
    public static final int TYPE_HEARTBEAT = 9;
    public static final int TYPE_MAX = TYPE_HEARTBEAT;

    // HELLO
    public static final int HELLO_MAGIC_OFFSET = HEADER_LENGTH;
    public static final int HELLO_VERSION_OFFSET = HELLO_MAGIC_OFFSET + Integer.BYTES;
    public static final int HELLO_EPOCH_OFFSET = HELLO_VERSION_OFFSET + Integer.BYTES;
    public static final int HELLO_PARTITIONS_OFFSET = HELLO_EPOCH_OFFSET + Long.BYTES;
    public static final int HELLO_NAME_LENGTH_OFFSET = HELLO_PARTITIONS_OFFSET + Integer.BYTES;
    public static final int HELLO_NAME_OFFSET = HELLO_NAME_LENGTH_OFFSET + Integer.BYTES;
    /** "WKVR" read as a little-endian u32. */
    public static final int MAGIC = 'W' | 'K' << 8 | 'V' << 16 | 'R' << 24;
    /** 2: the stream carries records of {@code WriteRecordDescriptor.VERSION} 4 (effect records with the short header). */
    public static final int VERSION = 2;
    /**
     * "WKRD" read big-endian: the first bytes of an RDMA link's set-up parameters (rdma/RdmaConnectionParams), which
     * a primary sends instead of HELLO when it carries the stream over RDMA.
     */
    public static final int RDMA_SETUP_MAGIC = 'W' << 24 | 'K' << 16 | 'R' << 8 | 'D';

    // HELLO_REPLY
    public static final int REPLY_EPOCH_OFFSET = HEADER_LENGTH;
    public static final int REPLY_PARTITIONS_OFFSET = REPLY_EPOCH_OFFSET + Long.BYTES;
    public static final int REPLY_FLAGS_OFFSET = REPLY_PARTITIONS_OFFSET + Integer.BYTES;
    public static final int REPLY_SEQUENCES_OFFSET = REPLY_FLAGS_OFFSET + Integer.BYTES;
    /** HELLO_REPLY flag: the backup's persistence is sync, so its ACK's durable sequence is what sync mode waits for. */
    public static final int FLAG_SYNCS_LOG = 1;
    /** HELLO_REPLY: the partition has nothing the primary can continue (empty, or an incomplete full sync). */
    public static final long NEEDS_FULL_SYNC = -1;

    // REFUSED
    public static final int REFUSED_EPOCH_OFFSET = HEADER_LENGTH;
    public static final int REFUSED_REASON_LENGTH_OFFSET = REFUSED_EPOCH_OFFSET + Long.BYTES;
    public static final int REFUSED_FENCE_OFFSET = REFUSED_REASON_LENGTH_OFFSET + Integer.BYTES;
    public static final int REFUSED_REASON_OFFSET = REFUSED_FENCE_OFFSET + Integer.BYTES;

    // RESET
    public static final int RESET_BASE_OFFSET = HEADER_LENGTH;
    // ACK
    public static final int ACK_APPLIED_OFFSET = HEADER_LENGTH;
    public static final int ACK_DURABLE_OFFSET = ACK_APPLIED_OFFSET + Long.BYTES;
    // HEARTBEAT
    public static final int HEARTBEAT_TIME_OFFSET = HEADER_LENGTH;

    public static final int RESET_LENGTH = HEADER_LENGTH + Long.BYTES;
    public static final int ACK_LENGTH = HEADER_LENGTH + 2 * Long.BYTES;
    public static final int HEARTBEAT_LENGTH = HEADER_LENGTH + Long.BYTES;

    private ReplicationFrameDescriptor()
    {
    }

    /** {@code length} rounded up to the frame alignment. */
    public static int aligned(final int length)
    {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** Writes a header at {@code at} of {@code buffer} (little-endian, absolute). */
    public static void header(final ByteBuffer buffer, final int at, final int length, final int type, final int partition)
    {
        buffer.putInt(at + LENGTH_OFFSET, length);
        buffer.putShort(at + TYPE_OFFSET, (short)type);
        buffer.putShort(at + RESERVED_OFFSET, (short)0);
        buffer.putInt(at + PARTITION_OFFSET, partition);
        buffer.putInt(at + RESERVED2_OFFSET, 0);
    }

    /** Appends a HELLO at the buffer's position (set-up only: allocates the name's bytes). */
    public static void putHello(final ByteBuffer buffer, final int version, final long epoch, final int partitions,
        final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final int at = buffer.position();
        final int length = aligned(HELLO_NAME_OFFSET + bytes.length);
        header(buffer, at, length, TYPE_HELLO, 0);
        buffer.putInt(at + HELLO_MAGIC_OFFSET, MAGIC);
        buffer.putInt(at + HELLO_VERSION_OFFSET, version);
        buffer.putLong(at + HELLO_EPOCH_OFFSET, epoch);
        buffer.putInt(at + HELLO_PARTITIONS_OFFSET, partitions);
        buffer.putInt(at + HELLO_NAME_LENGTH_OFFSET, bytes.length);
        buffer.put(at + HELLO_NAME_OFFSET, bytes);
        zero(buffer, at + HELLO_NAME_OFFSET + bytes.length, at + length);
        buffer.position(at + length);
    }

    /** Appends a HELLO_REPLY at the buffer's position. */
    public static void putHelloReply(final ByteBuffer buffer, final long epoch, final int flags,
        final long[] lastApplied)
    {
        final int at = buffer.position();
        final int length = REPLY_SEQUENCES_OFFSET + lastApplied.length * Long.BYTES;
        header(buffer, at, length, TYPE_HELLO_REPLY, 0);
        buffer.putLong(at + REPLY_EPOCH_OFFSET, epoch);
        buffer.putInt(at + REPLY_PARTITIONS_OFFSET, lastApplied.length);
        buffer.putInt(at + REPLY_FLAGS_OFFSET, flags);
        for (int p = 0; p < lastApplied.length; p++)
        {
            buffer.putLong(at + REPLY_SEQUENCES_OFFSET + p * Long.BYTES, lastApplied[p]);
        }
        buffer.position(at + length);
    }

    /** Appends a REFUSED at the buffer's position (set-up only: allocates the reason's bytes). */
    public static void putRefused(final ByteBuffer buffer, final long epoch, final boolean fence, final String reason)
    {
        final byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        final int at = buffer.position();
        final int length = aligned(REFUSED_REASON_OFFSET + bytes.length);
        header(buffer, at, length, TYPE_REFUSED, 0);
        buffer.putLong(at + REFUSED_EPOCH_OFFSET, epoch);
        buffer.putInt(at + REFUSED_REASON_LENGTH_OFFSET, bytes.length);
        buffer.putInt(at + REFUSED_FENCE_OFFSET, fence ? 1 : 0);
        buffer.put(at + REFUSED_REASON_OFFSET, bytes);
        zero(buffer, at + REFUSED_REASON_OFFSET + bytes.length, at + length);
        buffer.position(at + length);
    }

    /** Appends a frame with one u64 body field (RESET, HEARTBEAT) at the buffer's position. Allocation-free. */
    public static void putLongFrame(final ByteBuffer buffer, final int type, final int partition, final long value)
    {
        final int at = buffer.position();
        header(buffer, at, HEADER_LENGTH + Long.BYTES, type, partition);
        buffer.putLong(at + HEADER_LENGTH, value);
        buffer.position(at + HEADER_LENGTH + Long.BYTES);
    }

    /** Appends an ACK at the buffer's position. Allocation-free. */
    public static void putAck(final ByteBuffer buffer, final int partition, final long applied, final long durable)
    {
        final int at = buffer.position();
        header(buffer, at, ACK_LENGTH, TYPE_ACK, partition);
        buffer.putLong(at + ACK_APPLIED_OFFSET, applied);
        buffer.putLong(at + ACK_DURABLE_OFFSET, durable);
        buffer.position(at + ACK_LENGTH);
    }

    /**
     * The length of the frame at the start of {@code buffer} (data from 0 to its position): 0 while fewer than 4
     * bytes are there, -1 when the length cannot be a frame's (shorter than a header, misaligned, over
     * {@code maxFrameBytes}).
     */
    public static int frameLength(final ByteBuffer buffer, final int maxFrameBytes)
    {
        if (buffer.position() < Integer.BYTES)
        {
            return 0;
        }
        final int length = buffer.getInt(LENGTH_OFFSET);
        return length < HEADER_LENGTH || length > maxFrameBytes || (length & (ALIGNMENT - 1)) != 0 ? -1 : length;
    }

    /** True when the buffer starts with an RDMA link's set-up parameters rather than a frame. */
    public static boolean isRdmaSetup(final ByteBuffer buffer)
    {
        return buffer.position() >= Integer.BYTES && buffer.get(0) == 'W' && buffer.get(1) == 'K' &&
            buffer.get(2) == 'R' && buffer.get(3) == 'D';
    }

    /** A frame's text field (HELLO's name, REFUSED's reason); set-up only. */
    public static String text(final ByteBuffer buffer, final int at, final int lengthOffset, final int textOffset,
        final int frameLength)
    {
        final int n = buffer.getInt(at + lengthOffset);
        if (n < 0 || textOffset + n > frameLength)
        {
            return "(a malformed text field)";
        }
        final byte[] bytes = new byte[n];
        buffer.get(at + textOffset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The type's name, for logs. */
    public static String typeName(final int type)
    {
        return switch (type)
        {
            case TYPE_HELLO -> "HELLO";
            case TYPE_HELLO_REPLY -> "HELLO_REPLY";
            case TYPE_REFUSED -> "REFUSED";
            case TYPE_RESET -> "RESET";
            case TYPE_SCAN -> "SCAN";
            case TYPE_SCAN_END -> "SCAN_END";
            case TYPE_RECORDS -> "RECORDS";
            case TYPE_ACK -> "ACK";
            case TYPE_HEARTBEAT -> "HEARTBEAT";
            default -> "type " + type;
        };
    }

    private static void zero(final ByteBuffer buffer, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            buffer.put(i, (byte)0);
        }
    }
}
