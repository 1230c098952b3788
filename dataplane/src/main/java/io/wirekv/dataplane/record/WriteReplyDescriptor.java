package io.wirekv.dataplane.record;

/**
 * Layout of the writer's binary answer to one {@link WriteRecordDescriptor write record}: what happened
 * and the facts of the item afterwards, so the reader can format memcached's text, meta (or, later,
 * binary) reply with the same formatter it uses for reads. All fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            ticket (u64): the record's ticket                  |  0
 *  |                                                               |
 *  +---------------+---------------+-------------------------------+
 *  | status (u8)   | metaBits (u8) | facts (u16, FACT_* bits)      |  8
 *  +---------------+---------------+-------------------------------+
 *  |            valueLength (u32): bytes after the header          | 12
 *  +---------------------------------------------------------------+
 *  |            cas (u64) of the item                              | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            clientFlags (u32)                                  | 24
 *  +---------------------------------------------------------------+
 *  |            itemValueLength (u32): the item's value length     | 28
 *  +---------------------------------------------------------------+
 *  |            expiresAt (i64): the item's expiry, 0 = never      | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            expiryBefore (i64): mg, before its T applied       | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            storedAt (i64): when the item was stored           | 48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   value (valueLength bytes): the item's value (mg v, gat) or  | 56
 *  |   the decimal result of incr/decr/ma                          |
 *  +---------------------------------------------------------------+
 * </pre>
 * The item fields are meaningful only with {@link #FACT_ITEM}.
 */
public final class WriteReplyDescriptor
{
    public static final int TICKET_OFFSET = 0;
    public static final int STATUS_OFFSET = TICKET_OFFSET + Long.BYTES;
    public static final int META_BITS_OFFSET = STATUS_OFFSET + Byte.BYTES;
    public static final int FACTS_OFFSET = META_BITS_OFFSET + Byte.BYTES;
    public static final int VALUE_LENGTH_OFFSET = FACTS_OFFSET + Short.BYTES;
    public static final int CAS_OFFSET = VALUE_LENGTH_OFFSET + Integer.BYTES;
    public static final int CLIENT_FLAGS_OFFSET = CAS_OFFSET + Long.BYTES;
    public static final int ITEM_VALUE_LENGTH_OFFSET = CLIENT_FLAGS_OFFSET + Integer.BYTES;
    public static final int EXPIRES_AT_OFFSET = ITEM_VALUE_LENGTH_OFFSET + Integer.BYTES;
    public static final int EXPIRY_BEFORE_OFFSET = EXPIRES_AT_OFFSET + Long.BYTES;
    public static final int STORED_AT_OFFSET = EXPIRY_BEFORE_OFFSET + Long.BYTES;
    public static final int VALUE_OFFSET = STORED_AT_OFFSET + Long.BYTES;
    public static final int HEADER_LENGTH = VALUE_OFFSET;

    // Statuses: the table's outcomes (io.wirekv.dataplane.table.Status) plus what records add.
    public static final byte STATUS_STORED = 0;
    public static final byte STATUS_NOT_STORED = 1;
    public static final byte STATUS_EXISTS = 2;
    public static final byte STATUS_NOT_FOUND = 3;
    public static final byte STATUS_DELETED = 4;
    public static final byte STATUS_TOUCHED = 5;
    public static final byte STATUS_NON_NUMERIC = 6;
    public static final byte STATUS_TOO_LARGE = 7;
    public static final byte STATUS_OUT_OF_MEMORY = 8;
    /** The item was found (mg write, gat). */
    public static final byte STATUS_HIT = 9;
    /** flush_all done. */
    public static final byte STATUS_OK = 10;
    /** The record could not be decoded (wrong version, length or opcode): nothing was applied. */
    public static final byte STATUS_BAD_RECORD = 11;
    /** The partition's log cannot take the write (the disk is full): nothing was applied. */
    public static final byte STATUS_OUT_OF_DISK = 12;
    /** The partition's log failed (a write or sync error): nothing was applied. */
    public static final byte STATUS_LOG_FAILED = 13;
    /** Replication: this node is a backup (read-only): nothing was applied. */
    public static final byte STATUS_REPLICA_READ_ONLY = 14;
    /** Replication: this primary was fenced by a newer one: nothing was applied. */
    public static final byte STATUS_FENCED = 15;
    /** Replication sync mode: no backup connected, or the link dropped while the reply waited (then it WAS applied). */
    public static final byte STATUS_NO_BACKUP = 16;
    /**
     * Replication sync mode: the backup is connected but did not acknowledge the record within
     * replication.sync.timeout (stalled, starved or far behind): the write WAS applied here but is not acknowledged.
     */
    public static final byte STATUS_SYNC_TIMEOUT = 17;

    /** The item fields describe the item after the write. */
    public static final int FACT_ITEM = 1;
    /** mg: this request won the recache/vivify token (meta W). */
    public static final int FACT_WON = 1 << 1;
    /** mg: it won because the item was stale (meta W after X). */
    public static final int FACT_WON_BY_STALE = 1 << 2;
    /** mg: the token had been handed out before (meta Z). */
    public static final int FACT_TOKEN_SENT_BEFORE = 1 << 3;
    /** ma: the item was created by N (the reply is shown even with q). */
    public static final int FACT_CREATED = 1 << 4;

    private WriteReplyDescriptor()
    {
    }
}
