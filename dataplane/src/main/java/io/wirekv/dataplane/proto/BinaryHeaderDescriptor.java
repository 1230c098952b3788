package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layout of memcached's binary protocol header (protocol_binary.h), the same 24 bytes for a request
 * (magic 0x80) and a response (magic 0x81). All fields big-endian; the body that follows is extras, then
 * key, then value, {@code totalBody} bytes in all.
 * <pre>
 *   0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  | magic         | opcode        | key length (u16)              |  0
 *  +---------------+---------------+---------------+---------------+
 *  | extras length | data type     | vbucket (req) / status (res)  |  4
 *  +---------------+---------------+---------------+---------------+
 *  | total body length (u32): extras + key + value                 |  8
 *  +---------------------------------------------------------------+
 *  | opaque (u32): echoed unchanged                                | 12
 *  +---------------------------------------------------------------+
 *  | cas (u64)                                                     | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * Extras by opcode (requests): set/add/replace {@code flags u32, expiration u32}; incr/decr {@code delta u64,
 * initial u64, expiration u32} (0xffffffff: do not create); touch/gat {@code expiration u32}; flush optional
 * {@code expiration u32}. Responses: get/gat {@code flags u32}; incr/decr body is the new value as u64.
 */
public final class BinaryHeaderDescriptor
{
    public static final int MAGIC_OFFSET = 0;
    public static final int OPCODE_OFFSET = MAGIC_OFFSET + 1;
    public static final int KEY_LENGTH_OFFSET = OPCODE_OFFSET + 1;
    public static final int EXTRAS_LENGTH_OFFSET = KEY_LENGTH_OFFSET + 2;
    public static final int DATA_TYPE_OFFSET = EXTRAS_LENGTH_OFFSET + 1;
    public static final int STATUS_OFFSET = DATA_TYPE_OFFSET + 1;
    public static final int TOTAL_BODY_OFFSET = STATUS_OFFSET + 2;
    public static final int OPAQUE_OFFSET = TOTAL_BODY_OFFSET + 4;
    public static final int CAS_OFFSET = OPAQUE_OFFSET + 4;
    public static final int HEADER_LENGTH = CAS_OFFSET + 8;

    public static final byte MAGIC_REQUEST = (byte)0x80;
    public static final byte MAGIC_RESPONSE = (byte)0x81;

    // Opcodes memcached 1.6 serves.
    public static final int GET = 0x00;
    public static final int SET = 0x01;
    public static final int ADD = 0x02;
    public static final int REPLACE = 0x03;
    public static final int DELETE = 0x04;
    public static final int INCREMENT = 0x05;
    public static final int DECREMENT = 0x06;
    public static final int QUIT = 0x07;
    public static final int FLUSH = 0x08;
    public static final int GETQ = 0x09;
    public static final int NOOP = 0x0a;
    public static final int VERSION = 0x0b;
    public static final int GETK = 0x0c;
    public static final int GETKQ = 0x0d;
    public static final int APPEND = 0x0e;
    public static final int PREPEND = 0x0f;
    public static final int STAT = 0x10;
    public static final int SETQ = 0x11;
    public static final int ADDQ = 0x12;
    public static final int REPLACEQ = 0x13;
    public static final int DELETEQ = 0x14;
    public static final int INCREMENTQ = 0x15;
    public static final int DECREMENTQ = 0x16;
    public static final int QUITQ = 0x17;
    public static final int FLUSHQ = 0x18;
    public static final int APPENDQ = 0x19;
    public static final int PREPENDQ = 0x1a;
    public static final int TOUCH = 0x1c;
    public static final int GAT = 0x1d;
    public static final int GATQ = 0x1e;
    public static final int GATK = 0x23;
    public static final int GATKQ = 0x24;
    public static final int SASL_LIST_MECHS = 0x20;
    public static final int SASL_AUTH = 0x21;
    public static final int SASL_STEP = 0x22;

    // Response statuses.
    public static final int RESPONSE_SUCCESS = 0x0000;
    public static final int RESPONSE_KEY_ENOENT = 0x0001;
    public static final int RESPONSE_KEY_EEXISTS = 0x0002;
    public static final int RESPONSE_E2BIG = 0x0003;
    public static final int RESPONSE_EINVAL = 0x0004;
    public static final int RESPONSE_NOT_STORED = 0x0005;
    public static final int RESPONSE_DELTA_BADVAL = 0x0006;
    public static final int RESPONSE_AUTH_ERROR = 0x0020;
    public static final int RESPONSE_AUTH_CONTINUE = 0x0021;
    public static final int RESPONSE_UNKNOWN_COMMAND = 0x0081;
    public static final int RESPONSE_ENOMEM = 0x0082;
    /** memcached's PROTOCOL_BINARY_RESPONSE_EINTERNAL: wirekv answers it when the write's log failed (disk full, I/O error). */
    public static final int RESPONSE_EINTERNAL = 0x0084;

    /** memcached's ITEM_SIZE_MAX_UPPER_LIMIT: a larger body is refused (EINVAL) and the connection closed. */
    public static final long BODY_MAX_LENGTH = 1024L * 1024 * 1024;

    static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private BinaryHeaderDescriptor()
    {
    }

    /** The quiet opcode's loud twin (SETQ → SET ...), or the opcode itself: memcached's dispatch_bin_command. */
    public static int loudOpcode(final int opcode)
    {
        return switch (opcode)
        {
            case SETQ -> SET;
            case ADDQ -> ADD;
            case REPLACEQ -> REPLACE;
            case DELETEQ -> DELETE;
            case INCREMENTQ -> INCREMENT;
            case DECREMENTQ -> DECREMENT;
            case QUITQ -> QUIT;
            case FLUSHQ -> FLUSH;
            case APPENDQ -> APPEND;
            case PREPENDQ -> PREPEND;
            case GETQ -> GET;
            case GETKQ -> GETK;
            case GATQ -> GAT;
            case GATKQ -> GATK;
            default -> opcode;
        };
    }

    static int keyLength(final MemorySegment in, final long at)
    {
        return in.get(SHORT_BE, at + KEY_LENGTH_OFFSET) & 0xFFFF;
    }

    static long totalBody(final MemorySegment in, final long at)
    {
        return in.get(INT_BE, at + TOTAL_BODY_OFFSET) & 0xFFFF_FFFFL;
    }
}
