package io.wirekv.dataplane.record;

/**
 * Layout of one write record: a write parsed once, by the reader thread that received it, into the
 * bytes that travel to the partition's writer. The same layout is the log record and is meant to be the
 * replication frame: in a log, {@link RecordFrames} fills {@code sequence} and {@code crc32c}; on the
 * reader→writer ring both are 0. All fields little-endian; records are 8-byte aligned.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            length (u32): header + key + value, in bytes       |  0
 *  +---------------------------------------------------------------+
 *  |            crc32c (u32) of bytes [8, length); 0 on the ring   |  4
 *  +---------------------------------------------------------------+
 *  |            sequence (u64) in the partition's log; 0 on ring   |  8
 *  |                                                               |
 *  +---------------+---------------+-------------------------------+
 *  | version (u8)  | opcode (u8)   | options (u16, OPTION_* bits)  | 16
 *  +---------------+---------------+-------------------------------+
 *  |            partition (u32)                                    | 20
 *  +---------------------------------------------------------------+
 *  |            clientFlags (u32)                                  | 24
 *  +---------------+---------------+-------------------------------+
 *  | keyLength u8  | storeMode u8  | metaBits (u16): OP_RESTORE    | 28
 *  +---------------+---------------+-------------------------------+
 *  |            exptime (i64): absolute unix seconds, 0 = never    | 32
 *  |            (storage, touch, gat; meta T; flush_all: oldest    |
 *  |             live second)                                      |
 *  +---------------------------------------------------------------+
 *  |            newCas (u64): meta E, 0 = the table's next         | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            valueLength (u32)                                  | 48
 *  +---------------------------------------------------------------+
 *  |            storedAt (u32): OP_RESTORE, unix seconds           | 52
 *  +===============================================================+
 *  |   effect records (OP_RESTORE, OP_UNLINK): key, then value     | 56
 *  +===============================================================+
 *  |            ticket (u64): the reader's id for the reply        | 56
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            keyHash (u64): the table's hash of the key;        | 64
 *  |            0 without a key (flush_all)                        |
 *  +---------------------------------------------------------------+
 *  |            compareCas (u64): cas, meta C                      | 72
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            number (u64): incr/decr/ma delta; mg R threshold   | 80
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            initial (u64): ma N initial value                  | 88
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            vivifyExptime (i64): mg/ma N, absolute seconds     | 96
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   every other record: key (keyLength bytes), value ...        | 104
 *  +---------------------------------------------------------------+
 * </pre>
 * Two header lengths, one layout: the fields an effect record needs come first, and an effect record
 * ({@link #isEffect}) ends its header there ({@link #EFFECT_HEADER_LENGTH}, 56 bytes); requests carry the rest
 * ({@link #HEADER_LENGTH}, 104 bytes). A log is mostly effect records, so the short header cuts the bytes a small
 * write puts in the log and in the replication stream by a third (152 to 104 for a 16-byte key and 32-byte value)
 * and the CRC32C with them. The opcode says which header a record has ({@link #headerLength}); a logged flush_all
 * (rare, and an opcode requests use too) keeps the long one.
 * <p>
 * {@code keyHash} is the table's own hash of the key ({@code Table.keyHash}), computed once by the reader, which
 * also takes {@code partition} from it; the writer checks the partition against it and indexes the item under it
 * without hashing the key again. The writer trusts it as it trusts the rest of the record from its own process's
 * ring: a hash that is not the key's would index the item where readers never look. A consumer that does not
 * trust the producer (replaying a log or a replication stream, later) recomputes it from the key.
 * Every time in a record is absolute (the reader converts memcached's relative exptimes with its clock),
 * so replaying a record later means the same as applying it now. What only the reader needs (noreply,
 * meta q/k/O/b echo, the reply's format) never enters the record: the reader keeps its parsed command
 * in the parked session and formats the writer's {@link WriteReplyDescriptor binary reply} itself.
 * <p>
 * A log holds only <em>effect</em> records, which the writer appends after applying a write that changed the
 * table: {@link #OP_RESTORE} (the exact item: key, client flags, absolute exptime, CAS in {@code newCas},
 * {@code storedAt}, {@code metaBits}, value), {@link #OP_UNLINK} (the key has no live item) and
 * {@link #OP_FLUSH_ALL} (its absolute time; with {@link #OPTION_NEW_CAS}, the oldest live CAS it set). Replaying
 * them is exact and idempotent: incr, append, touch and cas log the item they produced, not the request.
 */
public final class WriteRecordDescriptor
{
    public static final int LENGTH_OFFSET = 0;
    public static final int CRC32C_OFFSET = LENGTH_OFFSET + Integer.BYTES;
    public static final int SEQUENCE_OFFSET = CRC32C_OFFSET + Integer.BYTES;
    public static final int VERSION_OFFSET = SEQUENCE_OFFSET + Long.BYTES;
    public static final int OPCODE_OFFSET = VERSION_OFFSET + Byte.BYTES;
    public static final int OPTIONS_OFFSET = OPCODE_OFFSET + Byte.BYTES;
    public static final int PARTITION_OFFSET = OPTIONS_OFFSET + Short.BYTES;
    public static final int CLIENT_FLAGS_OFFSET = PARTITION_OFFSET + Integer.BYTES;
    public static final int KEY_LENGTH_OFFSET = CLIENT_FLAGS_OFFSET + Integer.BYTES;
    public static final int STORE_MODE_OFFSET = KEY_LENGTH_OFFSET + Byte.BYTES;
    /** OP_RESTORE: the item's meta bits (stale, win token sent, fetched, binary key); 0 otherwise. */
    public static final int META_BITS_OFFSET = STORE_MODE_OFFSET + Byte.BYTES;
    public static final int EXPTIME_OFFSET = META_BITS_OFFSET + Short.BYTES;
    public static final int NEW_CAS_OFFSET = EXPTIME_OFFSET + Long.BYTES;
    public static final int VALUE_LENGTH_OFFSET = NEW_CAS_OFFSET + Long.BYTES;
    /** OP_RESTORE: when the item was stored, unix seconds (flush_all compares it); 0 otherwise. */
    public static final int STORED_AT_OFFSET = VALUE_LENGTH_OFFSET + Integer.BYTES;
    /** An effect record's header ends here: its key starts at this offset. Also the shortest record. */
    public static final int EFFECT_HEADER_LENGTH = STORED_AT_OFFSET + Integer.BYTES;
    /** Requests only, from here on. */
    public static final int TICKET_OFFSET = EFFECT_HEADER_LENGTH;
    public static final int KEY_HASH_OFFSET = TICKET_OFFSET + Long.BYTES;
    public static final int COMPARE_CAS_OFFSET = KEY_HASH_OFFSET + Long.BYTES;
    public static final int NUMBER_OFFSET = COMPARE_CAS_OFFSET + Long.BYTES;
    public static final int INITIAL_OFFSET = NUMBER_OFFSET + Long.BYTES;
    public static final int VIVIFY_EXPTIME_OFFSET = INITIAL_OFFSET + Long.BYTES;
    /** A request's (and a logged flush_all's) header ends here: its key starts at this offset. */
    public static final int HEADER_LENGTH = VIVIFY_EXPTIME_OFFSET + Long.BYTES;
    /** No record is shorter: an effect record with an empty key. */
    public static final int MIN_LENGTH = EFFECT_HEADER_LENGTH;

    /** Where the CRC32C's coverage starts: everything after the length and the checksum itself. */
    public static final int CRC_COVERAGE_OFFSET = SEQUENCE_OFFSET;

    /**
     * 2: {@link #KEY_HASH_OFFSET keyHash} added. 3: effect records (OP_RESTORE's metaBits and storedAt). 4: the
     * fields effects use moved first, and effect records end their header after them ({@link #EFFECT_HEADER_LENGTH}).
     */
    public static final byte VERSION = 4;

    /** memcached's key limit; a record's key length is one byte. */
    public static final int KEY_MAX_LENGTH = 250;

    // Opcodes: what the writer does. Text and meta variants differ where their semantics do.
    /** Storage (set/add/replace/append/prepend/cas, and ms in any mode): store {@link #STORE_MODE_OFFSET}. */
    public static final byte OP_STORE = 1;
    public static final byte OP_DELETE = 2;
    public static final byte OP_INCR = 3;
    public static final byte OP_DECR = 4;
    public static final byte OP_TOUCH = 5;
    /** One key of gat/gats: touch and return the item. */
    public static final byte OP_GAT = 6;
    public static final byte OP_FLUSH_ALL = 7;
    /** mg that writes: N (vivify), T (new TTL), R (recache), or handing out a stale item's win token. */
    public static final byte OP_META_GET = 8;
    public static final byte OP_META_DELETE = 9;
    public static final byte OP_META_ARITHMETIC = 10;
    /** Log effect: make exactly this item (see the class comment); the key's hash is recomputed on replay. */
    public static final byte OP_RESTORE = 11;
    /** Log effect: the key has no live item any more (delete, md, a too-large set's unlink). */
    public static final byte OP_UNLINK = 12;
    public static final byte OP_MAX = OP_UNLINK;

    // Store modes (OP_STORE): memcached's NREAD_* set.
    public static final byte MODE_SET = 0;
    public static final byte MODE_ADD = 1;
    public static final byte MODE_REPLACE = 2;
    public static final byte MODE_APPEND = 3;
    public static final byte MODE_PREPEND = 4;
    public static final byte MODE_CAS = 5;
    public static final byte MODE_MAX = MODE_CAS;

    // Options: facts of the request the writer needs.
    /** A set whose item exceeds the size limit: memcached unlinks the old item and refuses. Carries no value. */
    public static final int OPTION_TOO_LARGE = 1;
    /** Meta I: a store with an older CAS, or a delete, marks the item stale instead. */
    public static final int OPTION_INVALIDATE = 1 << 1;
    /** Meta b: the key arrived base64-encoded, and memcached echoes it encoded later. */
    public static final int OPTION_BINARY_KEY = 1 << 2;
    /** Meta C: compare against {@link #COMPARE_CAS_OFFSET}. */
    public static final int OPTION_COMPARE_CAS = 1 << 3;
    /** Meta E: give the item {@link #NEW_CAS_OFFSET} as its CAS. */
    public static final int OPTION_NEW_CAS = 1 << 4;
    /** Meta T: set the expiry to {@link #EXPTIME_OFFSET}. */
    public static final int OPTION_NEW_TTL = 1 << 5;
    /** Meta N: create the item when missing, expiring at {@link #VIVIFY_EXPTIME_OFFSET}. */
    public static final int OPTION_VIVIFY = 1 << 6;
    /** mg R: win the recache token when the TTL left is below {@link #NUMBER_OFFSET}'s threshold. */
    public static final int OPTION_RECACHE = 1 << 7;
    /** ma MD/M-: decrement. */
    public static final int OPTION_DECREMENT = 1 << 8;
    /** flush_all without a delay: everything older than now goes at once. */
    public static final int OPTION_IMMEDIATE = 1 << 9;
    /** mg v, gat: the reply carries the item's value. */
    public static final int OPTION_WANT_VALUE = 1 << 10;
    /** mg u: the item is not bumped (neither its CLOCK reference nor its fetched bit is set). */
    public static final int OPTION_NO_BUMP = 1 << 11;

    public static final int ALIGNMENT = 8;

    private WriteRecordDescriptor()
    {
    }

    /** Bytes of a request record (or a logged flush_all) with this key and value, before alignment. */
    public static int recordLength(final int keyLength, final int valueLength)
    {
        return HEADER_LENGTH + keyLength + valueLength;
    }

    /** Bytes of an effect record ({@link #OP_RESTORE}, {@link #OP_UNLINK}) with this key and value, before alignment. */
    public static int effectLength(final int keyLength, final int valueLength)
    {
        return EFFECT_HEADER_LENGTH + keyLength + valueLength;
    }

    /** Whether a record of this opcode has the short header ({@link #EFFECT_HEADER_LENGTH}). */
    public static boolean isEffect(final byte opcode)
    {
        return opcode == OP_RESTORE || opcode == OP_UNLINK;
    }

    /** Where the key of a record of this opcode starts. */
    public static int headerLength(final byte opcode)
    {
        return isEffect(opcode) ? EFFECT_HEADER_LENGTH : HEADER_LENGTH;
    }
}
