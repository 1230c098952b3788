package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteRecordDecoder;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.record.WriteRecordDescriptor.*;
import static io.wirekv.dataplane.record.WriteReplyDescriptor.*;

/**
 * Runs on a partition's writer thread: applies one {@link io.wirekv.dataplane.record.WriteRecordDescriptor
 * write record} to the table with memcached's semantics and answers with a
 * {@link io.wirekv.dataplane.record.WriteReplyDescriptor binary reply}. There is no text here: the reader
 * parsed and validated the command, and formats the reply. A record that does not decode is answered
 * {@code STATUS_BAD_RECORD} and changes nothing. Counts memcached's {@code stats} for the writes in its
 * own thread slot. Threading: one instance per writer thread; allocation-free.
 */
public final class WriteApplier
{
    private final Table table;
    private final ServerStats stats;
    private final int slot;
    private final WriteRecordDecoder record = new WriteRecordDecoder();
    private final ItemView item = new ItemView();
    private final StoreSemantics semantics = new StoreSemantics();
    private final MemorySegment numberScratch = MemorySegment.ofArray(new byte[24]);
    private final MemorySegment empty = MemorySegment.ofArray(new byte[0]);
    private final ItemView effectItem = new ItemView();
    private final WriteRecordEncoder effect = new WriteRecordEncoder();
    private WriteReplyEncoder reply;
    private PartitionWriter writer;
    /** What the last {@link #apply} did to the table, for its log record: one of EFFECT_*. */
    private int lastEffect;
    private long replayedCasMax;

    /**
     * @param stats      the server's counters (cmd_set, delete_hits, ...).
     * @param threadSlot this writer thread's slot in {@code stats}.
     */
    public WriteApplier(final Table table, final ServerStats stats, final int threadSlot)
    {
        this.table = table;
        this.stats = stats;
        this.slot = threadSlot;
    }

    /**
     * Applies the record at {@code [offset, offset + length)} of {@code memory} and writes the reply into
     * {@code out} (reset first).
     */
    public void apply(final MemorySegment memory, final long offset, final int length, final WriteReplyEncoder out)
    {
        reply = out;
        // an effect record has no request fields (ticket, key hash...) to read: it is only ever replayed
        if (!record.wrap(memory, offset, length) || isEffect(record.opcode()) || !ownsPartition(record))
        {
            out.reset(record.ticketIfPresent(), STATUS_BAD_RECORD);
            return;
        }
        out.reset(record.ticket(), STATUS_STORED);
        writer = table.writer(record.partition());
        final long mutationsBefore = writer.mutations();
        lastEffect = EFFECT_NONE;
        final long now = table.nowSeconds();
        switch (record.opcode())
        {
            case OP_STORE -> store();
            case OP_DELETE -> delete();
            case OP_INCR -> arithmetic(true);
            case OP_DECR -> arithmetic(false);
            case OP_TOUCH -> touch(false);
            case OP_GAT -> touch(true);
            case OP_FLUSH_ALL -> flushAll();
            case OP_META_GET -> MetaWrites.get(this, now);
            case OP_META_DELETE -> MetaWrites.delete(this);
            case OP_META_ARITHMETIC -> MetaWrites.arithmetic(this);
            default -> out.status(STATUS_BAD_RECORD);
        }
        if (lastEffect == EFFECT_NONE && writer.mutations() != mutationsBefore)
        {
            lastEffect = EFFECT_KEY;
        }
    }

    /**
     * The record's partition exists and is its key hash's: a record for the wrong writer would hide its key. The
     * hash is the reader's ({@link io.wirekv.dataplane.record.WriteRecordDescriptor#KEY_HASH_OFFSET}), not recomputed.
     */
    private boolean ownsPartition(final WriteRecordDecoder r)
    {
        final int partition = r.partition();
        if (partition < 0 || partition >= table.partitionCount())
        {
            return false;
        }
        return r.opcode() == OP_FLUSH_ALL || table.partitionOfHash(r.keyHash()) == partition;
    }

    // ------------------------------------------------------------------------------------------ text

    private void store()
    {
        final WriteRecordDecoder r = record;
        final MemorySegment key = r.buffer();
        stats.increment(slot, ServerStats.CMD_SET);
        if (r.has(OPTION_TOO_LARGE))
        {
            stats.increment(slot, ServerStats.STORE_TOO_LARGE);
            if (r.storeMode() == MODE_SET)
            {
                // memcached drops the old item of a too-large set
                writer.unlink(key, r.keyOffset(), r.keyLength(), r.keyHash());
            }
            reply.status(STATUS_TOO_LARGE);
            return;
        }
        final int mode = r.storeMode();
        int status;
        if (r.has(OPTION_INVALIDATE) && mode == MODE_CAS &&
            writer.find(key, r.keyOffset(), r.keyLength(), r.keyHash(), item) &&
            Long.compareUnsigned(r.compareCas(), item.cas()) < 0)
        {
            // meta I: a CAS older than the item's still stores, but the result is marked stale
            status = publishValue(ItemView.META_STALE);
        }
        else if (r.has(OPTION_BINARY_KEY) && mode == MODE_SET)
        {
            // a plain set through a base64 key: remember it, memcached echoes such keys encoded
            status = publishValue(MetaReplyFormatter.META_KEY_BINARY);
        }
        else if (r.has(OPTION_NEW_CAS) && mode == MODE_SET)
        {
            status = publishValue(0);
        }
        else if (r.has(OPTION_COMPARE_CAS) && (mode == MODE_APPEND || mode == MODE_PREPEND) &&
            writer.find(key, r.keyOffset(), r.keyLength(), r.keyHash(), item) && r.compareCas() != item.cas())
        {
            // memcached's do_store_item: an append/prepend with a CAS that does not match is EXISTS
            status = Status.EXISTS;
        }
        else
        {
            status = semantics.store(writer, mode, key, r.keyOffset(), r.keyLength(), r.keyHash(), key, r.valueOffset(),
                r.valueLength(), r.clientFlags(), r.exptime(), r.compareCas(), item);
            if (status == Status.STORED)
            {
                status = applyNewCas();
            }
        }
        if (mode == MODE_CAS)
        {
            stats.increment(slot, status == Status.STORED ? ServerStats.CAS_HITS :
                status == Status.EXISTS ? ServerStats.CAS_BADVAL : ServerStats.CAS_MISSES);
        }
        reply.status((byte)status);
        if (status == Status.STORED)
        {
            itemFacts();
        }
    }

    /** Publishes the record's value as a new item with these meta bits and the record's CAS (or the next). */
    private int publishValue(final int metaBits)
    {
        final WriteRecordDecoder r = record;
        return writer.publish(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(),
            r.buffer(), r.valueOffset(), r.valueLength(), empty, 0, 0, r.clientFlags(), r.exptime(), newCasOrNext(), metaBits, item);
    }

    private void delete()
    {
        final WriteRecordDecoder r = record;
        final int status = semantics.delete(writer, r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), 0);
        stats.increment(slot, status == Status.DELETED ? ServerStats.DELETE_HITS : ServerStats.DELETE_MISSES);
        reply.status((byte)status);
    }

    private void arithmetic(final boolean increment)
    {
        final WriteRecordDecoder r = record;
        final int status =
            semantics.arithmetic(writer, r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), increment, r.number(), item);
        if (status == Status.STORED)
        {
            stats.increment(slot, increment ? ServerStats.INCR_HITS : ServerStats.DECR_HITS);
            itemFacts();
            reply.value(item.segment(), item.valueOffset(), numberLength());
        }
        else if (status == Status.NOT_FOUND)
        {
            stats.increment(slot, increment ? ServerStats.INCR_MISSES : ServerStats.DECR_MISSES);
        }
        reply.status((byte)status);
    }

    /** touch, or one key of gat/gats ({@code withValue}): a new expiry, the item back. */
    private void touch(final boolean withValue)
    {
        final WriteRecordDecoder r = record;
        stats.increment(slot, ServerStats.CMD_TOUCH);
        if (withValue)
        {
            stats.increment(slot, ServerStats.CMD_GET);
        }
        final int status = semantics.touch(writer, r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), r.exptime(), item);
        final boolean hit = status == Status.TOUCHED;
        stats.increment(slot, hit ? ServerStats.TOUCH_HITS : ServerStats.TOUCH_MISSES);
        if (withValue)
        {
            stats.increment(slot, hit ? ServerStats.GET_HITS : ServerStats.GET_MISSES);
        }
        reply.status((byte)status);
        if (hit)
        {
            itemFacts();
            if (withValue)
            {
                itemValue();
            }
        }
    }

    private void flushAll()
    {
        stats.increment(slot, ServerStats.CMD_FLUSH);
        table.flush(record.exptime(), record.has(OPTION_IMMEDIATE));
        lastEffect = EFFECT_FLUSH;
        reply.status(STATUS_OK);
    }

    // ------------------------------------------------------------------------------------------ the log

    /** {@link #apply} changed nothing: nothing to log. */
    public static final int EFFECT_NONE = 0;
    /** {@link #apply} changed the record's key: log its live item (OP_RESTORE) or its absence (OP_UNLINK). */
    public static final int EFFECT_KEY = 1;
    /** {@link #apply} ran a flush_all: log it with its time and oldest live CAS. */
    public static final int EFFECT_FLUSH = 2;

    /** What the last {@link #apply} changed (EFFECT_*); evictions and expiry never count. */
    public int lastEffect()
    {
        return lastEffect;
    }

    /** The largest effect record a write can produce: a whole item under the longest key. */
    public int maxEffectLength()
    {
        return recordLength(KEY_MAX_LENGTH, table.config().itemSizeMaxBytes());
    }

    /**
     * Writes the effect record of the last {@link #apply} (which must have {@link #lastEffect changed} the table) at
     * {@code offset} of {@code out}, which has room for {@link #maxEffectLength} bytes; the log seals it. Call before
     * the writer's next write, while the applied record is still in its ring. Allocation-free.
     * @return the record's length.
     */
    public int encodeEffect(final MemorySegment out, final long offset)
    {
        final WriteRecordDecoder r = record;
        if (lastEffect == EFFECT_FLUSH)
        {
            final int length = recordLength(0, 0);
            effect.wrap(out, offset, length).opcode(OP_FLUSH_ALL).partition(r.partition()).exptime(r.exptime());
            if (r.has(OPTION_IMMEDIATE))
            {
                effect.options(OPTION_NEW_CAS).newCas(table.flushOldestCas());
            }
            return length;
        }
        if (writer.find(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), effectItem))
        {
            final ItemView i = effectItem;
            final int length = effectLength(r.keyLength(), i.valueLength());
            effect.wrapEffect(out, offset, length, OP_RESTORE).partition(r.partition())
                .clientFlags(i.clientFlags()).exptime(i.expiresAtSeconds()).newCas(i.cas()).storedAt(i.storedAtSeconds())
                .metaBits(i.metaBits()).key(r.buffer(), r.keyOffset(), r.keyLength())
                .value(i.segment(), i.valueOffset(), i.valueLength());
            return length;
        }
        final int length = effectLength(r.keyLength(), 0);
        effect.wrapEffect(out, offset, length, OP_UNLINK).partition(r.partition())
            .key(r.buffer(), r.keyOffset(), r.keyLength());
        return length;
    }

    /**
     * Recovery: applies one effect record (OP_RESTORE, OP_UNLINK, OP_FLUSH_ALL) read back from {@code partition}'s
     * log. Untrusted input: the framing is checked and the key's hash recomputed; a record of another opcode or
     * partition changes nothing. Counts no memcached stats.
     * @return a {@link Status} code: STORED, DELETED, OK as {@link Status#STORED}; {@link Status#NOT_STORED} for a
     *         record that is not an effect of this partition; a publish failure (OUT_OF_MEMORY, TOO_LARGE).
     */
    public int replay(final MemorySegment memory, final long offset, final int length, final int partition)
    {
        final WriteRecordDecoder r = record;
        if (!r.wrap(memory, offset, length) || r.partition() != partition || partition >= table.partitionCount())
        {
            return Status.NOT_STORED;
        }
        if (r.opcode() == OP_FLUSH_ALL)
        {
            table.restoreFlush(r.exptime(), r.has(OPTION_NEW_CAS) ? r.newCas() : 0);
            return Status.STORED;
        }
        final long hash = Table.keyHash(r.buffer(), r.keyOffset(), r.keyLength());
        if (table.partitionOfHash(hash) != partition)
        {
            return Status.NOT_STORED;
        }
        final PartitionWriter w = table.writer(partition);
        switch (r.opcode())
        {
            case OP_RESTORE ->
            {
                if (Long.compareUnsigned(r.newCas(), replayedCasMax) > 0)
                {
                    replayedCasMax = r.newCas();
                }
                return w.publish(r.buffer(), r.keyOffset(), r.keyLength(), hash, r.buffer(), r.valueOffset(),
                    r.valueLength(), empty, 0, 0, 0, r.clientFlags(), r.exptime(), r.storedAt(), r.newCas(),
                    r.metaBits(), effectItem);
            }
            case OP_UNLINK ->
            {
                w.unlink(r.buffer(), r.keyOffset(), r.keyLength(), hash);
                return Status.STORED;
            }
            default ->
            {
                return Status.NOT_STORED;
            }
        }
    }

    /** The largest CAS {@link #replay} restored (the table's counter must pass it); 0 before any. */
    public long replayedCasMax()
    {
        return replayedCasMax;
    }

    // ------------------------------------------------------------------------------------------ shared with MetaWrites

    WriteRecordDecoder record()
    {
        return record;
    }

    PartitionWriter writer()
    {
        return writer;
    }

    StoreSemantics semantics()
    {
        return semantics;
    }

    ItemView item()
    {
        return item;
    }

    WriteReplyEncoder reply()
    {
        return reply;
    }

    ServerStats stats()
    {
        return stats;
    }

    int slot()
    {
        return slot;
    }

    MemorySegment empty()
    {
        return empty;
    }

    MemorySegment numberScratch()
    {
        return numberScratch;
    }

    /** The facts of {@link #item} into the reply. */
    void itemFacts()
    {
        reply.item(item.cas(), item.clientFlags(), item.valueLength(), item.expiresAtSeconds(), item.storedAtSeconds(),
            item.metaBits());
    }

    void itemValue()
    {
        reply.value(item.segment(), item.valueOffset(), item.valueLength());
    }

    /** The CAS for an item a meta command creates: its E token, else 0 (the table assigns the next one). */
    long newCasOrNext()
    {
        return record.has(OPTION_NEW_CAS) ? record.newCas() : 0;
    }

    /**
     * E(token) after a table operation that assigned the next CAS to {@link #item} (ms add/replace/append/
     * prepend/cas modes, ma): republishes the new item unchanged but with the explicit CAS. The writer owns the
     * partition, so no one can observe the intermediate CAS except through a concurrent read, which sees
     * either item whole. Returns STORED or the publish failure.
     */
    int applyNewCas()
    {
        if (!record.has(OPTION_NEW_CAS))
        {
            return Status.STORED;
        }
        final WriteRecordDecoder r = record;
        return writer.publish(r.buffer(), r.keyOffset(), r.keyLength(), r.keyHash(), item.segment(), item.valueOffset(),
            item.valueLength(), empty, 0, 0, item.clientFlags(), item.expiresAtSeconds(), r.newCas(),
            item.metaBits(), item);
    }

    /** The digits of the arithmetic result in {@link #item} (memcached pads shorter results with spaces). */
    int numberLength()
    {
        final MemorySegment seg = item.segment();
        final long at = item.valueOffset();
        int n = 0;
        while (n < item.valueLength() && seg.get(AsciiCodec.BYTE, at + n) != ' ')
        {
            n++;
        }
        return n;
    }
}
