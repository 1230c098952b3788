package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteReplyDecoder;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.BinaryHeaderDescriptor.*;
import static io.wirekv.dataplane.proto.BinaryHeaderDescriptor.HEADER_LENGTH;
import static io.wirekv.dataplane.record.WriteReplyDescriptor.*;

/**
 * Turns the writer's {@link io.wirekv.dataplane.record.WriteReplyDescriptor binary reply} into memcached's binary
 * protocol response for the parked request, from the session's parse of its header (opcode, opaque, CAS, key):
 * the statuses and bodies of proto_bin.c ({@code complete_update_bin}, {@code complete_incr_bin},
 * {@code process_bin_delete}, {@code process_bin_get_or_touch}). Quiet commands write nothing on success; errors
 * are always answered. One instance per reader thread; allocation-free.
 */
final class BinaryReplyFormatter
{
    private static final byte[] OUT_OF_DISK_BODY = Replies.b("Out of disk space");
    private static final byte[] LOG_FAILED_BODY = Replies.b("Log write failed");
    private static final byte[] READ_ONLY_BODY = Replies.b("Replication: this node is a backup (read-only)");
    private static final byte[] FENCED_BODY = Replies.b("Replication: fenced by a newer primary");
    private static final byte[] NO_BACKUP_BODY = Replies.b("Replication: no backup connected");
    private static final byte[] SYNC_TIMEOUT_BODY = Replies.b("Replication: the backup did not acknowledge in time");
    private static final byte[] OUT_OF_MEMORY_STORING = Replies.b("Out of memory allocating item");
    private static final byte[] OUT_OF_MEMORY_INCREMENTING = Replies.b("Out of memory incrementing value");

    private final BinaryReplies replies;
    private final WriteReplyDecoder reply = new WriteReplyDecoder();
    private boolean flushPoint;

    BinaryReplyFormatter(final BinaryReplies replies)
    {
        this.replies = replies;
    }

    /**
     * Writes the response (nothing for a quiet success) into {@code out}, a stream buffer sized for any reply.
     * @return true when memcached flushes after it (an error answered without dropping a value).
     */
    boolean format(final RequestSession s, final MemorySegment memory, final long offset, final ReplyBuffer out)
    {
        final WriteReplyDecoder r = reply.wrap(memory, offset);
        final byte status = r.status();
        flushPoint = false;
        final boolean quiet = s.parkedNoreply;
        final int loud = loudOpcode(s.binaryOpcode);
        if (status == STATUS_BAD_RECORD)
        {
            error(out, s, RESPONSE_EINVAL, null); // never sent by this reader; says so rather than guessing
            return true;
        }
        if (status == STATUS_OUT_OF_DISK || status == STATUS_LOG_FAILED)
        {
            // refused before the table changed, as the text protocol's SERVER_ERROR; quiet or not, an error is sent
            error(out, s, RESPONSE_EINTERNAL, status == STATUS_OUT_OF_DISK ? OUT_OF_DISK_BODY : LOG_FAILED_BODY);
            return true;
        }
        if (status == STATUS_REPLICA_READ_ONLY || status == STATUS_FENCED || status == STATUS_NO_BACKUP ||
            status == STATUS_SYNC_TIMEOUT)
        {
            error(out, s, RESPONSE_EINTERNAL, status == STATUS_REPLICA_READ_ONLY ? READ_ONLY_BODY :
                status == STATUS_FENCED ? FENCED_BODY : status == STATUS_NO_BACKUP ? NO_BACKUP_BODY : SYNC_TIMEOUT_BODY);
            return true;
        }
        switch (loud)
        {
            case SET, ADD, REPLACE, APPEND, PREPEND -> store(out, s, r, status, loud, quiet);
            case DELETE -> plain(out, s, status == STATUS_DELETED, status, quiet, 0);
            case FLUSH -> plain(out, s, true, status, quiet, 0);
            case INCREMENT, DECREMENT -> arithmetic(out, s, r, status, quiet);
            case TOUCH, GAT, GATK -> touch(out, s, r, status, loud, quiet);
            default -> error(out, s, RESPONSE_EINVAL, null);
        }
        return flushPoint;
    }

    private void store(
        final ReplyBuffer out, final RequestSession s, final WriteReplyDecoder r, final byte status, final int loud,
        final boolean quiet)
    {
        switch (status)
        {
            case STATUS_STORED -> plain(out, s, true, status, quiet, r.has(FACT_ITEM) ? r.cas() : 0);
            case STATUS_EXISTS -> error(out, s, RESPONSE_KEY_EEXISTS, null);
            case STATUS_NOT_FOUND -> error(out, s, RESPONSE_KEY_ENOENT, null);
            case STATUS_TOO_LARGE ->
            {
                error(out, s, RESPONSE_E2BIG, null);
                flushPoint = false; // memcached drops the value first, and does not flush
            }
            case STATUS_NOT_STORED ->
            {
                // memcached names an add's and a replace's refusal by what was there (unless a CAS made it a cas)
                final boolean plainCommand = s.binaryCas == 0;
                error(out, s, plainCommand && loud == ADD ? RESPONSE_KEY_EEXISTS :
                    plainCommand && loud == REPLACE ? RESPONSE_KEY_ENOENT : RESPONSE_NOT_STORED, null);
            }
            default -> error(out, s, RESPONSE_ENOMEM, OUT_OF_MEMORY_STORING);
        }
    }

    /** Success with no body (CAS {@code cas}) unless quiet, or memcached's error for the status. */
    private void plain(
        final ReplyBuffer out, final RequestSession s, final boolean success, final byte status, final boolean quiet,
        final long cas)
    {
        if (success)
        {
            if (!quiet)
            {
                replies.header(out, s, RESPONSE_SUCCESS, 0, 0, 0, cas);
            }
            return;
        }
        error(out, s, status == STATUS_EXISTS ? RESPONSE_KEY_EEXISTS : RESPONSE_KEY_ENOENT, null);
    }

    private void arithmetic(
        final ReplyBuffer out, final RequestSession s, final WriteReplyDecoder r, final byte status, final boolean quiet)
    {
        switch (status)
        {
            case STATUS_STORED ->
            {
                if (!quiet)
                {
                    replies.header(out, s, RESPONSE_SUCCESS, 0, 0, Long.BYTES, r.cas());
                    replies.putLong(out, digits(r.buffer(), r.valueOffset(), r.valueLength()));
                }
            }
            case STATUS_NOT_FOUND -> error(out, s, RESPONSE_KEY_ENOENT, null);
            case STATUS_EXISTS -> error(out, s, RESPONSE_KEY_EEXISTS, null);
            case STATUS_NON_NUMERIC -> error(out, s, RESPONSE_DELTA_BADVAL, null);
            case STATUS_NOT_STORED -> error(out, s, RESPONSE_NOT_STORED, null);
            default -> error(out, s, RESPONSE_ENOMEM, OUT_OF_MEMORY_INCREMENTING);
        }
    }

    private void touch(
        final ReplyBuffer out, final RequestSession s, final WriteReplyDecoder r, final byte status, final int loud,
        final boolean quiet)
    {
        final long keyAt = s.position + HEADER_LENGTH + s.binaryExtrasLength;
        final int keyLength = s.binaryKeyLength;
        if (status != STATUS_TOUCHED || !r.has(FACT_ITEM))
        {
            if (status == STATUS_NOT_FOUND)
            {
                if (quiet)
                {
                    return;
                }
                if (loud == GATK)
                {
                    replies.header(out, s, RESPONSE_KEY_ENOENT, 0, keyLength, keyLength, 0);
                    out.put(s.input, keyAt, keyLength);
                    return;
                }
                error(out, s, RESPONSE_KEY_ENOENT, null);
                return;
            }
            error(out, s, RESPONSE_ENOMEM, null);
            return;
        }
        final int keyBytes = loud == GATK ? keyLength : 0;
        final int valueBytes = loud == TOUCH ? 0 : r.valueLength();
        replies.header(out, s, RESPONSE_SUCCESS, Integer.BYTES, keyBytes, Integer.BYTES + keyBytes + valueBytes, r.cas());
        replies.putInt(out, r.clientFlags());
        if (keyBytes > 0)
        {
            out.put(s.input, keyAt, keyLength);
        }
        if (valueBytes > 0)
        {
            out.put(r.buffer(), r.valueOffset(), valueBytes);
        }
    }

    private void error(final ReplyBuffer out, final RequestSession s, final int status, final byte[] text)
    {
        flushPoint = true;
        final byte[] body = text != null ? text : BinaryReplies.errorBody(status);
        replies.header(out, s, status, 0, 0, body.length, 0);
        out.put(body);
    }

    /** The writer's decimal result as memcached's u64 (strtoull). */
    private static long digits(final MemorySegment in, final long at, final int length)
    {
        long v = 0;
        for (int i = 0; i < length; i++)
        {
            final int d = in.get(AsciiCodec.BYTE, at + i) - '0';
            if (d < 0 || d > 9)
            {
                break;
            }
            v = v * 10 + d;
        }
        return v;
    }
}
